"""What a report hides before the gate looks at it: unfixed vulnerabilities
(``--ignore-unfixed``), ignore-file entries, OpenVEX statements, a baseline, and the
live exceptions analyzers marked on findings (``extra["exception"]``: inline IaC
annotations and comments, ``seawall config --exceptions``).

Suppressed findings are not dropped: they move to ``Report.suppressed`` with
``extra["suppressed_by"]`` saying which rule hid them, so they are counted in every
format and listed with ``--show-suppressed``. An ignore entry past its expiry date no
longer suppresses; the finding stays, marked ``extra["expired_ignore"]``, and the
entry is reported in :attr:`SuppressionOutcome.expired` for the CLI to warn about.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from seawall.model.finding import Category, Finding
from seawall.model.report import Report
from seawall.policy.baseline import load_baseline_ids
from seawall.policy.ignore_rules import IgnoreRule, discover_ignore_files, load_ignore_file
from seawall.policy.vex import VexStatement, load_vex, vex_verdict

#: Vulnerability statuses that mean "no fix to install" (distro trackers' words).
UNFIXED_STATUSES = frozenset({"affected", "will_not_fix", "fix_deferred", "end_of_life",
                              "under_investigation", "open", "unfixed"})


def is_unfixed(finding: Finding) -> bool:
    """A vulnerability finding with no fixed version to upgrade to."""
    if finding.category is not Category.VULNERABILITY:
        return False
    status = str(finding.extra.get("status") or "").lower()
    if status in UNFIXED_STATUSES:
        return True
    return finding.package is None or not finding.package.fixed_version


@dataclass
class SuppressionPolicy:
    """The suppression rules of one command invocation."""

    ignore_unfixed: bool = False
    ignore_rules: list[IgnoreRule] = field(default_factory=list)
    vex: list[VexStatement] = field(default_factory=list)
    baseline_ids: frozenset[str] | None = None
    """Ids of the findings of ``--baseline``; None when no baseline was given."""
    today: dt.date = field(default_factory=dt.date.today)

    @classmethod
    def from_files(
        cls,
        ignore_unfixed: bool = False,
        ignore_files: Sequence[str] | None = None,
        vex_files: Sequence[str] = (),
        baseline: str | None = None,
        today: dt.date | None = None,
        discover_in: str | None = ".",
    ) -> SuppressionPolicy:
        """Load the files. ``ignore_files`` None means "the default ignore files found in
        ``discover_in``" (``.seawallignore``, ``seawall-ignore.yaml``)."""
        if ignore_files is None:
            ignore_files = discover_ignore_files(discover_in) if discover_in else []
        rules = [r for path in ignore_files for r in load_ignore_file(path)]
        return cls(
            ignore_unfixed=ignore_unfixed,
            ignore_rules=rules,
            vex=load_vex(list(vex_files)),
            baseline_ids=load_baseline_ids(baseline) if baseline else None,
            today=today or dt.date.today(),
        )

    @property
    def active(self) -> bool:
        """Whether there is anything to apply."""
        return bool(self.ignore_unfixed or self.ignore_rules or self.vex
                    or self.baseline_ids is not None)

    def _reason(self, finding: Finding, report: Report,
                expired: dict[str, IgnoreRule]) -> dict[str, Any] | None:
        exception = finding.extra.get("exception")
        if isinstance(exception, dict):  # an analyzer's own live exception (IaC inline)
            return {"kind": "exception",
                    "statement": exception.get("reason") or exception.get("origin") or "",
                    "origin": exception.get("origin")}
        if self.ignore_unfixed and is_unfixed(finding):
            return {"kind": "unfixed", "statement": "no fixed version (--ignore-unfixed)"}
        lapsed = None
        for rule in self.ignore_rules:
            if not rule.matches(finding):
                continue
            if rule.expired(self.today):
                lapsed = rule
                continue
            return rule.describe()
        if lapsed is not None:
            expired[lapsed.origin] = lapsed
            finding.extra["expired_ignore"] = lapsed.describe()
        if self.vex:
            stmt = vex_verdict(self.vex, finding, report.target)
            if stmt is not None:
                return stmt.describe()
        if self.baseline_ids is not None and finding.id in self.baseline_ids:
            return {"kind": "baseline", "statement": "present in the baseline report"}
        return None

    def apply(self, report: Report) -> SuppressionOutcome:
        """A copy of ``report`` with the suppressed findings moved to ``suppressed``."""
        expired: dict[str, IgnoreRule] = {}
        if not self.active and not any("exception" in f.extra for f in report.findings):
            return SuppressionOutcome(report, [])
        kept: list[Finding] = []
        hidden: list[Finding] = list(report.suppressed)
        for finding in report.findings:
            reason = self._reason(finding, report, expired)
            if reason is None:
                kept.append(finding)
            else:
                finding.extra["suppressed_by"] = reason
                hidden.append(finding)
        return SuppressionOutcome(replace(report, findings=kept, suppressed=hidden),
                                  sorted(expired.values(), key=lambda r: r.origin))


@dataclass
class SuppressionOutcome:
    """The filtered report and the expired ignore entries that matched something."""

    report: Report
    expired: list[IgnoreRule]

    def warnings(self) -> list[str]:
        """One line per expired entry, for stderr."""
        return [
            f"ignore entry {r.origin} ({r.id or r.rule_id or r.path or r.purl}) expired on "
            f"{r.expires.isoformat() if r.expires else '?'}; its findings are reported again"
            for r in self.expired
        ]


def apply_suppressions(reports: Sequence[Report], policy: SuppressionPolicy
                       ) -> tuple[list[Report], list[str]]:
    """Apply ``policy`` to every report; returns the reports and the warnings (deduplicated)."""
    out: list[Report] = []
    warnings: list[str] = []
    for report in reports:
        outcome = policy.apply(report)
        out.append(outcome.report)
        warnings += [w for w in outcome.warnings() if w not in warnings]
    return out, warnings
