"""An installed package found in a target (the SBOM unit)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Package:
    """One installed package, OS or language level."""

    name: str
    """Name as the ecosystem spells it (binary package name for OS packages)."""
    version: str
    """Full version as the native tool prints it (epoch included for deb/rpm: ``1:2.3-4``)."""
    type: str
    """Ecosystem: deb, apk, rpm, pypi, npm, golang, maven, gem, cargo, composer, nuget."""
    purl: str = ""
    """Package URL (https://github.com/package-url/purl-spec)."""
    source_name: str | None = None
    """Source package name (deb/rpm/apk origin); vulnerabilities match on this for distros."""
    source_version: str | None = None
    """Source package version when it differs from ``version``."""
    arch: str | None = None
    """Architecture, when the ecosystem records one."""
    licenses: list[str] = field(default_factory=list)
    """Declared licenses (SPDX ids where the metadata allows)."""
    layer: str | None = None
    """diff_id of the layer that installed (last changed) the package's metadata."""
    path: str | None = None
    """File the package was read from (``/var/lib/dpkg/status``, a dist-info dir, a binary)."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Ecosystem-specific data (e.g. ``{"unmatched": "reason"}`` or go module info)."""

    def to_dict(self) -> dict[str, Any]:
        """JSON form for the report's ``packages`` list."""
        out: dict[str, Any] = {
            "name": self.name,
            "version": self.version,
            "type": self.type,
            "purl": self.purl,
        }
        for key in ("source_name", "source_version", "arch", "layer", "path"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        if self.licenses:
            out["licenses"] = list(self.licenses)
        if self.extra:
            out["extra"] = self.extra
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Package:
        """Inverse of :meth:`to_dict`."""
        return cls(
            name=str(data["name"]),
            version=str(data.get("version", "")),
            type=str(data.get("type", "")),
            purl=str(data.get("purl", "")),
            source_name=data.get("source_name"),
            source_version=data.get("source_version"),
            arch=data.get("arch"),
            licenses=list(data.get("licenses") or []),
            layer=data.get("layer"),
            path=data.get("path"),
            extra=dict(data.get("extra") or {}),
        )

    def sort_key(self) -> tuple[str, str, str, str]:
        """Stable ordering in reports."""
        return (self.type, self.name, self.version, self.path or "")
