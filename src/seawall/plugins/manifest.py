"""The plugin manifest: what ``PLUGIN info`` prints, validated.

Veinmind-compatible at its core (``manifestVersion``, ``name``, ``version``,
``author``, ``description``, ``tags``, ``commands[{type, path, data}]``) plus
seawall fields: ``timeout`` (seconds per target) and ``memoryLimitMB``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

MANIFEST_VERSION = 1

#: What a command can scan; the host picks commands by the target's kind.
COMMAND_TYPES = ("image", "container", "rootfs", "config", "cluster", "events")

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_PATH_PART = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
_KNOWN_KEYS = {
    "manifestVersion",
    "name",
    "version",
    "author",
    "description",
    "tags",
    "commands",
    "timeout",
    "memoryLimitMB",
}


class ManifestError(ValueError):
    """A manifest that does not follow the schema (message names the field)."""


@dataclass(frozen=True)
class PluginCommand:
    """One thing a plugin can do."""

    type: str
    """Target kind it scans: one of :data:`COMMAND_TYPES`."""
    path: tuple[str, ...]
    """Sub-command path given as argv when hosted (``("scan", "image")``)."""
    data: dict[str, Any] = field(default_factory=dict)
    """Free-form command metadata (kept for Veinmind compatibility)."""

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"type": self.type, "path": list(self.path), "data": dict(self.data)}


@dataclass(frozen=True)
class PluginManifest:
    """A validated manifest."""

    name: str
    version: str
    commands: tuple[PluginCommand, ...]
    author: str = ""
    description: str = ""
    tags: tuple[str, ...] = ()
    timeout: float | None = None
    """Seconds the plugin may run per target (None: the host default)."""
    memory_limit_mb: int | None = None
    """Address-space limit in MiB (None: the host default)."""
    manifest_version: int = MANIFEST_VERSION

    def command_for(self, types: Sequence[str]) -> PluginCommand | None:
        """The first command whose type is in ``types``, tried in that order."""
        for wanted in types:
            for cmd in self.commands:
                if cmd.type == wanted:
                    return cmd
        return None

    def to_dict(self) -> dict[str, Any]:
        """The manifest as ``PLUGIN info`` prints it."""
        out: dict[str, Any] = {
            "manifestVersion": self.manifest_version,
            "name": self.name,
            "version": self.version,
            "author": self.author,
            "description": self.description,
            "tags": list(self.tags),
            "commands": [c.to_dict() for c in self.commands],
        }
        if self.timeout is not None:
            out["timeout"] = self.timeout
        if self.memory_limit_mb is not None:
            out["memoryLimitMB"] = self.memory_limit_mb
        return out


def _str(data: dict[str, Any], key: str, required: bool = False, limit: int = 1000) -> str:
    value = data.get(key)
    if value is None:
        if required:
            raise ManifestError(f"missing {key!r}")
        return ""
    if not isinstance(value, str) or len(value) > limit:
        raise ManifestError(f"{key!r} must be a string of at most {limit} characters")
    return value


def _command(raw: Any, index: int) -> PluginCommand:
    if not isinstance(raw, dict):
        raise ManifestError(f"commands[{index}] is not an object")
    ctype = raw.get("type")
    if ctype not in COMMAND_TYPES:
        raise ManifestError(
            f"commands[{index}].type {ctype!r} is not one of {', '.join(COMMAND_TYPES)}"
        )
    path = raw.get("path", [])
    if not isinstance(path, list) or not all(
        isinstance(p, str) and _PATH_PART.match(p) for p in path
    ):
        raise ManifestError(f"commands[{index}].path must be a list of plain words")
    data = raw.get("data") or {}
    if not isinstance(data, dict):
        raise ManifestError(f"commands[{index}].data must be an object")
    return PluginCommand(type=ctype, path=tuple(path), data=data)


def parse_manifest(data: Any) -> PluginManifest:
    """Validate a decoded manifest; raises :class:`ManifestError` naming the field.
    Unknown keys are an error too (a typo'd ``timout`` must not silently vanish)."""
    if not isinstance(data, dict):
        raise ManifestError("manifest is not a JSON object")
    if data.get("manifestVersion") != MANIFEST_VERSION:
        raise ManifestError(
            f"manifestVersion {data.get('manifestVersion')!r} is not {MANIFEST_VERSION}"
        )
    unknown = sorted(set(data) - _KNOWN_KEYS)
    if unknown:
        raise ManifestError(f"unknown field(s) {', '.join(map(repr, unknown))}")
    name = _str(data, "name", required=True, limit=64)
    if not _NAME.match(name):
        raise ManifestError(f"name {name!r} must be letters, digits, '.', '_' or '-'")
    commands = data.get("commands")
    if not isinstance(commands, list) or not commands:
        raise ManifestError("'commands' must be a non-empty list")
    tags = data.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise ManifestError("'tags' must be a list of strings")
    timeout = data.get("timeout")
    if timeout is not None and (
        isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0
    ):
        raise ManifestError("'timeout' must be a positive number of seconds")
    memory = data.get("memoryLimitMB")
    if memory is not None and (
        isinstance(memory, bool) or not isinstance(memory, int) or memory < 16
    ):
        raise ManifestError("'memoryLimitMB' must be an integer >= 16")
    return PluginManifest(
        name=name,
        version=_str(data, "version", required=True, limit=64),
        commands=tuple(_command(c, i) for i, c in enumerate(commands)),
        author=_str(data, "author"),
        description=_str(data, "description"),
        tags=tuple(tags),
        timeout=float(timeout) if timeout is not None else None,
        memory_limit_mb=memory,
    )
