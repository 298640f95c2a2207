"""``seawall ls images|containers``: what the local engines hold."""

from __future__ import annotations

import dataclasses
import json

import click

from seawall.cli.app import GlobalOptions, app
from seawall.report.untrusted_text import visible
from seawall.sources.interface import SourceOptions


@app.command("ls")
@click.argument("what", type=click.Choice(["images", "containers"]))
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.option("--docker-host", envvar="SEAWALL_DOCKER_HOST", help="Docker API (DOCKER_HOST).")
@click.option("--podman-host", envvar="SEAWALL_PODMAN_HOST", help="Podman API socket.")
@click.option(
    "--containerd-address",
    envvar="SEAWALL_CONTAINERD_ADDRESS",
    help="containerd socket (CONTAINERD_ADDRESS).",
)
@click.pass_obj
def ls_command(
    obj: GlobalOptions,
    what: str,
    fmt: str,
    docker_host: str | None,
    podman_host: str | None,
    containerd_address: str | None,
) -> None:
    """List images or containers of docker, podman and containerd.

    Engines that are not running are skipped with a note on stderr.
    """
    from seawall.sources.engine_inventory import take_inventory

    options = SourceOptions(docker_host=docker_host, podman_host=podman_host)
    if containerd_address:
        options = dataclasses.replace(options, containerd_address=containerd_address)
    inventory = take_inventory(options, what)
    if not (obj and obj.quiet):
        for note in inventory.notes:
            click.echo(f"seawall: note: {visible(note)}", err=True)
    rows = inventory.images if what == "images" else inventory.containers
    if fmt == "json":
        click.echo(json.dumps([row.to_dict() for row in rows], indent=2))
        return
    if what == "images":
        table = [["ENGINE", "NAMESPACE", "IMAGE ID", "TAGS"]] + [
            [
                i.engine,
                i.namespace or "-",
                i.id.removeprefix("sha256:")[:12],
                ", ".join(i.tags) or "<none>",
            ]
            for i in inventory.images
        ]
    else:
        table = [["ENGINE", "CONTAINER ID", "NAME", "IMAGE", "STATE"]] + [
            [c.engine, c.id[:12], c.name, c.image, c.state] for c in inventory.containers
        ]
    table = [[visible(cell) for cell in row] for row in table]  # names come from engines
    widths = [max(len(row[col]) for row in table) for col in range(len(table[0]))]
    for row in table:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
