"""What the local engines hold: images and containers of docker, podman and
containerd, for ``seawall ls``. Engines that are not running are reported as notes,
not errors, so one missing engine never hides the others.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from seawall.errors import SeawallError
from seawall.sources.containerd import containerd_address, parts_from_content_store
from seawall.sources.containerd_api import ContainerdClient
from seawall.sources.engine_client import Engine, connect, docker_engine, podman_engine
from seawall.sources.interface import SourceOptions
from seawall.sources.manifest_resolution import digest_of


@dataclass(frozen=True)
class ImageEntry:
    """One image of one engine."""

    engine: str
    """docker | podman | containerd"""
    id: str
    """Image ID (sha256 of the config), the same across engines."""
    tags: list[str]
    """Names (``name:tag``); containerd: the image record name."""
    namespace: str | None = None
    """containerd namespace."""
    size: int | None = None
    created: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass(frozen=True)
class ContainerEntry:
    """One container of one engine."""

    engine: str
    id: str
    name: str
    image: str
    image_id: str
    state: str

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return asdict(self)


@dataclass
class Inventory:
    """Listing results plus notes about engines that could not be asked."""

    images: list[ImageEntry] = field(default_factory=list)
    containers: list[ContainerEntry] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _api_engines(options: SourceOptions) -> list[Engine]:
    return [docker_engine(options), podman_engine(options)]


def _engine_images(engine: Engine, inventory: Inventory) -> None:
    client = connect(engine)
    try:
        for image in client.images.list():
            attrs = image.attrs
            inventory.images.append(
                ImageEntry(
                    engine=engine.name,
                    id=str(image.id),
                    tags=list(image.tags),
                    size=attrs.get("Size"),
                    created=attrs.get("Created"),
                )
            )
    finally:
        client.close()


def _engine_containers(engine: Engine, inventory: Inventory) -> None:
    client = connect(engine)
    try:
        for container in client.containers.list(all=True):
            attrs = container.attrs
            config = attrs.get("Config") or {}
            state = attrs.get("State")
            inventory.containers.append(
                ContainerEntry(
                    engine=engine.name,
                    id=str(container.id),
                    name=str(container.name),
                    image=str(config.get("Image") or attrs.get("Image") or ""),
                    image_id=str(attrs.get("Image") or attrs.get("ImageID") or ""),
                    state=str(state.get("Status") if isinstance(state, dict) else state),
                )
            )
    finally:
        client.close()


def _containerd_images(options: SourceOptions, inventory: Inventory) -> None:
    client = ContainerdClient(containerd_address(options), "default")
    try:
        for namespace in client.list_namespaces():
            client.namespace = namespace
            for record in client.list_images():
                where = f"containerd image {record.name} (namespace {namespace})"
                try:
                    parts = parts_from_content_store(
                        record.name,
                        where,
                        record.target.digest,
                        record.target.media_type,
                        client.read_content,
                        client.open_content,
                        options,
                    )
                    image_id = digest_of(parts.config_bytes)
                except SeawallError as exc:
                    inventory.notes.append(f"{where}: {exc}")
                    continue
                inventory.images.append(
                    ImageEntry(
                        engine="containerd",
                        id=image_id,
                        tags=[record.name],
                        namespace=namespace,
                        size=record.target.size,
                    )
                )
    finally:
        client.close()


def take_inventory(options: SourceOptions, what: str) -> Inventory:
    """``what`` is ``images`` or ``containers``."""
    inventory = Inventory()
    steps: list[tuple[str, Callable[[], None]]] = []
    for engine in _api_engines(options):
        lister = _engine_images if what == "images" else _engine_containers
        steps.append((engine.name, lambda e=engine, f=lister: f(e, inventory)))  # type: ignore[misc]
    if what == "images":
        steps.append(("containerd", lambda: _containerd_images(options, inventory)))
    for name, step in steps:
        try:
            step()
        except SeawallError as exc:
            inventory.notes.append(f"{name}: skipped ({exc})")
    return inventory
