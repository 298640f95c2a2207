"""Report renderers: one module per output format, each registering a
:class:`Renderer`; the output plumbing (``--format FMT[=FILE]``) looks them up by name.

Adding a format = adding ``seawall/report/<format>.py`` with a ``@register_renderer``
class and a line in :mod:`.all`; :mod:`.renderer_table` looks formats up by name.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar, TextIO

from seawall.component_registry import ComponentRegistry
from seawall.model.report import Report


@dataclass(frozen=True)
class RenderOptions:
    """How the output will be seen."""

    color: bool = False
    """ANSI colours allowed (only when writing to a terminal)."""
    width: int | None = None
    """Terminal width; None lets the renderer choose."""
    show_suppressed: bool = False
    """List suppressed findings (``--show-suppressed``); human formats always count them."""


class Renderer(ABC):
    """Turns reports into one output document."""

    name: ClassVar[str]
    """Format name for ``--format`` (``json``, ``table``, ``sarif``...)."""
    description: ClassVar[str] = ""
    """One line for ``--help``."""

    @abstractmethod
    def render(self, reports: Sequence[Report], stream: TextIO, options: RenderOptions) -> None:
        """Write ``reports`` (one per scanned target) to ``stream``."""


RENDERERS: ComponentRegistry[type[Renderer]] = ComponentRegistry("report format")


def register_renderer(cls: type[Renderer]) -> type[Renderer]:
    """Class decorator: make a renderer available under ``cls.name``."""
    RENDERERS.add(cls.name, cls)
    return cls
