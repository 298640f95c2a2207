"""The three on-disk rpm database formats, read in pure Python, each yielding the raw
header blobs (decoded by :mod:`.rpm_header`).

- SQLite ``rpmdb.sqlite`` (rpm >= 4.16, RHEL 9, Fedora 33+): table ``Packages(hnum,
  blob)``.
- Berkeley DB hash ``Packages`` (RHEL <= 8, CentOS, Amazon Linux 2): the header blobs
  are the values of the hash table, large enough to always live on overflow pages
  (libdb ``dbinc/db_page.h``).
- NDB ``Packages.db`` (SUSE): a slot table pointing at blob blocks (rpm
  ``lib/backend/ndb/rpmpkg.c``).

Readers take ``read_at(offset, length)`` so big databases are never read whole, and
bound every loop by the file's own page/slot counts so a corrupt file cannot spin.
"""

from __future__ import annotations

import os
import sqlite3
import struct
import tempfile
from collections.abc import Callable, Iterator
from typing import BinaryIO

ReadAt = Callable[[int, int], bytes]

SQLITE_MAGIC = b"SQLite format 3\0"
NDB_MAGIC = 0x506D7052  # "RpmP" little-endian
BDB_HASH_MAGIC = 0x061561

_BDB_PAGE_HEADER = 26
_BDB_PAGE_HASH_UNSORTED = 2
_BDB_PAGE_OVERFLOW = 7
_BDB_PAGE_HASH_META = 8
_BDB_PAGE_HASH = 13
_BDB_H_OFFPAGE = 3
_BDB_PAGE_SIZES = frozenset(1 << n for n in range(9, 17))

_NDB_PAGE = 4096
_NDB_SLOT = 16
_NDB_SLOT_MAGIC = 0x746F6C53  # "Slot"
_NDB_BLOB_MAGIC = 0x53626C42  # "BlbS"
_NDB_MAX_SLOT_PAGES = 2048
_MAX_BLOB = 64 * 1024 * 1024


def detect_rpmdb_format(head: bytes) -> str | None:
    """``sqlite``, ``ndb``, ``bdb`` or None, from the first 512 bytes of a file."""
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if len(head) >= 4 and struct.unpack_from("<I", head, 0)[0] == NDB_MAGIC:
        return "ndb"
    if len(head) >= 16:
        for order in "<>":
            if struct.unpack_from(order + "I", head, 12)[0] == BDB_HASH_MAGIC:
                return "bdb"
    return None


def sqlite_header_blobs(stream: BinaryIO, limit: int) -> Iterator[bytes]:
    """Header blobs of an ``rpmdb.sqlite`` (copied to a private temp file first: SQLite
    needs a real file, and the image's copy must never be opened in place)."""
    fd, tmp = tempfile.mkstemp(prefix="seawall-rpmdb-", suffix=".sqlite")
    try:
        with os.fdopen(fd, "wb") as out:
            copied = 0
            while chunk := stream.read(1 << 20):
                copied += len(chunk)
                if copied > limit:
                    raise ValueError(f"rpmdb.sqlite larger than {limit} bytes")
                out.write(chunk)
        conn = sqlite3.connect(f"file:{tmp}?mode=ro&immutable=1", uri=True)
        try:
            rows = conn.execute("SELECT blob FROM Packages ORDER BY hnum").fetchall()
        except sqlite3.DatabaseError as exc:
            raise ValueError(f"not an rpm SQLite database: {exc}") from None
        finally:
            conn.close()
        for (blob,) in rows:
            if isinstance(blob, bytes):
                yield blob
    finally:
        os.unlink(tmp)


def bdb_header_blobs(read_at: ReadAt) -> Iterator[bytes]:
    """Values stored off-page in a Berkeley DB hash database (rpm's ``Packages``)."""
    meta = read_at(0, 512)
    if len(meta) < 64:
        raise ValueError("Berkeley DB: truncated metadata page")
    order = "<" if struct.unpack_from("<I", meta, 12)[0] == BDB_HASH_MAGIC else ">"
    if struct.unpack_from(order + "I", meta, 12)[0] != BDB_HASH_MAGIC:
        raise ValueError("Berkeley DB: not a hash database")
    page_size = struct.unpack_from(order + "I", meta, 20)[0]
    encrypted, page_type = meta[24], meta[25]
    last_page = struct.unpack_from(order + "I", meta, 32)[0]
    if page_size not in _BDB_PAGE_SIZES or page_type != _BDB_PAGE_HASH_META:
        raise ValueError(f"Berkeley DB: unexpected page size {page_size} or type {page_type}")
    if encrypted:
        raise ValueError("Berkeley DB: encrypted databases are not supported")
    for page_no in range(1, last_page + 1):
        page = read_at(page_no * page_size, page_size)
        if len(page) < _BDB_PAGE_HEADER:
            break
        if page[25] not in (_BDB_PAGE_HASH, _BDB_PAGE_HASH_UNSORTED):
            continue
        entries = struct.unpack_from(order + "H", page, 20)[0]
        index_end = _BDB_PAGE_HEADER + entries * 2
        if index_end > page_size:
            raise ValueError(f"Berkeley DB: page {page_no} index overruns the page")
        # Entries alternate key, value; rpm keys are record numbers, values headers.
        for i in range(1, entries, 2):
            offset = struct.unpack_from(order + "H", page, _BDB_PAGE_HEADER + i * 2)[0]
            if offset + 12 > page_size or page[offset] != _BDB_H_OFFPAGE:
                continue
            first, total = struct.unpack_from(order + "II", page, offset + 4)
            yield _bdb_overflow_chain(read_at, order, page_size, last_page, first, total)


def _bdb_overflow_chain(
    read_at: ReadAt, order: str, page_size: int, last_page: int, first: int, total: int
) -> bytes:
    if total > _MAX_BLOB:
        raise ValueError(f"Berkeley DB: value of {total} bytes")
    parts: list[bytes] = []
    collected = 0
    page_no = first
    seen: set[int] = set()
    while page_no and collected < total:
        if page_no in seen or page_no > last_page:
            raise ValueError(f"Berkeley DB: broken overflow chain at page {page_no}")
        seen.add(page_no)
        page = read_at(page_no * page_size, page_size)
        if len(page) < _BDB_PAGE_HEADER or page[25] != _BDB_PAGE_OVERFLOW:
            raise ValueError(f"Berkeley DB: page {page_no} is not an overflow page")
        next_page = struct.unpack_from(order + "I", page, 16)[0]
        used = struct.unpack_from(order + "H", page, 22)[0]  # OV_LEN: bytes on this page
        chunk = page[_BDB_PAGE_HEADER:_BDB_PAGE_HEADER + used] if used else page[_BDB_PAGE_HEADER:]
        parts.append(chunk)
        collected += len(chunk)
        page_no = next_page
    return b"".join(parts)[:total]


def ndb_header_blobs(read_at: ReadAt) -> Iterator[bytes]:
    """Package blobs of an rpm NDB ``Packages.db``."""
    head = read_at(0, 32)
    if len(head) < 32:
        raise ValueError("NDB: truncated header")
    magic, version, _generation, slot_pages = struct.unpack_from("<IIII", head, 0)
    if magic != NDB_MAGIC or version != 0 or not 0 < slot_pages <= _NDB_MAX_SLOT_PAGES:
        raise ValueError("NDB: bad header")
    slots = read_at(32, slot_pages * _NDB_PAGE - 32)
    for pos in range(0, len(slots) - _NDB_SLOT + 1, _NDB_SLOT):
        slot_magic, pkg_index, blk_offset, _blk_count = struct.unpack_from("<IIII", slots, pos)
        if slot_magic != _NDB_SLOT_MAGIC:
            raise ValueError(f"NDB: bad slot magic at offset {32 + pos}")
        if pkg_index == 0:
            continue
        blob_head = read_at(blk_offset * 16, 16)
        if len(blob_head) < 16:
            raise ValueError(f"NDB: blob of package {pkg_index} is truncated")
        blob_magic, blob_index, _checksum, blob_len = struct.unpack_from("<IIII", blob_head, 0)
        if blob_magic != _NDB_BLOB_MAGIC or blob_index != pkg_index or blob_len > _MAX_BLOB:
            raise ValueError(f"NDB: bad blob header for package {pkg_index}")
        yield read_at(blk_offset * 16 + 16, blob_len)
