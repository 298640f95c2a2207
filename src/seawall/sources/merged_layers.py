"""The lazily merged filesystem that images and containers share: layers are
materialised on first use of ``fs`` (once, even with several threads asking), and the
OS is detected from the merged view once."""

from __future__ import annotations

import threading
from functools import cached_property

from seawall.fs.layer_fs import LayerFileSystem
from seawall.fs.layered import LayeredFileSystem
from seawall.model.report import OSInfo
from seawall.sources.os_detection import detect_os


class MergedLayersView:
    """Mixin for a Target whose filesystem is its layers merged. The class provides
    ``_open_layers()`` (bottom to top) and calls :meth:`_init_merged_view` in
    ``__init__``; ``close()`` should close ``self._fs`` when it is set."""

    _fs: LayeredFileSystem | None
    _lock: threading.Lock

    def _init_merged_view(self) -> None:
        self._fs = None
        self._lock = threading.Lock()

    def _open_layers(self) -> list[LayerFileSystem]:
        raise NotImplementedError

    @property
    def fs(self) -> LayeredFileSystem:
        """The merged filesystem (layers materialised on first use)."""
        if self._fs is None:
            with self._lock:
                if self._fs is None:
                    self._fs = LayeredFileSystem(self._open_layers())
        return self._fs

    @cached_property
    def os(self) -> OSInfo | None:
        """OS detected in the merged filesystem (the packages analyzer adds EOL)."""
        return detect_os(self.fs)
