"""One layer's own files, as a FileSystem (whiteout markers are not files here)."""

from __future__ import annotations

from seawall.fs.indexed import IndexedFileSystem, LayerData
from seawall.fs.tar_index import LayerIndex


class LayerFileSystem(IndexedFileSystem):
    """The entries of one layer; file data comes from ``backing``: a
    :class:`~seawall.fs.indexed.TarBacking` (cached tar, or the source's own file
    indexed in place) or a directory layer's files.

    Parents the tar does not list appear as implicit ``0755`` directories, as they do
    in an overlay2 ``diff`` directory. What the layer deletes from lower layers is in
    :attr:`whiteouts` and :attr:`opaques`.
    """

    def __init__(self, index: LayerIndex, backing: LayerData) -> None:
        super().__init__(index.entries, [backing])
        self.index = index
        self.backing = backing
        self.diff_id = backing.diff_id

    @property
    def whiteouts(self) -> list[str]:
        """Paths deleted from lower layers."""
        return list(self.index.whiteouts)

    @property
    def opaques(self) -> list[str]:
        """Directories whose lower-layer content is hidden."""
        return list(self.index.opaques)

    @property
    def skipped(self) -> list[tuple[str, str]]:
        """(tar name, reason) of hostile or unsupported entries left out or altered."""
        return list(self.index.skipped)
