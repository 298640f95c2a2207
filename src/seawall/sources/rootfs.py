"""Unpacked root filesystems as scan targets: a directory, or the host's own ``/``.

A rootfs is a :class:`~seawall.sources.interface.Target`, not an Image: it has no
config, layers or digest. ``seawall.open_rootfs(path)`` returns one.
"""

from __future__ import annotations

import os
from functools import cached_property
from typing import ClassVar

from seawall.errors import InputError, NotFoundError
from seawall.fs.directory import DirectoryFileSystem
from seawall.model.report import OSInfo, TargetInfo
from seawall.sources.interface import Target
from seawall.sources.os_detection import detect_os

#: Pseudo filesystems a walk of a live host must not descend (reading /proc/kcore or
#: sysfs attributes is slow at best and has side effects at worst).
HOST_PRUNED_PATHS = ("/proc", "/sys", "/dev")



class RootfsTarget(Target):
    """A directory scanned as a root filesystem (kind ``directory``); for ``/``
    :func:`open_rootfs` returns the :class:`HostTarget` subclass (kind ``host``)."""

    kind: ClassVar[str] = "directory"

    def __init__(self, root: str, ref: str | None = None) -> None:
        self.root = os.path.realpath(root)
        self.ref = ref if ref is not None else root
        self._is_host = self.root == "/"
        prune = HOST_PRUNED_PATHS if self._is_host else ()
        self._fs = DirectoryFileSystem(self.root, prune=prune)

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
        return TargetInfo(
            kind=self.kind, ref=self.ref, os=self.os, extra={"path": self.root}
        )


class HostTarget(RootfsTarget):
    """The host's root filesystem (``/``) as a target."""

    kind: ClassVar[str] = "host"


def open_rootfs(path: str) -> RootfsTarget:
    """Open ``path`` as a root filesystem target (``/`` gives a :class:`HostTarget`).
    Raises :class:`NotFoundError` / :class:`InputError` with a one-line reason."""
    if not path:
        raise InputError("empty rootfs path")
    if not os.path.exists(path):
        raise NotFoundError(f"rootfs {path!r}: no such directory")
    if not os.path.isdir(path):
        raise InputError(f"rootfs {path!r}: not a directory")
    if not os.access(path, os.R_OK | os.X_OK):
        raise InputError(f"rootfs {path!r}: permission denied")
    if os.path.realpath(path) == "/":
        return HostTarget(path)
    return RootfsTarget(path)
