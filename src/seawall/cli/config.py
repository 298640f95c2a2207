"""``seawall config PATH...``: misconfiguration scan of Dockerfiles, Kubernetes
manifests (workloads, RBAC, NetworkPolicy) and docker-compose files."""

from __future__ import annotations

import sys
from typing import Any

import click

from seawall.analyzers.misconfig.engine import ConfigScanner, ConfigScanOptions
from seawall.cli.app import app
from seawall.cli.policy_options import policy_flags, policy_from_kwargs, suppress
from seawall.model.report import Report
from seawall.policy.gate import EXIT_INPUT_ERROR, filter_severities, gate_from_flags
from seawall.report.output import parse_output_specs, write_outputs


def _print_matrix(report: Report) -> None:
    """The namespace reachability matrix, after the table (the table renderer shows
    findings; the matrix lives in ``target.extra``)."""
    network = report.target.extra.get("network_reachability")
    if not network or len(network.get("namespaces", [])) < 2:
        return
    click.echo("\nNamespace reachability (rows: from, columns: to; Y = some pod can connect):")
    for row in network["rows"]:
        click.echo(f"  {row}")


@app.command("config")
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--format",
    "-f",
    "formats",
    multiple=True,
    metavar="FMT[=FILE]",
    help="Report format (repeatable): table, json, sarif ...; =FILE writes a file.",
)
@click.option("--output", "-o", help="File for formats given without =FILE.")
@click.option(
    "--trusted-registry",
    "trusted",
    multiple=True,
    metavar="PREFIX",
    help="Allowed image registry or prefix (repeatable); enables SW-K8S-038/SW-DF-050.",
)
@click.option(
    "--exceptions",
    "exceptions_files",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="Exceptions file (repeatable).",
)
@click.option(
    "--custom-rules",
    "custom_rules",
    multiple=True,
    type=click.Path(),
    help="Custom rules: .py / .yaml file or directory (repeatable).",
)
@click.option(
    "--max-file-size",
    type=click.IntRange(1),
    default=10 * 1024 * 1024,
    show_default=True,
    help="Files larger than this many bytes are refused.",
)
@click.option("--severity", "-s", help="Only these severities (comma list).")
@click.option("--exit-code", type=int, help="Exit with this code when findings remain.")
@click.option("--fail-on", help="Fail (exit 1, or --exit-code) on this severity or worse.")
@policy_flags
def config_command(
    paths: tuple[str, ...],
    formats: tuple[str, ...],
    output: str | None,
    trusted: tuple[str, ...],
    exceptions_files: tuple[str, ...],
    custom_rules: tuple[str, ...],
    max_file_size: int,
    severity: str | None,
    exit_code: int | None,
    fail_on: str | None,
    **policy_kwargs: Any,
) -> None:
    """Scan Dockerfiles, Kubernetes YAML/JSON and compose files (files, directories
    recursively, or - for stdin) for misconfigurations."""
    specs = parse_output_specs(formats, output)
    gate, shown = gate_from_flags(exit_code, severity, fail_on)
    policy, show_suppressed = policy_from_kwargs(policy_kwargs)
    scanner = ConfigScanner(
        ConfigScanOptions(
            trusted_registries=trusted,
            exceptions_files=exceptions_files,
            custom_rules=custom_rules,
            max_file_bytes=max_file_size,
        )
    )
    [report] = suppress([filter_severities(scanner.scan(list(paths)), shown)], policy)
    write_outputs([report], specs, show_suppressed=show_suppressed)
    if any(s.format == "table" and s.path is None for s in specs):
        _print_matrix(report)
    if report.stats.files == 0:
        reason = report.errors[0].message if report.errors else "no configuration files found"
        click.echo(f"seawall: nothing could be read ({reason})", err=True)
        sys.exit(EXIT_INPUT_ERROR)
    status = gate.exit_status([report])
    if status:
        sys.exit(status)
