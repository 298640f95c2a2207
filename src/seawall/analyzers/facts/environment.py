"""The environment a target's processes start with, and the metadata that travels with
it: image config ``Env``/``Labels`` and history, or a container's inspect ``Env``/
``Labels``. This is the one place that knows where each target kind keeps them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from seawall.sources.interface import Target


@dataclass(frozen=True)
class HistoryStep:
    """One step of an image's build history."""

    index: int
    """Position in the config's ``history`` list."""
    created_by: str
    """The command that made the step (build arguments show up as ``|N A=1 ...``)."""
    layer: str | None
    """diff_id of the layer the step made; None for empty (metadata-only) steps."""


@dataclass(frozen=True)
class TargetEnvironment:
    """``Env``, ``Labels`` and history of a target (empty for directories and hosts)."""

    origin: str = "target"
    """Who set them: ``image`` (image config), ``container`` (inspect) or ``target``
    (a directory or host: nothing)."""
    env: tuple[str, ...] = ()
    """``KEY=VALUE`` strings, as the config lists them (non-strings dropped)."""
    labels: Mapping[str, str] = field(default_factory=dict)
    """Labels (image config or container)."""
    history: tuple[HistoryStep, ...] = ()
    """Build history (images only)."""
    container: str | None = None
    """The container's name (containers only)."""

    def pairs(self) -> list[tuple[str, str]]:
        """``(NAME, value)`` of every ``NAME=value`` entry (entries without ``=`` dropped)."""
        out = []
        for item in self.env:
            if "=" in item:
                name, _, value = item.partition("=")
                out.append((name, value))
        return out

    def value(self, name: str) -> str | None:
        """The value of variable ``name`` (the last definition wins, as in docker)."""
        found = None
        for key, value in self.pairs():
            if key == name:
                found = value
        return found


def history_steps(config: Mapping[str, Any]) -> tuple[HistoryStep, ...]:
    """The steps of an OCI image config's ``history``, each with the layer it made."""
    diff_ids = list((config.get("rootfs") or {}).get("diff_ids") or [])
    out = []
    layer_i = 0
    for i, h in enumerate(config.get("history") or []):
        if not isinstance(h, Mapping):
            continue
        layer = None
        if not h.get("empty_layer"):
            layer = diff_ids[layer_i] if layer_i < len(diff_ids) else None
            layer_i += 1
        out.append(HistoryStep(i, str(h.get("created_by") or ""), layer))
    return tuple(out)


def _strings(values: Any) -> tuple[str, ...]:
    return tuple(v for v in values if isinstance(v, str)) if isinstance(values, list) else ()


def _labels(labels: Any) -> dict[str, str]:
    if not isinstance(labels, Mapping):
        return {}
    return {str(k): str(v) for k, v in labels.items()}


def image_environment(config: Mapping[str, Any]) -> TargetEnvironment:
    """The environment an OCI image config document sets (``config.Env``,
    ``config.Labels``, ``history``)."""
    inner = config.get("config") or {}
    return TargetEnvironment("image", _strings(inner.get("Env")), _labels(inner.get("Labels")),
                             history_steps(config))


def container_environment(inspect: Mapping[str, Any]) -> TargetEnvironment:
    """The environment of a container's inspect document (``Config.Env``,
    ``Config.Labels``, ``Name``)."""
    inner = inspect.get("Config") or {}
    name = str(inspect.get("Name") or inspect.get("Id") or "").lstrip("/")
    return TargetEnvironment("container", _strings(inner.get("Env")),
                             _labels(inner.get("Labels")), container=name or None)


def target_environment(target: Target) -> TargetEnvironment:
    """The environment of an image, a container, or nothing for other targets."""
    from seawall.sources.interface import Container, Image

    if isinstance(target, Image):
        return image_environment(target.config)
    if isinstance(target, Container):
        return container_environment(target.inspect)
    return TargetEnvironment()
