"""``--format html``: one self-contained page (inline CSS and script, no CDN, no
fonts or images fetched: it works offline and from an e-mail attachment) with summary
cards, charts by severity and category drawn as inline SVG, and a findings table the
reader filters by severity, category, target and free text.

The report travels inside the page as JSON (``<script type="application/json">``);
the script builds the table from it. A Content-Security-Policy forbids the page from
loading anything at all, so an opened report never calls home. Every string is made
visible (:mod:`seawall.report.untrusted_text`: controls, bidi overrides and non-UTF-8
bytes escaped) before it is HTML-escaped or embedded; an incomplete scan says so at
the top of the page.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any, TextIO

from seawall._version import __version__
from seawall.model.report import Report
from seawall.report.html_assets import SCRIPT, STYLE
from seawall.report.interface import Renderer, RenderOptions, register_renderer
from seawall.report.json_text import dumps_json
from seawall.report.untrusted_text import visible

CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"


def visible_strings(value: Any) -> Any:
    """``value`` (a JSON document) with every string, keys included, made visible."""
    if isinstance(value, str):
        return visible(value)
    if isinstance(value, dict):
        return {visible_strings(k): visible_strings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [visible_strings(v) for v in value]
    return value


def _text(value: str) -> str:
    """Untrusted text as HTML character data."""
    return html.escape(visible(value))


def embedded_json(reports: Sequence[Report], show_suppressed: bool) -> str:
    """The page's data island; ``<`` is escaped so no value can close the script."""
    docs = []
    for report in reports:
        doc = report.to_dict()
        if not show_suppressed:
            doc.pop("suppressed", None)
        docs.append(visible_strings(doc))
    payload = {
        "reports": docs,
        "suppressed_total": sum(len(r.suppressed) for r in reports),
        "package_total": sum(len(r.packages) for r in reports),
    }
    text = dumps_json(payload, indent=None, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def html_page(reports: Sequence[Report], show_suppressed: bool = False) -> str:
    """The whole HTML document."""
    targets = ", ".join(r.target.ref for r in reports) or "nothing"
    title = f"seawall report: {targets}"
    errors = [f"{e.scope}: {e.message}" for r in reports for e in r.errors]
    error_block = ""
    if errors:
        items = "".join(f"<li>{_text(e)}</li>" for e in errors[:50])
        more = f"<li>… and {len(errors) - 50} more</li>" if len(errors) > 50 else ""
        error_block = (f'<div class="errors" id="incomplete"><strong>The scan is incomplete: '
                       f"what could not be read was not scanned ({len(errors)} "
                       f"error{'s' if len(errors) != 1 else ''})</strong>"
                       f"<ul>{items}{more}</ul></div>")
    suppressed_block = ""
    if show_suppressed and any(r.suppressed for r in reports):
        suppressed_block = (
            "<h2>Suppressed findings</h2><table><thead><tr><th>Severity</th><th>Rule</th>"
            "<th>Title</th><th>Why</th></tr></thead><tbody id=\"suppressed-body\"></tbody>"
            "</table>"
        )
    generated = " · ".join(
        f"{_text(r.target.kind)} {_text(r.target.ref)}"
        + (f" ({_text(r.target.os.family)} {_text(r.target.os.version)})"
           if r.target.os else "")
        for r in reports
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="seawall {html.escape(__version__)}">
<title>{_text(title[:200])}</title>
<style>{STYLE}</style>
</head>
<body>
<header><h1>seawall report</h1><div class="meta">{generated}</div></header>
<main>
<noscript><p>This report draws its charts and table with JavaScript; the data is in
the page source (script id "seawall-data").</p></noscript>
{error_block}
<div class="cards" id="cards"></div>
<div class="charts">
<div class="chart"><h2>Findings by severity</h2><div id="chart-severity"></div></div>
<div class="chart"><h2>Findings by category</h2><div id="chart-category"></div></div>
</div>
<h2>Findings</h2>
<div class="filters">
<input id="filter-text" type="search" placeholder="Filter: rule, title, path, package…"
 aria-label="filter text">
<select id="filter-severity" aria-label="severity"><option value="">all severities</option></select>
<select id="filter-category" aria-label="category"><option value="">all categories</option></select>
<select id="filter-target" aria-label="target"><option value="">all targets</option></select>
<span id="shown-count" class="muted"></span>
</div>
<table id="findings"><thead><tr><th>Severity</th><th>Category</th><th>Rule</th><th>Title</th>
<th>Location</th><th>Package</th><th>Target</th></tr></thead>
<tbody id="findings-body"></tbody></table>
{suppressed_block}
</main>
<script type="application/json" id="seawall-data">{embedded_json(reports, show_suppressed)}</script>
<script>{SCRIPT}</script>
</body>
</html>
"""


@register_renderer
class HtmlRenderer(Renderer):
    """Self-contained HTML report."""

    name = "html"
    description = "self-contained HTML page (charts, filterable table; works offline)"

    def render(self, reports: Sequence[Report], stream: TextIO, options: RenderOptions) -> None:
        """Write the page."""
        stream.write(html_page(reports, options.show_suppressed))
