"""``--format json``: the DESIGN.md report document, byte-stable for the same scan.

One target gives one document; several targets give a JSON array of documents.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TextIO

from seawall.model.report import Report
from seawall.report.interface import Renderer, RenderOptions, register_renderer
from seawall.report.json_text import dumps_json


def report_document(report: Report) -> dict[str, Any]:
    """The JSON document of one report (stable ordering comes from the model)."""
    return report.to_dict()


@register_renderer
class JsonRenderer(Renderer):
    """The seawall JSON report."""

    name = "json"
    description = "seawall JSON report (one document per target)"

    def render(self, reports: Sequence[Report], stream: TextIO, options: RenderOptions) -> None:
        """Write the document (or an array of them)."""
        docs = [report_document(r) for r in reports]
        payload: Any = docs[0] if len(docs) == 1 else docs
        # one write: json.dump() writes every token separately (millions of calls
        # for large reports); the bytes are identical
        stream.write(dumps_json(payload))
        stream.write("\n")
