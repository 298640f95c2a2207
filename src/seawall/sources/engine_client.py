"""Connections to Docker-API engines: dockerd and Podman's Docker-compatible service.

Every failure to reach an engine becomes :class:`SourceUnavailableError`, so a bare
image name falls through to the next source when an engine is not running.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from seawall.errors import SourceUnavailableError
from seawall.sources.interface import SourceOptions

if TYPE_CHECKING:
    import docker

DEFAULT_DOCKER_HOST = "unix:///var/run/docker.sock"
DEFAULT_PODMAN_HOST = "unix:///run/podman/podman.sock"
_API_TIMEOUT_S = 120


@dataclass(frozen=True)
class Engine:
    """Which engine and where: ``docker`` or ``podman`` plus its API URL."""

    name: str
    base_url: str


def _as_url(address: str) -> str:
    return f"unix://{address}" if address.startswith("/") else address


def docker_engine(options: SourceOptions) -> Engine:
    """``--docker-host``, else ``DOCKER_HOST``, else the default socket."""
    url = options.docker_host or os.environ.get("DOCKER_HOST") or DEFAULT_DOCKER_HOST
    return Engine("docker", _as_url(url))


def podman_engine(options: SourceOptions) -> Engine:
    """``--podman-host``, else ``CONTAINER_HOST`` (podman's own variable), else the
    rootful default socket."""
    url = options.podman_host or os.environ.get("CONTAINER_HOST") or DEFAULT_PODMAN_HOST
    return Engine("podman", _as_url(url))


def connect(engine: Engine) -> docker.DockerClient:
    """A docker SDK client for ``engine``, already checked to answer."""
    import docker.errors  # imported on use: the SDK costs ~0.3 s to load
    import requests

    if engine.base_url.startswith("unix://") and not os.path.exists(engine.base_url[7:]):
        raise SourceUnavailableError(
            f"{engine.name} engine not running (no socket {engine.base_url[7:]})"
        )
    try:
        # A fixed API version avoids a version round-trip and works with podman's
        # compat API and with dockerd >= 20.10.
        client = docker.DockerClient(
            base_url=engine.base_url, version="1.41", timeout=_API_TIMEOUT_S
        )
        client.ping()
    except (docker.errors.DockerException, requests.RequestException, OSError) as exc:
        raise SourceUnavailableError(
            f"{engine.name} engine at {engine.base_url} not reachable: {exc}"
        ) from None
    return client
