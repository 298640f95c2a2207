"""How findings read in the text formats (markdown, junit, html, sarif messages):
one place decides what "location" and "package" look like as a short string."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from seawall.model.finding import Finding, Severity
from seawall.model.report import Report

#: Worst first, the order every summary lists severities in.
SEVERITIES_WORST_FIRST: tuple[Severity, ...] = tuple(sorted(Severity, key=lambda s: -s.rank))


def short_digest(digest: str | None, keep: int = 12) -> str:
    """``sha256:0123456789ab`` from a full digest (empty for None)."""
    if not digest:
        return ""
    algo, _, hexpart = digest.partition(":")
    return f"{algo}:{hexpart[:keep]}" if hexpart else digest[: keep + 7]


def location_text(finding: Finding, with_layer: bool = True) -> str:
    """``/etc/shadow:3 [web] (sha256:abc...)``: path or resource, line, container, layer."""
    loc = finding.location
    where = loc.path or loc.resource or ""
    if loc.line:
        where += f":{loc.line}"
    if loc.container:
        where += f" [{loc.container}]"
    if with_layer and loc.layer:
        where += f" ({short_digest(loc.layer)})"
    return where.strip()


def package_text(finding: Finding) -> str:
    """``openssl 3.0.11 -> 3.0.13`` for vulnerability findings, else empty."""
    if finding.package is None:
        return ""
    text = f"{finding.package.name} {finding.package.version}"
    if finding.package.fixed_version:
        text += f" -> {finding.package.fixed_version}"
    return text


def severity_counter(findings: Iterable[Finding]) -> Counter[Severity]:
    """How many findings of each severity."""
    return Counter(f.severity for f in findings)


def all_findings(reports: Sequence[Report]) -> list[Finding]:
    """Every finding of every report, worst first (stable order)."""
    return sorted((f for r in reports for f in r.findings), key=Finding.sort_key)


def all_suppressed(reports: Sequence[Report]) -> list[Finding]:
    """Every suppressed finding of every report, worst first."""
    return sorted((f for r in reports for f in r.suppressed), key=Finding.sort_key)


def suppression_reason(finding: Finding) -> str:
    """Why a suppressed finding is hidden, as one line (policy or inline exception)."""
    info = finding.extra.get("suppressed_by")
    if isinstance(info, dict):
        kind = str(info.get("kind", ""))
        detail = str(info.get("statement") or info.get("origin") or "")
        return f"{kind}: {detail}" if detail else kind
    exc = finding.extra.get("exception")
    if isinstance(exc, dict):
        return f"exception: {exc.get('reason') or exc.get('origin') or ''}".rstrip(": ")
    return "suppressed"


def first_url(references: Iterable[str]) -> str | None:
    """The first http(s) reference, for help links."""
    return next((r for r in references if r.startswith(("https://", "http://"))), None)
