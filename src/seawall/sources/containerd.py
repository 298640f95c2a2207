"""Transport ``containerd:[NAMESPACE/]REF``: images from containerd's content store.

Through the API socket by default; with ``--host-root`` straight from containerd's
on-disk store (:mod:`seawall.sources.containerd_storage`), no daemon needed.

``REF`` is looked up as given and Docker-normalised (``alpine`` ->
``docker.io/library/alpine:latest``). A leading ``NAMESPACE/`` is taken as a
namespace only when such a namespace exists and holds the image; otherwise the whole
string is a name in ``--containerd-namespace`` (``seawall-lab/app`` can be either).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import partial
from typing import BinaryIO

from seawall.errors import NotFoundError, ReferenceError_
from seawall.sources.containerd_api import ContainerdClient
from seawall.sources.image_reference import parse_reference
from seawall.sources.interface import (
    BlobLayerContent,
    ImageParts,
    ImageSource,
    SourceOptions,
)
from seawall.sources.manifest_resolution import (
    MAX_CONFIG_BYTES,
    MAX_MANIFEST_BYTES,
    check_config,
    resolve_manifest,
    verify_digest,
)
from seawall.sources.source_registry import register_source

_DEFAULT_ADDRESS = SourceOptions.containerd_address
_DEFAULT_NAMESPACE = SourceOptions.containerd_namespace


def containerd_address(options: SourceOptions) -> str:
    """``--containerd-address``, else ``CONTAINERD_ADDRESS`` (as ctr and trivy read it)."""
    if options.containerd_address != _DEFAULT_ADDRESS:
        return options.containerd_address
    return os.environ.get("CONTAINERD_ADDRESS") or options.containerd_address


def containerd_namespace(options: SourceOptions) -> str:
    """``--containerd-namespace``, else ``CONTAINERD_NAMESPACE``, else ``default``."""
    if options.containerd_namespace != _DEFAULT_NAMESPACE:
        return options.containerd_namespace
    return os.environ.get("CONTAINERD_NAMESPACE") or options.containerd_namespace


def name_candidates(ref: str) -> list[str]:
    """Names an image may be recorded under: as typed, then Docker-normalised."""
    names = [ref]
    try:
        normalised = str(parse_reference(ref))
    except ReferenceError_:
        return names
    if normalised not in names:
        names.append(normalised)
    return names


def lookups(ref: str, options: SourceOptions, namespaces: list[str]) -> list[tuple[str, str]]:
    """(namespace, name) pairs to try for ``ref``, most specific first."""
    pairs: list[tuple[str, str]] = []
    head, sep, rest = ref.partition("/")
    if sep and rest and head in namespaces:
        pairs += [(head, name) for name in name_candidates(rest)]
    pairs += [(containerd_namespace(options), name) for name in name_candidates(ref)]
    return pairs


def parts_from_content_store(
    ref: str,
    where: str,
    target_digest: str,
    target_media_type: str,
    read_blob: Callable[[str, int], bytes],
    open_blob: Callable[[str], BinaryIO],
    options: SourceOptions,
) -> ImageParts:
    """ImageParts from any content-addressed store (API or on-disk): read and verify
    the target manifest/index, pick the platform, read the config; layers stay lazy."""
    data = read_blob(target_digest, MAX_MANIFEST_BYTES)
    verify_digest(data, target_digest, f"{where}: manifest")

    def fetch(digest: str) -> tuple[bytes, str | None]:
        return read_blob(digest, MAX_MANIFEST_BYTES), None

    resolved = resolve_manifest(
        data, target_media_type, target_digest, fetch, options.platform, where
    )
    config_bytes = read_blob(resolved.config.digest, MAX_CONFIG_BYTES)
    check_config(config_bytes, resolved, where)
    return ImageParts(
        ref=ref,
        transport="containerd",
        config_bytes=config_bytes,
        layers=[
            BlobLayerContent(
                digest=layer.digest,
                media_type=layer.media_type,
                open_blob=partial(open_blob, layer.digest),
                size=layer.size,
            )
            for layer in resolved.layers
        ],
        manifest_bytes=resolved.manifest_bytes,
        manifest_digest=resolved.manifest_digest,
    )


@register_source
class ContainerdSource(ImageSource):
    """Images of a containerd namespace, by name."""

    transport = "containerd"

    def resolve(self, ref: str, options: SourceOptions) -> ImageParts:
        """Find the image record, then read manifest, config and layers by digest."""
        if options.host_root:
            from seawall.sources.containerd_storage import resolve_from_storage

            return resolve_from_storage(ref, options)
        client = ContainerdClient(containerd_address(options), containerd_namespace(options))
        try:
            return self._resolve(client, ref, options)
        except BaseException:
            client.close()
            raise

    def _resolve(self, client: ContainerdClient, ref: str, options: SourceOptions) -> ImageParts:
        namespaces = client.list_namespaces() if "/" in ref else []
        tried: list[str] = []
        for namespace, name in lookups(ref, options, namespaces):
            client.namespace = namespace
            try:
                image = client.get_image(name)
            except NotFoundError:
                tried.append(f"{namespace}/{name}")
                continue
            where = f"containerd image {name} (namespace {namespace})"
            parts = parts_from_content_store(
                f"containerd:{ref}",
                where,
                image.target.digest,
                image.target.media_type,
                self._reader(client, where),
                client.open_content,
                options,
            )
            for layer in parts.layers:
                assert isinstance(layer, BlobLayerContent)
                try:
                    client.content_size(layer.digest)
                except NotFoundError:
                    raise NotFoundError(
                        f"{where}: layer blob {layer.digest} not in the content store "
                        "(image pulled for another platform or content discarded?)"
                    ) from None
            parts.repo_tags = [name]
            parts.closers.append(client.close)
            return parts
        raise NotFoundError(f"containerd at {client.address}: no image {', '.join(tried)}")

    @staticmethod
    def _reader(client: ContainerdClient, where: str) -> Callable[[str, int], bytes]:
        def read(digest: str, limit: int) -> bytes:
            try:
                return client.read_content(digest, limit)
            except NotFoundError:
                raise NotFoundError(f"{where}: blob {digest} not in the content store") from None

        return read
