"""The report document every scanning command writes (DESIGN.md, "One report schema")."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from seawall.model.finding import Finding
from seawall.model.package import Package

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class ToolInfo:
    """Which tool wrote the report."""

    name: str = "seawall"
    version: str = ""


@dataclass
class OSInfo:
    """Operating system of the target, from os-release and friends."""

    family: str
    """Lower-case distro id: debian, ubuntu, alpine, rhel, centos, rocky, fedora, ..."""
    version: str
    """Version id as the distro writes it (``12``, ``3.19.1``, ``22.04``)."""
    name: str | None = None
    """Pretty name, when known."""
    codename: str | None = None
    """Release codename (bookworm, jammy), when known."""
    eol: bool | None = None
    """True when the release is past its end of life (None: unknown)."""

    def to_dict(self) -> dict[str, Any]:
        """JSON form: only the fields that are set."""
        return {k: v for k, v in self.__dict__.items() if v is not None}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> OSInfo:
        """Inverse of :meth:`to_dict`."""
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


@dataclass
class TargetInfo:
    """What was scanned."""

    kind: str
    """image | container | directory | cluster | host | events | config"""
    ref: str
    """What the user typed."""
    digest: str | None = None
    """Image (manifest) digest or image id, ``sha256:...``."""
    os: OSInfo | None = None
    """Detected operating system."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Kind-specific metadata (layers, platform, container state ...)."""

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        out: dict[str, Any] = {"kind": self.kind, "ref": self.ref}
        if self.digest:
            out["digest"] = self.digest
        if self.os is not None:
            out["os"] = self.os.to_dict()
        if self.extra:
            out.update({k: v for k, v in self.extra.items() if k not in out})
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TargetInfo:
        """Inverse of :meth:`to_dict`."""
        known = {"kind", "ref", "digest", "os"}
        os_data = data.get("os")
        return cls(
            kind=str(data.get("kind", "")),
            ref=str(data.get("ref", "")),
            digest=data.get("digest"),
            os=OSInfo.from_dict(os_data) if os_data else None,
            extra={k: v for k, v in data.items() if k not in known},
        )


@dataclass(frozen=True)
class ErrorEntry:
    """Something that went wrong without stopping the scan."""

    scope: str
    """The analyzer, plugin or layer that failed (``plugin:foo``, ``analyzer:secret``)."""
    message: str
    """One line saying what and, where known, which file."""

    def to_dict(self) -> dict[str, str]:
        """JSON form."""
        return {"scope": self.scope, "message": self.message}


@dataclass(frozen=True)
class CoverageNote:
    """A check that ran with a bounded effort and stopped short (a weak-password
    dictionary cut by its time budget). Not a failure: the scan looked everywhere it
    was asked to, and the note says how far one check went."""

    scope: str
    """The analyzer or plugin (``analyzer:weakpass``)."""
    message: str
    """One line: what was limited, how far it got, which knob widens it."""

    def to_dict(self) -> dict[str, str]:
        """JSON form."""
        return {"scope": self.scope, "message": self.message}


@dataclass
class Stats:
    """How much work the scan did."""

    duration_s: float = 0.0
    files: int = 0
    bytes: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"duration_s": round(self.duration_s, 3), "files": self.files, "bytes": self.bytes}


@dataclass
class Report:
    """The whole document. Rendered by ``seawall.report`` in every output format."""

    target: TargetInfo
    tool: ToolInfo = field(default_factory=ToolInfo)
    packages: list[Package] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    errors: list[ErrorEntry] = field(default_factory=list)
    stats: Stats = field(default_factory=Stats)
    suppressed: list[Finding] = field(default_factory=list)
    """Findings hidden by ignore files, VEX, baselines or inline exceptions."""
    notes: list[CoverageNote] = field(default_factory=list)
    """Checks that stopped at a bounded effort (not failures: see CoverageNote)."""

    @property
    def complete(self) -> bool:
        """True when the scan looked everywhere it was asked to: any error entry (an
        analyzer, plugin, layer, file or directory that could not be read) makes the
        report incomplete, and an incomplete report fails the gate with exit 4."""
        return not self.errors

    def to_dict(self) -> dict[str, Any]:
        """JSON form with stable ordering (the same scan gives the same bytes)."""
        out: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "tool": {"name": self.tool.name, "version": self.tool.version},
            "target": self.target.to_dict(),
            "packages": [p.to_dict() for p in sorted(self.packages, key=Package.sort_key)],
            "findings": [f.to_dict() for f in sorted(self.findings, key=Finding.sort_key)],
            "errors": [e.to_dict() for e in self.errors],
            "complete": self.complete,
            "notes": [n.to_dict() for n in self.notes],
            "stats": self.stats.to_dict(),
        }
        if self.suppressed:
            out["suppressed"] = [
                f.to_dict() for f in sorted(self.suppressed, key=Finding.sort_key)
            ]
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        """Rebuild a report from its JSON document (``seawall convert``, baselines)."""
        tool = data.get("tool") or {}
        stats = data.get("stats") or {}
        return cls(
            target=TargetInfo.from_dict(data.get("target") or {}),
            tool=ToolInfo(name=tool.get("name", "seawall"), version=tool.get("version", "")),
            packages=[Package.from_dict(p) for p in data.get("packages") or []],
            findings=[Finding.from_dict(f) for f in data.get("findings") or []],
            errors=[
                ErrorEntry(str(e["scope"]), str(e["message"])) for e in data.get("errors") or []
            ],
            stats=Stats(
                duration_s=float(stats.get("duration_s", 0.0)),
                files=int(stats.get("files", 0)),
                bytes=int(stats.get("bytes", 0)),
            ),
            suppressed=[Finding.from_dict(f) for f in data.get("suppressed") or []],
            notes=[
                CoverageNote(str(n["scope"]), str(n["message"])) for n in data.get("notes") or []
            ],
        )
