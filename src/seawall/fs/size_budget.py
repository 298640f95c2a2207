"""The uncompressed bytes one image may expand to: the tar/gzip bomb guard
(``--max-image-size``), shared by everything that unpacks or copies the image."""

from __future__ import annotations

import threading

from seawall.errors import SizeLimitError
from seawall.fs.cache_space import format_size


class SizeBudget:
    """The uncompressed bytes one image may expand to (tar/gzip bomb guard);
    thread-safe, shared by all layers of an image."""

    def __init__(self, limit: int, label: str = "image") -> None:
        self.limit = limit
        self.used = 0
        self._label = label
        self._lock = threading.Lock()

    def consume(self, n: int) -> None:
        """Account for ``n`` more bytes; raises :class:`SizeLimitError` past the limit."""
        with self._lock:
            self.used += n
            if self.used > self.limit:
                raise SizeLimitError(
                    f"{self._label}: expands beyond the maximum image size of "
                    f"{format_size(self.limit)} ({self.limit} bytes; --max-image-size)"
                )
