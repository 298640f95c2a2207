"""A finding: one thing a scanner says is wrong, as data (never prose)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class Severity(str, Enum):
    """Severity levels, ordered; compare with :meth:`rank`.

    ``unknown`` is what a vulnerability gets when its data (the record, the distro,
    every alias) gives neither a label nor a CVSS vector: it is a real finding whose
    weight nobody published, so it ranks above ``info`` (a remark, not a problem) and
    below ``low``, as Trivy's UNKNOWN does.
    """

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    UNKNOWN = "unknown"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Higher is worse: info=0, unknown=1, low=2 … critical=5."""
        return _RANK[self]

    @classmethod
    def parse(cls, value: str) -> Severity:
        """Parse a severity name case-insensitively (``negligible``/``none`` map to info)."""
        v = value.strip().lower()
        if v in ("negligible", "none", "unimportant"):
            return cls.INFO
        if v == "moderate":
            return cls.MEDIUM
        if v == "important":
            return cls.HIGH
        return cls(v)


_RANK = {
    Severity.INFO: 0,
    Severity.UNKNOWN: 1,
    Severity.LOW: 2,
    Severity.MEDIUM: 3,
    Severity.HIGH: 4,
    Severity.CRITICAL: 5,
}


class Category(str, Enum):
    """What kind of problem a finding is."""

    VULNERABILITY = "vulnerability"
    SECRET = "secret"
    MALWARE = "malware"
    BACKDOOR = "backdoor"
    WEAKPASS = "weakpass"
    PRIVESC = "privesc"
    MISCONFIG = "misconfig"
    RUNTIME = "runtime"
    ESCAPE = "escape"
    AUDIT = "audit"
    HOST = "host"


@dataclass(frozen=True)
class Location:
    """Where a finding is. Every field is optional; fill what applies."""

    path: str | None = None
    """Absolute path inside the target filesystem (``/etc/shadow``), or a file path for IaC."""
    layer: str | None = None
    """diff_id of the image layer that holds the offending content."""
    line: int | None = None
    """1-based line number in ``path``."""
    resource: str | None = None
    """``Kind/namespace/name`` for Kubernetes objects, service name for compose, etc."""
    container: str | None = None
    """Container name or ID (runtime findings, or the container inside a pod spec)."""

    def to_dict(self) -> dict[str, Any]:
        """JSON form: only the fields that are set."""
        return {k: v for k, v in self.__dict__.items() if v is not None}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Location:
        """Inverse of :meth:`to_dict`; unknown keys are ignored."""
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


@dataclass(frozen=True)
class PackageRef:
    """The package a vulnerability finding is about."""

    name: str
    """Package name as the ecosystem spells it."""
    version: str
    """Installed version."""
    fixed_version: str | None = None
    """First version that fixes it (comma-separated when several branches fix it)."""
    type: str | None = None
    """Ecosystem type (deb, apk, pypi, ...)."""
    purl: str | None = None
    """Package URL of the installed package."""

    def to_dict(self) -> dict[str, Any]:
        """JSON form: only the fields that are set."""
        return {k: v for k, v in self.__dict__.items() if v is not None}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PackageRef:
        """Inverse of :meth:`to_dict`."""
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


#: ``Finding.extra`` key naming the fact behind a finding, shared by every scanner that
#: can report it (``setuid:<path>``, ``empty-password:<path>:<account>``).
SUBJECT_KEY = "same_fact"


def empty_password_subject(path: str, account: str) -> str:
    """The subject of "``account`` in ``path`` (/etc/shadow, /etc/passwd) has an empty
    password", shared by the backdoor and weakpass scanners."""
    return f"empty-password:{path}:{account}"


@dataclass
class Finding:
    """One problem. ``id`` is a stable fingerprint: the same finding gets the same id
    across runs (it does not depend on line numbers or wording)."""

    rule_id: str
    """Stable rule identifier: ``CVE-2023-0286``, ``SW-SEC-AWS-001``, ``SW-K8S-012``."""
    category: Category
    """What kind of problem this is."""
    severity: Severity
    """How bad it is."""
    title: str
    """One line for humans."""
    description: str = ""
    """Longer explanation (why it matters)."""
    remediation: str = ""
    """What to do about it."""
    location: Location = field(default_factory=Location)
    """Where it is."""
    package: PackageRef | None = None
    """The vulnerable package, for vulnerability findings."""
    evidence: str | None = None
    """What matched, masked: secrets are never stored whole."""
    references: list[str] = field(default_factory=list)
    """URLs or document IDs backing the finding."""
    tags: dict[str, list[str]] = field(default_factory=dict)
    """Mappings such as ``{"attack": ["T1611"], "cis": ["5.2.1"]}``."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Scanner-specific data (status, aliases, cvss, deleted-in-layer ...), kept in JSON.
    ``extra["same_fact"]`` (see :data:`SUBJECT_KEY`) names the fact a finding is about
    when several scanners can report it (``setuid:/usr/bin/su``): a report keeps one
    finding per subject."""
    id: str = ""
    """Stable fingerprint; computed from the identity fields when left empty."""
    fingerprint_key: str = ""
    """Extra identity text (e.g. a hash of the matched secret) mixed into ``id``."""

    def __post_init__(self) -> None:
        if isinstance(self.category, str) and not isinstance(self.category, Category):
            self.category = Category(self.category)
        if isinstance(self.severity, str) and not isinstance(self.severity, Severity):
            self.severity = Severity.parse(self.severity)
        if not self.id:
            self.id = self.compute_id()

    def compute_id(self) -> str:
        """Hash of what identifies the finding: rule, place and package, not wording."""
        loc = self.location
        parts = [
            self.rule_id,
            self.category.value,
            loc.path or "",
            loc.layer or "",
            loc.resource or "",
            loc.container or "",
            self.package.name if self.package else "",
            self.package.version if self.package else "",
            self.fingerprint_key,
        ]
        # surrogateescape: a path with non-UTF-8 bytes hashes as those bytes
        raw = "\x1f".join(parts).encode("utf-8", "surrogateescape")
        return hashlib.sha256(raw).hexdigest()[:20]

    def to_dict(self) -> dict[str, Any]:
        """The finding as the JSON object of DESIGN.md's report schema."""
        out: dict[str, Any] = {
            "id": self.id,
            "rule_id": self.rule_id,
            "category": self.category.value,
            "severity": self.severity.value,
            "title": self.title,
            "description": self.description,
            "remediation": self.remediation,
            "location": self.location.to_dict(),
        }
        if self.package is not None:
            out["package"] = self.package.to_dict()
        if self.evidence is not None:
            out["evidence"] = self.evidence
        out["references"] = list(self.references)
        out["tags"] = {k: list(v) for k, v in sorted(self.tags.items())}
        if self.extra:
            out["extra"] = self.extra
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        """Rebuild a finding from its JSON form (used by ``convert``, baselines, plugins)."""
        pkg = data.get("package")
        return cls(
            rule_id=str(data["rule_id"]),
            category=Category(data["category"]),
            severity=Severity.parse(str(data["severity"])),
            title=str(data.get("title", "")),
            description=str(data.get("description", "")),
            remediation=str(data.get("remediation", "")),
            location=Location.from_dict(data.get("location") or {}),
            package=PackageRef.from_dict(pkg) if pkg else None,
            evidence=data.get("evidence"),
            references=list(data.get("references") or []),
            tags={k: list(v) for k, v in (data.get("tags") or {}).items()},
            extra=dict(data.get("extra") or {}),
            id=str(data.get("id") or ""),
        )

    def sort_key(self) -> tuple[int, str, str, int, str]:
        """Stable report ordering: worst first, then rule, path, line, id."""
        return (
            -self.severity.rank,
            self.rule_id,
            self.location.path or self.location.resource or "",
            self.location.line or 0,
            self.id,
        )
