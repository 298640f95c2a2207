"""``seawall config PATH...``: misconfiguration scan of Dockerfiles, Kubernetes
manifests (workloads, RBAC, NetworkPolicy) and docker-compose files.

The paths are one :class:`~seawall.sources.document_targets.ConfigFilesTarget`
scanned by the ``config-files`` analyzer through the scan driver, then the same
suppressions and gate as every scan: a refused file (parse error, unrendered
template, unreadable) is a report error and makes the scan incomplete (exit 4 unless
``--allow-incomplete``); nothing readable at all is bad input (exit 2)."""

from __future__ import annotations

import sys
from typing import Any

import click

from seawall.cli.app import GlobalOptions, app
from seawall.cli.policy_options import gate_flags, policy_flags, policy_from_kwargs
from seawall.cli.scan_pipeline import Publication, publish, scan_targets
from seawall.model.report import Report
from seawall.policy.gate import EXIT_INPUT_ERROR, gate_from_flags
from seawall.report.output import parse_output_specs
from seawall.report.untrusted_text import visible
from seawall.sources.interface import SourceOptions, Target


def _print_matrix(report: Report) -> None:
    """The namespace reachability matrix, after the table (the table renderer shows
    findings; the matrix lives in ``target.extra``)."""
    network = report.target.extra.get("network_reachability")
    if not network or len(network.get("namespaces", [])) < 2:
        return
    click.echo("\nNamespace reachability (rows: from, columns: to; Y = some pod can connect):")
    for row in network["rows"]:
        click.echo(f"  {visible(row)}")


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
@gate_flags
@policy_flags
@click.pass_obj
def config_command(
    obj: GlobalOptions | None,
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
    allow_incomplete: bool,
    **policy_kwargs: Any,
) -> None:
    """Scan Dockerfiles, Kubernetes YAML/JSON and compose files (files, directories
    recursively, or - for stdin) for misconfigurations."""
    from seawall.scanning import ScanDriver, ScanOptions
    from seawall.sources.document_targets import ConfigFilesTarget

    specs = parse_output_specs(formats, output)
    gate, shown = gate_from_flags(exit_code, severity, fail_on)
    policy, show_suppressed = policy_from_kwargs(policy_kwargs)
    options = ScanOptions(
        scanners=("config-files",),
        analyzer_options={
            "config.trusted_registries": trusted,
            "config.exceptions_files": exceptions_files,
            "config.custom_rules": custom_rules,
            "config.max_file_bytes": max_file_size,
        },
        use_cache=False,
    )

    def open_paths(ref: str, _opts: SourceOptions) -> Target:
        return ConfigFilesTarget(list(paths))

    [outcome] = scan_targets(obj, [" ".join(paths)], open_paths, SourceOptions(),
                             ScanDriver(options)).outcomes
    report = outcome.report
    nothing_read = not report.target.extra.get("files")
    plan = Publication(specs, gate, shown, policy, show_suppressed, allow_incomplete,
                       warn_incomplete=not nothing_read)
    status = publish(obj, [report], plan)
    if any(s.format == "table" and s.path is None for s in specs):
        _print_matrix(report)
    if nothing_read:
        reason = report.errors[0].message if report.errors else "no configuration files found"
        click.echo(f"seawall: nothing could be read ({visible(reason)})", err=True)
        sys.exit(EXIT_INPUT_ERROR)
    if status:
        sys.exit(status)
