"""Docker images read straight from Docker's overlay2 storage (``--host-root``).

For parallel-container mode (the host's ``/`` mounted read-only at ``/host``) and for
speed: no daemon call and no ``docker save``; layers are the unpacked overlay2
``diff`` directories themselves.

Layout (Docker 20.10+ with the overlay2 graph driver, not the containerd image store):

- ``image/overlay2/repositories.json``: familiar name -> ``{"name:tag": "sha256:<id>"}``
- ``image/overlay2/imagedb/content/sha256/<id>``: the image config (its sha256 is the ID)
- ``image/overlay2/layerdb/sha256/<chain-id>/{diff,cache-id}``: layer by chain ID
  (``chain[0] = diff[0]``, ``chain[i] = sha256(chain[i-1] + " " + diff[i])``)
- ``overlay2/<cache-id>/diff``: the layer's files, overlay whiteouts
- ``image/overlay2/layerdb/mounts/<container-id>/mount-id``: a container's RW layer
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

from seawall.errors import (
    CorruptArtifactError,
    InputError,
    NotFoundError,
    ReferenceError_,
    SourceUnavailableError,
)
from seawall.sources.image_reference import parse_reference
from seawall.sources.interface import DirectoryLayerContent, ImageParts, SourceOptions
from seawall.sources.manifest_resolution import (
    MAX_CONFIG_BYTES,
    check_digest_syntax,
    digest_of,
    parse_json_document,
)

_SAFE_ID = frozenset("0123456789abcdef")


def host_path(options: SourceOptions, inner: str) -> str:
    """``inner`` (an absolute host path) under ``--host-root``."""
    return os.path.join(options.host_root or "/", inner.lstrip("/"))


def _read_small(path: str, limit: int, what: str) -> bytes:
    try:
        with open(path, "rb") as fh:
            data = fh.read(limit + 1)
    except FileNotFoundError:
        raise NotFoundError(f"{what}: {path} missing") from None
    except OSError as exc:
        raise SourceUnavailableError(f"{what}: cannot read {path}: {exc}") from None
    if len(data) > limit:
        raise CorruptArtifactError(f"{what}: {path} larger than {limit} bytes")
    return data


def chain_ids(diff_ids: list[str]) -> list[str]:
    """Docker/OCI chain IDs of a layer stack."""
    chain: list[str] = []
    for diff_id in diff_ids:
        if not chain:
            chain.append(diff_id)
        else:
            chain.append(digest_of(f"{chain[-1]} {diff_id}".encode()))
    return chain


@dataclass
class DockerStorage:
    """One Docker data root (``/var/lib/docker`` under ``--host-root``)."""

    root: str

    @classmethod
    def from_options(cls, options: SourceOptions) -> DockerStorage:
        """The data root named by ``--host-root`` and ``--docker-root``."""
        root = host_path(options, options.docker_root)
        if not os.path.isdir(os.path.join(root, "image")):
            raise SourceUnavailableError(f"no Docker data root at {root}")
        if not os.path.isdir(os.path.join(root, "image", "overlay2")):
            raise SourceUnavailableError(
                f"Docker data root {root} does not use the overlay2 storage driver"
            )
        return cls(root)

    @property
    def _image_dir(self) -> str:
        return os.path.join(self.root, "image", "overlay2")

    def repositories(self) -> dict[str, str]:
        """``name:tag`` / ``name@digest`` -> image ID."""
        path = os.path.join(self._image_dir, "repositories.json")
        try:
            doc = parse_json_document(_read_small(path, 64 * 1024**2, "Docker storage"), path)
        except NotFoundError:
            return {}
        refs: dict[str, str] = {}
        repos = doc.get("Repositories")
        for tags in repos.values() if isinstance(repos, dict) else []:
            if isinstance(tags, dict):
                refs.update({k: v for k, v in tags.items() if isinstance(v, str)})
        return refs

    def image_ids(self) -> list[str]:
        """IDs of every image in the store."""
        content = os.path.join(self._image_dir, "imagedb", "content", "sha256")
        try:
            return sorted(f"sha256:{name}" for name in os.listdir(content) if len(name) == 64)
        except FileNotFoundError:
            return []

    def find_image(self, ref: str) -> str:
        """Image ID for a name, ``name:tag``, ``name@digest``, full or short ID."""
        candidate = ref.removeprefix("sha256:")
        if len(candidate) >= 4 and set(candidate) <= _SAFE_ID:
            matches = [i for i in self.image_ids() if i[7:].startswith(candidate)]
            if len(matches) == 1:
                return matches[0]
            if len(matches) > 1:
                raise InputError(f"image ID prefix {ref!r} is ambiguous in {self.root}")
        try:
            wanted = str(parse_reference(ref))
        except ReferenceError_:
            wanted = None
        for name, image_id in self.repositories().items():
            try:
                if name == ref or (wanted and str(parse_reference(name)) == wanted):
                    return check_digest_syntax(image_id, f"{self.root} repositories.json")
            except ReferenceError_:
                continue
        raise NotFoundError(f"Docker storage {self.root}: no image {ref!r}")

    def config_bytes(self, image_id: str) -> bytes:
        """The image config, verified against its ID."""
        hexid = check_digest_syntax(image_id, "Docker image ID")[7:]
        path = os.path.join(self._image_dir, "imagedb", "content", "sha256", hexid)
        data = _read_small(path, MAX_CONFIG_BYTES, "Docker image config")
        if digest_of(data) != image_id:
            raise CorruptArtifactError(f"Docker image config {path} does not hash to its ID")
        return data

    def layer_dirs(self, diff_ids: list[str]) -> list[str]:
        """overlay2 ``diff`` directories of a layer stack, bottom to top."""
        dirs = []
        for diff_id, chain_id in zip(diff_ids, chain_ids(diff_ids), strict=True):
            hexid = check_digest_syntax(chain_id, "Docker chain ID")[7:]
            layer = os.path.join(self._image_dir, "layerdb", "sha256", hexid)
            stored = _read_small(os.path.join(layer, "diff"), 200, "Docker layer").decode()
            if stored.strip() != diff_id:
                raise CorruptArtifactError(f"Docker layer {layer}: diff is not {diff_id}")
            dirs.append(self._driver_dir(os.path.join(layer, "cache-id")))
        return dirs

    def container_upper_dir(self, container_id: str) -> str:
        """The read-write layer of a container (overlay2 ``diff`` dir)."""
        if not container_id or not set(container_id) <= _SAFE_ID:
            raise InputError(f"invalid container ID {container_id!r}")
        mount = os.path.join(self._image_dir, "layerdb", "mounts", container_id, "mount-id")
        return self._driver_dir(mount)

    def _driver_dir(self, id_file: str) -> str:
        cache_id = _read_small(id_file, 200, "Docker layer").decode().strip()
        if not cache_id or not set(cache_id) <= _SAFE_ID:
            raise CorruptArtifactError(f"{id_file}: invalid overlay2 id {cache_id!r}")
        path = os.path.join(self.root, "overlay2", cache_id, "diff")
        if not os.path.isdir(path):
            raise NotFoundError(f"overlay2 layer directory {path} missing")
        return path

    def container_config(self, container_id: str) -> dict[str, Any]:
        """``containers/<id>/config.v2.json``."""
        if not set(container_id) <= _SAFE_ID:
            raise InputError(f"invalid container ID {container_id!r}")
        path = os.path.join(self.root, "containers", container_id, "config.v2.json")
        return parse_json_document(_read_small(path, 64 * 1024**2, "Docker container"), path)

    def container_ids(self) -> list[str]:
        """IDs of every container (running or not)."""
        try:
            names = os.listdir(os.path.join(self.root, "containers"))
        except FileNotFoundError:
            return []
        return sorted(n for n in names if len(n) == 64 and set(n) <= _SAFE_ID)

    def image_parts(self, ref: str) -> ImageParts:
        """ImageParts of an image, layers as overlay2 directories."""
        image_id = self.find_image(ref)
        config_bytes = self.config_bytes(image_id)
        config = json.loads(config_bytes)
        diff_ids = (config.get("rootfs") or {}).get("diff_ids")
        if not isinstance(diff_ids, list) or not all(isinstance(d, str) for d in diff_ids):
            raise CorruptArtifactError(f"Docker image {image_id}: config has no diff_ids")
        repos = self.repositories()
        return ImageParts(
            ref=ref,
            transport="docker-daemon",
            config_bytes=config_bytes,
            layers=[DirectoryLayerContent(path=d) for d in self.layer_dirs(diff_ids)],
            repo_tags=sorted(n for n, i in repos.items() if i == image_id and "@" not in n),
            repo_digests=sorted(n for n, i in repos.items() if i == image_id and "@" in n),
        )


def resolve_from_storage(ref: str, options: SourceOptions) -> ImageParts:
    """``docker-daemon:REF`` in ``--host-root`` mode."""
    return DockerStorage.from_options(options).image_parts(ref)
