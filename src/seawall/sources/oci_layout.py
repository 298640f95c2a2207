"""OCI image layouts: ``oci:DIR[:TAG]`` (a directory) and ``oci-archive:PATH[:TAG]``
(the same layout in a tar, read in place -- never extracted).

``index.json`` names images by the ``org.opencontainers.image.ref.name`` annotation
(a tag, or a full reference); an entry may be an image index, from which the
``--platform`` (or host) manifest is picked. Every blob read is digest-verified;
layer blobs are verified by the layer store as they are decompressed or indexed.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, Protocol

from seawall.errors import CorruptArtifactError, InputError, NotFoundError
from seawall.fs.archive_members import ArchiveMembers
from seawall.fs.layer_cache import LayerCache
from seawall.sources.interface import BlobLayerContent, ImageParts, ImageSource, SourceOptions
from seawall.sources.manifest_resolution import (
    MAX_CONFIG_BYTES,
    MAX_MANIFEST_BYTES,
    check_config,
    check_digest_syntax,
    parse_json_document,
    resolve_manifest,
    verify_digest,
)
from seawall.sources.source_registry import register_source

REF_NAME = "org.opencontainers.image.ref.name"
CONTAINERD_NAME = "io.containerd.image.name"


def split_path_reference(rest: str, exists: Callable[[str], bool]) -> tuple[str, str | None]:
    """``/a/b.tar:name:tag`` -> (``/a/b.tar``, ``name:tag``): the shortest prefix ending
    before a ``:`` that ``exists`` (paths may contain colons), else the whole string."""
    if exists(rest):
        return rest, None
    start = 0
    while True:
        pos = rest.find(":", start)
        if pos < 0:
            return rest, None
        if pos > 0 and exists(rest[:pos]):
            return rest[:pos], rest[pos + 1 :] or None
        start = pos + 1


def blob_path(digest: str, where: str) -> str:
    """``sha256:<hex>`` -> ``blobs/sha256/<hex>`` (syntax checked: no traversal)."""
    algo, _, hexpart = check_digest_syntax(digest, where).partition(":")
    return f"blobs/{algo}/{hexpart}"


class BlobReader(Protocol):
    """Where a layout's blobs live (a directory or an archive)."""

    label: str

    def read_blob(self, digest: str, what: str, limit: int) -> bytes:
        """A small blob's bytes, verified against ``digest``."""
        ...

    def layer(self, digest: str, media_type: str, size: int | None) -> BlobLayerContent:
        """A layer blob for the layer store (verified there)."""
        ...


class DirectoryBlobs:
    """Blobs of an OCI layout directory."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.label = root

    def _path(self, digest: str, what: str) -> str:
        path = os.path.join(self.root, blob_path(digest, f"{self.label}: {what}"))
        if not os.path.isfile(path):
            raise NotFoundError(f"oci layout {self.label}: {what} blob {digest} is missing")
        return path

    def read_blob(self, digest: str, what: str, limit: int) -> bytes:
        path = self._path(digest, what)
        with open(path, "rb") as fh:
            data = fh.read(limit + 1)
        if len(data) > limit:
            raise CorruptArtifactError(f"oci layout {self.label}: {what} {digest} is too large")
        verify_digest(data, digest, f"oci layout {self.label}: {what} blob")
        return data

    def layer(self, digest: str, media_type: str, size: int | None) -> BlobLayerContent:
        path = self._path(digest, "layer")
        length = os.path.getsize(path)
        return BlobLayerContent(
            digest=digest,
            media_type=media_type,
            open_blob=lambda: open(path, "rb"),
            size=size,
            local_file=(path, 0, length),
        )


class ArchiveBlobs:
    """Blobs of an OCI layout inside a tar, as byte ranges of the archive."""

    def __init__(self, archive: ArchiveMembers) -> None:
        self.archive = archive
        self.label = archive.label

    def read_blob(self, digest: str, what: str, limit: int) -> bytes:
        name = blob_path(digest, f"{self.label}: {what}")
        data = self.archive.read(name, f"{what} blob", limit)
        verify_digest(data, digest, f"oci archive {self.label}: {what} blob")
        return data

    def layer(self, digest: str, media_type: str, size: int | None) -> BlobLayerContent:
        member = self.archive.get(blob_path(digest, f"{self.label}: layer"), "layer blob")
        archive = self.archive
        return BlobLayerContent(
            digest=digest,
            media_type=media_type,
            open_blob=lambda: archive.open_member(member),
            size=size,
            local_file=(archive.path, member.offset, member.size) if archive.in_place else None,
        )


def _tag_matches(entry: dict[str, Any], tag: str) -> bool:
    annotations = entry.get("annotations")
    if not isinstance(annotations, dict):
        return False
    names = [annotations.get(REF_NAME), annotations.get(CONTAINERD_NAME)]
    for name in names:
        if not isinstance(name, str) or not name:
            continue
        if name == tag:
            return True
        # A full reference as ref.name: match its tag part too.
        last = name.rsplit("/", 1)[-1]
        if ":" in last and last.rsplit(":", 1)[1] == tag:
            return True
    return False


def _describe(entries: list[dict[str, Any]]) -> str:
    names = []
    for entry in entries:
        ann = entry.get("annotations") if isinstance(entry, dict) else None
        if isinstance(ann, dict) and isinstance(ann.get(REF_NAME), str):
            names.append(ann[REF_NAME])
    return ", ".join(names) or "untagged entries only"


def resolve_layout(
    blobs: BlobReader, index_bytes: bytes, tag: str | None, options: SourceOptions, where: str
) -> ImageParts:
    """Pick the image named ``tag`` (or the only one) from a layout's ``index.json``
    and gather its verified config and layer contents."""
    index = parse_json_document(index_bytes, f"{where}: index.json")
    manifests = index.get("manifests")
    if not isinstance(manifests, list) or not manifests:
        raise CorruptArtifactError(f"{where}: index.json lists no manifests")
    entries = [m for m in manifests if isinstance(m, dict)]
    if tag is None:
        if len(entries) != 1:
            raise InputError(
                f"{where}: holds {len(entries)} images ({_describe(entries)}); name one as :TAG"
            )
        chosen = entries[0]
    else:
        found = [m for m in entries if _tag_matches(m, tag)]
        if not found:
            raise NotFoundError(f"{where}: no image tagged {tag!r} (has {_describe(entries)})")
        chosen = found[0]
    digest = chosen.get("digest")
    if not isinstance(digest, str):
        raise CorruptArtifactError(f"{where}: index.json entry without a digest")
    top = blobs.read_blob(digest, "manifest", MAX_MANIFEST_BYTES)
    resolved = resolve_manifest(
        top,
        chosen.get("mediaType") if isinstance(chosen.get("mediaType"), str) else None,
        digest,
        lambda d: (blobs.read_blob(d, "manifest", MAX_MANIFEST_BYTES), None),
        options.platform,
        where,
    )
    config_bytes = blobs.read_blob(resolved.config.digest, "config", MAX_CONFIG_BYTES)
    check_config(config_bytes, resolved, where)
    layers = [blobs.layer(d.digest, d.media_type, d.size) for d in resolved.layers]
    raw_ann = chosen.get("annotations")
    ann: dict[str, Any] = raw_ann if isinstance(raw_ann, dict) else {}
    name = ann.get(CONTAINERD_NAME) or ann.get(REF_NAME) or tag
    return ImageParts(
        ref=where,
        transport="oci",
        config_bytes=config_bytes,
        layers=list(layers),
        manifest_bytes=resolved.manifest_bytes,
        manifest_digest=resolved.manifest_digest,
        repo_tags=[name] if isinstance(name, str) and name else [],
    )


@register_source
class OciLayoutSource(ImageSource):
    """``oci:DIR[:TAG]``: an OCI image layout directory."""

    transport = "oci"

    def resolve(self, ref: str, options: SourceOptions) -> ImageParts:
        path, tag = split_path_reference(
            ref, lambda p: os.path.isfile(os.path.join(p, "index.json"))
        )
        if not os.path.isdir(path):
            raise NotFoundError(f"oci layout {path!r}: no such directory")
        index_path = os.path.join(path, "index.json")
        if not os.path.isfile(index_path):
            raise NotFoundError(f"oci layout {path!r}: no index.json (not an OCI layout)")
        with open(index_path, "rb") as fh:
            index_bytes = fh.read(MAX_MANIFEST_BYTES + 1)
        if len(index_bytes) > MAX_MANIFEST_BYTES:
            raise CorruptArtifactError(f"oci layout {path}: index.json is too large")
        parts = resolve_layout(DirectoryBlobs(path), index_bytes, tag, options, f"oci:{path}")
        parts.transport = self.transport
        return parts


@register_source
class OciArchiveSource(ImageSource):
    """``oci-archive:PATH[:TAG]``: an OCI layout in a tar, read in place."""

    transport = "oci-archive"

    def resolve(self, ref: str, options: SourceOptions) -> ImageParts:
        path, tag = split_path_reference(ref, os.path.isfile)
        archive = ArchiveMembers(path, LayerCache(options.cache_dir), options.image_size_limit())
        try:
            index_bytes = archive.read("index.json", "OCI index", MAX_MANIFEST_BYTES)
            parts = resolve_layout(
                ArchiveBlobs(archive), index_bytes, tag, options, f"oci-archive:{path}"
            )
        except BaseException:
            archive.close()
            raise
        parts.transport = self.transport
        parts.closers.append(archive.close)
        return parts
