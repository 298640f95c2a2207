"""``seawall sbom-scan FILE``: match the packages of a CycloneDX or SPDX JSON SBOM
against the offline vulnerability database, without the image."""

from __future__ import annotations

import sys
import time

import click

import seawall
from seawall.analyzers.packages.sbom_input import SbomContent, read_sbom
from seawall.cli.app import app
from seawall.errors import InputError, NotFoundError
from seawall.model.report import ErrorEntry, OSInfo, Report, Stats, TargetInfo, ToolInfo
from seawall.policy.gate import filter_severities, gate_from_flags
from seawall.report.output import parse_output_specs, write_outputs


def sbom_report(content: SbomContent, ref: str, db_dir: str | None,
                ignore_unfixed: bool) -> Report:
    """The report of an SBOM: its packages and their vulnerability findings (an error
    entry instead of findings when there is no usable database)."""
    from seawall.analyzers.vuln.database_match import match_with_database
    from seawall.analyzers.vuln.matching.matcher import MatchOptions

    started = time.monotonic()
    os_info: OSInfo | None = content.os
    report = Report(
        target=TargetInfo(kind="sbom", ref=ref, os=os_info,
                          extra={"sbom_format": content.format, "described": content.name}),
        tool=ToolInfo(version=seawall.__version__), packages=content.packages,
    )
    if content.skipped:
        report.errors.append(ErrorEntry("sbom", f"{content.skipped} components without a "
                                                "usable purl were skipped"))
    findings, errors = match_with_database(
        content.packages, os_info, db_dir, MatchOptions(ignore_unfixed=ignore_unfixed)
    )
    report.findings = findings
    report.errors += errors
    report.stats = Stats(duration_s=time.monotonic() - started)
    return report


@app.command("sbom-scan")
@click.argument("sbom_file", type=click.Path(dir_okay=False))
@click.option("--format", "-f", "formats", multiple=True, metavar="FMT[=FILE]",
              help="Report format (repeatable): table, json, cyclonedx, sarif...; =FILE "
                   "writes a file.")
@click.option("--output", "-o", type=click.Path(dir_okay=False),
              help="File for the formats without their own =FILE.")
@click.option("--db-dir", envvar="SEAWALL_DB_DIR", type=click.Path(file_okay=False),
              help="Vulnerability database directory (default ~/.cache/seawall/db).")
@click.option("--ignore-unfixed", is_flag=True, envvar="SEAWALL_IGNORE_UNFIXED",
              help="Only vulnerabilities that have a fixed version.")
@click.option("--severity", "-s", help="Only these severities (comma list).")
@click.option("--exit-code", type=int, help="Exit with this code when findings remain.")
@click.option("--fail-on", help="Fail (exit 1, or --exit-code) on this severity or worse.")
def sbom_scan_command(sbom_file: str, formats: tuple[str, ...], output: str | None,
                      db_dir: str | None, ignore_unfixed: bool, severity: str | None,
                      exit_code: int | None, fail_on: str | None) -> None:
    """Find known vulnerabilities of the packages listed in SBOM_FILE (CycloneDX or
    SPDX JSON, as seawall, Trivy or Syft write them)."""
    specs = parse_output_specs(formats, output)
    gate, shown = gate_from_flags(exit_code, severity, fail_on)
    try:
        with open(sbom_file, "rb") as stream:
            data = stream.read()
    except FileNotFoundError:
        raise NotFoundError(f"{sbom_file}: no such file") from None
    except OSError as exc:
        raise InputError(f"{sbom_file}: {exc.strerror or exc}") from None
    content = read_sbom(data, sbom_file)
    report = sbom_report(content, sbom_file, db_dir, ignore_unfixed)
    if not any(spec.format == "table" for spec in specs):  # the table lists errors itself
        for error in report.errors:
            click.echo(f"seawall: warning: {error.message}", err=True)
    shown_report = filter_severities(report, shown)
    write_outputs([shown_report], specs)
    sys.exit(gate.exit_status([shown_report]))
