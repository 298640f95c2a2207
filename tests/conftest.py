"""Shared test fixtures: the ``lab`` (daemons, registries and fixture images that
``scripts/lab.sh up`` provides) and the ``lab`` marker.

Tests that need the lab take the ``lab`` fixture and are marked ``@pytest.mark.lab``.
When the lab cannot be brought up they FAIL (a broken lab must not look like a green
suite); set ``SEAWALL_SKIP_LAB=1`` to skip them on purpose.

    @pytest.mark.lab
    def test_reads_registry(lab: Lab) -> None:
        image = open_image(lab.ref("base-debian", "docker"), lab.source_options())
"""

from __future__ import annotations

import os
import shlex
import socket
import subprocess
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from seawall.sources.interface import SourceOptions

REPO_ROOT = Path(__file__).resolve().parent.parent
LAB_SCRIPT = REPO_ROOT / "scripts" / "lab.sh"
# The lab's own package (scripts/lab), for tests of the lab itself (test_lab_*.py).
sys.path.append(str(REPO_ROOT / "scripts"))
IMAGE_REPO_PREFIX = "seawall-lab"

#: Every transport :meth:`Lab.ref` knows.
TRANSPORTS = ("docker-daemon", "docker-archive", "docker-save", "oci", "oci-archive",
              "docker", "docker-auth", "containerd", "podman")


def lab_dir() -> Path:
    """$SEAWALL_LAB_DIR, as scripts/lab.sh resolves it."""
    return Path(os.environ.get("SEAWALL_LAB_DIR") or "/tmp/seawall-lab").absolute()


def read_lab_env(path: Path) -> dict[str, str]:
    """Parse lab.env (shell-quoted KEY=VALUE lines, ``#`` comments)."""
    values: dict[str, str] = {}
    for line in path.read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#") or "=" not in line:
            continue
        key, _, raw = line.partition("=")
        parts = shlex.split(raw)
        values[key.strip()] = parts[0] if parts else ""
    return values


@dataclass(frozen=True)
class Lab:
    """The running lab, as described by ``$SEAWALL_LAB_DIR/lab.env``."""

    dir: Path
    """Lab directory: archives/, oci/, logs/, lab.env."""
    registry: str
    """Open registry, ``127.0.0.1:5000`` (docker schema 2 manifests)."""
    auth_registry: str
    """Registry with htpasswd basic auth, ``127.0.0.1:5001`` (OCI manifests)."""
    auth_user: str
    auth_password: str
    containerd_address: str
    """Socket of the lab's standalone containerd."""
    containerd_namespace: str
    containerd_prefix: str
    """What ``ctr images import`` prepended to ``seawall-lab/X:latest`` (``docker.io/``)."""
    images: tuple[str, ...]
    """Fixture image names (dirs of tests/lab/images) published to every transport."""
    podman_socket: str | None
    """Podman's Docker-compatible API socket; None when podman cannot run here."""
    podman_images: tuple[str, ...]
    podman_prefix: str
    docker_host: str | None
    docker_root: str
    """The engine's DockerRootDir (``/var/lib/docker`` unless the lab runs its own)."""
    multiarch_image: str | None
    """``127.0.0.1:5000/seawall-lab/multiarch:latest``: OCI index, amd64 + arm64/v8."""
    multiarch_oci: str | None
    """OCI layout directory holding the same index."""
    docker_save_format: str
    """``legacy`` or ``oci``: what this engine's ``docker save`` writes."""
    exports: dict[str, tuple[str, ...]]
    """Images published to only some transports (``# lab-exports:`` in their
    Dockerfile) -> those transports; every other image has all of them."""
    env: dict[str, str] = field(repr=False)
    """Every lab.env value, including ones this class has no attribute for."""

    @classmethod
    def from_env_file(cls, path: Path) -> Lab:
        env = read_lab_env(path)
        return cls(
            dir=Path(env["SEAWALL_LAB_DIR"]),
            registry=env["LAB_REGISTRY"],
            auth_registry=env["LAB_AUTH_REGISTRY"],
            auth_user=env["LAB_AUTH_USER"],
            auth_password=env["LAB_AUTH_PASSWORD"],
            containerd_address=env["LAB_CONTAINERD_ADDRESS"],
            containerd_namespace=env["LAB_CONTAINERD_NAMESPACE"],
            containerd_prefix=env.get("LAB_CONTAINERD_PREFIX", "docker.io/"),
            images=tuple(env.get("LAB_IMAGES", "").split()),
            podman_socket=env.get("LAB_PODMAN_SOCKET") or None,
            podman_images=tuple(env.get("LAB_PODMAN_IMAGES", "").split()),
            podman_prefix=env.get("LAB_PODMAN_PREFIX", "docker.io/"),
            docker_host=env.get("DOCKER_HOST") or None,
            docker_root=env.get("LAB_DOCKER_ROOT") or "/var/lib/docker",
            multiarch_image=env.get("LAB_MULTIARCH_IMAGE") or None,
            multiarch_oci=env.get("LAB_MULTIARCH_OCI") or None,
            docker_save_format=env.get("LAB_DOCKER_SAVE_FORMAT", "legacy"),
            exports={name: tuple(ts.split(","))
                     for name, _, ts in (e.partition(":")
                                         for e in env.get("LAB_EXPORTS", "").split())},
            env=env,
        )

    def image_name(self, image: str) -> str:
        """``base-debian`` -> ``seawall-lab/base-debian:latest`` (the docker tag)."""
        name = self._known(image)
        return f"{IMAGE_REPO_PREFIX}/{name}:latest"

    def archive(self, image: str, kind: str) -> Path:
        """Path of ``docker`` (skopeo docker-archive), ``docker-save`` (engine's own
        ``docker save``) or ``oci`` (oci-archive) tar of a fixture image."""
        suffix = {"docker": "docker.tar", "docker-save": "docker-save.tar", "oci": "oci.tar"}
        return self.dir / "archives" / f"{self._known(image)}.{suffix[kind]}"

    def oci_layout(self, image: str) -> Path:
        return self.dir / "oci" / self._known(image)

    def ref(self, image: str, transport: str) -> str:
        """The seawall (skopeo-style) reference of fixture ``image`` via ``transport``.

        ``containerd``/``podman`` refs name the image as those engines store it; pass
        :meth:`source_options` so the source talks to the lab's sockets/namespace."""
        name = self.image_name(image)
        short = self._known(image)
        refs = {
            "docker-daemon": f"docker-daemon:{name}",
            "docker-archive": f"docker-archive:{self.archive(short, 'docker')}",
            "docker-save": f"docker-archive:{self.archive(short, 'docker-save')}",
            "oci": f"oci:{self.oci_layout(short)}:latest",
            "oci-archive": f"oci-archive:{self.archive(short, 'oci')}",
            "docker": f"docker://{self.registry}/{name}",
            "docker-auth": f"docker://{self.auth_registry}/{name}",
            "containerd": f"containerd:{self.containerd_prefix}{name}",
            "podman": f"podman:{self.podman_prefix}{name}",
        }
        if transport not in refs:
            raise ValueError(f"unknown lab transport {transport!r}; one of {TRANSPORTS}")
        allowed = self.exports.get(short)
        if allowed is not None and transport not in (*allowed, "docker-daemon"):
            pytest.fail(f"lab image {short!r} is published only to {', '.join(allowed)} "
                        f"(`# lab-exports:` in tests/lab/images/{short}/Dockerfile), "
                        f"not {transport}")
        if transport == "podman" and short not in self.podman_images:
            pytest.fail(f"podman has no lab image {short!r} here: "
                        f"{self.env.get('LAB_PODMAN_SOCKET') or 'podman unavailable'} "
                        f"(see comments in {self.dir / 'lab.env'})")
        return refs[transport]

    def source_options(self, **overrides: object) -> SourceOptions:
        """SourceOptions pointing at the lab's containerd, podman and registry creds."""
        from seawall.sources.interface import SourceOptions

        values: dict[str, object] = {
            "containerd_address": self.containerd_address,
            "containerd_namespace": self.containerd_namespace,
            "podman_host": f"unix://{self.podman_socket}" if self.podman_socket else None,
            "docker_host": self.docker_host,
        }
        values.update(overrides)
        return SourceOptions(**values)  # type: ignore[arg-type]

    def _known(self, image: str) -> str:
        short = image.removeprefix(f"{IMAGE_REPO_PREFIX}/").removesuffix(":latest")
        if short not in self.images:
            failed = self.env.get("LAB_FAILED_IMAGES", "")
            pytest.fail(f"no lab image {image!r}; lab has: {' '.join(self.images)}"
                        + (f" (failed to build: {failed})" if failed else ""))
        return short


def _lab_answers(env_file: Path) -> bool:
    """Cheap liveness check: lab.env present, registries and containerd listening."""
    if not env_file.exists():
        return False
    try:
        env = read_lab_env(env_file)
        for address in (env["LAB_REGISTRY"], env["LAB_AUTH_REGISTRY"]):
            host, port = address.rsplit(":", 1)
            with socket.create_connection((host, int(port)), timeout=2):
                pass
        with socket.socket(socket.AF_UNIX) as sock:
            sock.settimeout(2)
            sock.connect(env["LAB_CONTAINERD_ADDRESS"])
    except (OSError, KeyError, ValueError):
        return False
    return True


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "lab: needs the lab (dockerd, registries, containerd, fixture images)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip = pytest.mark.skip(reason="SEAWALL_SKIP_LAB=1")
    for item in items:
        if item.get_closest_marker("lab") is None:
            continue
        if os.environ.get("SEAWALL_SKIP_LAB") == "1":
            item.add_marker(skip)
        elif isinstance(item, pytest.Function) and "lab" not in item.fixturenames:
            # A lab test that talks to the daemons directly still needs them up (or a
            # clear failure), so it gets the fixture too.
            item.fixturenames.append("lab")


@pytest.fixture(scope="session")
def lab() -> Lab:
    """The running lab, brought up to date once per session with ``scripts/lab.sh up``
    (under a second when nothing changed; builds fixture images that did change).
    ``SEAWALL_LAB_NO_UP=1`` uses the lab as it is."""
    if os.environ.get("SEAWALL_SKIP_LAB") == "1":
        pytest.skip("SEAWALL_SKIP_LAB=1")
    env_file = lab_dir() / "lab.env"
    if os.environ.get("SEAWALL_LAB_NO_UP") != "1" or not _lab_answers(env_file):
        proc = subprocess.run([str(LAB_SCRIPT), "up"], capture_output=True, text=True,
                              stdin=subprocess.DEVNULL, check=False)
        if not _lab_answers(env_file):
            pytest.fail(f"the lab is not reachable; scripts/lab.sh up exited "
                        f"{proc.returncode}:\n{proc.stderr[-4000:]}")
        if proc.returncode != 0:
            # A broken fixture image leaves the others usable: tests of the missing one
            # fail by name in Lab.ref(); everyone else gets on with it.
            warnings.warn(f"scripts/lab.sh up exited {proc.returncode}: "
                          f"{proc.stderr.strip().splitlines()[-1:]}", stacklevel=1)
    return Lab.from_env_file(env_file)
