"""``--format markdown``: a summary fit for a pull-request comment (GitHub, GitLab
and Gitea flavoured Markdown): counts by severity, the worst findings in a table, the
rest behind a ``<details>`` fold, suppressed counts, scan errors."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from seawall.model.finding import Finding
from seawall.model.report import Report
from seawall.report.finding_display import (
    SEVERITIES_WORST_FIRST,
    all_findings,
    all_suppressed,
    location_text,
    package_text,
    severity_counter,
    suppression_reason,
)
from seawall.report.interface import Renderer, RenderOptions, register_renderer

#: Rows in the main table; PR comments over ~65k characters are refused by GitHub.
TOP_FINDINGS = 20
MORE_FINDINGS = 200
_CELL_MAX = 120


def cell(text: str, limit: int = _CELL_MAX) -> str:
    """Text safe inside a table cell: no pipes or newlines breaking the row, capped."""
    text = " ".join(text.split()).replace("|", "\\|").replace("<", "&lt;")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _table(findings: Sequence[Finding]) -> list[str]:
    lines = ["| Severity | Rule | Title | Location | Package |", "|---|---|---|---|---|"]
    for f in findings:
        lines.append(
            f"| {f.severity.value.upper()} | `{cell(f.rule_id, 60)}` | {cell(f.title)} "
            f"| {cell(location_text(f), 80)} | {cell(package_text(f), 60)} |"
        )
    return lines


def markdown_summary(reports: Sequence[Report], show_suppressed: bool = False) -> str:
    """The comment text."""
    findings = all_findings(reports)
    suppressed = all_suppressed(reports)
    targets = ", ".join(f"`{cell(r.target.ref, 100)}`" for r in reports) or "nothing"
    out = [f"## seawall: {len(findings)} finding{'s' if len(findings) != 1 else ''}", ""]
    out.append(f"Scanned {targets}.")
    out.append("")
    counts = severity_counter(findings)
    out.append("| " + " | ".join(s.value.upper() for s in SEVERITIES_WORST_FIRST) + " |")
    out.append("|" + "---:|" * len(SEVERITIES_WORST_FIRST))
    out.append("| " + " | ".join(str(counts[s]) for s in SEVERITIES_WORST_FIRST) + " |")
    out.append("")
    categories: dict[str, int] = {}
    for f in findings:
        categories[f.category.value] = categories.get(f.category.value, 0) + 1
    if categories:
        out.append("By category: " + ", ".join(f"{k} {v}" for k, v in sorted(categories.items())))
        out.append("")
    if findings:
        out.append(f"### Top findings ({min(len(findings), TOP_FINDINGS)} of {len(findings)})")
        out.append("")
        out += _table(findings[:TOP_FINDINGS])
        rest = findings[TOP_FINDINGS : TOP_FINDINGS + MORE_FINDINGS]
        if rest:
            out += ["", f"<details><summary>{len(findings) - TOP_FINDINGS} more</summary>", ""]
            out += _table(rest)
            if len(findings) > TOP_FINDINGS + MORE_FINDINGS:
                out += ["", f"… and {len(findings) - TOP_FINDINGS - MORE_FINDINGS} more "
                        "(see the full report)."]
            out += ["", "</details>"]
        out.append("")
    else:
        out += ["No findings. :white_check_mark:", ""]
    if suppressed:
        out.append(f"{len(suppressed)} finding{'s' if len(suppressed) != 1 else ''} suppressed "
                   "(ignore file, VEX, baseline or exceptions).")
        if show_suppressed:
            out += ["", "| Rule | Title | Why |", "|---|---|---|"]
            out += [f"| `{cell(f.rule_id, 60)}` | {cell(f.title)} | {cell(suppression_reason(f))} |"
                    for f in suppressed[:MORE_FINDINGS]]
        out.append("")
    errors = [(r.target.ref, e) for r in reports for e in r.errors]
    if errors:
        out.append(f"> **Warning:** the scan is incomplete ({len(errors)} error(s)):")
        out += [f"> - `{cell(e.scope, 60)}`: {cell(e.message, 200)}" for _, e in errors[:20]]
        out.append("")
    return "\n".join(out).rstrip() + "\n"


@register_renderer
class MarkdownRenderer(Renderer):
    """Pull-request comment summary."""

    name = "markdown"
    description = "Markdown summary for pull-request comments"

    def render(self, reports: Sequence[Report], stream: TextIO, options: RenderOptions) -> None:
        """Write the summary."""
        stream.write(markdown_summary(reports, options.show_suppressed))
