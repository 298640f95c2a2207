"""``seawall controls list``: the misconfiguration controls catalogue."""

from __future__ import annotations

import json

import click
from rich import box
from rich.console import Console
from rich.table import Table

from seawall.analyzers.misconfig.controls import MAPPING_KEYS, load_controls
from seawall.cli.app import app


@app.group("controls")
def controls_group() -> None:
    """The misconfiguration controls (SW-IMG, SW-DF, SW-K8S, SW-RBAC, SW-NET, SW-COMPOSE)."""


@controls_group.command("list")
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
)
@click.option(
    "--domain",
    help="Only this domain: image, dockerfile, workload, k8s_object, rbac, network, compose.",
)
def list_controls(fmt: str, domain: str | None) -> None:
    """Print every control with its severity and framework mappings."""
    controls = [c for c in load_controls().values() if domain is None or c.domain == domain]
    controls.sort(key=lambda c: (c.id.rsplit("-", 1)[0], c.id))
    if fmt == "json":
        click.echo(json.dumps([c.to_dict() for c in controls], indent=2))
        return
    table = Table(box=box.SIMPLE_HEAD, title=f"{len(controls)} controls", title_justify="left")
    for column in ("ID", "Severity", "Title", "Mappings"):
        table.add_column(column, no_wrap=column in ("ID", "Severity"))
    for c in controls:
        mappings = "; ".join(
            f"{k}: {','.join(c.mappings[k])}" for k in MAPPING_KEYS if c.mappings.get(k)
        )
        table.add_row(c.id, c.severity.value, c.title, mappings)
    Console(width=160, highlight=False).print(table)
