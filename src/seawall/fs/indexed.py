"""The FileSystem over an in-memory entry table whose file data lives in local tars.

Both a single layer (:class:`~seawall.fs.layer_fs.LayerFileSystem`) and the overlay
merge of all layers (:class:`~seawall.fs.layered.LayeredFileSystem`) are such a
table: literal, normalised absolute paths -> entry tuples (see
:mod:`seawall.fs.tar_index`), where every key's ancestors are directories of the
table. That invariant gives a fast path: a path that *is* a key needs no resolution
of its parents. Everything else goes through the shared chroot resolver.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import io
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import BinaryIO, Protocol

from seawall.fs.byte_range import ByteRangeReader
from seawall.fs.interface import FileInfo, FileType
from seawall.fs.path_resolution import PathResolver, normalize_path, os_error
from seawall.fs.tar_index import (
    E_DEVICE,
    E_GID,
    E_LINK,
    E_MODE,
    E_MTIME,
    E_OFFSET,
    E_SIZE,
    E_TYPE,
    E_UID,
    E_XATTRS,
    T_DIR,
    T_FILE,
    T_LINK,
    Entry,
)

FILE_TYPES = {
    "f": FileType.REGULAR,
    "d": FileType.DIRECTORY,
    "l": FileType.SYMLINK,
    "c": FileType.CHAR_DEVICE,
    "b": FileType.BLOCK_DEVICE,
    "p": FileType.FIFO,
    "s": FileType.SOCKET,
}


class LayerData(Protocol):
    """Where the bytes of one layer's regular files live."""

    diff_id: str | None
    """The layer these bytes belong to (reported as ``FileInfo.layer``)."""

    def read(self, canonical: str, entry: Entry, offset: int, n: int) -> bytes:
        """``n`` bytes from ``offset`` of the file ``entry`` at ``canonical``."""
        ...

    def open(self, canonical: str, entry: Entry) -> BinaryIO:
        """A binary stream of the file's content."""
        ...


class TarBacking:
    """Layer data in a local tar: an open read-only descriptor read with ``pread`` at
    the entries' offsets, shared by every filesystem and reader of that layer. It is
    closed when the last of them lets go of it (readers hold a reference). While open
    it holds a shared ``flock`` on the tar: the layer cache does not evict a tar in
    use."""

    def __init__(self, path: str, diff_id: str | None) -> None:
        self.path = path
        self.diff_id = diff_id
        self.fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        self._closed = False
        with contextlib.suppress(OSError):  # advisory: a filesystem without flock is fine
            fcntl.flock(self.fd, fcntl.LOCK_SH | fcntl.LOCK_NB)

    def read(self, canonical: str, entry: Entry, offset: int, n: int) -> bytes:
        """Bytes of an entry's data, straight from the tar."""
        return os.pread(self.fd, n, entry[E_OFFSET] + offset)

    def read_into(self, canonical: str, entry: Entry, offset: int, buffer: memoryview) -> int:
        """Fill ``buffer`` from ``offset`` of the entry's data straight from the tar
        (one kernel copy, no intermediate ``bytes``); returns the bytes copied, fewer
        than ``len(buffer)`` only when the tar ends early."""
        start = entry[E_OFFSET] + offset
        want = len(buffer)
        done = os.preadv(self.fd, [buffer], start)
        while 0 < done < want:  # short reads are rare on a regular file
            n = os.preadv(self.fd, [buffer[done:]], start + done)
            if n <= 0:
                break
            done += n
        return done

    def open(self, canonical: str, entry: Entry) -> BinaryIO:
        """A buffered stream over the entry's byte range of the tar."""
        raw = ByteRangeReader(self.fd, entry[E_OFFSET], entry[E_SIZE], keepalive=self)
        return io.BufferedReader(raw, buffer_size=1 << 16)

    def close(self) -> None:
        """Close the descriptor (idempotent)."""
        if not self._closed:
            self._closed = True
            os.close(self.fd)

    def __del__(self) -> None:
        self.close()


def _is_dir(entry: Entry) -> bool:
    return entry[E_TYPE] == T_DIR


def _link_target(_path: str, entry: Entry) -> str | None:
    return entry[E_LINK] if entry[E_TYPE] == T_LINK else None


class IndexedFileSystem:
    """Read-only FileSystem over ``entries`` (path -> entry); ``origins`` maps a path
    to the index of the :class:`LayerData` holding its data (all 0 when None)."""

    def __init__(
        self,
        entries: dict[str, Entry],
        backings: Sequence[LayerData],
        origins: dict[str, int] | None = None,
        children: dict[str, list[str]] | None = None,
    ) -> None:
        self._entries = entries
        self._backings = list(backings)
        self._origins = origins
        self._children = children
        self._children_lock = threading.Lock()
        self._resolver: PathResolver[Entry] = PathResolver(entries.get, _is_dir, _link_target)

    # -- internals -------------------------------------------------------------------

    def _lentry(self, path: str) -> tuple[str, Entry]:
        """(canonical path, entry) without following a final symlink."""
        entry = self._entries.get(path)
        if entry is not None:
            return path, entry
        res = self._resolver.resolve(path, False)
        if res.node is None:
            raise os_error(errno.ENOENT, path)
        return res.path, res.node

    def _entry(self, path: str) -> tuple[str, Entry]:
        """(canonical path, entry) following symlinks inside the root."""
        entry = self._entries.get(path)
        if entry is not None and entry[E_TYPE] != T_LINK:
            return path, entry
        res = self._resolver.resolve(path, True)
        if res.node is None:
            raise os_error(errno.ENOENT, path)
        return res.path, res.node

    def _backing(self, canonical: str) -> LayerData:
        if not self._backings:
            raise ValueError("I/O operation on a closed filesystem")
        if self._origins is None:
            return self._backings[0]
        return self._backings[self._origins[canonical]]

    def _info(self, shown: str, canonical: str, e: Entry) -> FileInfo:
        backing = self._backing(canonical)
        return FileInfo(
            path=shown,
            type=FILE_TYPES[e[E_TYPE]],
            mode=e[E_MODE],
            size=e[E_SIZE],
            uid=e[E_UID],
            gid=e[E_GID],
            mtime=e[E_MTIME],
            linkname=e[E_LINK],
            layer=backing.diff_id,
            xattrs=dict(e[E_XATTRS]) if e[E_XATTRS] else {},
            device=e[E_DEVICE],
        )

    def _file(self, path: str) -> tuple[str, Entry]:
        canonical, e = self._entry(path)
        if e[E_TYPE] != T_FILE:
            if e[E_TYPE] == T_DIR:
                raise os_error(errno.EISDIR, path)
            raise os_error(errno.EINVAL, path)
        return canonical, e

    def children_map(self) -> dict[str, list[str]]:
        """Directory path -> sorted child names (built once, on first need)."""
        if self._children is None:
            with self._children_lock:
                if self._children is None:
                    kids: dict[str, list[str]] = {}
                    for path, e in self._entries.items():
                        if e[E_TYPE] == T_DIR:
                            kids.setdefault(path, [])
                        if path != "/":
                            head, _, name = path.rpartition("/")
                            kids.setdefault(head or "/", []).append(name)
                    for names in kids.values():
                        names.sort()
                    self._children = kids
        return self._children

    # -- FileSystem protocol ----------------------------------------------------------

    def open(self, path: str) -> BinaryIO:
        """Open a regular file for binary reading (symlinks followed in the root)."""
        canonical, e = self._file(path)
        return self._backing(canonical).open(canonical, e)

    def read_bytes(self, path: str, offset: int = 0, length: int | None = None) -> bytes:
        """Read ``length`` bytes (all when None) from ``offset`` of a regular file."""
        canonical, e = self._file(path)
        size = e[E_SIZE]
        if offset >= size:
            return b""
        n = size - offset if length is None else min(length, size - offset)
        if n <= 0:
            return b""
        return self._backing(canonical).read(canonical, e, offset, n)

    def read_into(self, path: str, buffer: memoryview, offset: int = 0) -> tuple[int, bool]:
        """Copy up to ``len(buffer)`` bytes from ``offset`` of a regular file into
        ``buffer`` (e.g. a shared-memory slot) with one path resolution and no
        intermediate ``bytes``. Returns (bytes copied, whether the file ends there)."""
        e = self._entries.get(path)
        if e is not None and e[E_TYPE] == T_FILE:
            canonical = path  # the common case: a literal path of the table
        else:
            canonical, e = self._file(path)
        size = e[E_SIZE]
        n = min(len(buffer), size - offset)
        if n <= 0:
            return 0, True
        backing = self._backing(canonical)
        into = getattr(backing, "read_into", None)
        if into is not None:
            got = into(canonical, e, offset, buffer[:n])
        else:  # a backing without a zero-copy path (layer directories)
            data = backing.read(canonical, e, offset, n)
            got = len(data)
            buffer[:got] = data
        if got < n:
            raise os_error(errno.EIO, path)  # the tar is shorter than its index says
        return got, offset + got >= size

    def read_many_into(
        self, paths: Sequence[str], buffer: memoryview
    ) -> list[tuple[int, int, bool] | OSError]:
        """Whole files one after another into ``buffer`` (a batched :meth:`read_into`
        for thousands of small files: one Python call, not one per file). Returns one
        result per path handled, in order: (position in ``buffer``, bytes, whether
        that is the whole file) or the file's ``OSError``. Stops before the first file
        that does not fit whole in what is left, unless nothing was placed yet: that
        one is read partially (``False``); the caller defers paths past the results."""
        entries, origins, backings = self._entries, self._origins, self._backings
        if not backings:
            raise ValueError("I/O operation on a closed filesystem")
        preadv = os.preadv
        end = len(buffer)
        pos = 0
        out: list[tuple[int, int, bool] | OSError] = []
        for path in paths:
            e = entries.get(path)
            canonical = path
            if e is None or e[E_TYPE] != T_FILE:
                try:
                    canonical, e = self._file(path)
                except OSError as exc:
                    # No traceback: its frame holds ``buffer`` (a shared mapping the
                    # caller must be able to close) in a cycle through ``out``.
                    out.append(exc.with_traceback(None))
                    continue
            size = e[E_SIZE]
            n = size
            if size > end - pos:
                if pos:
                    break
                n = end
            backing = backings[0] if origins is None else backings[origins[canonical]]
            if n:
                if type(backing) is TarBacking:
                    got = preadv(backing.fd, [buffer[pos : pos + n]], e[E_OFFSET])
                    if got < n:  # short reads are rare on a regular file
                        got += backing.read_into(canonical, e, got, buffer[pos + got : pos + n])
                else:
                    data = backing.read(canonical, e, 0, n)
                    got = len(data)
                    buffer[pos : pos + got] = data
                if got < n:  # the tar is shorter than its index says
                    out.append(os_error(errno.EIO, path))
                    continue
            out.append((pos, n, n == size))
            pos += n
        return out

    def stat(self, path: str) -> FileInfo:
        """Metadata, following symlinks inside the root."""
        canonical, e = self._entry(path)
        return self._info(path if path in self._entries else normalize_path(path), canonical, e)

    def lstat(self, path: str) -> FileInfo:
        """Metadata of the entry itself."""
        canonical, e = self._lentry(path)
        return self._info(path if canonical == path else normalize_path(path), canonical, e)

    def readlink(self, path: str) -> str:
        """Stored target of a symlink; ``OSError(EINVAL)`` otherwise."""
        _canonical, e = self._lentry(path)
        if e[E_TYPE] != T_LINK:
            raise os_error(errno.EINVAL, path)
        return e[E_LINK]

    def realpath(self, path: str) -> str:
        """Canonical path inside the root; missing components are kept lexically."""
        return self._resolver.resolve(path, True, strict=False).path

    def listdir(self, path: str) -> list[str]:
        """Sorted names in a directory (a symlinked directory is followed)."""
        canonical, e = self._entry(path)
        if e[E_TYPE] != T_DIR:
            raise os_error(errno.ENOTDIR, path)
        return list(self.children_map().get(canonical, ()))

    def exists(self, path: str) -> bool:
        """True when :meth:`stat` would succeed."""
        try:
            self._entry(path)
        except OSError:
            return False
        return True

    def walk(
        self, top: str = "/", onerror: Callable[[OSError], None] | None = None
    ) -> Iterator[FileInfo]:
        """Every entry below ``top``, depth-first in sorted order, lstat semantics;
        symlinked directories are not descended. (An index has nothing unreadable:
        ``onerror`` is never called.)"""
        canonical, e = self._entry(top)
        if e[E_TYPE] != T_DIR:
            raise os_error(errno.ENOTDIR, top)
        shown_top = normalize_path(top)
        kids = self.children_map()
        entries = self._entries
        info = self._info
        # Stack of (shown dir, canonical dir, iterator over its names).
        stack = [(shown_top, canonical, iter(kids.get(canonical, ())))]
        while stack:
            shown_dir, canon_dir, names = stack[-1]
            name = next(names, None)
            if name is None:
                stack.pop()
                continue
            shown = shown_dir + name if shown_dir == "/" else f"{shown_dir}/{name}"
            canon = canon_dir + name if canon_dir == "/" else f"{canon_dir}/{name}"
            child = entries[canon]
            yield info(shown, canon, child)
            if child[E_TYPE] == T_DIR:
                stack.append((shown, canon, iter(kids.get(canon, ()))))

    # -- extras --------------------------------------------------------------------

    def __len__(self) -> int:
        """Number of entries (including ``/``)."""
        return len(self._entries)

    def close(self) -> None:
        """Let go of the tar descriptors: each closes once no other filesystem or open
        reader uses it. Reading through this filesystem afterwards raises."""
        self._backings = []
