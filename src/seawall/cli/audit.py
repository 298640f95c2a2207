"""``seawall audit FILE|DIR|-``: Kubernetes audit-log detection (``seawall audit serve``
is the webhook backend). Findings go through the same output, suppression and gate
code as every scanner."""

from __future__ import annotations

import contextlib
import sys
import time
from pathlib import Path
from typing import Any

import click

from seawall.cli.app import GlobalOptions, app
from seawall.cli.policy_options import gate_flags, policy_flags, policy_from_kwargs
from seawall.cli.scan_pipeline import Publication, publish
from seawall.errors import InputError
from seawall.policy.gate import gate_from_flags
from seawall.report.output import parse_output_specs

DEFAULT_COMMAND = "logs"


class AuditGroup(click.Group):
    """``seawall audit PATH...`` runs ``logs``; ``seawall audit serve`` the server."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Route arguments that do not start with a subcommand to ``logs``."""
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = [DEFAULT_COMMAND, *args]
        return super().parse_args(ctx, args)


def rule_options(func: Any) -> Any:
    """``--rules`` and ``--disable-rule``, shared by every detector command."""
    func = click.option("--disable-rule", "disable", multiple=True, metavar="ID|tag:T",
                        help="Disable a rule by id, or every rule with a tag (repeatable).")(func)
    return click.option("--rules", "rule_paths", multiple=True, metavar="FILE|DIR",
                        help="Rule or tuning file, or a directory of them, loaded after the "
                             "built-in rules (repeatable).")(func)


def sink_option(func: Any) -> Any:
    """``--sink SPEC`` (repeatable)."""
    return click.option(
        "--sink", "sinks", multiple=True, metavar="SPEC",
        help="Send each alert as it is raised: stdout, stdout:json, file:PATH, "
             "syslog[:HOST:PORT], webhook:URL, slack:URL, dingtalk:URL[#SECRET], "
             "feishu:URL[#SECRET] (repeatable).")(func)


@app.group("audit", cls=AuditGroup)
def audit_group() -> None:
    """Detect attacks in Kubernetes audit logs (``seawall audit FILE|DIR|-``)."""


@audit_group.command(DEFAULT_COMMAND)
@click.argument("paths", nargs=-1, required=True, metavar="FILE|DIR|-")
@click.option("--format", "-f", "formats", multiple=True, metavar="FMT[=FILE]",
              help="Output format (repeatable): table, json, sarif, junit, markdown, html; "
                   "=FILE writes a file.")
@click.option("--output", "-o", type=click.Path(dir_okay=False),
              help="File for the formats without their own =FILE.")
@click.option("--follow", is_flag=True,
              help="Keep reading a growing file (as tail -f) until interrupted.")
@click.option("--idle-exit", type=float, metavar="SECONDS",
              help="With --follow: stop once the file has not grown for this long.")
@rule_options
@sink_option
@gate_flags
@policy_flags
@click.pass_obj
def audit_logs(obj: GlobalOptions | None, paths: tuple[str, ...], formats: tuple[str, ...],
               output: str | None, follow: bool, idle_exit: float | None,
               rule_paths: tuple[str, ...], disable: tuple[str, ...], sinks: tuple[str, ...],
               severity: str | None, exit_code: int | None, fail_on: str | None,
               allow_incomplete: bool, **kwargs: Any) -> None:
    """Read audit logs (JSON lines of audit.k8s.io Events or EventLists, plain or gzip;
    a directory is read file by file; - is stdin) and report the alerts."""
    from seawall.detect.k8s_audit_detector import AuditDetection
    from seawall.detect.k8s_audit_reader import AuditLogReader
    from seawall.detect.rule_loader import load_rule_set
    from seawall.detect.sink_spec import open_sinks

    specs = parse_output_specs(formats, output)
    gate, shown = gate_from_flags(exit_code, severity, fail_on)
    policy, show_suppressed = policy_from_kwargs(kwargs)
    if follow and (len(paths) != 1 or paths[0] == "-" or Path(paths[0]).is_dir()):
        raise InputError("--follow takes exactly one file")
    for path in paths:
        if path != "-" and not Path(path).exists():
            raise InputError(f"{path}: no such file or directory")
    rule_set = load_rule_set(rule_paths, disable)
    sink_set = open_sinks(sinks)
    detection = AuditDetection(rule_set, on_alert=[sink_set.send])
    reader = AuditLogReader()
    files: list[Path] = []
    try:
        if follow:
            followed = Path(paths[0])
            files.append(followed)
            grown = [time.monotonic(), -1]

            def stop() -> bool:
                size = followed.stat().st_size if followed.exists() else 0
                if size != grown[1]:
                    grown[:] = [time.monotonic(), size]
                return idle_exit is not None and time.monotonic() - grown[0] >= idle_exit

            # Ctrl-C stops following; the report still covers what was read.
            with contextlib.suppress(KeyboardInterrupt):
                detection.feed(reader.follow(followed, stop))
        else:
            for raw in paths:
                if raw == "-":
                    detection.feed(reader.read_stream(sys.stdin.buffer, "<stdin>"))
                else:
                    files.extend(reader.files(Path(raw)))
                    detection.feed(reader.read_path(Path(raw)))
    finally:
        sink_set.close()
    report = detection.report(" ".join(paths), reader.stats, files)
    for line in sink_set.summary():
        report.errors.append(line)
    plan = Publication(specs, gate, shown, policy, show_suppressed, allow_incomplete)
    status = publish(obj, [report], plan)
    if status:
        sys.exit(status)
