"""A small OCI distribution (Docker Registry HTTP API v2) client on httpx.

Scheme: HTTPS first; plain HTTP only when ``--insecure`` is given or the registry is
on a loopback address. The loopback rule is Docker's own: dockerd lists
``127.0.0.0/8`` as an insecure registry by default, so ``docker pull
localhost:5000/x`` works against a plain-HTTP registry and so does seawall.

Auth: the ``/v2/`` ping yields the challenge; ``Bearer`` challenges are answered by
the token service (anonymously or with basic credentials) with a ``pull`` scope,
``Basic`` challenges with the credentials. A 401 is re-authenticated once per request
(tokens expire while long layers stream).

Retries: connection errors, 5xx and 429 are retried ``SourceOptions.retries`` times
with exponential backoff (``Retry-After`` honoured up to 30 s).
"""

from __future__ import annotations

import base64
import io
import ipaddress
import logging
import threading
import time
from typing import TYPE_CHECKING, BinaryIO, cast

from seawall._version import __version__
from seawall.errors import CorruptArtifactError, NotFoundError, SourceUnavailableError
from seawall.sources.chunk_stream import ChunkStream
from seawall.sources.image_reference import ImageReference
from seawall.sources.interface import SourceOptions
from seawall.sources.registry_auth import Challenge, find_credentials, parse_challenge

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)

_BACKOFF_BASE_S = 0.5
_MAX_RETRY_AFTER_S = 30.0
_CHUNK = 1024 * 1024


def is_loopback_registry(registry: str) -> bool:
    """``localhost[:port]``, ``127.x.x.x[:port]`` or ``[::1][:port]``?"""
    host = registry.rsplit(":", 1)[0] if not registry.endswith("]") else registry
    host = host.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _error_code(response: httpx.Response) -> str:
    """First ``errors[].code`` of a registry error body (``MANIFEST_UNKNOWN``)."""
    import httpx  # imported on use (~0.2 s): most scans never touch a registry

    try:
        errors = response.json().get("errors") or []
        return str(errors[0].get("code", "")) if errors else ""
    except (ValueError, AttributeError, IndexError, httpx.ResponseNotRead):
        return ""


def http_blob_reader(response: httpx.Response) -> ChunkStream:
    """A read-only stream over a streamed HTTP response body (bytes as sent: a gzip
    layer stays gzip)."""

    def translate(exc: Exception) -> OSError | None:
        import httpx  # imported on use (~0.2 s): most scans never touch a registry

        if isinstance(exc, httpx.HTTPError):
            return OSError(f"blob download interrupted: {exc}")
        return None

    return ChunkStream(response.iter_raw(_CHUNK), translate, response.close)


class RegistryClient:
    """Talks to one repository of one registry; share it across the layers of an image
    and close it when the image closes."""

    def __init__(self, ref: ImageReference, options: SourceOptions) -> None:
        import httpx  # imported on use (~0.2 s): most scans never touch a registry

        self.ref = ref
        self.where = f"registry {ref.registry}, repository {ref.repository}"
        self._options = options
        self._credentials = find_credentials(ref.registry, options.username, options.password)
        self._allow_http = options.insecure or is_loopback_registry(ref.registry)
        self._client = httpx.Client(
            verify=not options.insecure,
            timeout=httpx.Timeout(60.0, connect=10.0),
            follow_redirects=True,
            headers={"User-Agent": f"seawall/{__version__}"},
        )
        self._base: str | None = None
        self._challenge: Challenge | None = None
        self._authorization: str | None = None
        self._lock = threading.Lock()

    def close(self) -> None:
        """Close connections (idempotent)."""
        self._client.close()

    # -- connection and auth -------------------------------------------------

    def _backoff(self, attempt: int, response: httpx.Response | None = None) -> None:
        delay = _BACKOFF_BASE_S * (2**attempt)
        if response is not None and response.headers.get("retry-after", "").isdigit():
            delay = min(float(response.headers["retry-after"]), _MAX_RETRY_AFTER_S)
        time.sleep(delay)

    def _ping(self) -> str:
        """Find the scheme that works and the auth challenge; returns the base URL."""
        import httpx  # imported on use (~0.2 s): most scans never touch a registry

        if self._base is not None:
            return self._base
        schemes = ("https", "http") if self._allow_http else ("https",)
        problems: list[str] = []
        for attempt in range(self._options.retries + 1):
            problems.clear()
            for scheme in schemes:
                base = f"{scheme}://{self.ref.api_host}"
                try:
                    response = self._client.get(f"{base}/v2/")
                except httpx.TransportError as exc:
                    problems.append(f"{scheme}: {exc or type(exc).__name__}")
                    continue
                if response.status_code >= 500 or response.status_code == 429:
                    problems.append(f"{scheme}: HTTP {response.status_code}")
                    break
                if response.status_code not in (200, 401):
                    raise SourceUnavailableError(
                        f"registry {self.ref.registry} does not speak the distribution API "
                        f"(GET /v2/ answered HTTP {response.status_code})"
                    )
                if response.status_code == 401:
                    self._challenge = parse_challenge(response.headers.get("www-authenticate", ""))
                self._base = base
                return base
            if attempt < self._options.retries:
                self._backoff(attempt)
        hint = "" if self._allow_http else " (plain-HTTP registry? use --insecure)"
        raise SourceUnavailableError(
            f"registry {self.ref.registry} unreachable: {'; '.join(problems)}{hint}"
        )

    def _authenticate(self, challenge: Challenge | None) -> None:
        import httpx  # imported on use (~0.2 s): most scans never touch a registry

        creds = self._credentials
        if challenge is None or challenge.scheme == "basic":
            if creds is None:
                raise SourceUnavailableError(
                    f"{self.where}: authentication required "
                    "(give --username/--password or docker login)"
                )
            basic = base64.b64encode(f"{creds.username}:{creds.password}".encode()).decode()
            self._authorization = f"Basic {basic}"
            return
        if challenge.scheme != "bearer" or "realm" not in challenge.params:
            raise SourceUnavailableError(
                f"{self.where}: unsupported authentication scheme {challenge.scheme!r}"
            )
        params = {"scope": f"repository:{self.ref.repository}:pull"}
        if "service" in challenge.params:
            params["service"] = challenge.params["service"]
        auth = (creds.username, creds.password) if creds else None
        try:
            response = self._client.get(challenge.params["realm"], params=params, auth=auth)
        except httpx.HTTPError as exc:
            raise SourceUnavailableError(
                f"{self.where}: token service unreachable: {exc}"
            ) from None
        if response.status_code in (401, 403):
            who = "credentials rejected" if creds else "anonymous access refused"
            raise SourceUnavailableError(f"{self.where}: {who} by the token service")
        if response.status_code != 200:
            raise SourceUnavailableError(
                f"{self.where}: token service answered HTTP {response.status_code}"
            )
        token: object = None
        try:
            body = response.json()
            token = body.get("token") or body.get("access_token")
        except (ValueError, AttributeError):
            pass
        if not isinstance(token, str) or not token:
            raise SourceUnavailableError(f"{self.where}: token service returned no token")
        self._authorization = f"Bearer {token}"

    # -- requests ------------------------------------------------------------

    def request(self, path: str, accept: str | None = None) -> httpx.Response:
        """GET ``/v2/<repository>/<path>`` streamed, with auth and retries. The caller
        checks the status and must close the response."""
        import httpx  # imported on use (~0.2 s): most scans never touch a registry

        base = self._ping()
        url = f"{base}/v2/{self.ref.repository}/{path}"
        reauthenticated = False
        attempt = 0
        while True:
            headers = {"Accept": accept} if accept else {}
            with self._lock:
                if self._authorization is None and self._challenge is not None:
                    self._authenticate(self._challenge)
                if self._authorization:
                    headers["Authorization"] = self._authorization
            try:
                response = self._client.send(
                    self._client.build_request("GET", url, headers=headers), stream=True
                )
            except httpx.TransportError as exc:
                if attempt >= self._options.retries:
                    raise SourceUnavailableError(
                        f"registry {self.ref.registry} unreachable: {exc}"
                    ) from None
                self._backoff(attempt)
                attempt += 1
                continue
            if response.status_code == 401 and not reauthenticated:
                reauthenticated = True
                challenge = parse_challenge(response.headers.get("www-authenticate", ""))
                response.close()
                with self._lock:
                    self._challenge = challenge or self._challenge
                    self._authorization = None
                    self._authenticate(self._challenge)
                continue
            if (response.status_code >= 500 or response.status_code == 429) and (
                attempt < self._options.retries
            ):
                response.close()
                self._backoff(attempt, response)
                attempt += 1
                continue
            return response

    def _raise_for_status(self, response: httpx.Response, what: str) -> None:
        status = response.status_code
        if status == 200:
            return
        response.read()
        code = _error_code(response)
        response.close()
        if status == 401:
            who = "credentials rejected" if self._credentials else "authentication required"
            raise SourceUnavailableError(f"{self.where}: {who} (HTTP 401 for {what})")
        if status == 403:
            raise SourceUnavailableError(f"{self.where}: access denied to {what}")
        if status == 404:
            reason = {
                "NAME_UNKNOWN": "repository not found",
                "MANIFEST_UNKNOWN": "manifest unknown",
                "BLOB_UNKNOWN": "blob unknown",
            }.get(code, "not found")
            raise NotFoundError(f"{self.where}: {what}: {reason}")
        raise SourceUnavailableError(f"{self.where}: HTTP {status} for {what}")

    def fetch_bytes(
        self, path: str, what: str, limit: int, accept: str | None = None
    ) -> tuple[bytes, httpx.Headers]:
        """A small document (manifest, config) read whole, refusing more than ``limit``."""
        import httpx  # imported on use (~0.2 s): most scans never touch a registry

        response = self.request(path, accept)
        try:
            self._raise_for_status(response, what)
            data = bytearray()
            for chunk in response.iter_raw(_CHUNK):
                data += chunk
                if len(data) > limit:
                    raise CorruptArtifactError(f"{self.where}: {what} larger than {limit} bytes")
            return bytes(data), response.headers
        except httpx.HTTPError as exc:
            raise SourceUnavailableError(f"{self.where}: reading {what} failed: {exc}") from None
        finally:
            response.close()

    def open_blob(self, digest: str) -> BinaryIO:
        """A stream of one blob's bytes (redirects to blob storage followed)."""
        response = self.request(f"blobs/{digest}")
        self._raise_for_status(response, f"blob {digest}")
        return cast(BinaryIO, io.BufferedReader(http_blob_reader(response), _CHUNK))
