"""Every built-in report format, imported in one place: each module registers its
:class:`~.interface.Renderer` when imported; :mod:`.renderer_table` imports this
module. Adding a format = adding its module and one line here."""

from __future__ import annotations

from seawall.report.cyclonedx import CycloneDxRenderer
from seawall.report.html import HtmlRenderer
from seawall.report.json_format import JsonRenderer
from seawall.report.junit import JunitRenderer
from seawall.report.markdown import MarkdownRenderer
from seawall.report.sarif import SarifRenderer
from seawall.report.spdx import SpdxRenderer
from seawall.report.table import TableRenderer

BUILTIN_RENDERERS = (
    CycloneDxRenderer, HtmlRenderer, JsonRenderer, JunitRenderer, MarkdownRenderer,
    SarifRenderer, SpdxRenderer, TableRenderer,
)
"""The built-in renderer classes, in registration order."""
