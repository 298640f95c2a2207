"""The table of in-process analyzers: built-ins register on import, third-party
Python packages through the ``seawall.plugins`` entry point group."""

from __future__ import annotations

from importlib.metadata import entry_points

from seawall.analyzers.interface import Analyzer
from seawall.component_registry import ComponentRegistry, import_submodules

ANALYZERS: ComponentRegistry[type[Analyzer]] = ComponentRegistry("analyzer")


def register_analyzer(cls: type[Analyzer]) -> type[Analyzer]:
    """Class decorator for built-in analyzers."""
    ANALYZERS.add(cls.name, cls)
    return cls


_loaded = False


def load_analyzers() -> ComponentRegistry[type[Analyzer]]:
    """Import the built-ins (every package under ``seawall.analyzers`` that registers)
    and the ``seawall.plugins`` entry points; returns the filled table."""
    global _loaded
    if not _loaded:
        _loaded = True
        import_submodules("seawall.analyzers")
        for ep in entry_points(group="seawall.plugins"):
            obj = ep.load()
            if isinstance(obj, type) and issubclass(obj, Analyzer) and obj.name not in ANALYZERS:
                ANALYZERS.add(obj.name, obj)
    return ANALYZERS
