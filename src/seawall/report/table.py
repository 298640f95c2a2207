"""``--format table`` (the default): findings grouped by target, category and
severity as rich tables; colours only on a terminal; one summary line at the end."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TextIO

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from seawall.model.finding import Finding, Severity
from seawall.model.report import Report
from seawall.report.interface import Renderer, RenderOptions, register_renderer

SEVERITY_STYLE = {
    Severity.CRITICAL: "bold red",
    Severity.HIGH: "red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}
_SEVERITIES = sorted(Severity, key=lambda s: -s.rank)


def _short(digest: str | None) -> str:
    if not digest:
        return ""
    algo, _, hexpart = digest.partition(":")
    return f"{algo}:{hexpart[:12]}" if hexpart else digest[:19]


def _location(f: Finding) -> str:
    loc = f.location
    where = loc.path or loc.resource or ""
    if loc.line:
        where += f":{loc.line}"
    if loc.container:
        where += f" [{loc.container}]"
    if loc.layer:
        where += f" ({_short(loc.layer)})"
    return where


def _package(f: Finding) -> str:
    if f.package is None:
        return ""
    text = f"{f.package.name} {f.package.version}"
    if f.package.fixed_version:
        text += f" -> {f.package.fixed_version}"
    return text


def severity_counts(findings: Sequence[Finding]) -> str:
    """``1 critical, 2 high`` (zero counts left out; ``0`` when empty)."""
    counts = Counter(f.severity for f in findings)
    parts = [f"{counts[s]} {s.value}" for s in _SEVERITIES if counts[s]]
    return ", ".join(parts) or "0"


def summary_line(reports: Sequence[Report]) -> str:
    """The one-line summary printed last."""
    findings = [f for r in reports for f in r.findings]
    packages = sum(len(r.packages) for r in reports)
    errors = sum(len(r.errors) for r in reports)
    seconds = sum(r.stats.duration_s for r in reports)
    targets = f"{len(reports)} target{'s' if len(reports) != 1 else ''}"
    return (
        f"{targets}: {len(findings)} finding{'s' if len(findings) != 1 else ''} "
        f"({severity_counts(findings)}), {packages} packages, {errors} errors, {seconds:.1f}s"
    )


def _target_header(report: Report) -> Text:
    t = report.target
    text = Text()
    text.append(t.ref or "(unnamed)", style="bold")
    text.append(f" ({t.kind})")
    if t.digest:
        text.append(f" {_short(t.digest)}")
    if t.os is not None:
        text.append(f" {t.os.family} {t.os.version}")
    return text


@register_renderer
class TableRenderer(Renderer):
    """Human-readable tables."""

    name = "table"
    description = "tables for humans (default)"

    def render(self, reports: Sequence[Report], stream: TextIO, options: RenderOptions) -> None:
        """Write one section per target, then the summary."""
        console = Console(
            file=stream,
            force_terminal=options.color,
            no_color=not options.color,
            color_system="auto" if options.color else None,
            width=options.width or (None if options.color else 120),
            highlight=False,
            emoji=False,
        )
        for report in reports:
            self._render_target(console, report)
        console.print(summary_line(reports), soft_wrap=True)

    def _render_target(self, console: Console, report: Report) -> None:
        console.print(_target_header(report))
        by_category: dict[str, list[Finding]] = {}
        for f in sorted(report.findings, key=Finding.sort_key):
            by_category.setdefault(f.category.value, []).append(f)
        if not by_category:
            console.print("  no findings")
        for category in sorted(by_category):
            findings = by_category[category]
            table = Table(
                title=f"{category} ({severity_counts(findings)})",
                title_justify="left",
                box=box.SIMPLE_HEAD,
                show_lines=False,
            )
            table.add_column("Severity", no_wrap=True)
            table.add_column("Rule", no_wrap=True)
            table.add_column("Title")
            table.add_column("Location")
            if any(f.package for f in findings):
                table.add_column("Package")
            for f in findings:
                row = [
                    Text(f.severity.value.upper(), style=SEVERITY_STYLE[f.severity]),
                    Text(f.rule_id),
                    Text(f.title),
                    Text(_location(f)),
                ]
                if len(table.columns) == 5:
                    row.append(Text(_package(f)))
                table.add_row(*row)
            console.print(table)
        if report.errors:
            console.print(Text(f"errors ({len(report.errors)}):", style="bold yellow"))
            for e in report.errors:
                console.print(Text(f"  {e.scope}: {e.message}"), soft_wrap=True)
        console.print()
