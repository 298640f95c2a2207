"""Decompress a layer blob once, hashing both sides on the way.

Compression is sniffed from magic bytes (media types lie): gzip (ISA-L ``igzip`` when
available, else zlib), zstd (``zstandard``), xz and bzip2 (stdlib), or none. Output is
produced in bounded chunks, so a gzip bomb costs at most one chunk of memory before
the size budget stops it.
"""

from __future__ import annotations

import bz2
import hashlib
import lzma
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, BinaryIO, Protocol

from seawall.errors import CorruptArtifactError, SeawallError

try:  # ISA-L inflates gzip about twice as fast as zlib.
    from isal import igzip_lib as _igzip_lib
except ImportError:  # pragma: no cover - isal is a hard dependency, but stay usable
    _igzip_lib = None  # type: ignore[assignment]

READ_CHUNK = 1 << 20
OUT_CHUNK = 4 << 20

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
XZ_MAGIC = b"\xfd7zXZ\x00"
BZIP2_MAGIC = b"BZh"


def sniff_compression(head: bytes) -> str:
    """``gzip`` | ``zstd`` | ``xz`` | ``bzip2`` | ``none`` from a blob's first bytes."""
    if head.startswith(GZIP_MAGIC):
        return "gzip"
    if head.startswith(ZSTD_MAGIC):
        return "zstd"
    if head.startswith(XZ_MAGIC):
        return "xz"
    if head.startswith(BZIP2_MAGIC):
        return "bzip2"
    return "none"


class _Decompressor(Protocol):
    eof: bool
    needs_input: bool
    unused_data: bytes

    def decompress(self, data: bytes, max_length: int = -1) -> bytes: ...


class _ZlibGzip:
    """zlib's gzip decompressor behind the ``max_length``/``needs_input`` API."""

    def __init__(self) -> None:
        self._d = zlib.decompressobj(31)
        self.eof = False
        self.needs_input = True
        self.unused_data = b""

    def decompress(self, data: bytes, max_length: int = -1) -> bytes:
        if not data:
            data = self._d.unconsumed_tail
        out = self._d.decompress(data, max(max_length, 0))
        self.eof = self._d.eof
        self.unused_data = self._d.unused_data
        self.needs_input = not self._d.unconsumed_tail
        return out


def _new_decompressor(kind: str) -> _Decompressor:
    if kind == "gzip":
        if _igzip_lib is not None:
            return _igzip_lib.IgzipDecompressor(flag=_igzip_lib.DECOMP_GZIP)
        return _ZlibGzip()
    if kind == "xz":
        return lzma.LZMADecompressor()  # type: ignore[return-value]
    if kind == "bzip2":
        return bz2.BZ2Decompressor()  # type: ignore[return-value]
    raise ValueError(kind)


@dataclass(frozen=True)
class DecompressedBlob:
    """What one pass over a blob found."""

    compression: str
    blob_digest: str
    """``algo:hex`` of the bytes as stored."""
    diff_id: str
    """``sha256:hex`` of the uncompressed tar."""
    size: int
    """Uncompressed bytes written."""


class _HashingReader:
    """Reads from a stream while hashing (for decompressors that pull their input)."""

    def __init__(self, src: BinaryIO, head: bytes, hasher: Any) -> None:
        self._src = src
        self._head = head
        self._hasher = hasher

    def read(self, size: int = -1) -> bytes:
        if self._head:
            data, self._head = self._head, b""
        else:
            data = self._src.read(size if size and size > 0 else READ_CHUNK)
        self._hasher.update(data)
        return data


def decompress_blob(
    src: BinaryIO,
    write: Callable[[bytes], object],
    consume: Callable[[int], None],
    label: str,
    digest_algorithm: str = "sha256",
) -> DecompressedBlob:
    """Stream ``src`` (a blob) to ``write`` uncompressed, exactly once.

    ``consume(n)`` is told about every uncompressed chunk before it is written and
    raises (``SizeLimitError``) to stop a bomb. Corrupt or truncated streams raise
    :class:`CorruptArtifactError` naming ``label``; digests are returned, not checked.
    ``write`` must raise a :class:`~seawall.errors.SeawallError` for its own failures
    (a full disk): any ``OSError`` here is taken for a broken source stream.
    """
    try:
        blob_hash = hashlib.new(digest_algorithm)
    except ValueError:
        raise CorruptArtifactError(
            f"{label}: unsupported digest algorithm {digest_algorithm!r}"
        ) from None
    diff_hash = hashlib.sha256()
    head = src.read(READ_CHUNK)
    kind = sniff_compression(head)
    size = 0

    def emit(out: bytes) -> None:
        nonlocal size
        if out:
            consume(len(out))
            size += len(out)
            diff_hash.update(out)
            write(out)

    try:
        if kind == "none":
            data = head
            while data:
                blob_hash.update(data)
                emit(data)
                data = src.read(READ_CHUNK)
        elif kind == "zstd":
            import zstandard

            reader = zstandard.ZstdDecompressor().stream_reader(
                _HashingReader(src, head, blob_hash),  # type: ignore[arg-type]
                read_size=READ_CHUNK,
                read_across_frames=True,
            )
            while True:
                out = reader.read(OUT_CHUNK)
                if not out:
                    break
                emit(out)
        else:
            _inflate(kind, src, head, blob_hash, emit, label)
    except SeawallError:  # corrupt input, and also the writer's limits and a full disk
        raise
    except (OSError, EOFError, ValueError, zlib.error, lzma.LZMAError) as exc:
        raise CorruptArtifactError(f"{label}: corrupt {kind} stream ({exc})") from None
    except Exception as exc:  # zstandard.ZstdError, isal's IsalError
        if type(exc).__name__ in ("ZstdError", "IsalError", "error"):
            raise CorruptArtifactError(f"{label}: corrupt {kind} stream ({exc})") from None
        raise
    return DecompressedBlob(
        kind, f"{digest_algorithm}:{blob_hash.hexdigest()}", f"sha256:{diff_hash.hexdigest()}", size
    )


_MAGIC = {"gzip": GZIP_MAGIC, "xz": XZ_MAGIC, "bzip2": BZIP2_MAGIC}


def _inflate(
    kind: str,
    src: BinaryIO,
    head: bytes,
    blob_hash: Any,
    emit: Callable[[bytes], None],
    label: str,
) -> None:
    """Decompressor loop with bounded output. Concatenated streams are decoded in turn
    (gzip, xz and bzip2 allow them); trailing zero padding is tolerated, other
    trailing bytes are corruption."""
    magic = _MAGIC[kind]
    dec = _new_decompressor(kind)
    buf = head
    blob_hash.update(head)
    src_done = False
    while True:
        if not buf and dec.needs_input and not dec.eof:
            buf = src.read(READ_CHUNK)
            if not buf:
                src_done = True
                break
            blob_hash.update(buf)
        emit(dec.decompress(buf, OUT_CHUNK))
        buf = b""
        while not dec.eof and not dec.needs_input:
            emit(dec.decompress(b"", OUT_CHUNK))
        if not dec.eof:
            continue
        buf = dec.unused_data
        while len(buf) < len(magic) and not src_done:
            more = src.read(READ_CHUNK)
            if not more:
                src_done = True
                break
            blob_hash.update(more)
            buf += more
        if buf.startswith(magic):
            dec = _new_decompressor(kind)
            continue
        # Only zero padding may follow the last stream.
        while True:
            if buf.strip(b"\x00"):
                raise CorruptArtifactError(f"{label}: trailing garbage after {kind} stream")
            if src_done:
                break
            buf = src.read(READ_CHUNK)
            if not buf:
                break
            blob_hash.update(buf)
        return
    if not dec.eof:
        raise CorruptArtifactError(f"{label}: truncated {kind} stream")
