"""Where the lab keeps things: one directory ($SEAWALL_LAB_DIR) for state that dies with
the lab, and one cache directory that survives it (the mmdebstrap tarball, wheels)."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
IMAGES_DIR = REPO_ROOT / "tests" / "lab" / "images"
BUILD_DIR = REPO_ROOT / "tests" / "lab" / ".build"

#: Repository (without tag) every fixture image is tagged under.
IMAGE_REPO_PREFIX = "seawall-lab"
BASE_IMAGE = f"{IMAGE_REPO_PREFIX}/bookworm:base"

# Ports can be moved (a second lab on one machine, or a port already taken).
OPEN_REGISTRY = f"127.0.0.1:{os.environ.get('SEAWALL_LAB_REGISTRY_PORT') or 5000}"
AUTH_REGISTRY = f"127.0.0.1:{os.environ.get('SEAWALL_LAB_AUTH_REGISTRY_PORT') or 5001}"
AUTH_USER = "lab"
AUTH_PASSWORD = "labpass"
CONTAINERD_NAMESPACE = "seawall-lab"
#: The image that is re-published under a two-platform index.
MULTIARCH_SOURCE = "base-debian"
MULTIARCH_NAME = "multiarch"


@dataclass(frozen=True)
class LabPaths:
    """Every path the lab writes, derived from the lab directory and the cache directory."""

    root: Path
    """$SEAWALL_LAB_DIR (default /tmp/seawall-lab)."""
    cache: Path
    """Survives ``down`` and deleting the lab dir (default ~/.cache/seawall-lab)."""

    @classmethod
    def from_environment(cls) -> LabPaths:
        root = Path(os.environ.get("SEAWALL_LAB_DIR") or "/tmp/seawall-lab")
        xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        cache = Path(os.environ.get("SEAWALL_LAB_CACHE") or Path(xdg) / "seawall-lab")
        return cls(root=root.absolute(), cache=cache.absolute())

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def run(self) -> Path:
        """Pid files of the daemons this lab started (and only those)."""
        return self.root / "run"

    @property
    def state(self) -> Path:
        """Per-image export records (image ID the exports were made from)."""
        return self.root / "state"

    @property
    def archives(self) -> Path:
        return self.root / "archives"

    @property
    def oci(self) -> Path:
        return self.root / "oci"

    @property
    def registry(self) -> Path:
        return self.root / "registry"

    @property
    def containerd(self) -> Path:
        return self.root / "containerd"

    @property
    def containerd_socket(self) -> Path:
        return self.containerd / "containerd.sock"

    @property
    def podman(self) -> Path:
        return self.root / "podman"

    @property
    def podman_socket(self) -> Path:
        return self.root / "podman.sock"

    @property
    def env_file(self) -> Path:
        return self.root / "lab.env"

    @property
    def lock_file(self) -> Path:
        return self.root / ".lock"

    def pid_file(self, name: str) -> Path:
        return self.run / f"{name}.pid"

    def log_file(self, name: str) -> Path:
        return self.logs / f"{name}.log"

    def docker_archive(self, image: str) -> Path:
        return self.archives / f"{image}.docker.tar"

    def docker_save_archive(self, image: str) -> Path:
        return self.archives / f"{image}.docker-save.tar"

    def oci_archive(self, image: str) -> Path:
        return self.archives / f"{image}.oci.tar"

    def oci_layout(self, image: str) -> Path:
        return self.oci / image

    def make_dirs(self) -> None:
        for d in (self.root, self.logs, self.run, self.state, self.archives, self.oci,
                  self.registry, self.containerd, self.podman, self.cache):
            d.mkdir(parents=True, exist_ok=True)


@contextmanager
def replacing(target: Path) -> Iterator[Path]:
    """Yield a scratch path next to ``target``; on success it replaces ``target``.

    Tests of other sessions may be reading the old archive right now: a rename leaves
    their open files intact, where rewriting in place would corrupt them."""
    scratch = target.with_name(f".{target.name}.partial-{os.getpid()}-{threading.get_ident()}")
    _remove(scratch)
    try:
        yield scratch
        if scratch.is_dir() and target.exists():
            old = target.with_name(f".{target.name}.old-{os.getpid()}")
            _remove(old)
            target.rename(old)
            scratch.rename(target)
            _remove(old)
        else:
            scratch.replace(target)
    finally:
        _remove(scratch)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def image_tag(name: str) -> str:
    """Fixture dir name -> the docker tag it is built as."""
    return f"{IMAGE_REPO_PREFIX}/{name}:latest"
