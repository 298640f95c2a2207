"""A FileSystem over a host directory treated as a root (rootfs, host ``/``, layer dirs).

Symlinks are resolved by :mod:`seawall.fs.path_resolution`, never by the kernel:
metadata lookups ``lstat`` canonical paths only, and content is opened by walking
directory file descriptors component by component with ``O_NOFOLLOW``, so even a
symlink swapped in concurrently cannot lead a read outside the root.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable, Iterator
from typing import BinaryIO

from seawall.fs.interface import FileInfo, FileType
from seawall.fs.path_resolution import (
    PathResolver,
    Resolved,
    join_path,
    normalize_path,
    os_error,
    split_components,
)

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
# O_NONBLOCK: a FIFO swapped in for a regular file must not hang the open.
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK


def file_type_of(mode: int) -> FileType:
    """Map ``st_mode`` type bits to a :class:`FileType`."""
    if stat.S_ISREG(mode):
        return FileType.REGULAR
    if stat.S_ISDIR(mode):
        return FileType.DIRECTORY
    if stat.S_ISLNK(mode):
        return FileType.SYMLINK
    if stat.S_ISCHR(mode):
        return FileType.CHAR_DEVICE
    if stat.S_ISBLK(mode):
        return FileType.BLOCK_DEVICE
    if stat.S_ISFIFO(mode):
        return FileType.FIFO
    return FileType.SOCKET


def read_xattrs(host_path: str) -> dict[str, bytes]:
    """Extended attributes of a host path (not following a final symlink); empty when
    the filesystem does not support them or we may not read them."""
    try:
        names = os.listxattr(host_path, follow_symlinks=False)
    except OSError:
        return {}
    out: dict[str, bytes] = {}
    for name in names:
        try:
            out[name] = os.getxattr(host_path, name, follow_symlinks=False)
        except OSError:
            continue
    return out


class DirectoryFileSystem:
    """Read-only :class:`~seawall.fs.interface.FileSystem` over the host directory
    ``root``, with chroot semantics computed in user space.

    ``prune`` lists paths inside the root that :meth:`walk` does not descend into
    (``/proc``, ``/sys`` when the root is a live host); they can still be read directly.
    ``with_xattrs`` reads extended attributes of regular files (``security.capability``).
    """

    def __init__(
        self, root: str, prune: tuple[str, ...] = (), with_xattrs: bool = True
    ) -> None:
        self.root = os.path.realpath(root)
        if not os.path.isdir(self.root):
            raise NotADirectoryError(errno.ENOTDIR, "not a directory", root)
        self._prefix = "" if self.root == "/" else self.root
        self._prune = frozenset(normalize_path(p) for p in prune)
        self._with_xattrs = with_xattrs
        self._resolver: PathResolver[os.stat_result] = PathResolver(
            self._lookup, _is_dir, self._link_target
        )

    # -- node lookup for the resolver (canonical paths only) -----------------------

    def _host(self, canonical: str) -> str:
        return self._prefix + canonical if canonical != "/" else self.root

    def _lookup(self, canonical: str) -> os.stat_result | None:
        try:
            return os.lstat(self._host(canonical))
        except (FileNotFoundError, NotADirectoryError):
            return None

    def _link_target(self, canonical: str, st: os.stat_result) -> str | None:
        if not stat.S_ISLNK(st.st_mode):
            return None
        return os.readlink(self._host(canonical))

    def _resolve(self, path: str, follow_last: bool = True) -> Resolved[os.stat_result]:
        res = self._resolver.resolve(path, follow_last)
        if res.node is None:
            raise os_error(errno.ENOENT, path)
        return res

    # -- descriptor walking: the kernel never follows a link for us ----------------

    def _open_fd(self, canonical: str, flags: int) -> int:
        """Open a canonical path by walking fds from the root with ``O_NOFOLLOW``."""
        comps = split_components(canonical)
        fd = os.open(self.root, _DIR_FLAGS)
        try:
            for comp in comps[:-1]:
                nxt = os.open(comp, _DIR_FLAGS, dir_fd=fd)
                os.close(fd)
                fd = nxt
            if not comps:
                return fd
            last = os.open(comps[-1], flags, dir_fd=fd)
        except OSError as exc:
            os.close(fd)
            if exc.errno == errno.ELOOP:  # a symlink appeared after we resolved
                raise os_error(errno.ELOOP, canonical) from None
            raise
        os.close(fd)
        return last

    def open_canonical(self, canonical: str) -> BinaryIO:
        """Open a regular file by a path already known to be canonical (no symlink
        among its components), walking descriptors with ``O_NOFOLLOW``: a symlink in
        the way raises ``OSError(ELOOP)`` instead of being followed."""
        fd = self._open_fd(canonical, _FILE_FLAGS)
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise os_error(errno.EINVAL, canonical)
            os.set_blocking(fd, True)
            return os.fdopen(fd, "rb")
        except BaseException:
            os.close(fd)
            raise

    def _info(self, path: str, st: os.stat_result, host_path: str | None = None) -> FileInfo:
        ftype = file_type_of(st.st_mode)
        linkname = None
        xattrs: dict[str, bytes] = {}
        if ftype is FileType.SYMLINK and host_path is not None:
            linkname = os.readlink(host_path)
        elif ftype is FileType.REGULAR and self._with_xattrs and host_path is not None:
            xattrs = read_xattrs(host_path)
        device = None
        if ftype in (FileType.CHAR_DEVICE, FileType.BLOCK_DEVICE):
            device = (os.major(st.st_rdev), os.minor(st.st_rdev))
        return FileInfo(
            path=path,
            type=ftype,
            mode=stat.S_IMODE(st.st_mode),
            size=st.st_size if ftype is FileType.REGULAR else 0,
            uid=st.st_uid,
            gid=st.st_gid,
            mtime=st.st_mtime,
            linkname=linkname,
            xattrs=xattrs,
            device=device,
        )

    # -- FileSystem protocol ----------------------------------------------------------

    def open(self, path: str) -> BinaryIO:
        """Open a regular file inside the root for binary reading."""
        res = self._resolve(path)
        if stat.S_ISDIR(res.node.st_mode):  # type: ignore[union-attr]
            raise os_error(errno.EISDIR, path)
        return self.open_canonical(res.path)

    def read_bytes(self, path: str, offset: int = 0, length: int | None = None) -> bytes:
        """Read ``length`` bytes (all when None) from ``offset`` of a regular file."""
        with self.open(path) as fh:
            if offset:
                fh.seek(offset)
            return fh.read() if length is None else fh.read(length)

    def stat(self, path: str) -> FileInfo:
        """Metadata following symlinks inside the root."""
        res = self._resolve(path, True)
        return self._info(normalize_path(path), res.node, self._host(res.path))  # type: ignore[arg-type]

    def lstat(self, path: str) -> FileInfo:
        """Metadata of the entry itself."""
        res = self._resolve(path, False)
        return self._info(normalize_path(path), res.node, self._host(res.path))  # type: ignore[arg-type]

    def readlink(self, path: str) -> str:
        """Stored target of a symlink; ``OSError(EINVAL)`` for anything else."""
        res = self._resolve(path, False)
        target = self._link_target(res.path, res.node)  # type: ignore[arg-type]
        if target is None:
            raise os_error(errno.EINVAL, path)
        return target

    def realpath(self, path: str) -> str:
        """Canonical path inside the root; missing components are kept lexically."""
        return self._resolver.resolve(path, True, strict=False).path

    def listdir(self, path: str) -> list[str]:
        """Sorted entry names of a directory (a symlinked directory is followed)."""
        res = self._resolve(path, True)
        if not stat.S_ISDIR(res.node.st_mode):  # type: ignore[union-attr]
            raise os_error(errno.ENOTDIR, path)
        fd = self._open_fd(res.path, _DIR_FLAGS)
        try:
            return sorted(os.listdir(fd))
        finally:
            os.close(fd)

    def exists(self, path: str) -> bool:
        """True when :meth:`stat` would succeed."""
        try:
            return self._resolver.resolve(path, True).node is not None
        except OSError:
            return False

    def walk(
        self, top: str = "/", onerror: Callable[[OSError], None] | None = None
    ) -> Iterator[FileInfo]:
        """Every entry below ``top`` depth-first in sorted order, lstat semantics;
        symlinked directories (and pruned paths) are not descended. A directory that
        cannot be opened or listed (EACCES, EIO ...) goes to ``onerror``, named by its
        path inside the root; entries that vanish while a live tree is walked do not."""
        res = self._resolve(top, True)
        if not stat.S_ISDIR(res.node.st_mode):  # type: ignore[union-attr]
            raise os_error(errno.ENOTDIR, top)
        fd = self._open_fd(res.path, _DIR_FLAGS)
        shown = normalize_path(top)
        yield from self._walk_fd(fd, shown, res.path, onerror)

    def _walk_fd(
        self,
        fd: int,
        shown: str,
        canonical: str,
        onerror: Callable[[OSError], None] | None,
    ) -> Iterator[FileInfo]:
        """Walk an open directory fd (closed when done); ``shown`` is the path the
        caller sees, ``canonical`` the resolved one (they differ under a symlinked top)."""

        def failed(exc: OSError, path: str) -> None:
            # ENOENT: vanished while walking a live tree; ELOOP: replaced by a symlink
            # meanwhile (not followed, by design). Anything else: we could not look.
            if onerror is not None and exc.errno not in (errno.ENOENT, errno.ELOOP):
                onerror(OSError(exc.errno, exc.strerror, path))

        try:
            try:
                with os.scandir(fd) as it:
                    entries = sorted(it, key=lambda e: e.name)
            except OSError as exc:
                failed(exc, shown)
                return
            proc_dir = f"/proc/self/fd/{fd}/"
            for entry in entries:
                child_shown = join_path(shown, entry.name)
                try:
                    st = entry.stat(follow_symlinks=False)
                except OSError as exc:
                    failed(exc, child_shown)
                    continue
                child_canon = join_path(canonical, entry.name)
                yield self._info(child_shown, st, proc_dir + entry.name)
                if stat.S_ISDIR(st.st_mode) and child_canon not in self._prune:
                    try:
                        child_fd = os.open(entry.name, _DIR_FLAGS, dir_fd=fd)
                    except OSError as exc:
                        failed(exc, child_shown)
                        continue
                    yield from self._walk_fd(child_fd, child_shown, child_canon, onerror)
        finally:
            os.close(fd)


def _is_dir(st: os.stat_result) -> bool:
    return stat.S_ISDIR(st.st_mode)
