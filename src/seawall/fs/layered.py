"""The merged view of an image: layers applied bottom to top with OCI/overlay rules.

The merge works on *literal* paths and never resolves a symlink, exactly like
overlayfs stacking per-layer ``diff`` directories:

* a layer's opaque directories first drop everything lower layers had below them,
  then its whiteouts delete paths (and what is below them) from lower layers -- both
  only where that literal path exists, so an opaque marker or whiteout reached
  "through" a symlinked directory deletes nothing at the link's target;
* then its entries are laid on top: a non-directory replacing a directory removes
  that directory's content; a directory over a directory keeps the lower content
  (an *implicit* parent keeps the lower directory's metadata too); a directory over
  a non-directory (including a symlink) replaces it.

The result keeps the invariant of :mod:`seawall.fs.indexed`: every path's literal
ancestors are directories of the merged table.
"""

from __future__ import annotations

from collections.abc import Sequence

from seawall.fs.indexed import IndexedFileSystem
from seawall.fs.layer_fs import LayerFileSystem
from seawall.fs.tar_index import E_IMPLICIT, E_TYPE, IMPLICIT_DIR, T_DIR, Entry


class _Merge:
    """Mutable state of a bottom-to-top merge."""

    def __init__(self) -> None:
        self.entries: dict[str, Entry] = {"/": IMPLICIT_DIR}
        self.origins: dict[str, int] = {"/": 0}
        self.children: dict[str, set[str]] = {"/": set()}

    def remove_below(self, path: str) -> None:
        """Delete everything below directory ``path`` (not the directory itself)."""
        kids = self.children.get(path)
        if not kids:
            return
        prefix = "/" if path == "/" else path + "/"
        for name in kids:
            child = prefix + name
            self.remove_below(child)
            self.children.pop(child, None)
            del self.entries[child]
            del self.origins[child]
        kids.clear()

    def remove(self, path: str) -> None:
        """Delete ``path`` and everything below it, if it exists literally."""
        if path == "/" or path not in self.entries:
            return
        self.remove_below(path)
        self.children.pop(path, None)
        del self.entries[path]
        del self.origins[path]
        head, _, name = path.rpartition("/")
        self.children[head or "/"].discard(name)

    def apply(self, layer: LayerFileSystem, number: int) -> None:
        index = layer.index
        for opaque in index.opaques:
            if opaque in self.entries and self.entries[opaque][E_TYPE] == T_DIR:
                self.remove_below(opaque)
        for whiteout in index.whiteouts:
            self.remove(whiteout)
        entries, origins, children = self.entries, self.origins, self.children
        # Parents come before children in a layer index, so each parent is in place.
        for path, entry in index.entries.items():
            old = entries.get(path)
            is_dir = entry[E_TYPE] == T_DIR
            if old is not None:
                old_is_dir = old[E_TYPE] == T_DIR
                if old_is_dir and is_dir:
                    if entry[E_IMPLICIT]:
                        continue  # keep the lower directory and its metadata
                elif old_is_dir:
                    self.remove_below(path)
                    del children[path]
            if path == "/":
                if not entry[E_IMPLICIT]:
                    entries[path] = entry
                    origins[path] = number
                continue
            entries[path] = entry
            origins[path] = number
            if old is None:
                head, _, name = path.rpartition("/")
                children[head or "/"].add(name)
            if is_dir and path not in children:
                children[path] = set()


class LayeredFileSystem(IndexedFileSystem):
    """The union of ``layers`` (bottom to top) as one FileSystem; each entry's
    :attr:`FileInfo.layer` names the layer that provides it."""

    def __init__(self, layers: Sequence[LayerFileSystem]) -> None:
        merge = _Merge()
        for number, layer in enumerate(layers):
            merge.apply(layer, number)
        children = {path: sorted(names) for path, names in merge.children.items()}
        backings = [layer.backing for layer in layers]
        if not backings:
            raise ValueError("an image needs at least one layer")
        super().__init__(merge.entries, backings, merge.origins, children)
        self.layers = list(layers)
