"""Transport ``docker://``: images straight from a registry (OCI distribution v2).

Only the manifest(s) and the config are downloaded while resolving; layer blobs are
opened lazily by the layer store, which skips the download entirely when it already
holds the layer's diff_id from an earlier scan, and verifies the blob digest while it
decompresses. The registry connection lives until the image is closed.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from seawall.errors import DigestMismatchError
from seawall.sources.image_reference import parse_reference
from seawall.sources.interface import BlobLayerContent, ImageParts, ImageSource, SourceOptions
from seawall.sources.manifest_resolution import (
    ACCEPT_ALL,
    MAX_CONFIG_BYTES,
    MAX_MANIFEST_BYTES,
    check_config,
    check_digest_syntax,
    digest_of,
    resolve_manifest,
    verify_digest,
)
from seawall.sources.source_registry import register_source

if TYPE_CHECKING:
    from seawall.sources.registry_client import RegistryClient


@register_source
class DistributionSource(ImageSource):
    """``docker://[REGISTRY/]REPO[:TAG|@DIGEST]`` (Docker Hub when no registry)."""

    transport = "docker"

    def resolve(self, ref: str, options: SourceOptions) -> ImageParts:
        """Fetch and verify manifest and config; layers stay lazy blob streams."""
        # imported on use: httpx costs ~0.2 s to load, and most scans are local
        from seawall.sources.registry_client import RegistryClient

        reference = parse_reference(ref.removeprefix("//"))
        client = RegistryClient(reference, options)
        try:
            return self._resolve(client, options)
        except BaseException:
            client.close()
            raise

    def _resolve(self, client: RegistryClient, options: SourceOptions) -> ImageParts:
        ref = client.ref
        where = str(ref)
        data, headers = client.fetch_bytes(
            f"manifests/{ref.manifest_reference}",
            f"manifest {ref.manifest_reference}",
            MAX_MANIFEST_BYTES,
            accept=ACCEPT_ALL,
        )
        if ref.digest:
            verify_digest(data, ref.digest, f"{where}: manifest")
            digest = ref.digest
        else:
            digest = digest_of(data)
            served = headers.get("docker-content-digest")
            if served:
                algorithm = check_digest_syntax(served, f"{where}: Docker-Content-Digest")
                if digest_of(data, algorithm.partition(":")[0]) != served:
                    raise DigestMismatchError(
                        f"{where}: manifest does not match Docker-Content-Digest {served}"
                    )

        def fetch_child(child: str) -> tuple[bytes, str | None]:
            body, child_headers = client.fetch_bytes(
                f"manifests/{child}", f"manifest {child}", MAX_MANIFEST_BYTES, accept=ACCEPT_ALL
            )
            return body, child_headers.get("content-type")

        resolved = resolve_manifest(
            data, headers.get("content-type"), digest, fetch_child, options.platform, where
        )
        config_bytes, _ = client.fetch_bytes(
            f"blobs/{resolved.config.digest}", "image config", MAX_CONFIG_BYTES
        )
        check_config(config_bytes, resolved, where)
        layers = [
            BlobLayerContent(
                digest=layer.digest,
                media_type=layer.media_type,
                open_blob=partial(client.open_blob, layer.digest),
                size=layer.size,
            )
            for layer in resolved.layers
        ]
        return ImageParts(
            ref=f"docker://{ref}",
            transport=self.transport,
            config_bytes=config_bytes,
            layers=list(layers),
            manifest_bytes=resolved.manifest_bytes,
            manifest_digest=resolved.manifest_digest,
            repo_tags=[ref.familiar] if ref.tag else [],
            repo_digests=[f"{ref.name}@{resolved.manifest_digest}"],
            closers=[client.close],
        )
