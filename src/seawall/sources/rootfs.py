"""Unpacked root filesystems as scan targets: a directory, or the host's own ``/``.

A rootfs is a :class:`~seawall.sources.interface.Target`, not an Image: it has no
config, layers or digest. ``seawall.open_rootfs(path)`` returns one.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import cached_property
from typing import ClassVar

from seawall.errors import InputError, NotFoundError
from seawall.fs.directory import DirectoryFileSystem
from seawall.model.report import OSInfo, TargetInfo
from seawall.sources.host_scope import (
    ALWAYS_PSEUDO,
    SkippedPath,
    default_host_skips,
    user_skips,
)
from seawall.sources.interface import Target
from seawall.sources.os_detection import detect_os


class RootfsTarget(Target):
    """A directory scanned as a root filesystem (kind ``directory``); for ``/``
    :func:`open_rootfs` returns the :class:`HostTarget` subclass (kind ``host``)."""

    kind: ClassVar[str] = "directory"

    def __init__(
        self, root: str, ref: str | None = None, skipped: Sequence[SkippedPath] = ()
    ) -> None:
        self.root = os.path.realpath(root)
        self.ref = ref if ref is not None else root
        self.skipped = tuple(skipped)
        """Directories the walk does not descend into (still readable by path)."""
        self._fs = DirectoryFileSystem(self.root, prune=tuple(s.path for s in self.skipped))

    @property
    def fs(self) -> DirectoryFileSystem:
        """The directory seen as a root filesystem."""
        return self._fs

    @cached_property
    def os(self) -> OSInfo | None:
        """OS detected from the release files under the root (computed once)."""
        return detect_os(self._fs)

    def target_info(self) -> TargetInfo:
        """The report's ``target`` object."""
        extra: dict[str, object] = {"path": self.root}
        if self.skipped:
            extra["skipped"] = [{"path": s.path, "reason": s.reason} for s in self.skipped]
        return TargetInfo(kind=self.kind, ref=self.ref, os=self.os, extra=extra)


class HostTarget(RootfsTarget):
    """The host's root filesystem (``/``) as a target."""

    kind: ClassVar[str] = "host"


def open_rootfs(
    path: str,
    skip_dirs: tuple[str, ...] = (),
    default_skips: bool = True,
    cache_dir: str | None = None,
) -> RootfsTarget:
    """Open ``path`` as a root filesystem target (``/`` gives a :class:`HostTarget`).

    ``skip_dirs`` are directories inside the root the walk does not descend into; for
    the host, :func:`~seawall.sources.host_scope.default_host_skips` are added unless
    ``default_skips`` is False (pseudo filesystems are pruned even then: reading
    ``/proc/kcore`` is never a scan). Raises :class:`NotFoundError` /
    :class:`InputError` with a one-line reason."""
    if not path:
        raise InputError("empty rootfs path")
    if not os.path.exists(path):
        raise NotFoundError(f"rootfs {path!r}: no such directory")
    if not os.path.isdir(path):
        raise InputError(f"rootfs {path!r}: not a directory")
    if not os.access(path, os.R_OK | os.X_OK):
        raise InputError(f"rootfs {path!r}: permission denied")
    skipped = user_skips(skip_dirs)
    if os.path.realpath(path) == "/":
        if default_skips:
            skipped = default_host_skips(cache_dir=cache_dir) + skipped
        else:
            skipped = [SkippedPath(p, "pseudo filesystem") for p in ALWAYS_PSEUDO] + skipped
        return HostTarget(path, skipped=skipped)
    return RootfsTarget(path, skipped=skipped)
