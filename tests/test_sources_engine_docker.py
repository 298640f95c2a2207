"""``docker-daemon:`` through the engine API (docker save) and from Docker's overlay2
storage (``--host-root``), against the engine's own ``docker save`` archive."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import docker
import pytest

import seawall
from conftest import Lab
from seawall.errors import NotFoundError, SourceUnavailableError
from seawall.sources.docker_daemon import DockerDaemonSource
from seawall.sources.docker_storage import DockerStorage, chain_ids
from seawall.sources.interface import DirectoryLayerContent, SourceOptions
from seawall.sources.podman import PodmanSource

pytestmark = pytest.mark.lab

IMAGE = "base-debian"
SAMPLE_FILES = ("/etc/os-release", "/etc/passwd", "/var/lib/dpkg/status")


def _engine_image_id(lab: Lab) -> str:
    out = subprocess.run(
        ["docker", "image", "inspect", "--format", "{{.Id}}", lab.image_name(IMAGE)],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


def _docker_save_oracle(lab: Lab, tmp_path: Path) -> tuple[str, list[str], dict[str, bytes]]:
    """(image ID, diff_ids, sample files) from a fresh ``docker save``, read with tarfile."""
    archive = tmp_path / "saved.tar"
    subprocess.run(["docker", "save", "-o", str(archive), lab.image_name(IMAGE)], check=True)
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))[0]  # type: ignore[arg-type]
        config = tar.extractfile(manifest["Config"]).read()  # type: ignore[union-attr]
        files: dict[str, bytes] = {}
        for layer_name in manifest["Layers"]:
            with tarfile.open(fileobj=tar.extractfile(layer_name)) as layer:
                for path in SAMPLE_FILES:
                    try:
                        member = layer.getmember(path.lstrip("/"))
                    except KeyError:
                        continue
                    files[path] = layer.extractfile(member).read()  # type: ignore[union-attr]
    archive.unlink()
    image_id = "sha256:" + hashlib.sha256(config).hexdigest()
    return image_id, json.loads(config)["rootfs"]["diff_ids"], files


@pytest.mark.parametrize("mode", ["api", "host-root"])
def test_same_image_as_docker_save(lab: Lab, tmp_path: Path, mode: str) -> None:
    image_id, diff_ids, files = _docker_save_oracle(lab, tmp_path)
    assert image_id == _engine_image_id(lab)
    overrides: dict[str, object] = {"cache_dir": str(tmp_path / "cache")}
    if mode == "host-root":
        overrides["host_root"] = "/"
    with seawall.open_image(
        lab.ref(IMAGE, "docker-daemon"), lab.source_options(**overrides)
    ) as image:
        assert image.digest == image_id
        assert [layer.diff_id for layer in image.layers] == diff_ids
        assert image.os is not None and (image.os.family, image.os.version) == ("debian", "12")
        assert lab.image_name(IMAGE) in image.repo_tags
        for path, content in files.items():
            assert image.fs.read_bytes(path) == content, path
    # the docker save work file is removed when the image closes
    scratch = tmp_path / "cache" / "tmp"
    assert not list(scratch.rglob("docker-save-*"))


def test_bare_name_and_short_id_resolve_through_the_engine(lab: Lab, tmp_path: Path) -> None:
    image_id = _engine_image_id(lab)
    options = lab.source_options(cache_dir=str(tmp_path))
    with seawall.open_image(lab.image_name(IMAGE), options) as image:
        assert image.digest == image_id
    storage_options = lab.source_options(host_root="/", cache_dir=str(tmp_path))
    short = image_id.removeprefix("sha256:")[:12]
    with seawall.open_image(f"docker-daemon:{short}", storage_options) as image:
        assert image.digest == image_id


def test_storage_layers_are_overlay_dirs(lab: Lab) -> None:
    parts = DockerDaemonSource().resolve(lab.image_name(IMAGE), SourceOptions(host_root="/"))
    assert all(isinstance(layer, DirectoryLayerContent) for layer in parts.layers)
    assert all(os.path.isdir(layer.path) for layer in parts.layers)  # type: ignore[union-attr]
    config = json.loads(parts.config_bytes)
    # chain IDs must match what Docker recorded in layerdb
    storage = DockerStorage.from_options(SourceOptions(host_root="/"))
    layerdb = Path(storage.root) / "image/overlay2/layerdb/sha256"
    for chain_id in chain_ids(config["rootfs"]["diff_ids"]):
        assert (layerdb / chain_id.removeprefix("sha256:")).is_dir()


def test_missing_image_and_engine(lab: Lab, tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="no image"):
        DockerDaemonSource().resolve("seawall-lab/nosuch:latest", lab.source_options())
    with pytest.raises(NotFoundError, match="no image"):
        DockerDaemonSource().resolve("seawall-lab/nosuch:latest", SourceOptions(host_root="/"))
    with pytest.raises(SourceUnavailableError, match="not running"):
        DockerDaemonSource().resolve(
            "x", SourceOptions(docker_host=f"unix://{tmp_path}/docker.sock")
        )
    with pytest.raises(SourceUnavailableError, match="no Docker data root"):
        DockerDaemonSource().resolve("x", SourceOptions(host_root=str(tmp_path)))


def test_podman_source_speaks_the_docker_compatible_api(lab: Lab, tmp_path: Path) -> None:
    """The podman transport is the engine code with another socket; dockerd serves
    the same API, so pointing it there exercises the whole path where podman is absent."""
    docker_socket = lab.docker_host or "unix:///var/run/docker.sock"
    options = SourceOptions(podman_host=docker_socket, cache_dir=str(tmp_path))
    parts = PodmanSource().resolve(lab.image_name(IMAGE), options)
    for close in parts.closers:
        close()
    assert parts.transport == "podman"
    assert "sha256:" + hashlib.sha256(parts.config_bytes).hexdigest() == _engine_image_id(lab)
    with pytest.raises(SourceUnavailableError, match="podman engine not running"):
        PodmanSource().resolve("x", SourceOptions(podman_host=f"unix://{tmp_path}/p.sock"))


def test_podman_lab_image(lab: Lab, tmp_path: Path) -> None:
    assert lab.podman_socket, "podman unavailable (see lab.env)"
    name = lab.ref(IMAGE, "podman").removeprefix("podman:")
    podman = docker.DockerClient(base_url=f"unix://{lab.podman_socket}", version="1.41")
    try:
        inspected = podman.images.get(name).attrs  # podman's own view is the oracle
    finally:
        podman.close()
    with seawall.open_image(
        lab.ref(IMAGE, "podman"), lab.source_options(cache_dir=str(tmp_path / "cache"))
    ) as image:
        assert image.digest == inspected["Id"]
        assert [layer.diff_id for layer in image.layers] == inspected["RootFS"]["Layers"]
        assert image.os is not None and (image.os.family, image.os.version) == ("debian", "12")
        assert image.fs.read_bytes("/etc/os-release").startswith(b"PRETTY_NAME=")


def test_cli_engine_errors_exit_2(lab: Lab, tmp_path: Path) -> None:
    seawall_script = Path(sys.executable).parent / "seawall"
    proc = subprocess.run(
        [str(seawall_script), "inspect", "docker-daemon:seawall-lab/nosuch:latest"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "no image" in lines[0] and "seawall-lab/nosuch" in lines[0]
