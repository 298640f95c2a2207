"""From a manifest (or index) to a config and layer descriptors, for every source that
stores images as OCI/Docker manifests: registries, containerd's API and its on-disk
content store.

Each source supplies a way to fetch a document by digest; this module decides what the
document is, picks the platform out of an index, verifies every digest it is given and
checks that the manifest and the config agree on the layer count.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from seawall.errors import CorruptArtifactError, DigestMismatchError, InputError
from seawall.sources.platform import select_manifest

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_SCHEMA1 = (
    "application/vnd.docker.distribution.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v1+prettyjws",
)
INDEX_TYPES = (OCI_INDEX, DOCKER_MANIFEST_LIST)
MANIFEST_TYPES = (OCI_MANIFEST, DOCKER_MANIFEST)
ACCEPT_ALL = ", ".join((*INDEX_TYPES, *MANIFEST_TYPES))
"""The Accept header a registry client sends for manifests."""

MAX_MANIFEST_BYTES = 4 * 1024 * 1024
"""The distribution spec lets registries refuse manifests above 4 MiB; so do we."""
MAX_CONFIG_BYTES = 32 * 1024 * 1024
"""Image configs are small JSON; anything this big is hostile."""
_MAX_INDEX_DEPTH = 4

_HASHES = {"sha256": hashlib.sha256, "sha512": hashlib.sha512}


def digest_of(data: bytes, algorithm: str = "sha256") -> str:
    """``sha256:<hex>`` of ``data``."""
    return f"{algorithm}:{_HASHES[algorithm](data).hexdigest()}"


def check_digest_syntax(digest: str, where: str) -> str:
    """Return ``digest`` if it is ``sha256:<64 hex>``/``sha512:<128 hex>``; the hex part
    ends up in file paths and URLs, so nothing else is accepted."""
    algorithm, _, hexpart = digest.partition(":")
    expected = {"sha256": 64, "sha512": 128}.get(algorithm)
    if (
        expected is None
        or len(hexpart) != expected
        or not all(c in "0123456789abcdef" for c in hexpart)
    ):
        raise CorruptArtifactError(f"{where}: invalid digest {digest!r}")
    return digest


def verify_digest(data: bytes, digest: str, where: str) -> None:
    """Raise :class:`DigestMismatchError` unless ``data`` hashes to ``digest``."""
    check_digest_syntax(digest, where)
    actual = digest_of(data, digest.partition(":")[0])
    if actual != digest:
        raise DigestMismatchError(f"{where}: content is {actual}, expected {digest}")


def parse_json_document(data: bytes, where: str) -> dict[str, Any]:
    """Parse a JSON object or raise :class:`CorruptArtifactError` naming ``where``."""
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise CorruptArtifactError(f"{where}: malformed JSON ({exc})") from None
    if not isinstance(doc, dict):
        raise CorruptArtifactError(f"{where}: expected a JSON object")
    return doc


def document_media_type(doc: dict[str, Any], declared: str | None) -> str:
    """A manifest's media type: its own ``mediaType`` field, else what the transport
    declared, else guessed from its shape (OCI made ``mediaType`` optional)."""
    own = doc.get("mediaType")
    if isinstance(own, str) and own:
        return own
    declared = (declared or "").split(";")[0].strip()
    if declared and declared not in ("application/json", "application/octet-stream"):
        return declared
    if "manifests" in doc:
        return OCI_INDEX
    if "layers" in doc and "config" in doc:
        return OCI_MANIFEST
    if doc.get("schemaVersion") == 1:
        return DOCKER_SCHEMA1[0]
    return declared or "unknown"


@dataclass(frozen=True)
class Descriptor:
    """An OCI content descriptor, validated."""

    media_type: str
    digest: str
    size: int | None
    urls: tuple[str, ...] = ()


def _descriptor(raw: object, where: str) -> Descriptor:
    if not isinstance(raw, dict) or not isinstance(raw.get("digest"), str):
        raise CorruptArtifactError(f"{where}: descriptor without a digest")
    size = raw.get("size")
    urls = raw.get("urls")
    return Descriptor(
        media_type=str(raw.get("mediaType") or ""),
        digest=check_digest_syntax(raw["digest"], where),
        size=size if isinstance(size, int) and size >= 0 else None,
        urls=tuple(u for u in urls if isinstance(u, str)) if isinstance(urls, list) else (),
    )


@dataclass(frozen=True)
class ResolvedManifest:
    """An image manifest after platform selection."""

    manifest_bytes: bytes
    manifest_digest: str
    config: Descriptor
    layers: list[Descriptor]


ManifestFetcher = Callable[[str], tuple[bytes, str | None]]
"""Fetches a manifest by digest: returns (bytes, declared media type or None)."""


def resolve_manifest(
    data: bytes,
    declared_type: str | None,
    digest: str,
    fetch: ManifestFetcher,
    platform: str | None,
    where: str,
) -> ResolvedManifest:
    """Follow an index down to the image manifest for ``platform`` (host when None).

    ``data`` must already be verified against ``digest`` by the caller (a registry may
    have given the digest in a header); child manifests are verified here.
    """
    for _ in range(_MAX_INDEX_DEPTH):
        if len(data) > MAX_MANIFEST_BYTES:
            raise CorruptArtifactError(f"{where}: manifest larger than 4 MiB")
        doc = parse_json_document(data, f"{where}: manifest")
        media_type = document_media_type(doc, declared_type)
        if media_type in INDEX_TYPES:
            manifests = doc.get("manifests")
            if not isinstance(manifests, list):
                raise CorruptArtifactError(f"{where}: index without a manifests list")
            chosen = _descriptor(select_manifest(manifests, platform, where), where)
            data, declared_type = fetch(chosen.digest)
            verify_digest(data, chosen.digest, f"{where}: manifest {chosen.digest}")
            digest = chosen.digest
            continue
        if media_type in MANIFEST_TYPES:
            layers = doc.get("layers")
            if not isinstance(layers, list):
                raise CorruptArtifactError(f"{where}: manifest without a layers list")
            return ResolvedManifest(
                manifest_bytes=data,
                manifest_digest=digest,
                config=_descriptor(doc.get("config"), f"{where}: config"),
                layers=[_descriptor(layer, f"{where}: layer") for layer in layers],
            )
        if media_type in DOCKER_SCHEMA1:
            raise InputError(f"{where}: Docker schema 1 manifests are not supported")
        raise CorruptArtifactError(f"{where}: unsupported manifest media type {media_type!r}")
    raise CorruptArtifactError(f"{where}: indexes nested deeper than {_MAX_INDEX_DEPTH}")


def check_config(config_bytes: bytes, resolved: ResolvedManifest, where: str) -> dict[str, Any]:
    """Verify the config blob against its descriptor and that it lists as many
    diff_ids as the manifest lists layers; returns the parsed config."""
    if len(config_bytes) > MAX_CONFIG_BYTES:
        raise CorruptArtifactError(f"{where}: image config larger than 32 MiB")
    verify_digest(config_bytes, resolved.config.digest, f"{where}: config")
    config = parse_json_document(config_bytes, f"{where}: config")
    rootfs = config.get("rootfs")
    diff_ids = rootfs.get("diff_ids") if isinstance(rootfs, dict) else None
    if not isinstance(diff_ids, list):
        raise CorruptArtifactError(f"{where}: config has no rootfs.diff_ids")
    if len(diff_ids) != len(resolved.layers):
        raise CorruptArtifactError(
            f"{where}: manifest lists {len(resolved.layers)} layers but config "
            f"lists {len(diff_ids)} diff_ids"
        )
    return config
