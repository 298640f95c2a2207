"""Transport ``podman:NAME[:TAG]|ID``: images of Podman through its Docker-compatible
API socket (``podman system service``), exported and indexed like ``docker-daemon:``.

Podman records short names under ``localhost/`` (``localhost/app:1``); its compat
API resolves ``app:1`` to that, so users can type either.
"""

from __future__ import annotations

from seawall.sources.docker_daemon import EngineImageSource
from seawall.sources.engine_client import Engine, podman_engine
from seawall.sources.interface import SourceOptions
from seawall.sources.source_registry import register_source


@register_source
class PodmanSource(EngineImageSource):
    """``podman:`` (``--podman-host``, ``CONTAINER_HOST`` or the rootful socket)."""

    transport = "podman"
    engine_label = "podman"

    def engine(self, options: SourceOptions) -> Engine:
        """Podman's API socket."""
        return podman_engine(options)
