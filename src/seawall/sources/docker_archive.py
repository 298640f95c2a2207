"""``docker-archive:PATH[:NAME:TAG|:@INDEX]``: ``docker save`` / skopeo archives.

Both layouts engines write are read through their ``manifest.json``:

* legacy (Docker < 25): ``<config hex>.json`` + ``<v1 id>/layer.tar`` (uncompressed,
  duplicate layers as symlinks between members);
* OCI-style (Docker >= 25): ``blobs/sha256/<hex>`` + ``index.json`` + ``manifest.json``.

skopeo writes ``<blob hex>.tar`` members (possibly compressed). The archive is read
in place: uncompressed layers are indexed where they lie, compressed ones streamed
from their byte range. Nothing is extracted.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from typing import Any

from seawall.errors import CorruptArtifactError, DigestMismatchError, InputError, NotFoundError
from seawall.fs.archive_members import ArchiveMembers, Member
from seawall.fs.blob_decompression import sniff_compression
from seawall.fs.layer_cache import LayerCache
from seawall.sources.interface import BlobLayerContent, ImageParts, ImageSource, SourceOptions
from seawall.sources.manifest_resolution import MAX_CONFIG_BYTES, MAX_MANIFEST_BYTES
from seawall.sources.oci_layout import split_path_reference
from seawall.sources.source_registry import register_source

_HEX_NAME = re.compile(
    r"^(?:blobs/(sha256|sha512)/)?([0-9a-f]{64}|[0-9a-f]{128})(?:\.tar|\.json)?$"
)
_UNCOMPRESSED_LAYER = "application/vnd.docker.image.rootfs.diff.tar"


def familiar_tag(name: str) -> str:
    """``docker.io/library/app`` -> ``app:latest``: the form ``RepoTags`` uses."""
    for prefix in ("docker.io/library/", "index.docker.io/library/", "docker.io/"):
        if name.startswith(prefix):
            name = name[len(prefix) :]
            break
    last = name.rsplit("/", 1)[-1]
    if ":" not in last and "@" not in last:
        name += ":latest"
    return name


def _digest_from_name(name: str) -> str | None:
    """``blobs/sha256/<hex>`` / ``<hex>.tar`` / ``<hex>.json`` -> ``sha256:<hex>``."""
    match = _HEX_NAME.match(name.lstrip("./"))
    if not match:
        return None
    algo = match.group(1) or ("sha256" if len(match.group(2)) == 64 else "sha512")
    return f"{algo}:{match.group(2)}"


def _choose(manifest: list[Any], selector: str | None, where: str) -> dict[str, Any]:
    entries = [m for m in manifest if isinstance(m, dict)]
    if not entries:
        raise CorruptArtifactError(f"{where}: manifest.json lists no images")
    tags = [t for m in entries for t in (m.get("RepoTags") or []) if isinstance(t, str)]
    if selector is None:
        if len(entries) > 1:
            raise InputError(
                f"{where}: holds {len(entries)} images ({', '.join(tags) or 'untagged'}); "
                "name one as :NAME:TAG or :@INDEX"
            )
        return entries[0]
    if selector.startswith("@"):
        try:
            number = int(selector[1:])
        except ValueError:
            raise InputError(f"{where}: bad image index {selector!r}") from None
        if not 0 <= number < len(entries):
            raise NotFoundError(f"{where}: no image @{number} (it holds {len(entries)})")
        return entries[number]
    want = familiar_tag(selector)
    for entry in entries:
        repo_tags = entry.get("RepoTags") or []
        if any(isinstance(t, str) and familiar_tag(t) == want for t in repo_tags):
            return entry
    raise NotFoundError(f"{where}: no image tagged {selector!r} (has {', '.join(tags) or 'none'})")


def _layer_content(
    archive: ArchiveMembers, member: Member, name: str, diff_id: str, media_type: str
) -> BlobLayerContent:
    digest = _digest_from_name(name)
    if digest is None:
        # Legacy "<v1 id>/layer.tar": uncompressed, so its digest is the diff_id; a
        # compressed one (rare tools) is hashed here so it can still be verified.
        head = os.pread(archive.fd, 8, member.offset)
        if sniff_compression(head) == "none":
            digest = diff_id
        else:
            hasher = hashlib.sha256()
            with archive.open_member(member) as fh:
                while chunk := fh.read(1 << 22):
                    hasher.update(chunk)
            digest = f"sha256:{hasher.hexdigest()}"
    return BlobLayerContent(
        digest=digest,
        media_type=media_type,
        open_blob=lambda: archive.open_member(member),
        size=member.size,
        local_file=(archive.path, member.offset, member.size) if archive.in_place else None,
    )


def _parts(archive: ArchiveMembers, selector: str | None, where: str) -> ImageParts:
    raw = archive.read("manifest.json", "manifest.json", MAX_MANIFEST_BYTES)
    try:
        manifest = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise CorruptArtifactError(f"{where}: manifest.json is not valid JSON ({exc})") from None
    if not isinstance(manifest, list):
        raise CorruptArtifactError(f"{where}: manifest.json is not a list")
    entry = _choose(manifest, selector, where)
    config_name = entry.get("Config")
    layer_names = entry.get("Layers")
    if not isinstance(config_name, str) or not isinstance(layer_names, list):
        raise CorruptArtifactError(f"{where}: manifest.json entry lacks Config or Layers")
    config_bytes = archive.read(config_name, "config", MAX_CONFIG_BYTES)
    config_digest = _digest_from_name(config_name)
    if config_digest is not None:
        algo, _, expected = config_digest.partition(":")
        actual = hashlib.new(algo, config_bytes).hexdigest()
        if actual != expected:
            raise DigestMismatchError(
                f"{where}: config {config_name} hashes to {algo}:{actual}, expected {config_digest}"
            )
    try:
        config = json.loads(config_bytes)
        diff_ids = config["rootfs"]["diff_ids"]
    except (ValueError, UnicodeDecodeError, KeyError, TypeError) as exc:
        raise CorruptArtifactError(f"{where}: config {config_name} is malformed ({exc})") from None
    if not isinstance(diff_ids, list) or len(diff_ids) != len(layer_names):
        raise CorruptArtifactError(
            f"{where}: manifest.json lists {len(layer_names)} layers but config "
            f"{config_name} lists {len(diff_ids) if isinstance(diff_ids, list) else 0} diff_ids"
        )
    raw_sources = entry.get("LayerSources")
    sources: dict[str, Any] = raw_sources if isinstance(raw_sources, dict) else {}
    layers: list[BlobLayerContent] = []
    for name, diff_id in zip(layer_names, diff_ids, strict=True):
        if not isinstance(name, str) or not isinstance(diff_id, str):
            raise CorruptArtifactError(f"{where}: malformed layer entry {name!r}")
        member = archive.get(name, "layer")
        source = sources.get(diff_id)
        declared = source.get("mediaType") if isinstance(source, dict) else None
        media_type = str(declared or _UNCOMPRESSED_LAYER)
        layers.append(_layer_content(archive, member, name, diff_id, media_type))
    return ImageParts(
        ref=where,
        transport="docker-archive",
        config_bytes=config_bytes,
        layers=list(layers),
        repo_tags=[t for t in entry.get("RepoTags") or [] if isinstance(t, str)],
    )


@register_source
class DockerArchiveSource(ImageSource):
    """``docker-archive:PATH[:NAME:TAG|:@INDEX]``: a ``docker save`` tar, read in place."""

    transport = "docker-archive"

    def resolve(self, ref: str, options: SourceOptions) -> ImageParts:
        path, selector = split_path_reference(ref, os.path.isfile)
        where = f"docker-archive:{path}"
        archive = ArchiveMembers(path, LayerCache(options.cache_dir), options.image_size_limit())
        try:
            parts = _parts(archive, selector, where)
        except BaseException:
            archive.close()
            raise
        parts.closers.append(archive.close)
        return parts
