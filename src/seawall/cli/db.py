"""``seawall db update|import|status``: the offline vulnerability database."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from seawall.cli.app import app
from seawall.report.untrusted_text import visible

# The vuln package is imported by the commands that use it: every CLI start imports
# this module, and the DB code (matching, importers, schema) costs ~0.08 s to load.

_db_dir_option = click.option(
    "--db-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
    envvar="SEAWALL_DB_DIR", help="Directory of vuln.db (default ~/.cache/seawall/db).")


@app.group("db")
def db_group() -> None:
    """Manage the offline vulnerability database."""


@db_group.command("update")
@_db_dir_option
@click.option("--source", metavar="URL|PATH", default=None,
              help="Mirror base URL or local directory (air-gapped): <ECO>/all.zip, "
                   "debian/tracker.json, alpine/<branch>/<repo>.json.")
@click.option("--ecosystem", "ecosystems", multiple=True, metavar="NAME",
              help="OSV ecosystem to fetch (repeatable; default: the ecosystems of every "
                   "package type seawall inventories).")
@click.option("--no-debian", is_flag=True, help="Skip the Debian security tracker.")
@click.option("--no-alpine", is_flag=True, help="Skip the Alpine secdb.")
def db_update(db_dir: Path | None, source: str | None, ecosystems: tuple[str, ...],
              no_debian: bool, no_alpine: bool) -> None:
    """Fetch OSV exports, the Debian tracker and Alpine secdb; swap the DB in atomically."""
    from seawall.analyzers.vuln.db.feeds import UpdatePlan, run_update
    from seawall.analyzers.vuln.db.location import db_path

    path = db_path(db_dir)
    plan = UpdatePlan(source=source, debian=not no_debian)
    if ecosystems:
        plan.ecosystems = ecosystems
    if no_alpine:
        plan.alpine_branches = ()
    report = run_update(path, plan)
    for line in report.summary_lines():
        click.echo(visible(line), err=True)
    for note in plan.notes:
        click.echo(f"note: {visible(note)}", err=True)
    click.echo(f"vulnerability DB updated: {path}", err=True)


@db_group.command("import")
@_db_dir_option
@click.option("--replace", is_flag=True, help="Start from an empty DB (repairs a corrupt one).")
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(exists=True, path_type=Path))
def db_import(db_dir: Path | None, replace: bool, paths: tuple[Path, ...]) -> None:
    """Import OSV JSON/YAML (or zips of them), Debian tracker / vuln-list JSON, Alpine secdb."""
    from seawall.analyzers.vuln.db.local_import import run_import
    from seawall.analyzers.vuln.db.location import db_path

    path = db_path(db_dir)
    report = run_import(path, list(paths), replace=replace)
    for line in report.summary_lines():
        click.echo(visible(line), err=True)
    click.echo(f"vulnerability DB: {path}", err=True)


def _age(stamp: str | None) -> str:
    if not stamp:
        return "-"
    try:
        then = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        return stamp
    hours = (datetime.now(UTC) - then).total_seconds() / 3600
    return f"{hours:.1f}h ago" if hours < 48 else f"{hours / 24:.0f}d ago"


@db_group.command("status")
@_db_dir_option
def db_status(db_dir: Path | None) -> None:
    """Show sources, record counts and age of the vulnerability database."""
    from seawall.analyzers.vuln.db.location import db_path
    from seawall.analyzers.vuln.db.store import VulnStore

    path = db_path(db_dir)
    with VulnStore.open(path) as store:
        click.echo(f"database: {path}")
        click.echo(f"schema: {store.meta.get('schema_version')}  "
                   f"updated: {store.meta.get('updated_at', '-')} "
                   f"({_age(store.meta.get('updated_at'))})")
        for table, n in store.counts().items():
            click.echo(f"{table}: {n}")
        click.echo("sources:")
        for s in store.sources():
            click.echo(f"  {s.name}: {s.record_count} records, imported {_age(s.imported_at)}, "
                       f"last modified {s.last_modified or '-'}, from {s.location}")
