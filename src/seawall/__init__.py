"""seawall: cloud-native container security as one Python SDK and CLI.

The SDK entry points (:mod:`seawall.targets`)::

    import seawall
    with seawall.open_image("docker-archive:app.tar") as image:
        print(image.digest, image.os, [l.diff_id for l in image.layers])
        data = image.fs.read_bytes("/etc/os-release")
"""

from seawall._version import __version__
from seawall.targets import open_container, open_image, open_rootfs

__all__ = ["__version__", "open_container", "open_image", "open_rootfs"]
