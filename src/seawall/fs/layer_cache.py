"""The content-addressed, size-bounded layer cache shared by every seawall process.

Layout under the cache root (``$SEAWALL_CACHE_DIR`` or ``~/.cache/seawall``)::

    layers/sha256/<diff_id hex>/layer.tar   uncompressed layer, verified against diff_id
    layers/sha256/<diff_id hex>/index       marshal'ed LayerIndex (offsets into layer.tar)
    inplace/<key>.idx                       index of a layer read in place from a local
                                            file, keyed by diff_id + the file's identity
    locks/<name>.lock                       one fcntl lock per entry
    tmp/                                    work files, published with os.replace

An entry directory is built under ``tmp/`` and renamed into place whole, so a reader
sees either no entry or a complete one. Builders hold the entry's exclusive lock: a
second process wanting the same layer waits, then finds it built. Least recently
used entries (by the index file's mtime, touched on every use) are evicted when an
insert takes the cache over its size bound; open readers keep their descriptors.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import marshal
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass

from seawall.errors import InputError
from seawall.fs.tar_index import LayerIndex

DEFAULT_MAX_BYTES = 10 * 1024**3
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


def default_max_bytes() -> int:
    """``$SEAWALL_CACHE_MAX_BYTES`` (plain bytes) or 10 GiB."""
    env = os.environ.get("SEAWALL_CACHE_MAX_BYTES")
    if not env:
        return DEFAULT_MAX_BYTES
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
        self.max_bytes = default_max_bytes() if max_bytes is None else max_bytes
        self._layers = os.path.join(self.root, "layers", "sha256")
        self._inplace = os.path.join(self.root, "inplace")
        self._locks = os.path.join(self.root, "locks")
        self._tmp = os.path.join(self.root, "tmp")
        try:
            for d in (self._layers, self._inplace, self._locks, self._tmp):
                os.makedirs(d, mode=0o700, exist_ok=True)
        except OSError as exc:
            raise InputError(f"cache dir {self.root}: {exc.strerror}") from None

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
        """Directory for private temp files on the cache's filesystem."""
        return self._tmp

    def new_work_dir(self) -> str:
        """A fresh private directory on the cache's filesystem for building an entry."""
        return tempfile.mkdtemp(prefix="build-", dir=self._tmp)

    def publish(self, diff_id: str, work_dir: str, index: LayerIndex) -> CachedLayer:
        """Move a built entry (``work_dir/layer.tar``) into place with its index.
        Call while holding ``locked(diff_id hex)``."""
        _write_index(os.path.join(work_dir, "index"), index)
        entry = self.entry_dir(diff_id)
        if os.path.exists(entry):  # a stale or incomplete entry: replace it
            shutil.rmtree(entry, ignore_errors=True)
        os.replace(work_dir, entry)
        self.evict(keep={entry})
        return CachedLayer(os.path.join(entry, "layer.tar"), index)

    # -- in-place indexes ----------------------------------------------------------

    def inplace_key(self, diff_id: str, path: str, offset: int, length: int) -> str:
        """Key of an in-place index: the layer and the identity of the bytes' file."""
        st = os.stat(path)
        ident = f"{diff_id}|{st.st_dev}|{st.st_ino}|{st.st_size}|{st.st_mtime_ns}|{offset}|{length}"
        return hashlib.sha256(ident.encode()).hexdigest()

    def lookup_inplace(self, key: str) -> LayerIndex | None:
        """A remembered in-place index (already verified once), or None."""
        return _load_index(os.path.join(self._inplace, key + ".idx"))

    def store_inplace(self, key: str, index: LayerIndex) -> None:
        """Remember an in-place index after its bytes were verified."""
        fd, tmp = tempfile.mkstemp(prefix="idx-", dir=self._tmp)
        os.close(fd)
        _write_index(tmp, index)
        os.replace(tmp, os.path.join(self._inplace, key + ".idx"))

    # -- size bound ------------------------------------------------------------------

    def evict(self, keep: set[str] | None = None) -> None:
        """Remove least recently used entries until the cache fits :attr:`max_bytes`.
        Entries being built or read under their lock are skipped."""
        keep = keep or set()
        items: list[tuple[float, int, str]] = []
        total = 0
        for name in os.listdir(self._layers):
            path = os.path.join(self._layers, name)
            size = _tree_size(path)
            total += size
            try:
                used = os.stat(os.path.join(path, "index")).st_mtime
            except OSError:
                used = 0.0
            items.append((used, size, path))
        for name in os.listdir(self._inplace):
            path = os.path.join(self._inplace, name)
            try:
                st = os.stat(path)
            except OSError:
                continue
            total += st.st_size
            items.append((st.st_mtime, st.st_size, path))
        if total <= self.max_bytes:
            return
        for _used, size, path in sorted(items):
            if total <= self.max_bytes:
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
                shutil.rmtree(path, ignore_errors=True)
            else:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(path)
            return True
        finally:
            os.close(fd)


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
