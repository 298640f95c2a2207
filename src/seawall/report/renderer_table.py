"""The report formats by name, every built-in renderer loaded (:mod:`.all`)."""

from __future__ import annotations

import seawall.report.all  # noqa: F401 - every built-in format registered
from seawall.component_registry import ComponentRegistry
from seawall.errors import InputError
from seawall.report.interface import RENDERERS, Renderer


def load_renderers() -> ComponentRegistry[type[Renderer]]:
    """The table of report formats (complete: the built-ins were imported with this
    module)."""
    return RENDERERS


def get_renderer(name: str) -> Renderer:
    """A renderer instance by format name; unknown names are an input error."""
    if name not in RENDERERS:
        raise InputError(f"unknown format {name!r} (known: {', '.join(sorted(RENDERERS))})")
    return RENDERERS.get(name)()
