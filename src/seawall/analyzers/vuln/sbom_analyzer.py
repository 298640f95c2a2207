"""The ``sbom-vuln`` scanner: the packages of an SBOM
(:class:`~seawall.sources.document_targets.SbomTarget`) matched against the offline
vulnerability DB, run by the scan driver for ``seawall sbom-scan``.

No DB, a corrupt one, or components without a usable purl are error entries: the
scan is incomplete (exit 4 unless ``--allow-incomplete``), never "no findings".
Options: ``vuln.db_dir`` (else ``SEAWALL_DB_DIR``), ``vuln.ignore_unfixed``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from seawall.analyzers.interface import AnalysisContext, Analyzer, AnalyzerResult, FileResult
from seawall.analyzers.vuln.database_match import SCOPE, match_with_database
from seawall.analyzers.vuln.matching.matcher import MatchOptions
from seawall.model.report import ErrorEntry

if TYPE_CHECKING:
    from seawall.sources.interface import Target

_TRUE = ("1", "true", "yes", "on")


class SbomVulnAnalyzer(Analyzer):
    """Known vulnerabilities of the packages an SBOM lists."""

    name: ClassVar[str] = "sbom-vuln"
    version: ClassVar[str] = "1"
    target_kinds: ClassVar[frozenset[str]] = frozenset({"sbom"})
    description: ClassVar[str] = "Known vulnerabilities of the packages of an SBOM (offline DB)"

    def __init__(self) -> None:
        self._options: dict[str, Any] = {}

    def configure(self, options: Mapping[str, Any]) -> None:
        """Keep the ``vuln.*`` options."""
        self._options = dict(options)

    def finalize(
        self, target: Target, files: list[FileResult], ctx: AnalysisContext
    ) -> AnalyzerResult:
        """Match the SBOM's packages; they are returned too, so the report lists them."""
        from seawall.sources.document_targets import SbomTarget

        out = AnalyzerResult()
        if not isinstance(target, SbomTarget):
            return out
        out.packages = list(target.packages)
        if target.skipped:
            out.errors.append(ErrorEntry(
                SCOPE, f"{target.skipped} SBOM components without a usable purl were not "
                       "matched"))
        db_dir = self._options.get("vuln.db_dir") or os.environ.get("SEAWALL_DB_DIR")
        ignore = self._options.get("vuln.ignore_unfixed")
        if ignore is None:
            ignore = os.environ.get("SEAWALL_IGNORE_UNFIXED", "")
        options = MatchOptions(ignore_unfixed=ignore is True or str(ignore).lower() in _TRUE)
        findings, errors = match_with_database(out.packages, target.os, db_dir, options)
        out.findings = findings
        out.errors += errors
        return out
