"""Every built-in image source, imported in one place: each module registers its
:class:`~.interface.ImageSource` in :data:`.source_registry.SOURCES` when imported.
Adding a transport = adding its module and one line here."""

from __future__ import annotations

from seawall.sources.containerd import ContainerdSource
from seawall.sources.distribution import DistributionSource
from seawall.sources.docker_archive import DockerArchiveSource
from seawall.sources.docker_daemon import DockerDaemonSource
from seawall.sources.oci_layout import OciArchiveSource, OciLayoutSource
from seawall.sources.podman import PodmanSource

BUILTIN_SOURCES = (
    ContainerdSource, DistributionSource, DockerArchiveSource, DockerDaemonSource,
    OciLayoutSource, OciArchiveSource, PodmanSource,
)
"""The built-in source classes, in registration order."""
