"""``containerd:`` through the lab containerd's gRPC API and straight from its root
directory (``--host-root`` with the bbolt metadata reader)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import tarfile
from pathlib import Path

import pytest

import seawall
from conftest import Lab
from seawall.errors import CorruptArtifactError, NotFoundError, SourceUnavailableError
from seawall.sources.bbolt import BoltDB
from seawall.sources.containerd import ContainerdSource
from seawall.sources.containerd_api import ContainerdClient
from seawall.sources.interface import SourceOptions

pytestmark = pytest.mark.lab

IMAGE = "base-debian"
SAMPLE_FILES = ("/etc/os-release", "/etc/passwd", "/var/lib/dpkg/status")


def _archive(lab: Lab) -> tuple[bytes, list[str], dict[str, bytes]]:
    """(config bytes, diff_ids, sample file contents) read with tarfile from the
    skopeo docker-archive the lab imported into containerd: an independent oracle."""
    with tarfile.open(lab.archive(IMAGE, "docker")) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))[0]  # type: ignore[arg-type]
        config = tar.extractfile(manifest["Config"]).read()  # type: ignore[union-attr]
        files: dict[str, bytes] = {}
        for layer_name in manifest["Layers"]:  # bottom to top: later layers win
            with tarfile.open(fileobj=tar.extractfile(layer_name)) as layer:
                for path in SAMPLE_FILES:
                    try:
                        member = layer.getmember(path.lstrip("/"))
                    except KeyError:
                        continue
                    files[path] = layer.extractfile(member).read()  # type: ignore[union-attr]
    return config, json.loads(config)["rootfs"]["diff_ids"], files


def _storage_options(lab: Lab, tmp_path: Path) -> SourceOptions:
    root = str(Path(lab.containerd_address).parent / "root")
    return lab.source_options(host_root="/", containerd_root=root, cache_dir=str(tmp_path))


@pytest.mark.parametrize("mode", ["api", "storage"])
def test_same_image_as_the_archive(lab: Lab, tmp_path: Path, mode: str) -> None:
    config, diff_ids, files = _archive(lab)
    options = (
        lab.source_options(cache_dir=str(tmp_path))
        if mode == "api"
        else _storage_options(lab, tmp_path)
    )
    with seawall.open_image(lab.ref(IMAGE, "containerd"), options) as image:
        assert image.digest == "sha256:" + hashlib.sha256(config).hexdigest()
        assert [layer.diff_id for layer in image.layers] == diff_ids
        assert image.os is not None and (image.os.family, image.os.version) == ("debian", "12")
        assert image.repo_tags == [f"{lab.containerd_prefix}seawall-lab/{IMAGE}:latest"]
        for path, content in files.items():
            assert image.fs.read_bytes(path) == content, path
        assert image.manifest_digest and image.manifest_digest.startswith("sha256:")


def test_api_and_storage_agree_and_accept_every_name_form(lab: Lab, tmp_path: Path) -> None:
    api = ContainerdSource()
    ns = lab.containerd_namespace
    names = [
        (f"{lab.containerd_prefix}seawall-lab/{IMAGE}:latest", ns),  # as stored
        (f"seawall-lab/{IMAGE}", ns),  # Docker-normalised short name
        (f"{ns}/seawall-lab/{IMAGE}:latest", "default"),  # NAMESPACE/REF
    ]
    seen = set()
    for options in (lab.source_options(), _storage_options(lab, tmp_path)):
        for name, namespace in names:
            options = dataclasses.replace(options, containerd_namespace=namespace)
            parts = api.resolve(name, options)
            for close in parts.closers:
                close()
            seen.add((parts.manifest_digest, hashlib.sha256(parts.config_bytes).hexdigest()))
    assert len(seen) == 1


def test_storage_layers_are_indexed_in_place(lab: Lab, tmp_path: Path) -> None:
    parts = ContainerdSource().resolve(f"seawall-lab/{IMAGE}", _storage_options(lab, tmp_path))
    # ctr import keeps docker-archive layers uncompressed: no copy into the cache needed
    local = [layer.local_file for layer in parts.layers]  # type: ignore[union-attr]
    assert all(entry is not None and Path(entry[0]).is_file() for entry in local)


def test_missing_image_and_engine(lab: Lab, tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="nosuch"):
        ContainerdSource().resolve("seawall-lab/nosuch:latest", lab.source_options())
    with pytest.raises(NotFoundError, match="nosuch"):
        ContainerdSource().resolve("seawall-lab/nosuch:latest", _storage_options(lab, tmp_path))
    with pytest.raises(SourceUnavailableError, match="does not exist"):
        ContainerdSource().resolve(
            "x", SourceOptions(containerd_address=str(tmp_path / "none.sock"))
        )
    with pytest.raises(SourceUnavailableError, match="no containerd metadata"):
        ContainerdSource().resolve("x", SourceOptions(host_root=str(tmp_path)))


def test_grpc_client_lists_namespaces_and_images(lab: Lab) -> None:
    client = ContainerdClient(lab.containerd_address, lab.containerd_namespace)
    try:
        assert lab.containerd_namespace in client.list_namespaces()
        names = {image.name for image in client.list_images()}
        assert f"{lab.containerd_prefix}seawall-lab/{IMAGE}:latest" in names
        image = client.get_image(f"{lab.containerd_prefix}seawall-lab/{IMAGE}:latest")
        assert image.target.size == client.content_size(image.target.digest) > 0
        with client.open_content(image.target.digest) as blob:
            data = blob.read()
        assert "sha256:" + hashlib.sha256(data).hexdigest() == image.target.digest
    finally:
        client.close()


def test_bbolt_reader_on_live_metadata(lab: Lab) -> None:
    meta = Path(lab.containerd_address).parent / "root/io.containerd.metadata.v1.bolt/meta.db"
    with BoltDB(meta) as db:
        v1 = db.root.bucket(b"v1")
        assert v1 is not None
        namespaces = {name for name, _ in v1.buckets()}
        assert lab.containerd_namespace.encode() in namespaces
        images = v1.bucket(lab.containerd_namespace.encode(), b"images")
        assert images is not None
        name = f"{lab.containerd_prefix}seawall-lab/{IMAGE}:latest".encode()
        target = images.bucket(name, b"target")
        assert target is not None
        assert (target.get(b"digest") or b"").startswith(b"sha256:")
        assert b"manifest" in (target.get(b"mediatype") or b"")


def test_bbolt_reader_refuses_garbage(tmp_path: Path, lab: Lab) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"\0" * 8192)
    with pytest.raises(CorruptArtifactError, match="no valid meta page"):
        BoltDB(junk)
    meta = Path(lab.containerd_address).parent / "root/io.containerd.metadata.v1.bolt/meta.db"
    truncated = tmp_path / "truncated.db"
    truncated.write_bytes(meta.read_bytes()[:8192])  # meta pages only, tree pages cut off
    with BoltDB(truncated) as db, pytest.raises(CorruptArtifactError):
        list(db.root.buckets())
