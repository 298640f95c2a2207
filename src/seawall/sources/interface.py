"""What sources produce: Images and Containers, plus the parts a source hands over to
build an Image (config, manifest, layer contents).

A *source* knows one transport (``docker-archive:``, ``docker://``, ...) and turns a
reference into :class:`ImageParts`; :func:`seawall.sources.image.build_image` turns
parts into an :class:`Image` whose layers and filesystem come from ``seawall.fs``.
Sources never unpack anything themselves and never trust sizes or digests they are
told: every blob is verified when read.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Self

from seawall.fs.cache_space import default_max_image_size
from seawall.fs.interface import FileSystem
from seawall.fs.layer_cache import default_cache_dir
from seawall.fs.layer_content import (  # noqa: F401 - part of the sources vocabulary
    BlobLayerContent,
    DirectoryLayerContent,
    LayerContent,
)
from seawall.model.report import OSInfo, TargetInfo


@dataclass(frozen=True)
class SourceOptions:
    """Everything a source may need; CLI flags and ``SEAWALL_*`` variables fill it."""

    platform: str | None = None
    """``os/arch[/variant]`` to pick from a manifest list (default: the host's)."""
    username: str | None = None
    password: str | None = None
    insecure: bool = False
    """Allow plain-HTTP and unverified-TLS registries."""
    docker_host: str | None = None
    """Docker Engine API address (``unix:///var/run/docker.sock``); DOCKER_HOST if None."""
    podman_host: str | None = None
    """Podman's Docker-compatible API socket."""
    containerd_address: str = "/run/containerd/containerd.sock"
    containerd_namespace: str = "default"
    host_root: str | None = None
    """Read Docker/containerd storage straight from disk under this root (``/host``)."""
    docker_root: str = "/var/lib/docker"
    """Docker's data root, inside ``host_root`` (``--docker-root``)."""
    containerd_root: str = "/var/lib/containerd"
    """containerd's root directory, inside ``host_root`` (``--containerd-root``)."""
    max_image_size: int | None = None
    """Total uncompressed bytes an image may expand to (tar/gzip bomb guard); None:
    sized to the cache's disk (:meth:`image_size_limit`)."""
    cache_dir: str | None = None
    """Layer cache directory (default ``~/.cache/seawall``; ``SEAWALL_CACHE_DIR``)."""
    retries: int = 3
    """Network retries with exponential backoff."""

    def image_size_limit(self) -> int:
        """``max_image_size``, or when unset 90% of the free space on the cache's disk,
        1 to 20 GiB (:func:`seawall.fs.cache_space.default_max_image_size`)."""
        if self.max_image_size is not None:
            return self.max_image_size
        return default_max_image_size(self.cache_dir or default_cache_dir())


@dataclass
class ImageParts:
    """What a source resolved a reference to, before any layer is read."""

    ref: str
    """What the user typed."""
    transport: str
    """Transport that resolved it (``docker-archive``, ``docker``, ``containerd`` ...)."""
    config_bytes: bytes
    """Raw image config JSON; its sha256 is the image ID (``image.digest``)."""
    layers: list[LayerContent]
    """Layer contents bottom to top, matching ``rootfs.diff_ids`` one to one."""
    manifest_bytes: bytes | None = None
    manifest_digest: str | None = None
    repo_tags: list[str] = field(default_factory=list)
    repo_digests: list[str] = field(default_factory=list)
    closers: list[Callable[[], None]] = field(default_factory=list)
    """Called by ``Image.close()`` (temp files, sockets)."""


@dataclass(frozen=True)
class LayerInfo:
    """Metadata of one image layer."""

    index: int
    diff_id: str
    """sha256 of the uncompressed tar (from the image config)."""
    digest: str
    """Digest of the blob as the source stores it (compressed or not)."""
    size: int | None
    """Blob size as stored, when known."""
    media_type: str
    created_by: str | None = None
    """The history ``created_by`` of the step that made this layer."""
    created: str | None = None


class Layer(ABC):
    """One layer of an image: its metadata and a filesystem of just its entries
    (whiteout markers are not shown as files; see :attr:`whiteouts`)."""

    info: LayerInfo

    @property
    def diff_id(self) -> str:
        """Shortcut for ``info.diff_id``."""
        return self.info.diff_id

    @property
    @abstractmethod
    def fs(self) -> FileSystem:
        """This layer's own files (indexed on first use, cached by diff_id)."""

    @property
    @abstractmethod
    def whiteouts(self) -> list[str]:
        """Paths this layer deletes from lower layers; opaque dirs end with ``/``."""


class Target(ABC):
    """Anything an analyzer can scan: it has a kind, a reference and a filesystem."""

    kind: ClassVar[str]
    """image | container | directory | host"""

    ref: str

    @property
    @abstractmethod
    def fs(self) -> FileSystem:
        """The target's (merged) filesystem."""

    @property
    @abstractmethod
    def os(self) -> OSInfo | None:
        """Detected OS, or None when nothing identifies it."""

    @abstractmethod
    def target_info(self) -> TargetInfo:
        """The report's ``target`` object."""

    def close(self) -> None:  # noqa: B027 - optional hook, most targets hold nothing
        """Release temp files and connections (idempotent)."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Image(Target):
    """A container image from any source."""

    kind = "image"

    @property
    @abstractmethod
    def digest(self) -> str:
        """Image ID: ``sha256:`` of the config blob, the same from every source."""

    @property
    @abstractmethod
    def manifest_digest(self) -> str | None:
        """Digest of the manifest the source served, when there is one."""

    @property
    @abstractmethod
    def config(self) -> dict[str, Any]:
        """The OCI image config (``{"architecture", "os", "config", "rootfs", "history"}``)."""

    @property
    @abstractmethod
    def layers(self) -> list[Layer]:
        """Layers bottom to top."""

    @property
    @abstractmethod
    def repo_tags(self) -> list[str]:
        """Known tags (``name:tag``)."""


@dataclass(frozen=True)
class ProcessInfo:
    """A process of a running container, as ``docker top`` / procfs sees it."""

    pid: int
    ppid: int
    user: str
    cmdline: list[str]
    exe: str | None = None


class Container(Target):
    """A running or stopped container."""

    kind = "container"

    @property
    @abstractmethod
    def id(self) -> str:
        """Full container ID."""

    @property
    @abstractmethod
    def name(self) -> str:
        """Container name without the leading slash."""

    @property
    @abstractmethod
    def state(self) -> str:
        """running | exited | created | paused | ..."""

    @property
    @abstractmethod
    def inspect(self) -> dict[str, Any]:
        """The engine's inspect document (``docker inspect``)."""

    @property
    @abstractmethod
    def image_id(self) -> str:
        """ID of the image the container was created from."""

    @abstractmethod
    def processes(self) -> list[ProcessInfo]:
        """Processes now running in the container (empty when stopped)."""


class ImageSource(ABC):
    """Resolves references of one transport. Register implementations with
    :func:`seawall.sources.source_registry.register_source`."""

    transport: ClassVar[str]
    """The prefix before ``:`` in a reference (``docker-archive``, ``oci``, ...)."""

    @abstractmethod
    def resolve(self, ref: str, options: SourceOptions) -> ImageParts:
        """Turn the part after ``transport:`` into image parts. Raise
        :class:`seawall.errors.NotFoundError` when the source does not have the image
        (so a bare name can fall through to the next source) and another
        :class:`seawall.errors.SeawallError` for everything else."""
