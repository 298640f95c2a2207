"""``--format markdown``: a summary fit for a pull-request comment (GitHub, GitLab
and Gitea flavoured Markdown): an incomplete-scan warning first when there were
errors, counts by severity, the worst findings in a table, the rest behind a
``<details>`` fold, suppressed counts. Every untrusted string is made visible
(:mod:`seawall.report.untrusted_text`) and then Markdown-escaped."""

from __future__ import annotations

import re
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
from seawall.report.untrusted_text import visible

#: Rows in the main table; PR comments over ~65k characters are refused by GitHub.
TOP_FINDINGS = 20
MORE_FINDINGS = 200
_CELL_MAX = 120


#: Markdown punctuation a file name could use to become a link, an image (a tracking
#: pixel in a PR comment), emphasis, a heading or an @mention.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!~|@])")


def _one_line(text: str, limit: int) -> str:
    text = " ".join(visible(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def cell(text: str, limit: int = _CELL_MAX) -> str:
    """Untrusted text as literal Markdown inside a table cell: controls made visible,
    one line, every Markdown metacharacter backslash-escaped; capped."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", _one_line(text, limit))
    return escaped.replace("<", "&lt;").replace(">", "&gt;")


def code(text: str, limit: int = 60) -> str:
    """Untrusted text as a code span in a table cell (no backtick can close it, no
    pipe can end the cell)."""
    return "`" + _one_line(text, limit).replace("`", "'").replace("|", "\\|") + "`"


def _table(findings: Sequence[Finding]) -> list[str]:
    lines = ["| Severity | Rule | Title | Location | Package |", "|---|---|---|---|---|"]
    for f in findings:
        lines.append(
            f"| {f.severity.value.upper()} | {code(f.rule_id)} | {cell(f.title)} "
            f"| {cell(location_text(f), 80)} | {cell(package_text(f), 60)} |"
        )
    return lines


def markdown_summary(reports: Sequence[Report], show_suppressed: bool = False) -> str:
    """The comment text."""
    findings = all_findings(reports)
    suppressed = all_suppressed(reports)
    targets = ", ".join(code(r.target.ref, 100) for r in reports) or "nothing"
    out = [f"## seawall: {len(findings)} finding{'s' if len(findings) != 1 else ''}", ""]
    errors = [(r.target.ref, e) for r in reports for e in r.errors]
    if errors:
        out.append(f"> **Warning: the scan is incomplete** ({len(errors)} error(s)): what "
                   "could not be read was not scanned.")
        out += [f"> - {code(e.scope)}: {cell(e.message, 200)}" for _, e in errors[:20]]
        if len(errors) > 20:
            out.append(f"> - … and {len(errors) - 20} more (see the full report)")
        out.append("")
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
            out += [f"| {code(f.rule_id)} | {cell(f.title)} | {cell(suppression_reason(f))} |"
                    for f in suppressed[:MORE_FINDINGS]]
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
