"""The root ``seawall`` command group and the options every command shares.

Commands live one per module in ``seawall.cli`` and attach themselves to :data:`app`
with ``@app.command()``; ``seawall.cli.main`` imports them all.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

import click

from seawall import __version__


@dataclass
class GlobalOptions:
    """Options of the root group, available to every command as ``ctx.obj``."""

    debug: bool = False
    quiet: bool = False


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", prog_name="seawall")
@click.option("--debug", is_flag=True, help="Verbose logs and full tracebacks.")
@click.option(
    "-q", "--quiet", is_flag=True, help="No progress bars or informational logs on stderr."
)
@click.pass_context
def app(ctx: click.Context, debug: bool, quiet: bool) -> None:
    """seawall: container security for the whole DevSecOps loop.

    Scan images, containers, root filesystems, IaC and clusters; gate CI; keep the
    fleet above its security waterline.
    """
    debug = debug or os.environ.get("SEAWALL_DEBUG", "") not in ("", "0", "false")
    quiet = quiet or os.environ.get("SEAWALL_QUIET", "") not in ("", "0", "false")
    ctx.obj = GlobalOptions(debug=debug, quiet=quiet)
    level = logging.DEBUG if debug else (logging.ERROR if quiet else logging.WARNING)
    logging.basicConfig(level=level, format="seawall: %(levelname)s: %(message)s")
