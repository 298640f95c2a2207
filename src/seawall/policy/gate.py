"""The CI gate: which findings fail the build, and with what exit code.

Trivy/Grype conventions: ``--severity LIST`` limits the findings shown (and gated),
``--exit-code N`` makes any shown finding exit N, ``--fail-on SEV`` fails on findings
of SEV or worse (exit 1 unless ``--exit-code`` says otherwise). Severities are ordered
critical > high > medium > low > unknown > info; ``unknown`` (no published label or
CVSS vector) is its own level, as Trivy's UNKNOWN: a ``--severity`` list includes it only
when it names it, and ``--fail-on`` counts it only from ``unknown`` down. Exit codes:

* ``0`` -- no gate tripped (findings alone never fail a scan);
* ``N`` -- the gate tripped (``--exit-code``, default 1 with ``--fail-on``);
* ``2`` -- bad input (reference, flag, file), with a one-line reason;
* ``4`` -- the scan is incomplete: it could not look everywhere it was asked to (an
  analyzer or plugin failed, no or a corrupt vulnerability DB, an unreadable file or
  directory, a configuration file that could not be parsed): any entry in a report's
  ``errors``. ``--allow-incomplete`` turns this into 0. A tripped gate wins over 4.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from seawall.errors import InputError
from seawall.model.finding import Finding, Severity
from seawall.model.report import Report

EXIT_OK = 0
EXIT_INPUT_ERROR = 2
EXIT_INCOMPLETE = 4

ALL_SEVERITIES = frozenset(Severity)


def parse_severities(text: str | None) -> frozenset[Severity]:
    """``high,critical`` -> {HIGH, CRITICAL}; None/empty -> every severity."""
    if not text:
        return ALL_SEVERITIES
    out = set()
    for part in text.split(","):
        if not part.strip():
            continue
        try:
            out.add(Severity.parse(part))
        except ValueError:
            raise InputError(
                f"unknown severity {part.strip()!r} "
                "(use critical, high, medium, low, unknown, info)"
            ) from None
    return frozenset(out) or ALL_SEVERITIES


@dataclass(frozen=True)
class Gate:
    """A failure rule over findings."""

    exit_code: int = EXIT_OK
    """Exit status when the gate trips (0: the gate is off)."""
    severities: frozenset[Severity] = ALL_SEVERITIES
    """Findings of these severities trip it."""

    def failing(self, reports: Sequence[Report]) -> list[Finding]:
        """Findings that trip the gate."""
        if not self.exit_code:
            return []
        return [f for r in reports for f in r.findings if f.severity in self.severities]

    def exit_status(self, reports: Sequence[Report]) -> int:
        """``exit_code`` when tripped, else 0 (completeness is not looked at)."""
        return self.exit_code if self.failing(reports) else EXIT_OK

    def verdict(self, reports: Sequence[Report], allow_incomplete: bool = False) -> int:
        """The exit status of a scan: ``exit_code`` when tripped, else
        :data:`EXIT_INCOMPLETE` when a report is incomplete (unless
        ``allow_incomplete``), else 0."""
        status = self.exit_status(reports)
        if status:
            return status
        if not allow_incomplete and incomplete(reports):
            return EXIT_INCOMPLETE
        return EXIT_OK


def incomplete(reports: Sequence[Report]) -> bool:
    """True when any report could not look everywhere it was asked to."""
    return any(not r.complete for r in reports)


def gate_from_flags(
    exit_code: int | None, severity: str | None, fail_on: str | None
) -> tuple[Gate, frozenset[Severity]]:
    """(gate, severities to show) from ``--exit-code``, ``--severity``, ``--fail-on``."""
    shown = parse_severities(severity)
    if exit_code is not None and not 0 <= exit_code <= 255:
        raise InputError(f"--exit-code {exit_code} is not in 0..255")
    if fail_on:
        try:
            floor = Severity.parse(fail_on)
        except ValueError:
            raise InputError(f"--fail-on: unknown severity {fail_on!r}") from None
        worse = frozenset(s for s in Severity if s.rank >= floor.rank) & shown
        return Gate(exit_code if exit_code is not None else 1, worse), shown
    return Gate(exit_code or EXIT_OK, shown), shown


def filter_severities(report: Report, shown: frozenset[Severity]) -> Report:
    """The report with only the findings of the ``shown`` severities."""
    if shown == ALL_SEVERITIES:
        return report
    return replace(report, findings=[f for f in report.findings if f.severity in shown])
