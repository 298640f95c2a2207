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
        if not args or (args[0] not in self.commands and args[0] not in ("-h", "--help")):
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
    """``--sink SPEC`` (repeatable), ``--sink-dedup SECONDS``, ``--sink-rate N``."""
    func = click.option("--sink-dedup", type=click.FloatRange(min=0), default=60.0,
                        show_default=True, metavar="SECONDS",
                        help="Send the same rule and alert text once per this many "
                             "seconds (event time).")(func)
    func = click.option("--sink-rate", type=click.IntRange(min=1), default=120,
                        show_default=True, metavar="N",
                        help="At most N alerts per rule and minute reach the sinks "
                             "(the report keeps all).")(func)
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
               sink_dedup: float, sink_rate: int, severity: str | None,
               exit_code: int | None, fail_on: str | None,
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
    sink_set.throttle.dedup_seconds, sink_set.throttle.per_rule_per_minute = sink_dedup, sink_rate
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


@audit_group.command("serve")
@click.option("--listen", default="127.0.0.1:8443", show_default=True, metavar="HOST:PORT",
              help="Address to listen on.")
@click.option("--tls-cert", required=True, type=click.Path(exists=True, dir_okay=False),
              help="Server certificate (PEM).")
@click.option("--tls-key", required=True, type=click.Path(exists=True, dir_okay=False),
              help="Server private key (PEM).")
@click.option("--client-ca", type=click.Path(exists=True, dir_okay=False),
              help="Require client certificates signed by this CA (the apiserver's).")
@click.option("--path", "url_path", default="/", show_default=True,
              help="URL path the apiserver POSTs to.")
@rule_options
@sink_option
@click.pass_obj
def audit_serve(obj: GlobalOptions | None, listen: str, tls_cert: str, tls_key: str,
                client_ca: str | None, url_path: str, rule_paths: tuple[str, ...],
                disable: tuple[str, ...], sinks: tuple[str, ...], sink_dedup: float,
                sink_rate: int) -> None:
    """Audit webhook backend: receive the EventList POSTs kube-apiserver sends with
    --audit-webhook-config-file and alert through the sinks (stdout when none given)."""
    import ssl

    from seawall.detect.audit_webhook_server import AuditWebhookServer, server_tls_context
    from seawall.detect.k8s_audit_detector import AuditDetection
    from seawall.detect.rule_loader import load_rule_set
    from seawall.detect.sink_spec import open_sinks

    host, _, port_text = listen.rpartition(":")
    try:
        port = int(port_text)
    except ValueError:
        raise InputError(f"--listen {listen}: expected HOST:PORT") from None
    try:
        tls = server_tls_context(tls_cert, tls_key, client_ca)
    except (ssl.SSLError, OSError) as exc:
        raise InputError(f"TLS setup failed: {exc}") from None
    rule_set = load_rule_set(rule_paths, disable)
    sink_set = open_sinks(sinks or ("stdout",))
    sink_set.throttle.dedup_seconds, sink_set.throttle.per_rule_per_minute = sink_dedup, sink_rate
    detection = AuditDetection(rule_set, on_alert=[sink_set.send], keep_alerts=False)
    try:
        server = AuditWebhookServer(detection, host.strip("[]") or "0.0.0.0", port, tls,
                                    path=url_path)
    except OSError as exc:
        raise InputError(f"cannot listen on {listen}: {exc.strerror or exc}") from None
    if not (obj and obj.quiet):
        click.echo(f"seawall: audit webhook listening on https://{listen}{url_path} "
                   f"({len(rule_set.enabled())} rules)", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        sink_set.close()
        for entry in sink_set.summary():
            click.echo(f"seawall: warning: {entry.scope}: {entry.message}", err=True)
        c = server.counters
        click.echo(f"seawall: {c.batches} batches, {c.events} events, {c.alerts} alerts, "
                   f"{c.rejected} rejected requests", err=True)
