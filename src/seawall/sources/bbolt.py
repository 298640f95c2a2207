"""A read-only reader for bbolt (BoltDB) files, such as containerd's ``meta.db``.

Layout (go.etcd.io/bbolt): fixed-size pages; pages 0 and 1 are meta pages (the one
with the higher txid and a valid FNV-64a checksum is current); a bucket is a B+tree of
branch and leaf pages whose root page id is stored in the parent's value; small
buckets are stored *inline*: the value holds a 16-byte bucket header with root 0,
followed by a whole leaf page. Everything is little-endian.

The file is opened with mmap and never written; a database being written by a live
daemon is read at its last committed transaction (bbolt is copy-on-write). Page ids
and offsets come from the file, so every one is bounds-checked: a corrupt or hostile
file raises :class:`CorruptArtifactError`, never reads outside the map.
"""

from __future__ import annotations

import mmap
import struct
from collections.abc import Iterator
from pathlib import Path

from seawall.errors import CorruptArtifactError

_MAGIC = 0xED0CDAED
_PAGE_HEADER = struct.Struct("<QHHI")  # id, flags, count, overflow
_META = struct.Struct(
    "<IIII QQ QQQ Q"
)  # magic version pageSize flags root seq freelist pgid txid checksum
_BRANCH_ELEM = struct.Struct("<IIQ")  # pos, ksize, pgid
_LEAF_ELEM = struct.Struct("<IIII")  # flags, pos, ksize, vsize
_BUCKET_HEADER = struct.Struct("<QQ")  # root, sequence
_BRANCH, _LEAF, _META_FLAG = 0x01, 0x02, 0x04
_BUCKET_LEAF_FLAG = 0x01
_MAX_DEPTH = 64


def _fnv64a(data: bytes) -> int:
    value = 0xCBF29CE484222325
    for byte in data:
        value = ((value ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return value


class Bucket:
    """A bucket: iterate its entries, get values or nested buckets by key."""

    def __init__(self, db: BoltDB, root: int, inline: bytes | None) -> None:
        self._db = db
        self._root = root
        self._inline = inline

    def _entries(self) -> Iterator[tuple[bytes, bytes, bool]]:
        if self._inline is not None:
            yield from self._db.leaf_entries(self._inline, 0)
        else:
            yield from self._db.tree_entries(self._root, 0)

    def items(self) -> Iterator[tuple[bytes, bytes]]:
        """(key, value) of plain values (nested buckets left out)."""
        for key, value, is_bucket in self._entries():
            if not is_bucket:
                yield key, value

    def buckets(self) -> Iterator[tuple[bytes, Bucket]]:
        """(name, bucket) of nested buckets."""
        for key, value, is_bucket in self._entries():
            if is_bucket:
                yield key, self._db.bucket_from_value(value)

    def get(self, key: bytes) -> bytes | None:
        """A plain value, or None."""
        for k, value, is_bucket in self._entries():
            if k == key and not is_bucket:
                return value
        return None

    def bucket(self, *path: bytes) -> Bucket | None:
        """A nested bucket by path of names, or None when any is missing."""
        current: Bucket | None = self
        for name in path:
            if current is None:
                return None
            found = None
            for k, value, is_bucket in current._entries():
                if k == name and is_bucket:
                    found = self._db.bucket_from_value(value)
                    break
            current = found
        return current


class BoltDB:
    """A bbolt file opened read-only."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        try:
            with open(path, "rb") as fh:
                self._map = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError) as exc:
            raise CorruptArtifactError(f"bbolt database {path}: cannot open ({exc})") from None
        self.page_size = 4096
        root = self._read_meta()
        self.root = Bucket(self, root, None)

    def close(self) -> None:
        """Unmap the file."""
        self._map.close()

    def __enter__(self) -> BoltDB:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _fail(self, why: str) -> CorruptArtifactError:
        return CorruptArtifactError(f"bbolt database {self.path}: {why}")

    def _read_meta(self) -> int:
        best: tuple[int, int] | None = None  # (txid, root)
        candidates = [0]
        if len(self._map) >= _PAGE_HEADER.size + _META.size:
            page_size = struct.unpack_from("<I", self._map, _PAGE_HEADER.size + 8)[0]
            if 512 <= page_size <= 1 << 20:
                candidates.append(page_size)
        for offset in candidates:
            end = offset + _PAGE_HEADER.size + _META.size
            if end > len(self._map):
                continue
            _, flags, _, _ = _PAGE_HEADER.unpack_from(self._map, offset)
            fields = _META.unpack_from(self._map, offset + _PAGE_HEADER.size)
            magic, version, page_size, _, root, _, _, _, txid, checksum = fields
            meta_bytes = self._map[offset + _PAGE_HEADER.size : end - 8]
            if flags != _META_FLAG or magic != _MAGIC or version != 2:
                continue
            if _fnv64a(meta_bytes) != checksum:
                continue
            if best is None or txid > best[0]:
                best = (txid, root)
                self.page_size = page_size
        if best is None:
            raise self._fail("no valid meta page (not a bbolt file?)")
        return best[1]

    def _page(self, pgid: int) -> tuple[bytes, int]:
        """(buffer, offset) of page ``pgid`` within the map, bounds-checked."""
        offset = pgid * self.page_size
        if pgid < 2 or offset + _PAGE_HEADER.size > len(self._map):
            raise self._fail(f"page id {pgid} out of range")
        _, _, _, overflow = _PAGE_HEADER.unpack_from(self._map, offset)
        span = (overflow + 1) * self.page_size
        if offset + span > len(self._map):
            raise self._fail(f"page {pgid} overflows the file")
        return self._map[offset : offset + span], 0

    def bucket_from_value(self, value: bytes) -> Bucket:
        """Decode a bucket header (inline or not) stored as a leaf value."""
        if len(value) < _BUCKET_HEADER.size:
            raise self._fail("truncated bucket header")
        root, _ = _BUCKET_HEADER.unpack_from(value, 0)
        if root == 0:
            return Bucket(self, 0, bytes(value[_BUCKET_HEADER.size :]))
        return Bucket(self, root, None)

    def tree_entries(self, pgid: int, depth: int) -> Iterator[tuple[bytes, bytes, bool]]:
        """All leaf entries of the B+tree rooted at page ``pgid``, in key order."""
        if depth > _MAX_DEPTH:
            raise self._fail("B+tree deeper than 64 levels (cycle?)")
        page, base = self._page(pgid)
        _, flags, count, _ = _PAGE_HEADER.unpack_from(page, base)
        if flags & _LEAF:
            yield from self.leaf_entries(page, base)
        elif flags & _BRANCH:
            for i in range(count):
                elem = base + _PAGE_HEADER.size + i * _BRANCH_ELEM.size
                if elem + _BRANCH_ELEM.size > len(page):
                    raise self._fail(f"branch page {pgid} truncated")
                _, _, child = _BRANCH_ELEM.unpack_from(page, elem)
                yield from self.tree_entries(child, depth + 1)
        else:
            raise self._fail(f"page {pgid} is neither branch nor leaf (flags {flags:#x})")

    def leaf_entries(self, page: bytes, base: int) -> Iterator[tuple[bytes, bytes, bool]]:
        """(key, value, is_bucket) of one leaf page starting at ``base`` in ``page``."""
        if base + _PAGE_HEADER.size > len(page):
            raise self._fail("truncated leaf page")
        _, flags, count, _ = _PAGE_HEADER.unpack_from(page, base)
        if not flags & _LEAF:
            if count == 0:
                return  # an empty inline bucket may carry no flags
            raise self._fail(f"expected a leaf page, found flags {flags:#x}")
        for i in range(count):
            elem = base + _PAGE_HEADER.size + i * _LEAF_ELEM.size
            if elem + _LEAF_ELEM.size > len(page):
                raise self._fail("leaf page element table truncated")
            eflags, pos, ksize, vsize = _LEAF_ELEM.unpack_from(page, elem)
            start = elem + pos
            if start + ksize + vsize > len(page):
                raise self._fail("leaf entry runs past its page")
            key = bytes(page[start : start + ksize])
            value = bytes(page[start + ksize : start + ksize + vsize])
            yield key, value, bool(eflags & _BUCKET_LEAF_FLAG)
