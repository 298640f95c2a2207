"""The ``vuln`` analyzer: the inventory fact matched against the offline DB."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from seawall.analyzers.facts.target_facts import FACT_INVENTORY, facts_for
from seawall.analyzers.interface import AnalysisContext, Analyzer, AnalyzerResult, FileResult
from seawall.analyzers.vuln.database_match import SCOPE, match_with_database
from seawall.analyzers.vuln.matching.matcher import MatchOptions
from seawall.model.report import ErrorEntry

if TYPE_CHECKING:
    from seawall.sources.interface import Target

_TRUE = ("1", "true", "yes", "on")


class VulnAnalyzer(Analyzer):
    """Known vulnerabilities of installed OS and language packages."""

    name = "vuln"
    version = "2"
    description = "Known vulnerabilities of installed packages (offline DB: OSV, Debian, Alpine)"
    facts = frozenset({FACT_INVENTORY})

    def __init__(self) -> None:
        self._options: dict[str, Any] = {}

    def configure(self, options: Mapping[str, Any]) -> None:
        """Keep the ``vuln.*`` options."""
        self._options = dict(options)

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
        """Open the DB, match the inventory fact. No DB: one error entry, no crash.

        The packages are returned too, those that could not be matched annotated with
        ``extra["unmatched"]``: the driver merges them with the ``packages`` analyzer's
        identical entries, so the report lists each package once, with the reason."""
        out = AnalyzerResult()
        facts = facts_for(target, ctx, self.facts)
        packages = facts.inventory.packages
        out.packages = list(packages)
        db_dir = self._setting("db_dir", "SEAWALL_DB_DIR", ctx)
        ignore = self._setting("ignore_unfixed", "SEAWALL_IGNORE_UNFIXED", ctx)
        options = MatchOptions(ignore_unfixed=str(ignore).lower() in _TRUE or ignore is True)
        findings, errors = match_with_database(packages, facts.os, db_dir, options)
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

