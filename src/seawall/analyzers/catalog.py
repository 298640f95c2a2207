"""The table of in-process analyzers: the built-ins are registered by
:mod:`seawall.analyzers.all`, third-party Python packages through the
``seawall.plugins`` entry point group."""

from __future__ import annotations

from importlib.metadata import entry_points

from seawall.analyzers.interface import Analyzer
from seawall.component_registry import ComponentRegistry

ANALYZERS: ComponentRegistry[type[Analyzer]] = ComponentRegistry("analyzer")


def register_analyzer(cls: type[Analyzer]) -> type[Analyzer]:
    """Add an analyzer class to the table (usable as a class decorator)."""
    ANALYZERS.add(cls.name, cls)
    return cls


def register_entry_point_analyzers() -> None:
    """Add the :class:`Analyzer` classes of the ``seawall.plugins`` entry points whose
    names are not taken yet (called once, by :mod:`seawall.analyzers.all`)."""
    for ep in entry_points(group="seawall.plugins"):
        obj = ep.load()
        if isinstance(obj, type) and issubclass(obj, Analyzer) and obj.name not in ANALYZERS:
            ANALYZERS.add(obj.name, obj)
