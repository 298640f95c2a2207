"""Local image sources (docker-archive, oci, oci-archive) and the layer cache."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import BinaryIO

import pytest

import seawall
from fs_image_builders import (
    E,
    compress,
    layer_tar,
    oci_layout_members,
    sha256,
    tree_of,
    write_docker_archive,
    write_oci_archive,
    write_oci_layout,
)
from seawall.fs.layer_cache import LayerCache
from seawall.fs.layer_store import LayerStore, SizeBudget
from seawall.sources.interface import BlobLayerContent, SourceOptions

LAYERS = [
    layer_tar([E("etc/os-release", data=b'ID=alpine\nVERSION_ID=3.19.1\nPRETTY_NAME="Alpine"\n'),
               E("bin/busybox", data=b"\x7fELF" + bytes(5000), mode=0o755),
               E("bin/sh", "symlink", target="/bin/busybox")]),
    layer_tar([E("app/", "dir"), E("app/main.py", data=b"print('hi')\n"),
               E("etc/.wh.motd")]),
]


def all_refs(tmp_path: Path) -> list[str]:
    files = oci_layout_members(LAYERS, tag="v1", history=["ADD rootfs", "COPY app"])
    legacy = write_docker_archive(tmp_path / "legacy.tar", LAYERS, tag="acme/app:v1",
                                  history=["ADD rootfs", "COPY app"])
    skopeo = write_docker_archive(tmp_path / "skopeo.tar", LAYERS, legacy=False,
                                  compression="gzip", tag="acme/app:v1",
                                  history=["ADD rootfs", "COPY app"])
    zstd_files = oci_layout_members(LAYERS, tag="v1", compression="zstd",
                                    history=["ADD rootfs", "COPY app"])
    return [
        f"docker-archive:{legacy}",
        f"docker-archive:{legacy}:acme/app:v1",
        f"docker-archive:{legacy}:@0",
        f"docker-archive:{skopeo}",
        f"oci:{write_oci_layout(tmp_path / 'oci', files)}:v1",
        f"oci-archive:{write_oci_archive(tmp_path / 'oci.tar', files)}",
        f"oci:{write_oci_layout(tmp_path / 'zstd', zstd_files)}",
    ]


def test_every_local_transport_gives_the_same_image(tmp_path: Path) -> None:
    opts = SourceOptions(cache_dir=str(tmp_path / "cache"))
    seen = set()
    for ref in all_refs(tmp_path):
        with seawall.open_image(ref, opts) as image:
            assert image.digest == sha256(image.config_bytes)  # type: ignore[attr-defined]
            assert [layer.diff_id for layer in image.layers] == [sha256(t) for t in LAYERS]
            assert [layer.info.created_by for layer in image.layers] == ["ADD rootfs", "COPY app"]
            assert image.os is not None
            assert (image.os.family, image.os.version) == ("alpine", "3.19.1")
            assert image.layers[1].whiteouts == ["/etc/motd"]
            assert image.fs.read_bytes("/bin/sh")[:4] == b"\x7fELF"
            info = image.target_info().to_dict()
            assert info["kind"] == "image" and info["digest"] == image.digest
            assert len(info["layers"]) == 2
            seen.add((image.digest, json.dumps(tree_of(image.fs))))
    assert len(seen) == 1


def test_repo_tags_and_selection(tmp_path: Path) -> None:
    opts = SourceOptions(cache_dir=str(tmp_path / "cache"))
    archive = write_docker_archive(tmp_path / "a.tar", LAYERS, tag="docker.io/acme/app:v1")
    with seawall.open_image(f"docker-archive:{archive}:acme/app:v1", opts) as image:
        assert image.repo_tags == ["docker.io/acme/app:v1"]


class CountingBlob:
    """A real blob file, counting how often the store asks for it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.opens = 0

    def __call__(self) -> BinaryIO:
        self.opens += 1
        return open(self.path, "rb")


def test_blob_is_decompressed_once_then_served_from_cache(tmp_path: Path) -> None:
    tar = layer_tar([E("f", data=os.urandom(100_000))])
    blob_path = tmp_path / "blob.gz"
    blob_path.write_bytes(compress(tar, "gzip"))
    opener = CountingBlob(blob_path)
    content = BlobLayerContent(digest=sha256(blob_path.read_bytes()),
                               media_type="application/vnd.oci.image.layer.v1.tar+gzip",
                               open_blob=opener)
    cache = LayerCache(str(tmp_path / "cache"))
    first = LayerStore(cache, SizeBudget(1 << 30)).materialize(content, sha256(tar), "layer")
    second = LayerStore(cache, SizeBudget(1 << 30)).materialize(content, sha256(tar), "layer")
    assert opener.opens == 1
    assert first.tar_path == second.tar_path
    assert Path(first.tar_path).read_bytes() == tar
    assert "/f" in second.index.entries


def test_uncompressed_local_blob_is_indexed_in_place(tmp_path: Path) -> None:
    tar = layer_tar([E("f", data=b"in place")])
    blob_path = tmp_path / "outer.bin"
    blob_path.write_bytes(b"HEAD" * 128 + tar + b"TAIL")
    opener = CountingBlob(blob_path)
    content = BlobLayerContent(digest=sha256(tar), media_type="x", open_blob=opener,
                               local_file=(str(blob_path), 512, len(tar)))
    cache = LayerCache(str(tmp_path / "cache"))
    for _ in range(2):
        got = LayerStore(cache, SizeBudget(1 << 30)).materialize(content, sha256(tar), "layer")
        assert got.tar_path == str(blob_path)
    assert opener.opens == 0
    assert not list((tmp_path / "cache" / "layers" / "sha256").iterdir())  # nothing copied


def test_lru_eviction_keeps_cache_bounded(tmp_path: Path) -> None:
    cache = LayerCache(str(tmp_path / "cache"), max_bytes=300_000)
    diff_ids = []
    for i in range(5):
        tar = layer_tar([E(f"f{i}", data=os.urandom(100_000))])
        content = BlobLayerContent(digest=sha256(tar), media_type="x",
                                   open_blob=lambda t=tar: io.BytesIO(t))  # type: ignore[misc]
        LayerStore(cache, SizeBudget(1 << 30)).materialize(content, sha256(tar), f"layer {i}")
        diff_ids.append(sha256(tar))
        if i == 1:  # touch layer 0 so it is more recent than layer 1
            os.utime(Path(cache.entry_dir(diff_ids[0])) / "index", (2e9, 2e9))
    kept = {p.name for p in (tmp_path / "cache" / "layers" / "sha256").iterdir()}
    total = sum(f.stat().st_size for f in (tmp_path / "cache" / "layers").rglob("*") if f.is_file())
    assert total <= 300_000
    assert diff_ids[-1][7:] in kept
    assert diff_ids[0][7:] in kept and diff_ids[1][7:] not in kept


def test_two_processes_share_the_cache_safely(tmp_path: Path) -> None:
    tar = layer_tar([E("big", data=os.urandom(8 << 20))])
    blob = compress(tar, "gzip")
    (tmp_path / "blob.gz").write_bytes(blob)
    script = textwrap.dedent(f"""
        import sys
        from seawall.fs.layer_cache import LayerCache
        from seawall.fs.layer_store import LayerStore, SizeBudget
        from seawall.sources.interface import BlobLayerContent
        content = BlobLayerContent(digest={sha256(blob)!r}, media_type="x",
                                   open_blob=lambda: open({str(tmp_path / 'blob.gz')!r}, "rb"))
        got = LayerStore(LayerCache({str(tmp_path / 'cache')!r}), SizeBudget(1 << 40)).materialize(
            content, {sha256(tar)!r}, "layer")
        print(got.tar_path, len(got.index.entries))
    """)
    procs = [subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
             for _ in range(3)]
    outputs = [p.communicate(timeout=120)[0].split() for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert len({o[0] for o in outputs}) == 1
    assert hashlib.sha256(Path(outputs[0][0]).read_bytes()).hexdigest() == sha256(tar)[7:]
    assert not list((tmp_path / "cache" / "tmp").iterdir())


# -- the lab: the same fixture image through every local transport ------------------

LAB_TRANSPORTS = ("docker-archive", "docker-save", "oci", "oci-archive")


@pytest.mark.lab
def test_lab_image_identical_through_local_transports(lab, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    opts = SourceOptions(cache_dir=str(tmp_path / "cache"))
    results = {}
    for transport in LAB_TRANSPORTS:
        with seawall.open_image(lab.ref("base-debian", transport), opts) as image:
            digest_of_files = hashlib.sha256()
            for info in image.fs.walk("/"):
                digest_of_files.update(f"{info.path} {info.type.value} {info.mode:o} "
                                       f"{info.linkname}\n".encode())
                if info.is_file():
                    digest_of_files.update(image.fs.read_bytes(info.path))
            results[transport] = (
                image.digest,
                image.os.to_dict() if image.os else None,
                [layer.diff_id for layer in image.layers],
                [layer.info.created_by for layer in image.layers],
                digest_of_files.hexdigest(),
            )
    first = results[LAB_TRANSPORTS[0]]
    assert first[1] is not None and first[1]["family"] == "debian"
    for transport, got in results.items():
        assert got == first, transport
