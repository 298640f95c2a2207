"""Whether a file seen in one layer is still what the final image shows."""

from __future__ import annotations

from seawall.fs.interface import FileSystem


class VisibilityOracle:
    """Answers "is (path, layer) visible in the merged view?" from the merged
    filesystem's ``lstat``: the entry is visible when the merged view reports that
    same layer for the path. Deleted (whiteout) or overwritten files are not; lookups
    are memoised since every analyzer asks about the same paths."""

    def __init__(self, merged: FileSystem) -> None:
        self._fs = merged
        self._layer_of: dict[str, str | None] = {}

    def layer_of(self, path: str) -> str | None:
        """diff_id providing ``path`` in the merged view (None when absent)."""
        try:
            return self._layer_of[path]
        except KeyError:
            pass
        try:
            layer = self._fs.lstat(path).layer
        except (OSError, ValueError):
            layer = None
        self._layer_of[path] = layer
        return layer

    def visible(self, path: str, layer: str | None) -> bool:
        """True when the merged view shows ``path`` from ``layer``."""
        return layer is not None and self.layer_of(path) == layer
