"""The content-addressed, size-bounded layer cache shared by every seawall process.

Layout under the cache root (``$SEAWALL_CACHE_DIR`` or ``~/.cache/seawall``)::

    layers/sha256/<diff_id hex>/layer.tar   uncompressed layer, verified against diff_id
    layers/sha256/<diff_id hex>/index       marshal'ed LayerIndex (offsets into layer.tar)
    inplace/<key>.idx                       index of a layer read in place from a local
                                            file, keyed by diff_id + the file's identity
    locks/<name>.lock                       one fcntl lock per entry
    tmp/<pid>-<random>/                     one process's work files (see
                                            :mod:`seawall.fs.scratch_space`)

An entry directory is built under ``tmp/`` and renamed into place whole, so a reader
sees either no entry or a complete one. Builders hold the entry's exclusive lock: a
second process wanting the same layer waits, then finds it built.

The size bound (:attr:`LayerCache.max_bytes`, sized to the disk by default: see
:mod:`seawall.fs.cache_space`) holds *while* an entry is written, not only after:
each chunk of a layer being unpacked is reserved first; when the cache would go over,
least recently used entries (by the index file's mtime, touched on every use) that
nobody has open are evicted, and when that is not enough the entry is abandoned with
:class:`~seawall.errors.CacheLimitError`. Readers hold a shared ``flock`` on the tar
they read, so an entry in use (by any process) is never deleted from under it: that
would free no space, only hide it.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import marshal
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass

from seawall.errors import CacheLimitError, InputError
from seawall.fs.cache_space import default_cache_cap, disk_full_as_error, format_size, write_all
from seawall.fs.scratch_space import process_scratch, sweep_stale_once
from seawall.fs.tar_index import LayerIndex

_accounting = threading.Lock()
_inflight: dict[str, int] = {}
"""Cache root -> bytes of entries this process is writing right now."""
INDEX_FORMAT = 1
"""Bumped when the index tuple layout changes (older entries are then ignored)."""


def default_cache_dir() -> str:
    """``$SEAWALL_CACHE_DIR``, else ``$XDG_CACHE_HOME/seawall``, else ``~/.cache/seawall``."""
    env = os.environ.get("SEAWALL_CACHE_DIR")
    if env:
        return env
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = xdg if xdg else os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "seawall")


def configured_max_bytes() -> int | None:
    """``$SEAWALL_CACHE_MAX_BYTES`` (plain bytes), None when unset (sized to the disk)."""
    env = os.environ.get("SEAWALL_CACHE_MAX_BYTES")
    if not env:
        return None
    try:
        return max(0, int(env))
    except ValueError:
        raise InputError(f"SEAWALL_CACHE_MAX_BYTES={env!r} is not a number of bytes") from None


def _hex(diff_id: str) -> str:
    algo, _, hexdigest = diff_id.partition(":")
    if algo != "sha256" or len(hexdigest) != 64 or hexdigest.strip("0123456789abcdef"):
        raise InputError(f"invalid layer diff_id {diff_id!r}")
    return hexdigest


@dataclass(frozen=True)
class CachedLayer:
    """A layer available on local disk with its index."""

    tar_path: str
    """File holding the uncompressed tar (cache entry or the source's own file)."""
    index: LayerIndex
    """Entries with absolute offsets into :attr:`tar_path`."""


class LayerCache:
    """Access to one cache root; cheap to create, safe to share between processes."""

    def __init__(self, root: str | None = None, max_bytes: int | None = None) -> None:
        self.root = os.path.abspath(os.path.expanduser(root or default_cache_dir()))
        self._max_bytes = configured_max_bytes() if max_bytes is None else max_bytes
        self._cached: int | None = None
        """Bytes of published entries when last measured (see :meth:`reserve`)."""
        self._layers = os.path.join(self.root, "layers", "sha256")
        self._inplace = os.path.join(self.root, "inplace")
        self._locks = os.path.join(self.root, "locks")
        self._tmp = os.path.join(self.root, "tmp")
        try:
            for d in (self._layers, self._inplace, self._locks, self._tmp):
                os.makedirs(d, mode=0o700, exist_ok=True)
        except OSError as exc:
            raise InputError(f"cache dir {self.root}: {exc.strerror}") from None
        sweep_stale_once(self._tmp)

    @property
    def max_bytes(self) -> int:
        """The size bound: given, ``$SEAWALL_CACHE_MAX_BYTES``, or sized to the disk
        (:func:`~seawall.fs.cache_space.default_cache_cap`, measured once)."""
        if self._max_bytes is None:
            self._max_bytes = default_cache_cap(self.root, self.cached_bytes())
        return self._max_bytes

    # -- locking -------------------------------------------------------------------

    @contextlib.contextmanager
    def locked(self, name: str) -> Iterator[None]:
        """Hold the exclusive lock called ``name`` (blocks until it is free)."""
        fd = os.open(os.path.join(self._locks, name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    # -- whole-layer entries -------------------------------------------------------

    def entry_dir(self, diff_id: str) -> str:
        """Directory of the entry for ``diff_id`` (may not exist)."""
        return os.path.join(self._layers, _hex(diff_id))

    def lookup(self, diff_id: str) -> CachedLayer | None:
        """The cached layer, or None; marks it recently used."""
        entry = self.entry_dir(diff_id)
        index = _load_index(os.path.join(entry, "index"))
        tar_path = os.path.join(entry, "layer.tar")
        if index is None or not os.path.exists(tar_path):
            return None
        return CachedLayer(tar_path, index)

    @property
    def scratch_dir(self) -> str:
        """This process's private directory for work files on the cache's filesystem
        (removed at exit; swept by the next process if this one is killed)."""
        return process_scratch(self._tmp)

    def new_work_dir(self) -> str:
        """A fresh private directory on the cache's filesystem for building an entry."""
        with disk_full_as_error(self.root):
            return tempfile.mkdtemp(prefix="build-", dir=self.scratch_dir)

    def entry_writer(self, path: str, label: str) -> CacheEntryWriter:
        """A writer for the ``layer.tar`` of an entry being built at ``path`` that keeps
        the cache within :attr:`max_bytes` while it grows (``label`` names the layer in
        the error when it cannot)."""
        return CacheEntryWriter(self, path, label)

    def publish(self, diff_id: str, work_dir: str, index: LayerIndex) -> CachedLayer:
        """Move a built entry (``work_dir/layer.tar``) into place with its index.
        Call while holding ``locked(diff_id hex)``."""
        with disk_full_as_error(self.root):
            _write_index(os.path.join(work_dir, "index"), index)
        entry = self.entry_dir(diff_id)
        if os.path.exists(entry):  # a stale or incomplete entry: replace it
            shutil.rmtree(entry, ignore_errors=True)
        os.replace(work_dir, entry)
        self.evict(keep={entry})
        return CachedLayer(os.path.join(entry, "layer.tar"), index)

    def reserve(self, n: int, label: str) -> None:
        """Account for ``n`` more bytes of an entry being written; evicts what this
        process does not use when needed, raises :class:`CacheLimitError` when even
        that cannot make room. :meth:`release` gives the bytes back."""
        bound = self.max_bytes
        for attempt in range(2):
            if self._cached is None or attempt:
                self._cached = self.cached_bytes()  # measured per entry, not per chunk
            with _accounting:
                inflight = _inflight.get(self.root, 0)
                if self._cached + inflight + n <= bound:
                    _inflight[self.root] = inflight + n
                    return
            if attempt == 0:
                self.evict(reserve=inflight + n)
        raise CacheLimitError(
            f"{label}: unpacking it would take the layer cache {self.root} beyond its "
            f"size bound of {format_size(bound)} (SEAWALL_CACHE_MAX_BYTES; the default "
            "is half the space of the cache's disk, at most 10 GiB)"
        )

    def release(self, n: int) -> None:
        """Give back bytes reserved by :meth:`reserve` (the entry was published, and
        now counts as cached, or abandoned)."""
        with _accounting:
            _inflight[self.root] = max(0, _inflight.get(self.root, 0) - n)

    # -- in-place indexes ----------------------------------------------------------

    def inplace_key(self, diff_id: str, path: str, offset: int, length: int) -> str:
        """Key of an in-place index: the layer and the identity of the bytes' file."""
        st = os.stat(path)
        ident = f"{diff_id}|{st.st_dev}|{st.st_ino}|{st.st_size}|{st.st_mtime_ns}|{offset}|{length}"
        return hashlib.sha256(ident.encode()).hexdigest()

    def lookup_inplace(self, key: str) -> LayerIndex | None:
        """A remembered in-place index (already verified once), or None."""
        path = os.path.join(self._inplace, key + ".idx")
        return _load_index(path)

    def store_inplace(self, key: str, index: LayerIndex) -> None:
        """Remember an in-place index after its bytes were verified."""
        with disk_full_as_error(self.root):
            fd, tmp = tempfile.mkstemp(prefix="idx-", dir=self.scratch_dir)
            os.close(fd)
            try:
                _write_index(tmp, index)
            except BaseException:
                os.unlink(tmp)
                raise
        path = os.path.join(self._inplace, key + ".idx")
        os.replace(tmp, path)

    # -- size bound ------------------------------------------------------------------

    def cached_bytes(self) -> int:
        """Bytes the published entries (layers and in-place indexes) take."""
        return sum(size for _used, size, _path in self._entries())

    def _entries(self) -> list[tuple[float, int, str]]:
        """(last use, bytes, path) of every published entry."""
        items: list[tuple[float, int, str]] = []
        for name in os.listdir(self._layers):
            path = os.path.join(self._layers, name)
            try:
                used = os.stat(os.path.join(path, "index")).st_mtime
            except OSError:
                used = 0.0
            items.append((used, _tree_size(path), path))
        for name in os.listdir(self._inplace):
            path = os.path.join(self._inplace, name)
            try:
                st = os.stat(path)
            except OSError:
                continue
            items.append((st.st_mtime, st.st_size, path))
        return items

    def evict(self, keep: set[str] | None = None, reserve: int = 0) -> None:
        """Remove least recently used entries until the cache plus ``reserve`` bytes
        fits :attr:`max_bytes`. Entries open for reading (by any process), being
        rebuilt under their lock, and ``keep`` are skipped."""
        keep = keep or set()
        items = self._entries()
        total = sum(size for _used, size, _path in items)
        bound = self.max_bytes - reserve
        if total <= bound:
            return
        for _used, size, path in sorted(items):
            if total <= bound:
                break
            if path in keep:
                continue
            if not self._try_remove(path):
                continue
            total -= size

    def _try_remove(self, path: str) -> bool:
        name = os.path.basename(path).removesuffix(".idx")
        fd = os.open(os.path.join(self._locks, name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            if os.path.isdir(path):
                if _in_use(os.path.join(path, "layer.tar")):
                    return False
                shutil.rmtree(path, ignore_errors=True)
            else:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(path)
            return True
        finally:
            os.close(fd)


class CacheEntryWriter:
    """Writes the tar of a cache entry being built, reserving every chunk against the
    cache's size bound first; a full disk raises
    :class:`~seawall.errors.CacheSpaceError`. Close it (or use ``with``) to give the
    reservation back."""

    def __init__(self, cache: LayerCache, path: str, label: str) -> None:
        self._cache = cache
        self._label = label
        cache._cached = None  # measure the cache afresh for each entry
        with disk_full_as_error(cache.root):
            self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        self.written = 0

    def write(self, data: bytes) -> None:
        """Append ``data`` (reserved first: the bound holds before the bytes land)."""
        self._cache.reserve(len(data), self._label)
        self.written += len(data)
        write_all(self._fd, data, self._cache.root)

    def close(self) -> None:
        """Close the file and release the reservation (idempotent)."""
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
            self._cache.release(self.written)

    def __enter__(self) -> CacheEntryWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _in_use(tar_path: str) -> bool:
    """True while a reader anywhere holds the tar open (every
    :class:`~seawall.fs.indexed.TarBacking` keeps a shared ``flock`` on its tar):
    deleting it would not free the space, only hide it."""
    try:
        fd = os.open(tar_path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def _tree_size(path: str) -> int:
    total = 0
    with contextlib.suppress(OSError), os.scandir(path) as it:
        for entry in it:
            with contextlib.suppress(OSError):
                total += entry.stat(follow_symlinks=False).st_size
    return total


def _write_index(path: str, index: LayerIndex) -> None:
    with open(path, "wb") as fh:
        fh.write(marshal.dumps((INDEX_FORMAT, index.to_marshal())))


def _load_index(path: str) -> LayerIndex | None:
    try:
        with open(path, "rb") as fh:
            data = fh.read()
        os.utime(path)  # LRU: mark as used
        fmt, payload = marshal.loads(data)
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if fmt != INDEX_FORMAT:
        return None
    return LayerIndex.from_marshal(payload)
