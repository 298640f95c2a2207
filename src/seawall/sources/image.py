"""Build an :class:`~seawall.sources.interface.Image` from the parts a source resolved.

Every source ends here: the config is verified against the image ID, parsed, and its
``rootfs.diff_ids`` paired one to one with the source's layer contents. Layers are
materialised lazily through the shared layer cache (verified, decompressed once,
indexed) the first time their filesystem is needed.
"""

from __future__ import annotations

import hashlib
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from seawall.errors import CorruptArtifactError, DigestMismatchError
from seawall.fs.indexed import TarBacking
from seawall.fs.layer_cache import LayerCache
from seawall.fs.layer_fs import LayerFileSystem
from seawall.fs.layer_store import LayerStore, SizeBudget
from seawall.fs.overlay_dir_layer import open_directory_layer
from seawall.model.report import TargetInfo
from seawall.sources.interface import (
    BlobLayerContent,
    DirectoryLayerContent,
    Image,
    ImageParts,
    Layer,
    LayerContent,
    LayerInfo,
    SourceOptions,
)
from seawall.sources.merged_layers import MergedLayersView


class StoredLayer(Layer):
    """A layer whose files are read from the layer cache (or in place, or from a
    layer directory); indexed on first use of :attr:`fs`, thread-safe."""

    def __init__(self, info: LayerInfo, content: LayerContent, store: LayerStore, label: str):
        self.info = info
        self.content = content
        self._store = store
        self._label = label
        self._fs: LayerFileSystem | None = None
        self._lock = threading.Lock()

    @property
    def fs(self) -> LayerFileSystem:
        """This layer's own files (whiteout markers excluded, see :attr:`whiteouts`)."""
        if self._fs is None:
            with self._lock:
                if self._fs is None:
                    self._fs = self._open()
        return self._fs

    def _open(self) -> LayerFileSystem:
        content = self.content
        if isinstance(content, DirectoryLayerContent):
            return open_directory_layer(content.path, content.whiteouts, self.info.diff_id)
        cached = self._store.materialize(content, self.info.diff_id, self._label)
        try:
            backing = TarBacking(cached.tar_path, self.info.diff_id)
        except FileNotFoundError:
            # Evicted between materialising and opening (a cache smaller than the
            # image, filled by a parallel layer): build it again, once.
            cached = self._store.materialize(content, self.info.diff_id, self._label)
            backing = TarBacking(cached.tar_path, self.info.diff_id)
        return LayerFileSystem(cached.index, backing)

    @property
    def whiteouts(self) -> list[str]:
        """Paths this layer deletes from lower layers; opaque dirs end with ``/``."""
        fs = self.fs
        return [*fs.whiteouts, *(p.rstrip("/") + "/" for p in fs.opaques)]

    @property
    def skipped(self) -> list[tuple[str, str]]:
        """(tar name, reason) of hostile or unsupported entries left out or altered."""
        return self.fs.skipped

    def close(self) -> None:
        """Let go of the layer data."""
        if self._fs is not None:
            self._fs.close()


def _history_for_layers(config: dict[str, Any], count: int) -> list[dict[str, Any]]:
    history = config.get("history")
    if not isinstance(history, list):
        return [{} for _ in range(count)]
    steps = [h for h in history if isinstance(h, dict) and not h.get("empty_layer")]
    if len(steps) != count:  # inconsistent history: do not guess which step made what
        return [{} for _ in range(count)]
    return steps


class StoredImage(MergedLayersView, Image):
    """An image built by :func:`build_image` from any source."""

    def __init__(self, parts: ImageParts, config: dict[str, Any], layers: list[StoredLayer]):
        self.ref = parts.ref
        self.parts = parts
        self.transport = parts.transport
        self.config_bytes = parts.config_bytes
        self._digest = "sha256:" + hashlib.sha256(parts.config_bytes).hexdigest()
        self._config = config
        self._layers = layers
        self._init_merged_view()
        self._closed = False

    @property
    def digest(self) -> str:
        """Image ID: ``sha256:`` of the config blob."""
        return self._digest

    @property
    def manifest_digest(self) -> str | None:
        """Digest of the manifest the source served, when there is one."""
        return self.parts.manifest_digest

    @property
    def config(self) -> dict[str, Any]:
        """The parsed image config."""
        return self._config

    @property
    def layers(self) -> list[Layer]:
        """Layers bottom to top."""
        return list(self._layers)

    @property
    def repo_tags(self) -> list[str]:
        """Known tags."""
        return list(self.parts.repo_tags)

    @property
    def platform(self) -> str:
        """``os/arch[/variant]`` from the config."""
        cfg = self._config
        plat = f"{cfg.get('os', 'unknown')}/{cfg.get('architecture', 'unknown')}"
        return f"{plat}/{cfg['variant']}" if cfg.get("variant") else plat

    def _open_layers(self) -> list[LayerFileSystem]:
        """The layers' filesystems, materialised two at a time."""
        if len(self._layers) <= 1:
            return [layer.fs for layer in self._layers]
        # Decompression and hashing release the GIL: two layers at once use two cores.
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="seawall-layer") as pool:
            return list(pool.map(lambda layer: layer.fs, self._layers))

    def target_info(self) -> TargetInfo:
        """The report's ``target`` object, with layers and platform as extras."""
        layers = [
            {
                "diff_id": layer.info.diff_id,
                "digest": layer.info.digest,
                "size": layer.info.size,
                "created_by": layer.info.created_by,
            }
            for layer in self._layers
        ]
        extra: dict[str, Any] = {
            "image_id": self.digest,
            "platform": self.platform,
            "transport": self.transport,
            "layers": layers,
        }
        if self.manifest_digest:
            extra["manifest_digest"] = self.manifest_digest
        if self.parts.repo_tags:
            extra["repo_tags"] = list(self.parts.repo_tags)
        if self.parts.repo_digests:
            extra["repo_digests"] = list(self.parts.repo_digests)
        return TargetInfo(kind="image", ref=self.ref, digest=self.digest, os=self.os, extra=extra)

    def close(self) -> None:
        """Release layer data and run the source's closers (idempotent)."""
        if self._closed:
            return
        self._closed = True
        if self._fs is not None:
            self._fs.close()
        for layer in self._layers:
            layer.close()
        for closer in self.parts.closers:
            closer()


def parse_config(config_bytes: bytes, ref: str) -> dict[str, Any]:
    """Parse and sanity-check an image config; :class:`CorruptArtifactError` if bad."""
    try:
        config = json.loads(config_bytes)
    except (ValueError, UnicodeDecodeError) as exc:
        raise CorruptArtifactError(f"{ref}: image config is not valid JSON ({exc})") from None
    if not isinstance(config, dict):
        raise CorruptArtifactError(f"{ref}: image config is not a JSON object")
    rootfs = config.get("rootfs")
    diff_ids = rootfs.get("diff_ids") if isinstance(rootfs, dict) else None
    if not isinstance(diff_ids, list) or not all(isinstance(d, str) for d in diff_ids):
        raise CorruptArtifactError(f"{ref}: image config has no rootfs.diff_ids list")
    return config


def _verify_config_digest(parts: ImageParts) -> None:
    """When the source served a manifest, its ``config.digest`` must match the config."""
    if not parts.manifest_bytes:
        return
    try:
        manifest = json.loads(parts.manifest_bytes)
    except (ValueError, UnicodeDecodeError) as exc:
        raise CorruptArtifactError(f"{parts.ref}: manifest is not valid JSON ({exc})") from None
    config_ref = manifest.get("config") if isinstance(manifest, dict) else None
    expected = config_ref.get("digest") if isinstance(config_ref, dict) else None
    if not isinstance(expected, str):
        return
    algo, _, _hex = expected.partition(":")
    try:
        actual = f"{algo}:{hashlib.new(algo, parts.config_bytes).hexdigest()}"
    except ValueError:
        raise CorruptArtifactError(f"{parts.ref}: unsupported config digest {expected!r}") from None
    if actual != expected:
        raise DigestMismatchError(
            f"{parts.ref}: config blob {expected}: content hashes to {actual}"
        )


def build_image(parts: ImageParts, options: SourceOptions | None = None) -> StoredImage:
    """Turn resolved parts into an Image: verify and parse the config, pair layers
    with ``rootfs.diff_ids`` and their history steps. Nothing is read from layers yet.
    Raises :class:`CorruptArtifactError` with a one-line reason."""
    options = options or SourceOptions()
    _verify_config_digest(parts)
    config = parse_config(parts.config_bytes, parts.ref)
    diff_ids: list[str] = config["rootfs"]["diff_ids"]
    if len(diff_ids) != len(parts.layers):
        raise CorruptArtifactError(
            f"{parts.ref}: config lists {len(diff_ids)} layers (rootfs.diff_ids) "
            f"but the manifest has {len(parts.layers)}"
        )
    cache = LayerCache(options.cache_dir)
    budget = SizeBudget(options.image_size_limit(), label=parts.ref)
    store = LayerStore(cache, budget)
    history = _history_for_layers(config, len(diff_ids))
    layers: list[StoredLayer] = []
    for i, (diff_id, content, step) in enumerate(zip(diff_ids, parts.layers, history, strict=True)):
        if isinstance(content, BlobLayerContent):
            info = LayerInfo(
                index=i,
                diff_id=diff_id,
                digest=content.digest,
                size=content.size,
                media_type=content.media_type,
                created_by=step.get("created_by"),
                created=step.get("created"),
            )
            label = f"layer {i} blob {content.digest} of {parts.ref}"
        else:
            info = LayerInfo(
                index=i,
                diff_id=diff_id,
                digest=diff_id,
                size=None,
                media_type="application/vnd.seawall.layer.directory",
                created_by=step.get("created_by"),
                created=step.get("created"),
            )
            label = f"layer {i} dir {content.path} of {parts.ref}"
        layers.append(StoredLayer(info, content, store, label))
    return StoredImage(parts, config, layers)
