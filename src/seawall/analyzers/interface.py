"""The Analyzer interface: how a built-in (or third-party Python) scanner plugs in.

Trivy fanal's idea (facts before verdicts): the scan driver walks each layer once and
hands every file to each analyzer whose :meth:`Analyzer.required` says yes; per-file
results are cached per layer keyed by (layer diff_id, analyzer name+version,
options). After the walk,
:meth:`Analyzer.finalize` sees every per-file result, tagged with whether the file
is still visible in the final filesystem, and may look at the target as a whole
(image config, history, container inspect, cross-file logic) and at the facts the
driver gathered once for all analyzers (``ctx.facts``: OS, environment, package
inventory and ownership, see :mod:`seawall.analyzers.facts`).

Analyzers never print and never open host paths: they read through ``seawall.fs``
and return data.
"""

from __future__ import annotations

import hashlib
import json
from abc import ABC
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, BinaryIO, ClassVar

from seawall.fs.interface import FileInfo, FileSystem
from seawall.model.finding import Finding
from seawall.model.package import Package
from seawall.model.report import CoverageNote, ErrorEntry

if TYPE_CHECKING:
    from seawall.analyzers.facts.target_facts import TargetFacts
    from seawall.sources.interface import Target


@dataclass(frozen=True)
class FileInput:
    """One file handed to :meth:`Analyzer.analyze_file` during the walk."""

    path: str
    """Absolute path inside the target."""
    info: FileInfo
    """Its metadata (lstat)."""
    fs: FileSystem
    """The filesystem it lives in: a single layer's for images, the target's otherwise."""
    layer: str | None = None
    """diff_id of the layer being walked (None for non-layered targets)."""

    def open(self) -> BinaryIO:
        """Stream the content (prefer this for large files)."""
        return self.fs.open(self.path)

    def read(self, limit: int | None = None) -> bytes:
        """Read the content, at most ``limit`` bytes."""
        return self.fs.read_bytes(self.path, 0, limit)


@dataclass
class AnalyzerResult:
    """What an analyzer returns for one file or for the whole target.
    Everything in it must be JSON-serialisable through ``to_dict`` (it is cached)."""

    findings: list[Finding] = field(default_factory=list)
    packages: list[Package] = field(default_factory=list)
    errors: list[ErrorEntry] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    """Intermediate facts for :meth:`Analyzer.finalize` (JSON values only)."""
    target_extra: dict[str, Any] = field(default_factory=dict)
    """From :meth:`Analyzer.finalize` only: facts about the whole target that the
    report's ``target`` object carries (``seawall config``'s file and object counts)."""
    notes: list[CoverageNote] = field(default_factory=list)
    """From :meth:`Analyzer.finalize` only: checks that stopped at a bounded effort
    (reported, but the scan is still complete)."""

    def extend(self, other: AnalyzerResult) -> None:
        """Append another result's lists and merge its data."""
        self.findings.extend(other.findings)
        self.packages.extend(other.packages)
        self.errors.extend(other.errors)
        self.notes.extend(other.notes)
        self.data.update(other.data)

    def is_empty(self) -> bool:
        """Nothing found and nothing to pass on."""
        return not (self.findings or self.packages or self.errors or self.data)

    def to_dict(self) -> dict[str, Any]:
        """Cacheable JSON form."""
        return {
            "findings": [f.to_dict() for f in self.findings],
            "packages": [p.to_dict() for p in self.packages],
            "errors": [e.to_dict() for e in self.errors],
            "data": self.data,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> AnalyzerResult:
        """Inverse of :meth:`to_dict`."""
        return cls(
            findings=[Finding.from_dict(f) for f in d.get("findings", [])],
            packages=[Package.from_dict(p) for p in d.get("packages", [])],
            errors=[ErrorEntry(e["scope"], e["message"]) for e in d.get("errors", [])],
            data=dict(d.get("data", {})),
        )


@dataclass(frozen=True)
class FileResult:
    """A per-file result as :meth:`Analyzer.finalize` sees it."""

    path: str
    layer: str | None
    visible: bool
    """False when a later layer deleted or replaced this file (it is still extractable
    from the image, which matters for secrets)."""
    result: AnalyzerResult


@dataclass
class AnalysisContext:
    """Per-scan settings and sinks shared by all analyzers."""

    options: dict[str, Any] = field(default_factory=dict)
    """Scanner options from CLI/config (``secret.config``, ``weakpass.wordlist``, ...)."""
    errors: list[ErrorEntry] = field(default_factory=list)
    facts: TargetFacts | None = None
    """The scan's fact set (OS, environment, inventory, package ownership), set by the
    scan driver before any ``finalize``; read it with
    :func:`seawall.analyzers.facts.target_facts.facts_for`."""

    def error(self, scope: str, message: str) -> None:
        """Record a non-fatal problem for the report's ``errors``."""
        self.errors.append(ErrorEntry(scope, message))


class Analyzer(ABC):
    """Base class of every in-process scanner. Subclasses set the class variables,
    override :meth:`required` + :meth:`analyze_file` for per-file work and/or
    :meth:`finalize` for whole-target work, and are registered with
    :func:`seawall.analyzers.catalog.register_analyzer` (built-ins: one line in
    :mod:`seawall.analyzers.all`)."""

    name: ClassVar[str]
    """Scanner name used by ``--scanners`` (``secret``, ``vuln``, ``imageconfig``)."""
    version: ClassVar[str] = "1"
    """Bump when results change for the same input (invalidates the layer cache)."""
    target_kinds: ClassVar[frozenset[str]] = frozenset({"image", "container", "directory", "host"})
    """Target kinds this analyzer accepts."""
    default_enabled: ClassVar[bool] = True
    """Runs when the user does not pass ``--scanners``."""
    description: ClassVar[str] = ""
    """One line for ``seawall plugin list``."""
    facts: ClassVar[frozenset[str]] = frozenset()
    """Facts :meth:`finalize` reads besides the OS and environment (``inventory``,
    ``ownership``): the driver gathers them once per scan for every analyzer."""

    def configure(self, options: Mapping[str, Any]) -> None:  # noqa: B027 - optional hook
        """Receive scanner options before the scan (default: ignore them)."""

    def options_key(self) -> str:
        """What in the configuration changes per-file results (part of the cache key)."""
        return ""

    def cache_key(self) -> str:
        """name+version+options, hashed: one component of the per-layer cache key."""
        raw = json.dumps([self.name, self.version, self.options_key()])
        return hashlib.sha256(raw.encode()).hexdigest()[:16]

    def required(self, path: str, info: FileInfo) -> bool:
        """Does this analyzer want to see ``path``? Must be cheap: called for every file."""
        return False

    def analyze_file(self, file: FileInput, ctx: AnalysisContext) -> AnalyzerResult:
        """Analyze one file the analyzer asked for."""
        return AnalyzerResult()

    def redact(self, text: str) -> str:
        """Mask what this analyzer considers sensitive in a metadata string the report
        carries verbatim (history ``created_by``); the default leaves it as it is."""
        return text

    def finalize(
        self, target: Target, files: list[FileResult], ctx: AnalysisContext
    ) -> AnalyzerResult:
        """Combine per-file results and do whole-target checks. The default keeps the
        results of files still visible in the final filesystem."""
        out = AnalyzerResult()
        for fr in files:
            if fr.visible:
                out.findings.extend(fr.result.findings)
                out.packages.extend(fr.result.packages)
                out.errors.extend(fr.result.errors)
        return out
