"""``--format table`` (the default): findings grouped by target, category and
severity as rich tables; colours only on a terminal; one summary line at the end.

An incomplete scan says so first: the first line of the output is the warning, and
each target lists its errors right under its header. Every string from the scanned
artifact or a user's file is shown through :func:`~seawall.report.untrusted_text.visible`.
"""

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
from seawall.report.finding_display import suppression_reason
from seawall.report.interface import Renderer, RenderOptions, register_renderer
from seawall.report.untrusted_text import visible

SEVERITY_STYLE = {
    Severity.CRITICAL: "bold red",
    Severity.HIGH: "red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.UNKNOWN: "magenta",
    Severity.INFO: "dim",
}
_SEVERITIES = sorted(Severity, key=lambda s: -s.rank)
#: Column caps (characters per line); longer cells wrap onto at most two lines and
#: are cut beyond that, so one 4 kB evidence string cannot swallow the terminal.
RULE_MAX = 28
TITLE_MAX = 60
LOCATION_MAX = 50
PACKAGE_MAX = 40
#: Console width off a terminal: wide enough that rich never squeezes a column.
_UNBOUNDED_WIDTH = 100_000


def truncate(text: str, limit: int) -> str:
    """``text`` made visible and cut to ``limit`` characters with an ellipsis."""
    text = " ".join(visible(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def truncate_middle(text: str, limit: int) -> str:
    """Paths keep both ends (``/usr/lib/…/libssl.so.3``): the middle goes (the text
    is made visible first)."""
    text = visible(text)
    if len(text) <= limit:
        return text
    head = (limit - 1) // 2
    return text[:head] + "…" + text[len(text) - (limit - 1 - head):]


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
    suppressed = sum(len(r.suppressed) for r in reports)
    hidden = f", {suppressed} suppressed" if suppressed else ""
    verdict = "INCOMPLETE scan, " if errors else ""
    return (
        f"{verdict}{targets}: {len(findings)} finding{'s' if len(findings) != 1 else ''} "
        f"({severity_counts(findings)}){hidden}, {packages} packages, {errors} errors, "
        f"{seconds:.1f}s"
    )


def incomplete_banner(reports: Sequence[Report]) -> str | None:
    """The warning the output starts with when a scan could not look everywhere it
    was asked to (None when every report is complete)."""
    failed = [r for r in reports if r.errors]
    if not failed:
        return None
    errors = sum(len(r.errors) for r in failed)
    which = "" if len(reports) == 1 else f" in {len(failed)} of {len(reports)} targets"
    return (
        f"WARNING: the scan is INCOMPLETE: {errors} error{'s' if errors != 1 else ''}{which} "
        "(listed under each target); what could not be read was not scanned, so "
        '"no findings" below does not mean clean.'
    )


def _target_header(report: Report) -> Text:
    t = report.target
    text = Text()
    text.append(visible(t.ref) or "(unnamed)", style="bold")
    text.append(f" ({visible(t.kind)})")
    if t.digest:
        text.append(f" {visible(_short(t.digest))}")
    if t.os is not None:
        text.append(f" {visible(t.os.family)} {visible(t.os.version)}")
    return text


@register_renderer
class TableRenderer(Renderer):
    """Human-readable tables."""

    name = "table"
    description = "tables for humans (default)"
    _full_cells = False

    def render(self, reports: Sequence[Report], stream: TextIO, options: RenderOptions) -> None:
        """Write one section per target, then the summary."""
        console = Console(
            file=stream,
            force_terminal=options.color,
            no_color=not options.color,
            color_system="auto" if options.color else None,
            # Off a terminal nothing is cut to fit: a log or a pipe gets whole paths.
            width=options.width or (None if options.color else _UNBOUNDED_WIDTH),
            highlight=False,
            emoji=False,
        )
        self._full_cells = not options.color and not options.width
        banner = incomplete_banner(reports)
        if banner:
            console.print(Text(banner, style="bold yellow"), soft_wrap=True)
            console.print()
        for report in reports:
            self._render_target(console, report)
            if options.show_suppressed and report.suppressed:
                self._render_suppressed(console, report)
        console.print(summary_line(reports), soft_wrap=True)

    def _render_suppressed(self, console: Console, report: Report) -> None:
        table = Table(title=f"suppressed ({len(report.suppressed)})", title_justify="left",
                      box=box.SIMPLE_HEAD)
        table.add_column("Severity", no_wrap=True)
        table.add_column("Rule", no_wrap=True, max_width=RULE_MAX, overflow="ellipsis")
        table.add_column("Title", max_width=TITLE_MAX, overflow="ellipsis")
        table.add_column("Why", max_width=TITLE_MAX, overflow="ellipsis")
        for f in sorted(report.suppressed, key=Finding.sort_key):
            table.add_row(Text(f.severity.value.upper(), style=SEVERITY_STYLE[f.severity]),
                          Text(visible(f.rule_id)), Text(truncate(f.title, TITLE_MAX)),
                          Text(truncate(suppression_reason(f), TITLE_MAX * 2)))
        console.print(table)
        console.print()

    def _render_target(self, console: Console, report: Report) -> None:
        console.print(_target_header(report))
        if report.errors:
            console.print(
                Text(f"  INCOMPLETE: {len(report.errors)} errors:", style="bold yellow")
            )
            for e in report.errors:
                console.print(Text(f"    {visible(e.scope)}: {visible(e.message)}"),
                              soft_wrap=True)
        by_category: dict[str, list[Finding]] = {}
        for f in sorted(report.findings, key=Finding.sort_key):
            by_category.setdefault(f.category.value, []).append(f)
        if not by_category:
            console.print("  no findings" + (" in what could be read" if report.errors else ""))
        for category in sorted(by_category):
            findings = by_category[category]
            table = Table(
                title=f"{category} ({severity_counts(findings)})",
                title_justify="left",
                box=box.SIMPLE_HEAD,
                show_lines=False,
            )
            table.add_column("Severity", no_wrap=True)
            full = self._full_cells
            table.add_column("Rule", no_wrap=True, max_width=None if full else RULE_MAX,
                             overflow="fold" if full else "ellipsis")
            table.add_column("Title", max_width=TITLE_MAX)
            table.add_column("Location", max_width=None if full else LOCATION_MAX,
                             no_wrap=full)
            if any(f.package for f in findings):
                table.add_column("Package", max_width=PACKAGE_MAX)
            for f in findings:
                row = [
                    Text(f.severity.value.upper(), style=SEVERITY_STYLE[f.severity]),
                    Text(visible(f.rule_id)),
                    Text(truncate(f.title, TITLE_MAX * 2)),
                    Text(visible(_location(f)) if full
                         else truncate_middle(_location(f), LOCATION_MAX * 2)),
                ]
                if len(table.columns) == 5:
                    row.append(Text(truncate(_package(f), PACKAGE_MAX * 2)))
                table.add_row(*row)
            console.print(table)
        if report.notes:
            console.print(Text(f"  notes ({len(report.notes)}, checks stopped at their budget):",
                               style="dim"))
            for n in report.notes:
                console.print(Text(f"    {visible(n.scope)}: {visible(n.message)}", style="dim"),
                              soft_wrap=True)
        console.print()
