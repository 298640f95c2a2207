"""Transport ``docker-daemon:NAME[:TAG]|ID``: images of a local Docker engine.

The image is resolved with ``inspect`` and exported with ``docker save`` streamed into
a work file in this process's work space of the seawall cache directory (never ``/tmp``:
images are big and the cache volume is where space was provisioned; a full disk says
so); the ``docker-archive`` source then indexes that tar. With ``--host-root`` the
image is read straight from Docker's overlay2 storage instead
(:mod:`seawall.sources.docker_storage`): no daemon, no save.

:class:`EngineImageSource` is shared with Podman, whose service speaks the same API.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from typing import TYPE_CHECKING, ClassVar

from seawall.errors import NotFoundError, SizeLimitError, SourceUnavailableError
from seawall.fs.cache_space import disk_full_as_error, format_size, write_all
from seawall.fs.layer_cache import LayerCache
from seawall.sources.engine_client import Engine, connect, docker_engine
from seawall.sources.interface import ImageParts, ImageSource, SourceOptions
from seawall.sources.source_registry import register_source

if TYPE_CHECKING:
    import docker

_SAVE_CHUNK = 4 * 1024 * 1024


def _remove(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


class EngineImageSource(ImageSource):
    """Images of a Docker-API engine, exported with ``save``."""

    engine_label: ClassVar[str] = "docker"

    def engine(self, options: SourceOptions) -> Engine:
        """Where the engine listens."""
        return docker_engine(options)

    def resolve(self, ref: str, options: SourceOptions) -> ImageParts:
        """Inspect, save to a work file, index it as a docker-archive."""
        client = connect(self.engine(options))
        try:
            return self._resolve(client, ref, options)
        finally:
            client.close()

    def _resolve(self, client: docker.DockerClient, ref: str, options: SourceOptions) -> ImageParts:
        import docker.errors  # imported on use: the SDK costs ~0.3 s to load
        import requests

        label = self.engine_label
        try:
            image = client.images.get(ref)
        except docker.errors.ImageNotFound:
            raise NotFoundError(f"{label} engine has no image {ref!r}") from None
        except docker.errors.APIError as exc:
            if exc.status_code == 404:
                raise NotFoundError(f"{label} engine has no image {ref!r}") from None
            raise SourceUnavailableError(f"{label} engine: inspect {ref!r} failed: {exc}") from None
        except (docker.errors.DockerException, requests.RequestException) as exc:
            raise SourceUnavailableError(f"{label} engine: inspect {ref!r} failed: {exc}") from None
        cache = LayerCache(options.cache_dir)
        limit = options.image_size_limit()
        with disk_full_as_error(cache.root):
            fd, path = tempfile.mkstemp(
                prefix=f"{label}-save-", suffix=".tar", dir=cache.scratch_dir
            )
        try:
            try:
                written = 0
                for chunk in client.api.get_image(image.id, chunk_size=_SAVE_CHUNK):
                    written += len(chunk)
                    if written > limit:
                        raise SizeLimitError(
                            f"{label} image {ref!r}: export exceeds the maximum image size "
                            f"of {format_size(limit)} (--max-image-size)"
                        )
                    write_all(fd, chunk, cache.root)
            finally:
                os.close(fd)
            parts = parts_from_saved_archive(path, options)
        except (docker.errors.DockerException, requests.RequestException, OSError) as exc:
            _remove(path)
            raise SourceUnavailableError(f"{label} engine: save {ref!r} failed: {exc}") from None
        except BaseException:
            _remove(path)
            raise
        parts.transport = self.transport
        parts.repo_tags = list(image.tags)
        parts.repo_digests = list(image.attrs.get("RepoDigests") or [])
        parts.closers.append(lambda: _remove(path))
        return parts


def parts_from_saved_archive(path: str, options: SourceOptions) -> ImageParts:
    """Index a ``docker save`` tar with the docker-archive source's parser."""
    from seawall.sources.docker_archive import DockerArchiveSource

    return DockerArchiveSource().resolve(path, options)


@register_source
class DockerDaemonSource(EngineImageSource):
    """``docker-daemon:`` (the Docker engine at ``DOCKER_HOST``)."""

    transport = "docker-daemon"

    def resolve(self, ref: str, options: SourceOptions) -> ImageParts:
        """From storage with ``--host-root``, else through the engine API."""
        if options.host_root:
            from seawall.sources.docker_storage import resolve_from_storage

            return resolve_from_storage(ref, options)
        return super().resolve(ref, options)
