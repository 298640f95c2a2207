"""Turning ``--plugin NAME`` options into discovered plugins."""

from __future__ import annotations

from collections.abc import Sequence

from seawall.errors import InputError
from seawall.plugins.discovery import DiscoveredPlugin, discover_plugins
from seawall.scanning.options import ScanOptions


def select_plugins(names: Sequence[str], options: ScanOptions) -> list[DiscoveredPlugin]:
    """The discovered plugins named (``all``: every one). An unknown name is an
    input error that lists the plugins found."""
    if not names:
        return []
    found = discover_plugins(options.plugin_dirs, cache_dir=options.resolved_cache_dir())
    if "all" in names:
        return found
    by_name = {p.name: p for p in found}
    out = []
    for name in dict.fromkeys(names):
        if name not in by_name:
            known = ", ".join(sorted(by_name)) or "none found"
            raise InputError(f"unknown plugin {name!r} (plugins: {known})")
        out.append(by_name[name])
    return out
