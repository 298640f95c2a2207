"""The root ``seawall`` command group and the options every command shares.

Commands live one per module in ``seawall.cli`` and attach themselves to :data:`app`
with ``@app.command()``; :mod:`seawall.cli.all` imports them all.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

import click

from seawall._version import __version__
from seawall.report.untrusted_text import VisibleLogFormatter


@dataclass
class GlobalOptions:
    """Options of the root group, available to every command as ``ctx.obj``."""

    debug: bool = False
    quiet: bool = False


def _configure_logging(options: GlobalOptions) -> None:
    """seawall's own loggers at DEBUG with --debug; third-party libraries stay at
    WARNING (their debug output is noise to a user)."""
    level = logging.DEBUG if options.debug else (
        logging.ERROR if options.quiet else logging.WARNING)
    handler = logging.StreamHandler()
    # Log messages quote paths, package names and plugin output: shown made visible.
    handler.setFormatter(VisibleLogFormatter("seawall: %(levelname)s: %(message)s"))
    logging.basicConfig(handlers=[handler])
    logging.getLogger().setLevel(logging.ERROR if options.quiet else logging.WARNING)
    logging.getLogger("seawall").setLevel(level)


def _set_global_flag(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    """Callback of the per-command ``-q``/``--debug``: they mean what the root's do."""
    if not value:
        return
    root = ctx.find_root()
    if not isinstance(root.obj, GlobalOptions):
        root.obj = GlobalOptions()
    setattr(root.obj, str(param.name), True)
    ctx.obj = root.obj
    _configure_logging(root.obj)


def _global_flags() -> list[click.Option]:
    """Fresh ``-q``/``--debug`` options for one subcommand (Trivy users type them after
    the subcommand: ``seawall image -q REF``)."""
    return [
        click.Option(["--debug"], is_flag=True, expose_value=False, is_eager=True,
                     callback=_set_global_flag, help="Verbose logs and full tracebacks."),
        click.Option(["-q", "--quiet"], is_flag=True, expose_value=False, is_eager=True,
                     callback=_set_global_flag,
                     help="No progress bars or informational logs on stderr."),
    ]


class SeawallGroup(click.Group):
    """A group whose subcommands (and their subcommands) also accept the root's
    ``-q/--quiet`` and ``--debug``, wherever the user puts them."""

    group_class = type  # ``@app.group()`` makes SeawallGroups too

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        """Register ``cmd`` after giving it the global flags it does not define itself."""
        _add_global_flags(cmd)
        super().add_command(cmd, name)


def _add_global_flags(cmd: click.Command) -> None:
    taken = {opt for p in cmd.params for opt in getattr(p, "opts", [])}
    for flag in _global_flags():
        if not taken.intersection(flag.opts):
            cmd.params.append(flag)
    if isinstance(cmd, click.Group):
        for sub in cmd.commands.values():
            _add_global_flags(sub)
        if not isinstance(cmd, SeawallGroup):
            original = cmd.add_command

            def add_command(sub: click.Command, name: str | None = None) -> None:
                _add_global_flags(sub)
                original(sub, name)

            cmd.add_command = add_command  # type: ignore[method-assign,assignment]


@click.group(
    cls=SeawallGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
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
    _configure_logging(ctx.obj)
