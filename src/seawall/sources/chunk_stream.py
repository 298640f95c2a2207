"""A read-only raw stream over an iterator of byte chunks (an HTTP body, a gRPC
server stream), so sources can hand the layer store a file-like object without
buffering a whole blob."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator


class ChunkStream(io.RawIOBase):
    """Reads ``chunks`` in order. ``translate_error`` turns a transport exception into
    the ``OSError`` the layer store reports (or returns None to let it propagate);
    ``on_close`` releases the transport (cancel the call, close the response)."""

    def __init__(
        self,
        chunks: Iterator[bytes],
        translate_error: Callable[[Exception], OSError | None],
        on_close: Callable[[], None],
    ) -> None:
        self._chunks = chunks
        self._translate_error = translate_error
        self._on_close = on_close
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while not self._pending:
            try:
                self._pending = next(self._chunks)
            except StopIteration:
                return 0
            except Exception as exc:
                translated = self._translate_error(exc)
                if translated is None:
                    raise
                raise translated from exc
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n

    def close(self) -> None:
        if not self.closed:
            self._on_close()
        super().close()
