"""What a layer's content is before it is read: a (possibly compressed) tar blob, or a
directory already unpacked on disk. Sources produce these; the layer store and the
directory layer of :mod:`seawall.fs` read them (so ``fs`` needs nothing from
``sources``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO


@dataclass(frozen=True)
class BlobLayerContent:
    """A layer delivered as a (possibly compressed) tar blob."""

    digest: str
    """Digest the blob is addressed by (``sha256:...``); verified while reading."""
    media_type: str
    """OCI/Docker media type; compression is also sniffed from magic bytes."""
    open_blob: Callable[[], BinaryIO]
    """Opens a fresh stream of the blob bytes, from the start."""
    size: int | None = None
    """Declared size (a hint only; never trusted for allocation)."""
    local_file: tuple[str, int, int] | None = None
    """(host path, offset, length) when the blob lies uncompressed in a local file:
    lets the layer store index it in place instead of copying."""


@dataclass(frozen=True)
class DirectoryLayerContent:
    """A layer that is already unpacked on disk (overlay2 ``diff`` dir, snapshot dir)."""

    path: str
    """Host directory holding the layer's files."""
    whiteouts: str = "overlay"
    """``overlay``: char device 0/0 = whiteout, xattr ``trusted.overlay.opaque=y``
    (or ``user.overlay.opaque``) = opaque dir; ``oci``: ``.wh.`` files as in tars."""


LayerContent = BlobLayerContent | DirectoryLayerContent
