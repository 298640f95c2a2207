"""How much the cache directory may hold, sized to the disk it is on, and what a full
disk is called.

Fixed defaults (a 10 GiB cache, 20 GiB images) are wrong on a CI runner with 14 GB
free: a big image fills the disk and the run dies far from the cause. So the defaults
follow the space available on the cache's filesystem (``statvfs``), as measured when
the scan starts:

* the cache size bound is at most half of (free space + what the cache already
  holds), and never above :data:`CACHE_CAP_CEILING`;
* the largest image (``--max-image-size``) is at most 90% of the free space (but at
  least :data:`IMAGE_SIZE_FLOOR`), and never above :data:`IMAGE_SIZE_CEILING`.

``SEAWALL_CACHE_MAX_BYTES`` and ``--max-image-size`` set them outright. A write that
hits ENOSPC or EDQUOT in the cache says so (:class:`CacheSpaceError`) instead of
surfacing as a corrupt download.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterator

from seawall.errors import CacheSpaceError
from seawall.fs.scratch_space import check_not_abandoned

CACHE_CAP_CEILING = 10 * 1024**3
IMAGE_SIZE_CEILING = 20 * 1024**3
IMAGE_SIZE_FLOOR = 1024**3
"""Images read in place need no disk: a nearly full disk must not forbid them."""
_FULL = (errno.ENOSPC, errno.EDQUOT)


def available_bytes(path: str) -> int:
    """Bytes an unprivileged writer may still use on the filesystem holding ``path``
    (its nearest existing ancestor when ``path`` does not exist yet)."""
    probe = os.path.abspath(path)
    while not os.path.exists(probe) and os.path.dirname(probe) != probe:
        probe = os.path.dirname(probe)
    try:
        st = os.statvfs(probe)
    except OSError:
        return IMAGE_SIZE_CEILING  # cannot tell: fall back to the fixed ceilings
    return st.f_bavail * st.f_frsize


def default_cache_cap(cache_dir: str, cached_bytes: int) -> int:
    """The cache size bound when none is configured: half of what the cache could
    grow to on its disk, at most :data:`CACHE_CAP_CEILING`."""
    return min(CACHE_CAP_CEILING, (available_bytes(cache_dir) + cached_bytes) // 2)


def default_max_image_size(cache_dir: str) -> int:
    """``--max-image-size`` when not given: 90% of the free space on the cache's disk
    (an image is unpacked or saved there), between :data:`IMAGE_SIZE_FLOOR` and
    :data:`IMAGE_SIZE_CEILING`."""
    return min(IMAGE_SIZE_CEILING, max(IMAGE_SIZE_FLOOR, available_bytes(cache_dir) * 9 // 10))


def format_size(n: int) -> str:
    """``n`` bytes for a message: ``512 B``, ``20.0 MiB``, ``7.3 GiB``."""
    if n < 1024:
        return f"{n} B"
    if n < 1024**2:
        return f"{n / 1024:.1f} KiB"
    if n < 1024**3:
        return f"{n / 1024**2:.1f} MiB"
    return f"{n / 1024**3:.1f} GiB"


@contextlib.contextmanager
def disk_full_as_error(cache_dir: str) -> Iterator[None]:
    """Turn ENOSPC/EDQUOT raised inside the block into a one-line
    :class:`CacheSpaceError` naming ``cache_dir``."""
    try:
        yield
    except OSError as exc:
        if exc.errno in _FULL:
            raise CacheSpaceError(f"no space left in the cache dir ({cache_dir})") from None
        raise


def write_all(fd: int, data: bytes | memoryview, cache_dir: str) -> None:
    """Write every byte of ``data`` to ``fd`` (a file in the cache), a full disk
    raising :class:`CacheSpaceError`; after an interrupt (any thread) raises
    :class:`~seawall.fs.scratch_space.WorkAbandoned` instead of writing."""
    check_not_abandoned()
    view = memoryview(data)
    with disk_full_as_error(cache_dir):
        while view:
            n = os.write(fd, view)
            view = view[n:]
