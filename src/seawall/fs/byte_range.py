"""A read-only, seekable window ``[start, start+length)`` of an open file, read with
``os.pread`` so any number of windows (and threads) can share one descriptor."""

from __future__ import annotations

import io
import os


class ByteRangeReader(io.RawIOBase):
    """Raw binary stream over part of a file descriptor (which it does not own).

    ``keepalive`` is any object that must outlive the reader (typically the owner
    of ``fd``, so the descriptor is not closed while a reader is in use).
    """

    def __init__(self, fd: int, start: int, length: int, keepalive: object = None) -> None:
        super().__init__()
        self._fd = fd
        self._start = start
        self._length = length
        self._pos = 0
        self._keepalive = keepalive

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_SET:
            pos = offset
        elif whence == io.SEEK_CUR:
            pos = self._pos + offset
        elif whence == io.SEEK_END:
            pos = self._length + offset
        else:
            raise ValueError(f"invalid whence {whence}")
        if pos < 0:
            raise OSError(22, "negative seek position")
        self._pos = pos
        return pos

    def read(self, size: int | None = -1) -> bytes:
        if self.closed:
            raise ValueError("I/O operation on closed file")
        remaining = self._length - self._pos
        if remaining <= 0:
            return b""
        if size is None or size < 0 or size > remaining:
            size = remaining
        data = os.pread(self._fd, size, self._start + self._pos)
        if len(data) < size and len(data) == 0:
            raise OSError(5, "file shrank under a byte range (truncated cache entry?)")
        self._pos += len(data)
        return data

    def readall(self) -> bytes:
        chunks: list[bytes] = []
        while True:
            chunk = self.read(1 << 24)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        return n

    def close(self) -> None:
        self._keepalive = None
        super().close()
