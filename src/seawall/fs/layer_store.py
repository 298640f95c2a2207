"""Turn a source's layer content into a verified, indexed local tar -- exactly once.

* Already cached (by diff_id): load the index, done.
* An uncompressed blob lying in a local file (``BlobLayerContent.local_file``): hash
  the byte range once, verify it, index it in place and remember the index in the
  cache keyed by diff_id + file identity, so the next open reads nothing but headers.
* Anything else: decompress the stream once into the cache while hashing the blob and
  the tar, verify both digests, enforce the image size budget and the cache's size
  bound (chunk by chunk, before the bytes land), index, publish. An abandoned entry
  (a bomb, a full disk, SIGINT/SIGTERM) is deleted on the way out.

Digests are never trusted: a blob that does not hash to its address raises
:class:`DigestMismatchError` naming the blob; the per-image :class:`SizeBudget`
raises :class:`SizeLimitError` as soon as the layers expand beyond the limit.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil

from seawall.errors import CacheSpaceError, CorruptArtifactError, DigestMismatchError
from seawall.fs.blob_decompression import decompress_blob, sniff_compression
from seawall.fs.layer_cache import CachedLayer, LayerCache
from seawall.fs.layer_content import BlobLayerContent
from seawall.fs.size_budget import SizeBudget
from seawall.fs.tar_index import index_tar

__all__ = ["LayerStore", "SizeBudget"]

log = logging.getLogger(__name__)

_HASH_CHUNK = 4 << 20


def _digest_algorithm(digest: str, label: str) -> str:
    algo, sep, hexdigest = digest.partition(":")
    if not sep or algo not in ("sha256", "sha384", "sha512") or not hexdigest:
        raise CorruptArtifactError(f"{label}: unsupported or malformed digest {digest!r}")
    return algo


def _check(expected: str, actual: str, what: str) -> None:
    if expected != actual:
        raise DigestMismatchError(f"{what}: content hashes to {actual}, expected {expected}")


class LayerStore:
    """Materialises layers of one image through a :class:`LayerCache`."""

    def __init__(self, cache: LayerCache, budget: SizeBudget) -> None:
        self.cache = cache
        self.budget = budget

    def materialize(self, content: BlobLayerContent, diff_id: str, label: str) -> CachedLayer:
        """A local, verified, indexed copy of the layer whose tar hashes to ``diff_id``.
        ``label`` names the layer in errors (``blob sha256:... of IMAGE``)."""
        cached = self.cache.lookup(diff_id)
        if cached is not None:
            self.budget.consume(cached.index.tar_size)
            return cached
        if content.local_file is not None:
            found = self._in_place(content, diff_id, label)
            if found is not None:
                return found
        return self._decompress_into_cache(content, diff_id, label)

    def _in_place(self, content: BlobLayerContent, diff_id: str, label: str) -> CachedLayer | None:
        path, offset, length = content.local_file  # type: ignore[misc]
        try:
            key = self.cache.inplace_key(diff_id, path, offset, length)
        except OSError as exc:
            raise CorruptArtifactError(f"{label}: cannot read {path}: {exc.strerror}") from None
        index = self.cache.lookup_inplace(key)
        if index is not None:
            self.budget.consume(index.tar_size)
            return CachedLayer(path, index)
        algo = _digest_algorithm(content.digest, label)
        with self.cache.locked(key):
            index = self.cache.lookup_inplace(key)
            if index is not None:
                self.budget.consume(index.tar_size)
                return CachedLayer(path, index)
            fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
            try:
                if sniff_compression(os.pread(fd, 8, offset)) != "none":
                    return None  # compressed after all: take the streaming path
                self.budget.consume(length)
                blob_hash = hashlib.new(algo)
                tar_hash = blob_hash if algo == "sha256" else hashlib.sha256()
                pos, end = offset, offset + length
                while pos < end:
                    chunk = os.pread(fd, min(_HASH_CHUNK, end - pos), pos)
                    if not chunk:
                        raise CorruptArtifactError(f"{label}: {path} is truncated")
                    blob_hash.update(chunk)
                    if tar_hash is not blob_hash:
                        tar_hash.update(chunk)
                    pos += len(chunk)
                _check(content.digest, f"{algo}:{blob_hash.hexdigest()}", label)
                _check(diff_id, f"sha256:{tar_hash.hexdigest()}", f"{label} (diff_id)")
                index = index_tar(fd, offset, length, label)
            finally:
                os.close(fd)
            try:
                self.cache.store_inplace(key, index)
            except CacheSpaceError as exc:  # remembering the index only saves time
                log.warning("%s; the index of %s is not remembered", exc, label)
        return CachedLayer(path, index)

    def _decompress_into_cache(
        self, content: BlobLayerContent, diff_id: str, label: str
    ) -> CachedLayer:
        algo = _digest_algorithm(content.digest, label)
        hexdigest = diff_id.partition(":")[2]
        with self.cache.locked(hexdigest):
            cached = self.cache.lookup(diff_id)  # another process built it meanwhile
            if cached is not None:
                self.budget.consume(cached.index.tar_size)
                return cached
            work = self.cache.new_work_dir()
            try:
                tar_path = os.path.join(work, "layer.tar")
                with self.cache.entry_writer(tar_path, label) as out:
                    try:
                        src = content.open_blob()
                    except OSError as exc:
                        raise CorruptArtifactError(f"{label}: cannot open ({exc})") from None
                    with src:
                        result = decompress_blob(src, out.write, self.budget.consume, label, algo)
                _check(content.digest, result.blob_digest, label)
                _check(diff_id, result.diff_id, f"{label} (diff_id)")
                fd = os.open(tar_path, os.O_RDONLY | os.O_CLOEXEC)
                try:
                    index = index_tar(fd, 0, result.size, label)
                finally:
                    os.close(fd)
                return self.cache.publish(diff_id, work, index)
            except BaseException:
                shutil.rmtree(work, ignore_errors=True)
                raise
