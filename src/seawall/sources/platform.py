"""Platforms (``os/arch[/variant]``) and picking one manifest out of an index.

Matching follows containerd's ``platforms`` package in the essentials: architectures
are normalised (``x86_64`` -> ``amd64``, ``aarch64`` -> ``arm64``), ``arm64`` without
a variant equals ``arm64/v8``, and when the wanted platform has no variant any variant
of the architecture matches (the first listed wins, as ``docker pull`` does).
"""

from __future__ import annotations

import platform as host_platform
import re
from dataclasses import dataclass
from typing import Any

from seawall.errors import InputError, NotFoundError

_ARCH_ALIASES = {
    "x86_64": "amd64",
    "x86-64": "amd64",
    "aarch64": "arm64",
    "armhf": "arm",
    "armel": "arm",
    "i386": "386",
    "i686": "386",
}


@dataclass(frozen=True)
class Platform:
    """One ``os/arch[/variant]`` triple, normalised."""

    os: str
    architecture: str
    variant: str | None = None

    def __str__(self) -> str:
        text = f"{self.os}/{self.architecture}"
        return f"{text}/{self.variant}" if self.variant else text

    def matches(self, other: Platform) -> bool:
        """Does ``other`` (an index entry) satisfy this wanted platform?"""
        if self.os != other.os or self.architecture != other.architecture:
            return False
        if self.variant is None:
            return True
        return _canonical_variant(self.architecture, self.variant) == _canonical_variant(
            other.architecture, other.variant
        )


def _canonical_variant(arch: str, variant: str | None) -> str | None:
    if arch == "arm64" and variant in (None, "", "v8"):
        return "v8"
    return variant or None


def parse_platform(text: str) -> Platform:
    """``linux/arm64/v8`` -> Platform; raises :class:`InputError` on a malformed value."""
    parts = [p.strip().lower() for p in text.split("/")]
    if len(parts) not in (2, 3) or not all(parts):
        raise InputError(f"invalid platform {text!r} (expected os/arch[/variant])")
    arch = _ARCH_ALIASES.get(parts[1], parts[1])
    variant = parts[2] if len(parts) == 3 else None
    if parts[1] == "armhf" and variant is None:
        variant = "v7"
    return Platform(os=parts[0], architecture=arch, variant=variant)


def host() -> Platform:
    """The platform this process runs on (``linux/amd64`` on a typical server)."""
    machine = host_platform.machine().lower()
    variant = None
    arm = re.match(r"armv(\d+)", machine)
    if arm:
        variant, machine = f"v{arm.group(1)}", "arm"
    arch = _ARCH_ALIASES.get(machine, machine)
    return Platform(os="linux", architecture=arch, variant=variant)


def wanted_platform(option: str | None) -> Platform:
    """The ``--platform`` option parsed, or the host's platform."""
    return parse_platform(option) if option else host()


def platform_of(entry: dict[str, Any]) -> Platform | None:
    """The platform of an index entry / image config, None when absent."""
    plat = entry.get("platform", entry)
    if not isinstance(plat, dict):
        return None
    os_name, arch = plat.get("os"), plat.get("architecture")
    if not isinstance(os_name, str) or not isinstance(arch, str):
        return None
    variant = plat.get("variant")
    return Platform(
        os=os_name.lower(),
        architecture=_ARCH_ALIASES.get(arch.lower(), arch.lower()),
        variant=variant.lower() if isinstance(variant, str) and variant else None,
    )


def select_manifest(
    manifests: list[dict[str, Any]], option: str | None, where: str
) -> dict[str, Any]:
    """Pick the descriptor of ``manifests`` (an index's list) for ``option`` (or the
    host platform). Raises :class:`NotFoundError` naming the platforms available."""
    want = wanted_platform(option)
    available: list[str] = []
    for entry in manifests:
        plat = platform_of(entry) if isinstance(entry, dict) else None
        if plat is None or plat.os == "unknown":
            # Attestation manifests (buildx provenance/SBOM) carry unknown/unknown.
            continue
        available.append(str(plat))
        if want.matches(plat):
            return entry
    listed = ", ".join(available) or "none"
    raise NotFoundError(f"{where}: no manifest for platform {want} (available: {listed})")
