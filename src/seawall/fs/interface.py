"""The one FileSystem API every target exposes (image, layer, container, rootfs, host).

Paths are always absolute POSIX paths *inside the target* (``/etc/passwd``).  Symlinks
are resolved inside the target's root as if chrooted: an absolute link target starts at
the target root, ``..`` never climbs above ``/``, and a loop raises ``OSError(ELOOP)``.
Nothing in this API ever touches a host path outside the target.

Paths are bytes on Linux and ``str`` here: decoded as ``os.fsdecode`` does (UTF-8 with
``surrogateescape``), so a name that is not UTF-8 keeps each stray byte as a lone
surrogate (``0xE9`` -> ``U+DCE9``) and ``os.fsencode`` gives the exact bytes back.
Every implementation (directories, tar layers, overlay dirs, the plugin fs service)
uses that convention; consumers must not ``.encode()`` a path strictly (hash it with
``surrogateescape``; the report's JSON writes such characters as ``\\udcXX``).

Errors use Python's own ``OSError`` subclasses so callers can write ordinary code:
``FileNotFoundError``, ``NotADirectoryError``, ``IsADirectoryError`` and
``OSError(errno.ELOOP)``.
"""

from __future__ import annotations

import stat as stat_module
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import Enum
from typing import BinaryIO, Protocol, runtime_checkable


class FileType(str, Enum):
    """Kinds of directory entries."""

    REGULAR = "file"
    DIRECTORY = "dir"
    SYMLINK = "symlink"
    CHAR_DEVICE = "char"
    BLOCK_DEVICE = "block"
    FIFO = "fifo"
    SOCKET = "socket"


_TYPE_BITS = {
    FileType.REGULAR: stat_module.S_IFREG,
    FileType.DIRECTORY: stat_module.S_IFDIR,
    FileType.SYMLINK: stat_module.S_IFLNK,
    FileType.CHAR_DEVICE: stat_module.S_IFCHR,
    FileType.BLOCK_DEVICE: stat_module.S_IFBLK,
    FileType.FIFO: stat_module.S_IFIFO,
    FileType.SOCKET: stat_module.S_IFSOCK,
}


@dataclass(frozen=True)
class FileInfo:
    """What ``stat``/``lstat`` return: metadata of one entry, never its content."""

    path: str
    """Absolute path inside the target (the path asked for, not the resolved one)."""
    type: FileType
    """Entry kind."""
    mode: int
    """Permission bits incl. setuid/setgid/sticky (``0o4755``), without the type bits."""
    size: int
    """Content size in bytes for regular files, else 0 (never trust it for allocation)."""
    uid: int = 0
    gid: int = 0
    mtime: float = 0.0
    linkname: str | None = None
    """Symlink target as stored (for symlinks only)."""
    layer: str | None = None
    """diff_id of the layer that provides this entry (None for non-layered filesystems)."""
    xattrs: dict[str, bytes] = field(default_factory=dict)
    """Extended attributes, e.g. ``security.capability`` (file capabilities)."""
    device: tuple[int, int] | None = None
    """(major, minor) for device nodes."""

    @property
    def st_mode(self) -> int:
        """``os.stat``-style mode: type bits | permission bits."""
        return _TYPE_BITS[self.type] | self.mode

    @property
    def name(self) -> str:
        """Last path component."""
        return self.path.rsplit("/", 1)[-1] or "/"

    def is_file(self) -> bool:
        """Regular file?"""
        return self.type is FileType.REGULAR

    def is_dir(self) -> bool:
        """Directory?"""
        return self.type is FileType.DIRECTORY

    def is_symlink(self) -> bool:
        """Symbolic link?"""
        return self.type is FileType.SYMLINK

    def is_executable(self) -> bool:
        """Any execute bit set on a regular file?"""
        return self.is_file() and bool(self.mode & 0o111)


@runtime_checkable
class FileSystem(Protocol):
    """Read-only access to one target's files. Every implementation follows the rules
    in this module's docstring; analyzers use nothing else to read a target."""

    def open(self, path: str) -> BinaryIO:
        """Open a regular file (symlinks followed inside the root) for binary reading."""
        ...

    def read_bytes(self, path: str, offset: int = 0, length: int | None = None) -> bytes:
        """Read ``length`` bytes (all when None) from ``offset`` of a regular file."""
        ...

    def stat(self, path: str) -> FileInfo:
        """Metadata, following symlinks inside the root."""
        ...

    def lstat(self, path: str) -> FileInfo:
        """Metadata of the entry itself (a symlink is reported as a symlink)."""
        ...

    def readlink(self, path: str) -> str:
        """Target of a symlink as stored; ``OSError(EINVAL)`` if not a symlink."""
        ...

    def realpath(self, path: str) -> str:
        """Canonical absolute path inside the root, every symlink resolved."""
        ...

    def listdir(self, path: str) -> list[str]:
        """Sorted names in a directory (symlinks to directories followed)."""
        ...

    def walk(
        self, top: str = "/", onerror: Callable[[OSError], None] | None = None
    ) -> Iterator[FileInfo]:
        """Every entry under ``top`` (not ``top`` itself), depth-first in sorted order,
        reported with :meth:`lstat` semantics; symlinked directories are not descended.
        A directory or entry that cannot be read below ``top`` is passed to ``onerror``
        (its ``filename`` the path inside the target) and the walk goes on; without
        ``onerror`` it is skipped silently."""
        ...

    def exists(self, path: str) -> bool:
        """True when ``stat`` would succeed."""
        ...
