"""seawall's own container image (docker/Dockerfile, built offline on the lab base by
docker/build.sh) and the documented parallel-container run: the host's ``/`` mounted
read-only at ``/host``, the engine's image read from its storage -- with the Docker
socket hidden and DOCKER_HOST pointing nowhere, so the socket cannot be what works."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
TAG = "seawall-lab/seawall-self:test"

pytestmark = pytest.mark.lab


@pytest.fixture(scope="module")
def seawall_image(lab: object) -> str:
    """Build (cached: dependency wheels by pyproject hash, docker layers) the image."""
    env = {**os.environ, "BASE": "seawall-lab/bookworm:base", "TAG": TAG,
           "PYTHON": sys.executable}
    proc = subprocess.run([str(REPO / "docker" / "build.sh")], capture_output=True, text=True,
                          env=env, timeout=1200, check=False, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip().splitlines()[-1] == TAG
    return TAG


def docker(*args: str, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout,
                          check=False, stdin=subprocess.DEVNULL)


def test_image_runs_as_non_root_and_answers(seawall_image: str) -> None:
    user = docker("image", "inspect", "--format", "{{.Config.User}}", seawall_image)
    assert user.stdout.strip() == "10001:10001"
    ident = docker("run", "--rm", "--entrypoint", "id", seawall_image)
    assert ident.stdout.startswith("uid=10001(seawall)")
    version = docker("run", "--rm", seawall_image, "--version")
    assert version.returncode == 0 and version.stdout.startswith("seawall, version ")


def test_parallel_container_scans_a_host_engine_image_without_the_socket(
        seawall_image: str) -> None:
    target = "seawall-lab/base-debian:latest"
    proc = docker(
        "run", "--rm", "--user", "0", "--cap-drop", "ALL", "--cap-add", "DAC_READ_SEARCH",
        "--security-opt", "no-new-privileges", "--network", "none",
        "-v", "/:/host:ro", "--tmpfs", "/host/run", "--tmpfs", "/host/var/run",
        "-e", "DOCKER_HOST=unix:///nonexistent.sock", "-e", "CI=true",
        seawall_image, "image", "--host-root", "/host", target,
        "--scanners", "packages", "--format", "json")
    assert proc.returncode == 0, proc.stderr[-3000:]
    doc = json.loads(proc.stdout)  # stdout is the report and nothing else
    inspect = docker("image", "inspect", "--format", "{{.Id}}", target)
    assert doc["target"]["digest"] == inspect.stdout.strip()
    assert doc["target"]["os"]["family"] == "debian"
    names = {p["name"] for p in doc["packages"] if p["type"] == "deb"}
    dpkg = docker("run", "--rm", "--entrypoint", "dpkg-query", target, "-W", "-f",
                  "${Package}\\n")
    assert names == set(dpkg.stdout.split())
    assert doc["errors"] == []
