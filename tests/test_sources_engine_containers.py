"""``seawall.open_container`` on real Docker containers, running and stopped, through
the API and from storage (``--host-root``), plus the ``docker export`` fallback."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest

import seawall
from conftest import Lab
from seawall.errors import NotFoundError
from seawall.fs.layered import LayeredFileSystem
from seawall.sources.containers import export_layer_opener
from seawall.sources.interface import SourceOptions

pytestmark = pytest.mark.lab

IMAGE = "base-debian"
NEW_FILE = "/root/seawall-written-inside.txt"
DELETED_FILE = "/etc/debian_version"


def _docker(*args: str) -> str:
    return subprocess.run(
        ["docker", *args], capture_output=True, text=True, check=True, timeout=120
    ).stdout.strip()


@pytest.fixture(scope="module")
def container(lab: Lab) -> Iterator[str]:
    """A running lab container with one file added and one image file deleted."""
    name = f"seawall-test-{uuid.uuid4().hex[:8]}"
    try:
        # no network needed; --network none also survives a host without docker0
        _docker(
            "run", "-d", "--network", "none", "--name", name, lab.image_name(IMAGE), "sleep", "600"
        )
        _docker("exec", name, "sh", "-c", f"echo drift > {NEW_FILE} && rm {DELETED_FILE}")
        yield name
    finally:
        subprocess.run(["docker", "rm", "-f", name], capture_output=True, check=False)


@pytest.fixture(scope="module")
def stopped_container(lab: Lab) -> Iterator[str]:
    name = f"seawall-test-{uuid.uuid4().hex[:8]}"
    try:
        _docker(
            "run",
            "--network",
            "none",
            "--name",
            name,
            lab.image_name(IMAGE),
            "sh",
            "-c",
            f"echo bye > {NEW_FILE}",
        )
        yield name
    finally:
        subprocess.run(["docker", "rm", "-f", name], capture_output=True, check=False)


MODES = {"api": {}, "host-root": {"host_root": "/"}}


@pytest.mark.parametrize("mode", list(MODES))
def test_running_container(lab: Lab, container: str, tmp_path: Path, mode: str) -> None:
    image_id = _docker("image", "inspect", "--format", "{{.Id}}", lab.image_name(IMAGE))
    full_id = _docker("inspect", "--format", "{{.Id}}", container)
    options = lab.source_options(cache_dir=str(tmp_path), **MODES[mode])
    with seawall.open_container(container, options) as target:
        assert target.kind == "container"
        assert (target.id, target.name, target.state) == (full_id, container, "running")
        assert target.image_id == image_id
        assert target.fs.read_bytes(NEW_FILE) == b"drift\n"
        assert not target.fs.exists(DELETED_FILE)
        assert target.fs.exists("/etc/os-release")  # image files still visible
        assert target.os is not None and target.os.family == "debian"
        sleepers = [p for p in target.processes() if p.cmdline == ["sleep", "600"]]
        assert len(sleepers) == 1 and sleepers[0].user == "root"
        assert sleepers[0].exe is not None and sleepers[0].exe.endswith("sleep")
        info = target.target_info().to_dict()
        assert info["kind"] == "container" and info["digest"] == image_id
        assert info["container_id"] == full_id


@pytest.mark.parametrize("mode", list(MODES))
def test_stopped_container(lab: Lab, stopped_container: str, tmp_path: Path, mode: str) -> None:
    options = lab.source_options(cache_dir=str(tmp_path), **MODES[mode])
    with seawall.open_container(stopped_container, options) as target:
        assert target.state == "exited"
        assert target.processes() == []
        assert target.fs.read_bytes(NEW_FILE) == b"bye\n"
        assert target.fs.exists(DELETED_FILE)


def test_short_id_and_unknown_container(lab: Lab, container: str, tmp_path: Path) -> None:
    full_id = _docker("inspect", "--format", "{{.Id}}", container)
    for mode in MODES.values():
        options = lab.source_options(cache_dir=str(tmp_path), **mode)
        with seawall.open_container(full_id[:12], options) as target:
            assert target.id == full_id
        with pytest.raises(NotFoundError, match="no container"):
            seawall.open_container("seawall-no-such-container", options)


def test_export_fallback_sees_the_same_changes(container: str, tmp_path: Path) -> None:
    handle = docker.from_env().containers.get(container)
    closers: list = []
    opener = export_layer_opener(handle, SourceOptions(cache_dir=str(tmp_path)), closers)
    fs = LayeredFileSystem(opener())
    try:
        assert fs.read_bytes(NEW_FILE) == b"drift\n"
        assert not fs.exists(DELETED_FILE)
    finally:
        fs.close()
        for close in closers:
            close()
    assert not list((tmp_path / "tmp").rglob("container-export-*"))


def test_ls_lists_engines(lab: Lab, container: str) -> None:
    seawall_script = Path(sys.executable).parent / "seawall"
    args = ["--containerd-address", lab.containerd_address]
    if lab.podman_socket:
        args += ["--podman-host", f"unix://{lab.podman_socket}"]
    images = subprocess.run(
        [str(seawall_script), "ls", "images", "--format", "json", *args],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    rows = json.loads(images.stdout)
    image_id = _docker("image", "inspect", "--format", "{{.Id}}", lab.image_name(IMAGE))
    engines = {row["engine"] for row in rows if row["id"] == image_id}
    assert {"docker", "containerd"} <= engines
    if lab.podman_socket:
        assert "podman" in engines
    containers = subprocess.run(
        [str(seawall_script), "ls", "containers", "--format", "json", *args],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    mine = [row for row in json.loads(containers.stdout) if row["name"] == container]
    assert len(mine) == 1 and mine[0]["state"] == "running" and mine[0]["image_id"] == image_id
    skipped = subprocess.run(
        [str(seawall_script), "ls", "images", "--podman-host", "unix:///nonexistent.sock"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert "podman: skipped" in skipped.stderr
    assert "seawall-lab/base-debian" in skipped.stdout
