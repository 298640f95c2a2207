"""The ``seawall`` console script: run the command group, turn errors into one line
and an exit code."""

from __future__ import annotations

import sys

import click

import seawall.cli.all  # noqa: F401 - every command attached to the group
from seawall.cli.app import app
from seawall.cli.termination import exit_now, install_sigterm_handler, interrupted
from seawall.errors import SeawallError
from seawall.report.untrusted_text import visible


def main(argv: list[str] | None = None) -> None:
    """Run the CLI. User errors print one line and exit 2; tracebacks only with --debug."""
    install_sigterm_handler()
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    try:
        # With standalone_mode=False click returns ctx.exit(N)'s code instead of exiting.
        status = app.main(args=args, prog_name="seawall", standalone_mode=False)
        if isinstance(status, int) and status:
            sys.exit(status)
    except SeawallError as exc:
        if debug:
            raise
        # One line, whatever the message embeds (YAML parser marks, server bodies...),
        # and no terminal escapes from a file name or a server's answer.
        click.echo("seawall: " + " ".join(visible(str(exc)).split()), err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.UsageError as exc:
        if exc.ctx is not None:
            click.echo(exc.ctx.get_usage(), err=True)
            if exc.ctx.command.get_help_option(exc.ctx) is not None:
                click.echo(f"Try '{exc.ctx.command_path} --help' for help.", err=True)
            click.echo(err=True)
        click.echo(f"Error: {visible(exc.format_message())}", err=True)
        sys.exit(2)
    except click.ClickException as exc:
        click.echo(f"Error: {visible(exc.format_message())}", err=True)
        sys.exit(2)
    except (click.exceptions.Abort, KeyboardInterrupt) as exc:
        status, word = interrupted(exc)
        click.echo(f"seawall: {word}", err=True)
        exit_now(status)
    except BrokenPipeError:
        sys.exit(0)
    except Exception as exc:
        if debug:
            raise
        name = type(exc).__name__
        click.echo(f"seawall: internal error: {name}: {visible(str(exc))} (rerun with --debug)",
                   err=True)
        sys.exit(3)
    sys.exit(0)
