"""containerd images read straight from containerd's root directory (``--host-root``).

- ``io.containerd.metadata.v1.bolt/meta.db`` (bbolt): ``v1/<namespace>/images/<name>/
  target/{digest,mediatype,size}`` names each image's manifest or index;
- ``io.containerd.content.v1.content/blobs/<alg>/<hex>``: every blob by digest.

The content store is shared by all namespaces; the metadata DB decides which namespace
sees which image. No daemon is contacted; a running containerd may keep writing
``meta.db``, which we read at its last committed transaction.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO, cast

from seawall.errors import CorruptArtifactError, NotFoundError, SourceUnavailableError
from seawall.sources.bbolt import BoltDB, Bucket
from seawall.sources.containerd import lookups, parts_from_content_store
from seawall.sources.docker_storage import host_path
from seawall.sources.interface import BlobLayerContent, ImageParts, SourceOptions
from seawall.sources.manifest_resolution import check_digest_syntax

_META_DB = ("io.containerd.metadata.v1.bolt", "meta.db")
_BLOBS = ("io.containerd.content.v1.content", "blobs")
_MAGIC_COMPRESSED = (b"\x1f\x8b", b"\x28\xb5\x2f\xfd")


@dataclass(frozen=True)
class StoredImage:
    """One image record of the metadata DB."""

    namespace: str
    name: str
    digest: str
    media_type: str


class ContainerdStorage:
    """One containerd root directory, read-only."""

    def __init__(self, options: SourceOptions) -> None:
        self.root = host_path(options, options.containerd_root)
        meta = os.path.join(self.root, *_META_DB)
        if not os.path.isfile(meta):
            raise SourceUnavailableError(f"no containerd metadata database at {meta}")
        self._db = BoltDB(meta)

    def close(self) -> None:
        """Unmap the metadata DB."""
        self._db.close()

    def _v1(self) -> Bucket:
        bucket = self._db.root.bucket(b"v1")
        if bucket is None:
            raise CorruptArtifactError(f"containerd metadata in {self.root} has no v1 bucket")
        return bucket

    def namespaces(self) -> list[str]:
        """Namespace names."""
        return [name.decode("utf-8", "replace") for name, _ in self._v1().buckets()]

    def images(self, namespace: str | None = None) -> Iterator[StoredImage]:
        """Image records, of one namespace or all."""
        for ns_name, ns in self._v1().buckets():
            namespace_text = ns_name.decode("utf-8", "replace")
            if namespace is not None and namespace_text != namespace:
                continue
            images = ns.bucket(b"images")
            for name, record in images.buckets() if images else []:
                stored = self._record(namespace_text, name.decode("utf-8", "replace"), record)
                if stored:
                    yield stored

    @staticmethod
    def _record(namespace: str, name: str, record: Bucket) -> StoredImage | None:
        target = record.bucket(b"target")
        if target is None:
            return None
        digest = (target.get(b"digest") or b"").decode("ascii", "replace")
        media_type = (target.get(b"mediatype") or b"").decode("ascii", "replace")
        return StoredImage(namespace, name, digest, media_type) if digest else None

    def find(self, namespace: str, name: str) -> StoredImage | None:
        """The record ``name`` in ``namespace``."""
        images = self._v1().bucket(namespace.encode(), b"images")
        record = images.bucket(name.encode()) if images else None
        return self._record(namespace, name, record) if record else None

    def blob_path(self, digest: str) -> str:
        """Host path of a blob (the digest is checked before it becomes a path)."""
        algorithm, _, hexpart = check_digest_syntax(digest, "containerd blob").partition(":")
        return os.path.join(self.root, *_BLOBS, algorithm, hexpart)

    def read_blob(self, digest: str, limit: int) -> bytes:
        """A whole small blob, refusing more than ``limit`` bytes."""
        path = self.blob_path(digest)
        try:
            with open(path, "rb") as fh:
                data = fh.read(limit + 1)
        except FileNotFoundError:
            raise NotFoundError(f"containerd content store: blob {digest} missing") from None
        if len(data) > limit:
            raise CorruptArtifactError(f"containerd blob {digest} larger than {limit} bytes")
        return data

    def open_blob(self, digest: str) -> BinaryIO:
        """A blob as an open file."""
        try:
            return cast(BinaryIO, open(self.blob_path(digest), "rb"))
        except FileNotFoundError:
            raise NotFoundError(f"containerd content store: blob {digest} missing") from None


def resolve_from_storage(ref: str, options: SourceOptions) -> ImageParts:
    """``containerd:[NAMESPACE/]REF`` in ``--host-root`` mode."""
    storage = ContainerdStorage(options)
    try:
        found = None
        for namespace, name in lookups(ref, options, storage.namespaces()):
            found = storage.find(namespace, name)
            if found:
                break
        if found is None:
            raise NotFoundError(f"containerd storage {storage.root}: no image {ref!r}")
        where = f"containerd image {found.name} (namespace {found.namespace}, {storage.root})"
        parts = parts_from_content_store(
            f"containerd:{ref}",
            where,
            found.digest,
            found.media_type,
            storage.read_blob,
            storage.open_blob,
            options,
        )
    finally:
        storage.close()
    parts.layers = [_with_local_file(storage, layer) for layer in parts.layers]
    parts.repo_tags = [found.name]
    return parts


def _with_local_file(
    storage: ContainerdStorage, layer: BlobLayerContent | object
) -> BlobLayerContent:
    """Uncompressed layer blobs are indexed in place by the layer store."""
    assert isinstance(layer, BlobLayerContent)
    path = storage.blob_path(layer.digest)
    try:
        with open(path, "rb") as fh:
            magic = fh.read(4)
            size = os.fstat(fh.fileno()).st_size
    except FileNotFoundError:
        raise NotFoundError(
            f"containerd content store {storage.root}: layer blob {layer.digest} missing "
            "(image pulled for another platform?)"
        ) from None
    if magic.startswith(_MAGIC_COMPRESSED):
        return layer
    return BlobLayerContent(
        digest=layer.digest,
        media_type=layer.media_type,
        open_blob=layer.open_blob,
        size=layer.size,
        local_file=(path, 0, size),
    )
