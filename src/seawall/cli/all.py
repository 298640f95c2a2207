"""Every command module, imported in one place: each attaches its commands to
:data:`seawall.cli.app.app` when imported. Adding a command = adding its module and
one line here."""

from __future__ import annotations

from seawall.cli import (
    audit,
    config,
    controls,
    convert,
    db,
    detect_rules,
    inspect,
    ls,
    plugin,
    sbom,
    sbom_scan,
    scan,
)

COMMAND_MODULES = (audit, config, controls, convert, db, detect_rules, inspect, ls, plugin, sbom,
                   sbom_scan, scan)
"""The modules that define the commands."""
