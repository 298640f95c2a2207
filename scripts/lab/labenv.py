"""``$SEAWALL_LAB_DIR/lab.env``: what tests need to find the lab, as shell-sourceable
KEY=VALUE lines (read by tests/conftest.py)."""

from __future__ import annotations

import os
import shlex
from pathlib import Path

from lab.commands import run
from lab.exports import CONTAINERD_PREFIX, podman_image_name
from lab.paths import (
    AUTH_PASSWORD,
    AUTH_REGISTRY,
    AUTH_USER,
    BASE_IMAGE,
    CONTAINERD_NAMESPACE,
    MULTIARCH_NAME,
    MULTIARCH_SOURCE,
    OPEN_REGISTRY,
    LabPaths,
    image_tag,
)


def write_lab_env(paths: LabPaths, *, images: list[str], failed: list[str],
                  podman_problem: str | None, podman_images: list[str],
                  docker_save_format: str | None, multiarch: bool,
                  restricted: dict[str, tuple[str, ...]] | None = None) -> Path:
    """Write lab.env atomically (concurrent readers never see half a file)."""
    values: dict[str, str] = {
        "SEAWALL_LAB_DIR": str(paths.root),
        "LAB_REGISTRY": OPEN_REGISTRY,
        "LAB_AUTH_REGISTRY": AUTH_REGISTRY,
        "LAB_AUTH_USER": AUTH_USER,
        "LAB_AUTH_PASSWORD": AUTH_PASSWORD,
        "LAB_CONTAINERD_ADDRESS": str(paths.containerd_socket),
        "LAB_CONTAINERD_NAMESPACE": CONTAINERD_NAMESPACE,
        "LAB_CONTAINERD_PREFIX": CONTAINERD_PREFIX,
        "LAB_IMAGES": " ".join(images),
        "LAB_FAILED_IMAGES": " ".join(failed),
        "LAB_BASE_IMAGE": BASE_IMAGE,
        # image:transport,transport for images whose Dockerfile has `# lab-exports:`.
        "LAB_EXPORTS": " ".join(f"{name}:{','.join(ts)}"
                                for name, ts in sorted((restricted or {}).items())),
    }
    if os.environ.get("DOCKER_HOST"):
        values["DOCKER_HOST"] = os.environ["DOCKER_HOST"]
    # Where the engine keeps its storage (host-root readers must not assume
    # /var/lib/docker: a private lab engine keeps it in the lab dir).
    root = run(["docker", "info", "--format", "{{.DockerRootDir}}"], check=False)
    if root.returncode == 0 and root.stdout.strip():
        values["LAB_DOCKER_ROOT"] = root.stdout.strip()
    comments = [
        "# Written by scripts/lab.sh up; read by tests/conftest.py (fixture `lab`).",
        "# Refs: docker-daemon:seawall-lab/<image>:latest, docker-archive:"
        "$SEAWALL_LAB_DIR/archives/<image>.docker.tar, oci:$SEAWALL_LAB_DIR/oci/<image>:latest,",
        "# oci-archive:$SEAWALL_LAB_DIR/archives/<image>.oci.tar, docker://$LAB_REGISTRY/"
        "seawall-lab/<image>:latest (v2s2), docker://$LAB_AUTH_REGISTRY/... (OCI manifests),",
        "# containerd: ${LAB_CONTAINERD_PREFIX}seawall-lab/<image>:latest in "
        "$LAB_CONTAINERD_NAMESPACE at $LAB_CONTAINERD_ADDRESS.",
    ]
    if multiarch:
        values["LAB_MULTIARCH_IMAGE"] = f"{OPEN_REGISTRY}/{image_tag(MULTIARCH_NAME)}"
        values["LAB_MULTIARCH_OCI"] = str(paths.oci_layout(MULTIARCH_NAME))
        values["LAB_MULTIARCH_OCI_ARCHIVE"] = str(paths.oci_archive(MULTIARCH_NAME))
        values["LAB_MULTIARCH_SOURCE"] = MULTIARCH_SOURCE
        comments.append("# multiarch: OCI index, linux/amd64 + linux/arm64/v8, each with "
                        "/etc/seawall-lab-platform naming its platform.")
    if docker_save_format is not None:
        values["LAB_DOCKER_SAVE_FORMAT"] = docker_save_format
        if docker_save_format == "legacy":
            comments.append("# docker save: this engine writes only the legacy layout "
                            "(OCI-layout docker save needs docker >= 25); none produced.")
    if podman_problem is None:
        values["LAB_PODMAN_SOCKET"] = str(paths.podman_socket)
        values["LAB_PODMAN_IMAGES"] = " ".join(podman_images)
        if podman_images:
            values["LAB_PODMAN_PREFIX"] = podman_image_name("x").removesuffix(image_tag("x"))
    else:
        comments.append(f"# podman unavailable: {' '.join(podman_problem.split())}")
    text = "\n".join(comments) + "\n" + "".join(
        f"{key}={shlex.quote(value)}\n" for key, value in values.items())
    tmp = paths.env_file.with_suffix(".tmp")
    tmp.write_text(text)
    tmp.replace(paths.env_file)
    return paths.env_file
