"""``seawall plugin list|info``: built-in analyzers and discovered external plugins."""

from __future__ import annotations

import json
from typing import Any

import click

from seawall.cli.app import GlobalOptions, app
from seawall.errors import NotFoundError
from seawall.report.untrusted_text import visible


def _analyzer_rows() -> list[dict[str, Any]]:
    from seawall.scanning.selection import known_analyzers

    return [
        {
            "name": cls.name,
            "kind": "builtin",
            "version": cls.version,
            "targets": sorted(cls.target_kinds),
            "default": cls.default_enabled,
            "description": cls.description,
        }
        for cls in known_analyzers()
    ]


def _plugins(plugin_dirs: tuple[str, ...], quiet: bool) -> list[Any]:
    from seawall.plugins.discovery import discover_plugins
    from seawall.scanning.options import default_cache_dir

    def warn(message: str) -> None:
        if not quiet:
            click.echo(f"seawall: warning: {visible(message)}", err=True)

    return discover_plugins(plugin_dirs, cache_dir=default_cache_dir(), warn=warn)


_dirs_option = click.option(
    "--plugin-dir",
    "plugin_dirs",
    multiple=True,
    type=click.Path(file_okay=False),
    help="Extra plugin directory (repeatable; also SEAWALL_PLUGIN_PATH).",
)


@app.group("plugin")
def plugin_group() -> None:
    """Built-in analyzers and external plugins."""


@plugin_group.command("list")
@_dirs_option
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.pass_obj
def plugin_list(obj: GlobalOptions, plugin_dirs: tuple[str, ...], fmt: str) -> None:
    """List built-in analyzers and the external plugins found."""
    rows = _analyzer_rows()
    for p in _plugins(plugin_dirs, bool(obj and obj.quiet)):
        m = p.manifest
        rows.append(
            {
                "name": m.name,
                "kind": "external",
                "version": m.version,
                "targets": sorted({c.type for c in m.commands}),
                "default": False,
                "description": m.description,
                "path": p.path,
            }
        )
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    header = ["NAME", "KIND", "VERSION", "TARGETS", "DESCRIPTION"]
    table = [header] + [
        [
            r["name"] + ("" if r["default"] or r["kind"] == "external" else " (opt-in)"),
            r["kind"],
            r["version"],
            ",".join(r["targets"]),
            r["description"],
        ]
        for r in rows
    ]
    table = [[visible(cell) for cell in row] for row in table]  # manifests are untrusted
    widths = [max(len(row[i]) for row in table) for i in range(len(header) - 1)]
    for row in table:
        cells = [c.ljust(w) for c, w in zip(row[:-1], widths, strict=True)]
        click.echo("  ".join([*cells, row[-1]]).rstrip())


@plugin_group.command("info")
@click.argument("name")
@_dirs_option
@click.pass_obj
def plugin_info(obj: GlobalOptions, name: str, plugin_dirs: tuple[str, ...]) -> None:
    """Show one analyzer's or plugin's metadata (an external plugin's manifest) as JSON."""
    for row in _analyzer_rows():
        if row["name"] == name:
            click.echo(json.dumps(row, indent=2))
            return
    for p in _plugins(plugin_dirs, bool(obj and obj.quiet)):
        if p.name == name:
            click.echo(json.dumps({**p.manifest.to_dict(), "path": p.path}, indent=2))
            return
    raise NotFoundError(f"no analyzer or plugin named {name!r} (see 'seawall plugin list')")
