"""The registry client against small real HTTP servers that misbehave on purpose:
bearer-token auth with a redirect to blob storage, 503s, malformed and mislabelled
manifests, lying digests. (The lab's registries cover the well-behaved cases.)"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import subprocess
import sys
import tarfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest

from seawall.errors import (
    CorruptArtifactError,
    DigestMismatchError,
    NotFoundError,
    SourceUnavailableError,
)
from seawall.sources.distribution import DistributionSource
from seawall.sources.interface import SourceOptions

DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"


def _sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _layer() -> tuple[bytes, bytes]:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        body = b"hello from a fake registry\n"
        info = tarfile.TarInfo("etc/greeting")
        info.size = len(body)
        tar.addfile(info, io.BytesIO(body))
    raw = buf.getvalue()
    return raw, gzip.compress(raw, mtime=0)


LAYER_TAR, LAYER_GZ = _layer()
CONFIG = json.dumps(
    {
        "architecture": "amd64",
        "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": [_sha(LAYER_TAR)]},
        "config": {},
    }
).encode()
MANIFEST = json.dumps(
    {
        "schemaVersion": 2,
        "mediaType": DOCKER_MANIFEST,
        "config": {
            "mediaType": "application/vnd.docker.container.image.v1+json",
            "digest": _sha(CONFIG),
            "size": len(CONFIG),
        },
        "layers": [
            {
                "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                "digest": _sha(LAYER_GZ),
                "size": len(LAYER_GZ),
            }
        ],
    }
).encode()


@dataclass
class ServerState:
    """What the servers saw."""

    hits: dict[str, int] = field(default_factory=dict)
    token_requests: list[dict[str, str]] = field(default_factory=list)
    storage_auth_headers: list[str | None] = field(default_factory=list)
    storage_port: int = 0


def _handler(state: ServerState, bearer: bool) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _send(
            self, status: int, body: bytes = b"", headers: dict[str, str] | None = None
        ) -> None:
            self.send_response(status)
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            path, _, query = self.path.partition("?")
            state.hits[path] = state.hits.get(path, 0) + 1
            if path.startswith("/storage/"):
                state.storage_auth_headers.append(self.headers.get("Authorization"))
                self._send(200, LAYER_GZ)
                return
            if path == "/token":
                params = dict(parse_qsl(query))
                state.token_requests.append(params)
                expected = "Basic " + base64.b64encode(b"robot:s3cret").decode()
                if self.headers.get("Authorization") != expected:
                    self._send(401)
                    return
                self._send(200, json.dumps({"token": "tok-123"}).encode())
                return
            if bearer and self.headers.get("Authorization") != "Bearer tok-123":
                host = f"http://127.0.0.1:{self.server.server_address[1]}"
                challenge = f'Bearer realm="{host}/token",service="fake-registry"'
                self._send(401, b"{}", {"WWW-Authenticate": challenge})
                return
            if path == "/v2/":
                self._send(200, b"{}")
                return
            self._serve_repo(path)

        def _serve_repo(self, path: str) -> None:
            repo, _, rest = path.removeprefix("/v2/").partition("/")
            manifest_headers = {"Content-Type": DOCKER_MANIFEST}
            if rest.startswith("app/manifests/"):
                if repo == "flaky" and state.hits[path] <= 2:
                    self._send(503)
                elif repo == "broken":
                    self._send(200, b'{"schemaVersion": 2, "layers": [', manifest_headers)
                elif repo == "weird":
                    doc = {"schemaVersion": 2, "mediaType": "application/vnd.example.thing+json"}
                    self._send(200, json.dumps(doc).encode())
                elif repo == "liar":
                    manifest_headers["Docker-Content-Digest"] = _sha(b"something else")
                    self._send(200, MANIFEST, manifest_headers)
                elif repo == "missing":
                    body = json.dumps({"errors": [{"code": "MANIFEST_UNKNOWN"}]}).encode()
                    self._send(404, body)
                else:
                    manifest_headers["Docker-Content-Digest"] = _sha(MANIFEST)
                    self._send(200, MANIFEST, manifest_headers)
            elif rest == f"app/blobs/{_sha(CONFIG)}":
                self._send(200, b"{}" if repo == "badconfig" else CONFIG)
            elif rest == f"app/blobs/{_sha(LAYER_GZ)}":
                location = f"http://localhost:{state.storage_port}/storage/{_sha(LAYER_GZ)}"
                self._send(307, b"", {"Location": location})
            else:
                self._send(404, json.dumps({"errors": [{"code": "BLOB_UNKNOWN"}]}).encode())

    return Handler


def _serve(handler: type[BaseHTTPRequestHandler]) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    return server


@pytest.fixture
def registries() -> Iterator[tuple[ServerState, str, str]]:
    """(state, open registry host:port, bearer-protected registry host:port)."""
    state = ServerState()
    storage = _serve(_handler(state, bearer=False))
    state.storage_port = storage.server_address[1]
    plain = _serve(_handler(state, bearer=False))
    protected = _serve(_handler(state, bearer=True))
    try:
        yield (
            state,
            f"127.0.0.1:{plain.server_address[1]}",
            f"127.0.0.1:{protected.server_address[1]}",
        )
    finally:
        for server in (storage, plain, protected):
            server.shutdown()
            server.server_close()


def _resolve(ref: str, **options: Any) -> Any:
    return DistributionSource().resolve(ref, SourceOptions(**options))


def test_bearer_token_flow_and_blob_redirect(registries: tuple[ServerState, str, str]) -> None:
    state, _, protected = registries
    parts = _resolve(f"//{protected}/good/app:1", username="robot", password="s3cret")
    try:
        assert parts.config_bytes == CONFIG
        assert parts.manifest_digest == _sha(MANIFEST)
        assert parts.repo_digests == [f"{protected}/good/app@{_sha(MANIFEST)}"]
        assert state.token_requests[0] == {
            "scope": "repository:good/app:pull",
            "service": "fake-registry",
        }
        with parts.layers[0].open_blob() as blob:
            assert blob.read() == LAYER_GZ
    finally:
        for close in parts.closers:
            close()
    # the redirect went to another origin: the registry token must not follow it
    assert state.storage_auth_headers == [None]


def test_bearer_with_wrong_credentials(registries: tuple[ServerState, str, str]) -> None:
    _, _, protected = registries
    with pytest.raises(SourceUnavailableError, match="credentials rejected by the token service"):
        _resolve(f"//{protected}/good/app:1", username="robot", password="wrong")
    with pytest.raises(SourceUnavailableError, match="anonymous access refused"):
        _resolve(f"//{protected}/good/app:1")


def test_5xx_is_retried_with_backoff(registries: tuple[ServerState, str, str]) -> None:
    state, plain, _ = registries
    parts = _resolve(f"//{plain}/flaky/app:1", retries=3)
    assert parts.config_bytes == CONFIG
    assert state.hits["/v2/flaky/app/manifests/1"] == 3
    with pytest.raises(SourceUnavailableError, match="HTTP 503"):
        _resolve(f"//{plain}/flaky/app:2", retries=0)


def test_malformed_manifest(registries: tuple[ServerState, str, str]) -> None:
    _, plain, _ = registries
    with pytest.raises(CorruptArtifactError, match="malformed JSON") as err:
        _resolve(f"//{plain}/broken/app:1")
    assert f"{plain}/broken/app:1" in str(err.value)


def test_unsupported_media_type(registries: tuple[ServerState, str, str]) -> None:
    _, plain, _ = registries
    with pytest.raises(CorruptArtifactError, match="unsupported manifest media type"):
        _resolve(f"//{plain}/weird/app:1")


def test_lying_content_digest_header(registries: tuple[ServerState, str, str]) -> None:
    _, plain, _ = registries
    with pytest.raises(DigestMismatchError, match="Docker-Content-Digest"):
        _resolve(f"//{plain}/liar/app:1")


def test_pinned_digest_is_verified(registries: tuple[ServerState, str, str]) -> None:
    _, plain, _ = registries
    parts = _resolve(f"//{plain}/good/app@{_sha(MANIFEST)}")
    assert parts.manifest_digest == _sha(MANIFEST)
    assert parts.repo_tags == []
    with pytest.raises(DigestMismatchError):
        _resolve(f"//{plain}/good/app@sha256:{'0' * 64}")


def test_config_blob_is_verified(registries: tuple[ServerState, str, str]) -> None:
    _, plain, _ = registries
    with pytest.raises(DigestMismatchError, match="config"):
        _resolve(f"//{plain}/badconfig/app:1")


def test_unknown_manifest_is_not_found(registries: tuple[ServerState, str, str]) -> None:
    _, plain, _ = registries
    with pytest.raises(NotFoundError, match="manifest unknown"):
        _resolve(f"//{plain}/missing/app:1")


def test_cli_reports_malformed_manifest_in_one_line(
    registries: tuple[ServerState, str, str],
) -> None:
    _, plain, _ = registries
    seawall_script = Path(sys.executable).parent / "seawall"
    for repo, reason in (("broken", "malformed JSON"), ("weird", "unsupported manifest")):
        proc = subprocess.run(
            [str(seawall_script), "inspect", f"docker://{plain}/{repo}/app:1"],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        assert proc.returncode == 2, proc.stderr
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("seawall: ") and reason in lines[0]
        assert f"{plain}/{repo}/app:1" in lines[0]
