"""``seawall inspect REF``: what an image is -- metadata, OS, layers -- without scanning.

``--format json`` writes the report document (DESIGN.md) with empty findings and
packages, so scripts get the same ``target`` object every scan writes.
"""

from __future__ import annotations

import json
import time
from typing import Any

import click

from seawall._version import __version__
from seawall.cli.app import app
from seawall.cli.source_options import source_options
from seawall.fs.indexed import IndexedFileSystem
from seawall.model.report import Report, Stats, ToolInfo
from seawall.report.untrusted_text import visible
from seawall.sources.image import StoredImage
from seawall.sources.interface import Image, SourceOptions


def _human(size: int | None) -> str:
    if size is None:
        return "-"
    value = float(size)
    for unit in ("B", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return str(size)


def _uncompressed_sizes(image: Image) -> list[int | None]:
    sizes: list[int | None] = []
    for layer in image.layers:
        index = getattr(layer.fs, "index", None)
        sizes.append(getattr(index, "tar_size", None))
    return sizes


def _render_table(image: Image, report: Report) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    def cell(value: object) -> Text:  # image metadata is untrusted: no markup, no escapes
        return Text(visible(str(value)))

    console = Console()
    target = report.target
    meta = Table(show_header=False, box=None, pad_edge=False)
    meta.add_column(style="bold")
    meta.add_column()
    meta.add_row("Reference", cell(image.ref))
    meta.add_row("Image ID", cell(image.digest))
    if image.manifest_digest:
        meta.add_row("Manifest", cell(image.manifest_digest))
    if isinstance(image, StoredImage):
        meta.add_row("Platform", cell(image.platform))
    if image.repo_tags:
        meta.add_row("Tags", cell(", ".join(image.repo_tags)))
    if target.os is not None:
        os_text = cell(f"{target.os.family} {target.os.version}")
        if target.os.codename:
            os_text.append(f" ({visible(target.os.codename)})")
        if target.os.eol:
            os_text.append(" end of life", style="red")
        meta.add_row("OS", os_text)
    else:
        meta.add_row("OS", "unknown")
    cfg: dict[str, Any] = image.config.get("config") or {}
    if image.config.get("created"):
        meta.add_row("Created", cell(image.config["created"]))
    for key in ("User", "Entrypoint", "Cmd", "WorkingDir"):
        if cfg.get(key):
            meta.add_row(key, cell(json.dumps(cfg[key], ensure_ascii=False)
                                   if isinstance(cfg[key], list) else cfg[key]))
    console.print(meta)
    layers = Table(title="Layers", title_justify="left")
    layers.add_column("#", justify="right")
    layers.add_column("Diff ID")
    layers.add_column("Blob size", justify="right")
    layers.add_column("Size", justify="right")
    layers.add_column("Created by", overflow="fold")
    for layer, size in zip(image.layers, _uncompressed_sizes(image), strict=True):
        created_by = (layer.info.created_by or "").replace("/bin/sh -c #(nop) ", "").strip()
        layers.add_row(
            str(layer.info.index),
            layer.diff_id.removeprefix("sha256:")[:12],
            _human(layer.info.size),
            _human(size),
            cell(created_by[:200]),
        )
    console.print(layers)


@app.command("inspect")
@click.argument("ref")
@click.option(
    "--format",
    "-f",
    "output_format",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Output format.",
)
@source_options
def inspect_command(ref: str, output_format: str, source_options: SourceOptions) -> None:
    """Show an image's metadata, OS and layers (docker-archive:, oci:, oci-archive:,
    docker-daemon:, docker://, containerd:, podman: or a bare name)."""
    import seawall

    started = time.monotonic()
    image = seawall.open_image(ref, source_options)
    with image:
        target = image.target_info()
        files = len(image.fs) if isinstance(image.fs, IndexedFileSystem) else 0
        report = Report(
            target=target,
            tool=ToolInfo(version=__version__),
            stats=Stats(duration_s=time.monotonic() - started, files=files),
        )
        if output_format == "json":
            click.echo(json.dumps(report.to_dict(), indent=2))
        else:
            _render_table(image, report)
