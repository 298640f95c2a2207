"""Publish each built fixture image to every transport seawall reads.

From ``docker-daemon:seawall-lab/X:latest``: a skopeo docker-archive (read once from the
engine, then the source of the other copies), an OCI layout and an oci-archive, the
engine's own ``docker save`` tar, pushes to both registries, an import into the lab
containerd and a load into podman. Each step is recorded with the image ID it was made
from and skipped when that ID has not changed."""

from __future__ import annotations

import json
import os
import tarfile
from collections.abc import Callable
from pathlib import Path

from lab.commands import run, say
from lab.daemons import podman_env
from lab.oci_layout import docker_archive_to_oci_layout
from lab.paths import (
    AUTH_PASSWORD,
    AUTH_REGISTRY,
    AUTH_USER,
    CONTAINERD_NAMESPACE,
    OPEN_REGISTRY,
    LabPaths,
    image_tag,
    replacing,
)

#: Name ``ctr images import`` gives a docker-archive tagged ``seawall-lab/X:latest``.
CONTAINERD_PREFIX = "docker.io/"


def _skopeo(paths: LabPaths, image: str, *args: str | os.PathLike[str]) -> None:
    argv: list[str | os.PathLike[str]] = ["skopeo", "--insecure-policy", "copy", "--quiet"]
    run([*argv, *args], log=paths.log_file(f"export-{image}"))


def _oci_source(paths: LabPaths, image: str) -> str:
    return f"oci:{paths.oci_layout(image)}:latest"


def export_docker_archive(paths: LabPaths, image: str) -> None:
    """skopeo's docker-archive, read straight from the engine (config kept as is)."""
    src = [f"docker-daemon:{image_tag(image)}"]
    if os.environ.get("DOCKER_HOST"):
        src = ["--src-daemon-host", os.environ["DOCKER_HOST"], *src]
    with replacing(paths.docker_archive(image)) as scratch:
        _skopeo(paths, image, *src, f"docker-archive:{scratch}:{image_tag(image)}")


def export_oci_layout(paths: LabPaths, image: str) -> None:
    """Uncompressed-layer OCI layout with the engine's config bytes (see oci_layout)."""
    with replacing(paths.oci_layout(image)) as scratch:
        docker_archive_to_oci_layout(paths.docker_archive(image), scratch)


def export_oci_archive(paths: LabPaths, image: str) -> None:
    """skopeo gzips the layers on the way: the archive has the compressed media types."""
    with replacing(paths.oci_archive(image)) as scratch:
        _skopeo(paths, image, _oci_source(paths, image), f"oci-archive:{scratch}:latest")


def export_docker_save(paths: LabPaths, image: str) -> None:
    """The engine's own layout: legacy (manifest.json + <id>/layer.tar) on docker < 25,
    OCI-layout based (index.json + blobs/) on docker >= 25."""
    with replacing(paths.docker_save_archive(image)) as scratch:
        run(["docker", "save", "-o", scratch, image_tag(image)],
            log=paths.log_file(f"export-{image}"))
        scratch.chmod(0o644)  # docker writes 0600; the other archives are world-readable


def docker_save_format(paths: LabPaths, image: str) -> str:
    """``oci`` when the engine's docker save tar has an index.json, else ``legacy``."""
    with tarfile.open(paths.docker_save_archive(image)) as tar:
        names = set(tar.getnames())
    return "oci" if "index.json" in names else "legacy"


# Pushes read the oci-archive: its layers are already gzipped, so nothing is compressed
# twice, and OCI -> schema 2 conversion keeps the config bytes (same image ID).
def push_open_registry(paths: LabPaths, image: str) -> None:
    # Docker schema 2, as `docker push` would store it.
    _skopeo(paths, image, "--dest-tls-verify=false", "--format", "v2s2",
            f"oci-archive:{paths.oci_archive(image)}",
            f"docker://{OPEN_REGISTRY}/{image_tag(image)}")


def push_auth_registry(paths: LabPaths, image: str) -> None:
    # OCI manifests here, so the registry source meets both media types.
    _skopeo(paths, image, "--dest-tls-verify=false", "--format", "oci",
            "--dest-creds", f"{AUTH_USER}:{AUTH_PASSWORD}",
            f"oci-archive:{paths.oci_archive(image)}",
            f"docker://{AUTH_REGISTRY}/{image_tag(image)}")


def import_containerd(paths: LabPaths, image: str) -> None:
    # Import over the old image (no rm first): the name never goes missing.
    sock = str(paths.containerd_socket)
    run(["ctr", "-a", sock, "-n", CONTAINERD_NAMESPACE, "images", "import",
         paths.docker_archive(image)], log=paths.log_file(f"export-{image}"))


def podman_image_name(image: str) -> str:
    """Name podman gives a docker-archive tagged ``seawall-lab/X:latest``."""
    return "docker.io/" + image_tag(image)


def load_podman(paths: LabPaths, image: str) -> None:
    run(["podman", "load", "-q", "-i", paths.docker_archive(image)],
        log=paths.log_file(f"export-{image}"), env=podman_env(paths))


Step = Callable[[LabPaths, str], None]
#: Steps in order; later ones read what earlier ones wrote. Each has the file(s) whose
#: absence forces it to rerun.
STEPS: tuple[tuple[str, Step, Callable[[LabPaths, str], Path | None]], ...] = (
    ("docker-archive", export_docker_archive, lambda p, i: p.docker_archive(i)),
    ("oci", export_oci_layout, lambda p, i: p.oci_layout(i) / "index.json"),
    ("oci-archive", export_oci_archive, lambda p, i: p.oci_archive(i)),
    ("docker-save", export_docker_save, lambda p, i: p.docker_save_archive(i)),
    ("registry", push_open_registry, lambda p, i: None),
    ("auth-registry", push_auth_registry, lambda p, i: None),
    ("containerd", import_containerd, lambda p, i: None),
)
PODMAN_STEP: tuple[str, Step, Callable[[LabPaths, str], Path | None]] = (
    "podman", load_podman, lambda p, i: None)


#: Transport (as tests name it, see tests/conftest.py) -> the step that provides it.
TRANSPORT_STEPS = {"docker-archive": "docker-archive", "oci": "oci", "oci-archive": "oci-archive",
                   "docker-save": "docker-save", "docker": "registry",
                   "docker-auth": "auth-registry", "containerd": "containerd",
                   "podman": "podman"}
#: Step -> steps whose output it reads.
_NEEDS = {"oci": ("docker-archive",), "oci-archive": ("oci",), "registry": ("oci-archive",),
          "auth-registry": ("oci-archive",), "containerd": ("docker-archive",),
          "podman": ("docker-archive",)}


def steps_for(transports: tuple[str, ...] | None) -> set[str]:
    """Steps needed to serve ``transports`` (every step when None)."""
    if transports is None:
        return {name for name, _, _ in (*STEPS, PODMAN_STEP)}
    wanted = [TRANSPORT_STEPS[t] for t in transports if t in TRANSPORT_STEPS]
    needed: set[str] = set()
    while wanted:
        step = wanted.pop()
        if step not in needed:
            needed.add(step)
            wanted.extend(_NEEDS.get(step, ()))
    return needed


def _state_file(paths: LabPaths, image: str) -> Path:
    return paths.state / f"{image}.json"


def export(paths: LabPaths, image: str, image_id: str, *, podman: bool,
           transports: tuple[str, ...] | None = None) -> list[str]:
    """Run every step (or those ``transports`` need) not already done for ``image_id``;
    names of steps run."""
    state_file = _state_file(paths, image)
    try:
        state: dict[str, str] = json.loads(state_file.read_text())
    except (OSError, ValueError):
        state = {}
    done = []
    selected = steps_for(transports)
    steps = [*STEPS, PODMAN_STEP] if podman else list(STEPS)
    for name, step, product in steps:
        if name not in selected:
            continue
        out = product(paths, image)
        if state.get(name) == image_id and (out is None or out.exists()):
            continue
        step(paths, image)
        state[name] = image_id
        done.append(name)
        state_file.write_text(json.dumps(state, indent=1))
    if done:
        say(f"{image}: exported {', '.join(done)}")
    return done

