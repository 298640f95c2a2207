"""The SDK's way in: open an image, a container or a root filesystem as a Target.

The sources are imported on first call, so ``import seawall`` stays cheap::

    import seawall
    with seawall.open_image("docker-archive:app.tar") as image:
        print(image.digest, image.os, [l.diff_id for l in image.layers])
        data = image.fs.read_bytes("/etc/os-release")
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from seawall.sources.interface import Container, Image, SourceOptions, Target


def open_image(ref: str, options: SourceOptions | None = None) -> Image:
    """Open an image by skopeo-style reference (see ``seawall.sources.transports``)."""
    from seawall.sources.transports import open_image as _open

    return _open(ref, options)


def open_container(id_or_name: str, options: SourceOptions | None = None) -> Container:
    """Open a running or stopped Docker container by ID or name."""
    from seawall.sources.containers import open_container as _open

    return _open(id_or_name, options)


def open_rootfs(path: str) -> Target:
    """Open an unpacked root filesystem (a directory, or the host's ``/``)."""
    from seawall.sources.rootfs import open_rootfs as _open

    return _open(path)
