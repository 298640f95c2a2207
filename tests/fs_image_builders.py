"""Build real image artifacts (layer tars, docker-archive, OCI layout/archive) for the
fs and local-source tests, with stdlib tarfile -- including hostile ones."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import tarfile
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class E:
    """One tar entry to write."""

    name: str
    kind: str = "file"  # file | dir | symlink | hardlink | char | block | fifo
    data: bytes = b""
    target: str = ""
    mode: int = 0o644
    uid: int = 0
    gid: int = 0
    pax: dict[str, str] = field(default_factory=dict)
    size: int | None = None  # lie about the size (hostile)


def layer_tar(entries: list[E]) -> bytes:
    """An uncompressed layer tar holding ``entries`` in order."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for e in entries:
            info = tarfile.TarInfo(e.name)
            info.mode = e.mode
            info.uid, info.gid = e.uid, e.gid
            info.mtime = 1_700_000_000
            if e.pax:
                info.pax_headers = dict(e.pax)
            if e.kind == "file":
                info.size = len(e.data)
                tar.addfile(info, io.BytesIO(e.data))
                continue
            info.type = {
                "dir": tarfile.DIRTYPE,
                "symlink": tarfile.SYMTYPE,
                "hardlink": tarfile.LNKTYPE,
                "char": tarfile.CHRTYPE,
                "block": tarfile.BLKTYPE,
                "fifo": tarfile.FIFOTYPE,
            }[e.kind]
            info.linkname = e.target
            if e.kind in ("char", "block"):
                info.devmajor, info.devminor = 1, 3
            tar.addfile(info)
    return buf.getvalue()


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def image_config(layers: list[bytes], history: list[str] | None = None) -> bytes:
    """A minimal image config whose diff_ids match ``layers`` (uncompressed tars)."""
    hist = [{"created_by": h} for h in (history or [f"step {i}" for i in range(len(layers))])]
    doc = {
        "architecture": "amd64",
        "os": "linux",
        "config": {"Env": ["PATH=/usr/bin:/bin"], "Cmd": ["/bin/sh"]},
        "rootfs": {"type": "layers", "diff_ids": [sha256(t) for t in layers]},
        "history": hist,
    }
    return json.dumps(doc, sort_keys=True).encode()


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o644
    tar.addfile(info, io.BytesIO(data))


def compress(data: bytes, how: str | None) -> bytes:
    if how == "gzip":
        return gzip.compress(data, compresslevel=1, mtime=0)
    if how == "zstd":
        import zstandard

        return zstandard.ZstdCompressor().compress(data)
    return data


def write_docker_archive(
    path: Path,
    layers: list[bytes],
    tag: str = "test/app:1.0",
    legacy: bool = True,
    compression: str | None = None,
    config: bytes | None = None,
    manifest: bytes | None = None,
    blobs_override: dict[str, bytes] | None = None,
    history: list[str] | None = None,
) -> Path:
    """A ``docker save`` style archive (legacy ``<id>/layer.tar`` or skopeo-style
    ``<hex>.tar`` names when ``compression`` is set or ``legacy`` is False)."""
    config = config if config is not None else image_config(layers, history)
    config_hex = hashlib.sha256(config).hexdigest()
    members: dict[str, bytes] = {f"{config_hex}.json": config}
    names = []
    for i, tar_bytes in enumerate(layers):
        blob = compress(tar_bytes, compression)
        if legacy and compression is None:
            name = f"{i:064x}/layer.tar"
        else:
            name = f"{hashlib.sha256(blob).hexdigest()}.tar"
        members[name] = blob
        names.append(name)
    for name, data in (blobs_override or {}).items():
        members[name] = data
    if manifest is None:
        manifest = json.dumps(
            [{"Config": f"{config_hex}.json", "RepoTags": [tag], "Layers": names}]
        ).encode()
    with tarfile.open(path, "w") as tar:
        _add_bytes(tar, "manifest.json", manifest)
        for name, data in members.items():
            _add_bytes(tar, name, data)
    return path


def oci_layout_members(
    layers: list[bytes],
    tag: str = "1.0",
    compression: str | None = "gzip",
    history: list[str] | None = None,
) -> dict[str, bytes]:
    """The files of an OCI image layout holding one image tagged ``tag``."""
    config = image_config(layers, history)
    blobs: dict[str, bytes] = {sha256(config): config}
    descs = []
    for tar_bytes in layers:
        blob = compress(tar_bytes, compression)
        blobs[sha256(blob)] = blob
        suffix = {"gzip": "+gzip", "zstd": "+zstd"}.get(compression or "", "")
        descs.append({"mediaType": "application/vnd.oci.image.layer.v1.tar" + suffix,
                      "digest": sha256(blob), "size": len(blob)})
    manifest = json.dumps({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": sha256(config), "size": len(config)},
        "layers": descs,
    }).encode()
    blobs[sha256(manifest)] = manifest
    index = json.dumps({
        "schemaVersion": 2,
        "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "digest": sha256(manifest), "size": len(manifest),
                       "annotations": {"org.opencontainers.image.ref.name": tag}}],
    }).encode()
    files = {"oci-layout": b'{"imageLayoutVersion": "1.0.0"}', "index.json": index}
    for digest, data in blobs.items():
        files["blobs/sha256/" + digest.split(":")[1]] = data
    return files


def write_oci_layout(root: Path, files: dict[str, bytes]) -> Path:
    for name, data in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return root


def write_oci_archive(path: Path, files: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w") as tar:
        for name, data in files.items():
            _add_bytes(tar, name, data)
    return path


def tree_of(fs: object) -> dict[str, str]:
    """path -> short description of every entry of a FileSystem (for comparisons)."""
    out = {}
    for info in fs.walk("/"):  # type: ignore[attr-defined]
        if info.is_file():
            out[info.path] = "f:" + hashlib.sha256(fs.read_bytes(info.path)).hexdigest()[:12]  # type: ignore[attr-defined]
        elif info.is_symlink():
            out[info.path] = "l:" + str(info.linkname)
        else:
            out[info.path] = info.type.value
    return out


def env_without_cache(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["HOME"] = str(tmp / "home")
    env["SEAWALL_CACHE_DIR"] = str(tmp / "cache")
    return env


def write_zero_layer_archive(path: Path, total: int, chunk: int = 64 << 20) -> Path:
    """A docker-archive whose one gzip layer is a tar holding ``total`` zero bytes in
    one file: a few hundred KB on disk per GB unpacked (a zero bomb). The gzip is a
    concatenation of members (one compressed ``chunk`` of zeros repeated), so GBs are
    generated in a second or two; digests (blob and diff_id) are the true ones."""
    if total % chunk:
        raise ValueError("total must be a multiple of chunk")
    header = tarfile.TarInfo("zeros")
    header.size = total
    header.mtime = 1_700_000_000
    head = header.tobuf(format=tarfile.PAX_FORMAT)
    tail = bytes(1024)  # total is a multiple of 512: no padding, just the end blocks
    diff = hashlib.sha256(head)
    zeros = bytes(chunk)
    for _ in range(total // chunk):
        diff.update(zeros)
    diff.update(tail)
    zero_member = gzip.compress(zeros, compresslevel=1, mtime=0)
    parts = [gzip.compress(head, mtime=0)] + [zero_member] * (total // chunk)
    parts.append(gzip.compress(tail, mtime=0))
    blob = b"".join(parts)
    diff_id = "sha256:" + diff.hexdigest()
    config = json.dumps({
        "architecture": "amd64", "os": "linux", "config": {},
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
        "history": [{"created_by": "zeros"}],
    }, sort_keys=True).encode()
    config_hex = hashlib.sha256(config).hexdigest()
    layer_name = f"{hashlib.sha256(blob).hexdigest()}.tar"
    manifest = json.dumps([{"Config": f"{config_hex}.json", "RepoTags": ["test/zeros:1"],
                            "Layers": [layer_name]}]).encode()
    with tarfile.open(path, "w") as tar:
        _add_bytes(tar, "manifest.json", manifest)
        _add_bytes(tar, f"{config_hex}.json", config)
        _add_bytes(tar, layer_name, blob)
    return path


class _ZeroReader:
    """A stream of ``n`` zero bytes (for tarfile.addfile without the bytes in memory)."""

    def __init__(self, n: int) -> None:
        self._left = n

    def read(self, size: int = -1) -> bytes:
        size = self._left if size < 0 else min(size, self._left)
        self._left -= size
        return bytes(size)


def write_gzipped_zero_archive(path: Path, total: int) -> Path:
    """``docker save | gzip`` of an image whose one uncompressed layer holds ``total``
    zero bytes: small on disk, ``total`` bytes once the outer gzip is undone."""
    header = tarfile.TarInfo("zeros")
    header.size = total
    layer_head = header.tobuf(format=tarfile.PAX_FORMAT)
    layer_size = len(layer_head) + total + 1024
    diff = hashlib.sha256(layer_head)
    left = total
    while left:
        n = min(left, 64 << 20)
        diff.update(bytes(n))
        left -= n
    diff.update(bytes(1024))
    config = json.dumps({
        "architecture": "amd64", "os": "linux", "config": {},
        "rootfs": {"type": "layers", "diff_ids": ["sha256:" + diff.hexdigest()]},
    }, sort_keys=True).encode()
    config_hex = hashlib.sha256(config).hexdigest()
    manifest = json.dumps([{"Config": f"{config_hex}.json", "RepoTags": ["test/zeros:gz"],
                            "Layers": ["0/layer.tar"]}]).encode()

    class _LayerReader:
        def __init__(self) -> None:
            self._head = layer_head
            self._zeros = _ZeroReader(total + 1024)

        def read(self, size: int = -1) -> bytes:  # full reads: tarfile insists
            out, self._head = self._head[:size], self._head[size:]
            return out + self._zeros.read(size - len(out))

    with gzip.open(path, "wb", compresslevel=1) as gz, \
            tarfile.open(fileobj=gz, mode="w:") as tar:  # type: ignore[call-overload]
        _add_bytes(tar, "manifest.json", manifest)
        _add_bytes(tar, f"{config_hex}.json", config)
        info = tarfile.TarInfo("0/layer.tar")
        info.size = layer_size
        tar.addfile(info, _LayerReader())  # type: ignore[arg-type]
    return path
