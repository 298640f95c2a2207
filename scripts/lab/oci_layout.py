"""Docker archive -> OCI image layout, keeping the image config byte for byte.

skopeo's docker -> OCI conversion re-serialises the config (dropping Docker-only fields),
which changes the config digest, i.e. the image ID. Docker >= 25 and BuildKit keep the
config as is when they write OCI layouts; so does this, so every transport of a lab image
has one and the same image ID."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import tarfile
from pathlib import Path
from typing import Any

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar"
OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"
_CHUNK = 1 << 20
_BLOB_NAME = re.compile(r"blobs/sha256/[0-9a-f]{64}")


class BlobWriter:
    """Adds content-addressed blobs to an OCI image layout directory."""

    def __init__(self, layout: Path) -> None:
        self.blobs = layout / "blobs" / "sha256"
        self.blobs.mkdir(parents=True, exist_ok=True)

    def put_bytes(self, data: bytes, media_type: str) -> dict[str, object]:
        digest = hashlib.sha256(data).hexdigest()
        (self.blobs / digest).write_bytes(data)
        return {"mediaType": media_type, "digest": f"sha256:{digest}", "size": len(data)}

    def put_member(self, tar: tarfile.TarFile, member: str) -> dict[str, object]:
        """Stream one archive member into the store, hashing as it goes."""
        source = tar.extractfile(member)
        if source is None:
            raise ValueError(f"{member} is not a regular file in the archive")
        tmp = self.blobs / ".incoming"
        digest = hashlib.sha256()
        size = 0
        with source, tmp.open("wb") as out:
            head = b""
            while chunk := source.read(_CHUNK):
                if not head:
                    head = chunk[:2]
                digest.update(chunk)
                out.write(chunk)
                size += len(chunk)
        tmp.replace(self.blobs / digest.hexdigest())
        media_type = OCI_LAYER_GZIP if head == b"\x1f\x8b" else OCI_LAYER
        return {"mediaType": media_type, "digest": f"sha256:{digest.hexdigest()}", "size": size}

    def adopt_archive(self, archive: Path) -> dict[str, Any]:
        """Copy every blob of an oci-archive in (no recompression); return its
        index.json."""
        index: dict[str, Any] | None = None
        with tarfile.open(archive) as tar:
            for member in tar:
                name = member.name.removeprefix("./")
                if name == "index.json":
                    data = tar.extractfile(member)
                    index = json.loads(data.read()) if data else None
                elif member.isfile() and _BLOB_NAME.fullmatch(name):
                    source = tar.extractfile(member)
                    if source is None:
                        continue
                    with source, (self.blobs / name.rsplit("/", 1)[1]).open("wb") as out:
                        shutil.copyfileobj(source, out, _CHUNK)
        if index is None:
            raise ValueError(f"{archive}: no index.json")
        return index

    def read_json(self, digest: str) -> dict[str, Any]:
        value: dict[str, Any] = json.loads((self.blobs / digest.split(":", 1)[1]).read_bytes())
        return value


def docker_archive_to_oci_layout(archive: Path, layout: Path, ref_name: str = "latest") -> str:
    """Write ``layout`` (replaced) from a single-image docker archive; return the
    manifest digest."""
    shutil.rmtree(layout, ignore_errors=True)
    writer = BlobWriter(layout)
    with tarfile.open(archive) as tar:
        manifest_file = tar.extractfile("manifest.json")
        if manifest_file is None:
            raise ValueError(f"{archive}: no manifest.json")
        entries = json.loads(manifest_file.read())
        if len(entries) != 1:
            raise ValueError(f"{archive}: expected one image, found {len(entries)}")
        entry = entries[0]
        config_file = tar.extractfile(entry["Config"])
        if config_file is None:
            raise ValueError(f"{archive}: config {entry['Config']} missing")
        config = writer.put_bytes(config_file.read(), OCI_CONFIG)
        layers = [writer.put_member(tar, name) for name in entry["Layers"]]
    manifest = {"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": config,
                "layers": layers}
    descriptor = writer.put_bytes(json.dumps(manifest, indent=None).encode(), OCI_MANIFEST)
    descriptor["annotations"] = {"org.opencontainers.image.ref.name": ref_name}
    (layout / "oci-layout").write_text('{"imageLayoutVersion":"1.0.0"}')
    (layout / "index.json").write_text(json.dumps(
        {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [descriptor]}))
    return str(descriptor["digest"])

