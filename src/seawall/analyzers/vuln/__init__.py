"""Vulnerability scanning: installed packages matched against the offline DB.

The ``vuln`` analyzer reads the same package metadata files as the ``packages``
analyzer (it delegates ``required``/``analyze_file``/merge to it, so ``--scanners
vuln`` works alone and per-layer results are cached), then matches the merged
inventory with :func:`match_packages`. Other callers (``sbom-scan``, the Python API)
use :func:`match_packages` directly with an open :class:`VulnStore`.

Options (``ScanOptions.analyzer_options``): ``vuln.db_dir`` (else ``SEAWALL_DB_DIR``,
else ``~/.cache/seawall/db``), ``vuln.ignore_unfixed`` (else
``SEAWALL_IGNORE_UNFIXED``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from seawall.analyzers.catalog import register_analyzer
from seawall.analyzers.interface import (
    AnalysisContext,
    Analyzer,
    AnalyzerResult,
    FileInput,
    FileResult,
)
from seawall.analyzers.packages import PackagesAnalyzer
from seawall.analyzers.vuln.database_match import SCOPE, match_with_database
from seawall.analyzers.vuln.db.store import VulnStore
from seawall.analyzers.vuln.matching.matcher import MatchOptions, match_packages
from seawall.fs.interface import FileInfo
from seawall.model.report import ErrorEntry

if TYPE_CHECKING:
    from seawall.sources.interface import Target

_TRUE = ("1", "true", "yes", "on")


@register_analyzer
class VulnAnalyzer(Analyzer):
    """Known vulnerabilities of installed OS and language packages."""

    name = "vuln"
    version = "1"
    description = "Known vulnerabilities of installed packages (offline DB: OSV, Debian, Alpine)"

    def __init__(self) -> None:
        self._inventory = PackagesAnalyzer()
        self._options: dict[str, Any] = {}

    def configure(self, options: Mapping[str, Any]) -> None:
        """Keep ``vuln.*`` options; pass everything on to the inventory."""
        self._options = dict(options)
        self._inventory.configure(options)

    def options_key(self) -> str:
        """Per-file results are the inventory's: same key as the packages analyzer."""
        return self._inventory.options_key()

    def required(self, path: str, info: FileInfo) -> bool:
        """The package metadata files the inventory reads."""
        return self._inventory.required(path, info)

    def analyze_file(self, file: FileInput, ctx: AnalysisContext) -> AnalyzerResult:
        """Parse package metadata (no findings yet: matching needs the whole inventory)."""
        return self._inventory.analyze_file(file, ctx)

    def _setting(self, key: str, env: str, ctx: AnalysisContext) -> Any:
        for source in (self._options, ctx.options):
            if f"vuln.{key}" in source:
                return source[f"vuln.{key}"]
            if key in source:
                return source[key]
        return os.environ.get(env)

    def finalize(
        self, target: Target, files: list[FileResult], ctx: AnalysisContext
    ) -> AnalyzerResult:
        """Merge the inventory, open the DB, match. No DB: one error entry, no crash.

        The packages are returned too, those that could not be matched annotated with
        ``extra["unmatched"]``: the driver merges them with the ``packages`` analyzer's
        identical entries, so the report lists each package once, with the reason."""
        out = AnalyzerResult()
        inventory = self._inventory.finalize(target, files, ctx)
        packages = inventory.packages
        out.packages = packages
        db_dir = self._setting("db_dir", "SEAWALL_DB_DIR", ctx)
        ignore = self._setting("ignore_unfixed", "SEAWALL_IGNORE_UNFIXED", ctx)
        options = MatchOptions(ignore_unfixed=str(ignore).lower() in _TRUE or ignore is True)
        findings, errors = match_with_database(packages, target.os, db_dir, options)
        out.findings = findings
        out.errors += errors
        if errors:
            return out
        unmatched = [p for p in packages if "unmatched" in p.extra]
        if unmatched:
            sample = "; ".join(f"{p.type}:{p.name} {p.version}: {p.extra['unmatched']}"
                               for p in unmatched[:3])
            more = f" (+{len(unmatched) - 3} more)" if len(unmatched) > 3 else ""
            out.errors.append(ErrorEntry(
                SCOPE, f"{len(unmatched)} packages not matched: {sample}{more}"))
        out.data["matched_packages"] = len(packages) - len(unmatched)
        return out


# Registers the ``sbom-vuln`` scanner (``seawall sbom-scan``) next to ``vuln``.
from seawall.analyzers.vuln import sbom_analyzer as _sbom_analyzer  # noqa: E402

__all__ = ["VulnAnalyzer", "VulnStore", "_sbom_analyzer", "match_packages"]
