"""Directory layers (overlay2 ``diff`` dirs, snapshotter dirs, container upper dirs)
turned into the same entry index as tar layers, so the merge treats both alike.

Whiteouts in ``overlay`` style are what overlayfs writes: a character device 0/0
(or, on kernels with xattr whiteouts, an empty file carrying
``trusted.overlay.whiteout``/``user.overlay.whiteout``) deletes that path, and a
directory with ``trusted.overlay.opaque=y`` (or ``user.overlay.opaque=y`` for
rootless/userxattr mounts) hides lower content. In ``oci`` style the ``.wh.`` names
of tar layers are used. Directory layers are not digest-verified (there is no tar to
hash): they come from the engine's own storage, read through ``--host-root``.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from typing import BinaryIO

from seawall.errors import InputError
from seawall.fs.directory import DirectoryFileSystem
from seawall.fs.layer_fs import LayerFileSystem
from seawall.fs.path_resolution import join_path
from seawall.fs.tar_index import (
    IMPLICIT_DIR,
    OPAQUE_MARKER,
    T_BLOCK,
    T_CHAR,
    T_DIR,
    T_FIFO,
    T_FILE,
    T_LINK,
    WHITEOUT_PREFIX,
    Entry,
    LayerIndex,
)

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_OPAQUE_XATTRS = ("trusted.overlay.opaque", "user.overlay.opaque")
_WHITEOUT_XATTRS = ("trusted.overlay.whiteout", "user.overlay.whiteout")


def _xattrs(host_path: str) -> dict[str, bytes]:
    try:
        names = os.listxattr(host_path, follow_symlinks=False)
    except OSError:
        return {}
    out = {}
    for name in names:
        with contextlib.suppress(OSError):
            out[name] = os.getxattr(host_path, name, follow_symlinks=False)
    return out


def _type_code(mode: int) -> str | None:
    if stat.S_ISREG(mode):
        return T_FILE
    if stat.S_ISDIR(mode):
        return T_DIR
    if stat.S_ISLNK(mode):
        return T_LINK
    if stat.S_ISCHR(mode):
        return T_CHAR
    if stat.S_ISBLK(mode):
        return T_BLOCK
    if stat.S_ISFIFO(mode):
        return T_FIFO
    return None  # sockets: not content, not tar-representable


class _DirectoryIndexer:
    def __init__(self, whiteouts: str) -> None:
        if whiteouts not in ("overlay", "oci"):
            raise InputError(f"unknown whiteout style {whiteouts!r} (overlay or oci)")
        self.overlay = whiteouts == "overlay"
        self.index = LayerIndex()
        self.size = 0

    def walk(self, fd: int, path: str) -> None:
        """Index the directory open at ``fd`` (closed here) whose layer path is ``path``."""
        try:
            with os.scandir(fd) as it:
                names = sorted(e.name for e in it)
            proc = f"/proc/self/fd/{fd}/"
            for name in names:
                try:
                    st = os.lstat(name, dir_fd=fd)
                except OSError:
                    continue  # vanished from a live upper dir
                self._add(fd, proc + name, join_path(path, name), name, st)
        finally:
            os.close(fd)

    def _add(self, dir_fd: int, host: str, path: str, name: str, st: os.stat_result) -> None:
        code = _type_code(st.st_mode)
        if code is None:
            self.index.skipped.append((path, "socket"))
            return
        xattrs: dict[str, bytes] = {}
        if code in (T_FILE, T_DIR):
            xattrs = _xattrs(host)
        if self.overlay:
            if code == T_CHAR and st.st_rdev == 0:
                self.index.whiteouts.append(path)
                return
            if code == T_FILE and st.st_size == 0 and any(k in xattrs for k in _WHITEOUT_XATTRS):
                self.index.whiteouts.append(path)
                return
        elif name.startswith(WHITEOUT_PREFIX):
            parent = path.rsplit("/", 1)[0] or "/"
            if name == OPAQUE_MARKER:
                self.index.opaques.append(parent)
            elif not name.startswith(WHITEOUT_PREFIX + WHITEOUT_PREFIX):
                self.index.whiteouts.append(join_path(parent, name[len(WHITEOUT_PREFIX) :]))
            return
        linkname = None
        if code == T_LINK:
            linkname = os.readlink(name, dir_fd=dir_fd)
        if code == T_FILE:
            self.size += st.st_size
        entry: Entry = (
            code,
            stat.S_IMODE(st.st_mode),
            st.st_uid,
            st.st_gid,
            st.st_size if code == T_FILE else 0,
            st.st_mtime,
            linkname,
            0,
            {k: v for k, v in xattrs.items() if not k.startswith("trusted.overlay.")} or None,
            (os.major(st.st_rdev), os.minor(st.st_rdev)) if code in (T_CHAR, T_BLOCK) else None,
            False,
        )
        self.index.entries[path] = entry
        if code == T_DIR:
            if self.overlay and any(xattrs.get(k) == b"y" for k in _OPAQUE_XATTRS):
                self.index.opaques.append(path)
            try:
                child = os.open(name, _DIR_FLAGS, dir_fd=dir_fd)
            except OSError:
                return
            self.walk(child, path)


def index_directory_layer(path: str, whiteouts: str = "overlay") -> LayerIndex:
    """Index a layer directory (see module docstring for ``whiteouts``)."""
    try:
        fd = os.open(path, _DIR_FLAGS)
    except OSError as exc:
        raise InputError(f"layer directory {path}: {exc.strerror}") from None
    indexer = _DirectoryIndexer(whiteouts)
    indexer.index.entries["/"] = IMPLICIT_DIR
    indexer.walk(fd, "/")
    # The walk visits parents before children already; sorting keeps the exact order
    # tar indexes use (the merge relies on parent-first order only).
    indexer.index.entries = dict(sorted(indexer.index.entries.items()))
    indexer.index.tar_size = indexer.size
    return indexer.index


class DirectoryLayerData:
    """Layer data that lives as files in a layer directory; entry paths are read
    below it with descriptor walks that never follow a symlink."""

    def __init__(self, path: str, diff_id: str | None) -> None:
        self.path = path
        self.diff_id = diff_id
        self._dir = DirectoryFileSystem(path, with_xattrs=False)

    def read(self, canonical: str, entry: Entry, offset: int, n: int) -> bytes:
        """Bytes of the file at ``canonical`` in the layer directory."""
        with self._dir.open_canonical(canonical) as fh:
            fd = fh.fileno()
            return os.pread(fd, n, offset)

    def open(self, canonical: str, entry: Entry) -> BinaryIO:
        """The file at ``canonical`` in the layer directory."""
        try:
            return self._dir.open_canonical(canonical)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                msg = "layer directory changed while reading"
                raise OSError(errno.ELOOP, msg, canonical) from None
            raise


def open_directory_layer(
    path: str, whiteouts: str = "overlay", diff_id: str | None = None
) -> LayerFileSystem:
    """A :class:`LayerFileSystem` over a layer directory: what a container's upper dir
    or an overlay2 ``diff`` dir adds, with its whiteouts and opaque dirs."""
    index = index_directory_layer(path, whiteouts)
    return LayerFileSystem(index, DirectoryLayerData(path, diff_id))
