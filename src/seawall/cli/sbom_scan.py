"""``seawall sbom-scan FILE``: match the packages of a CycloneDX or SPDX JSON SBOM
against the offline vulnerability database, without the image.

The SBOM is an :class:`~seawall.sources.document_targets.SbomTarget` scanned by the
``sbom-vuln`` analyzer through the scan driver, then the same suppressions (ignore
files, VEX, baseline, ``--ignore-unfixed``) and gate as every scan: no DB, a corrupt
DB or unmatchable components make the scan incomplete (exit 4 unless
``--allow-incomplete``)."""

from __future__ import annotations

import sys
from typing import Any

import click

from seawall.analyzers.packages.sbom_input import read_sbom
from seawall.cli.app import GlobalOptions, app
from seawall.cli.policy_options import gate_flags, policy_flags, policy_from_kwargs
from seawall.cli.scan_pipeline import Publication, publish, scan_targets
from seawall.errors import InputError, NotFoundError
from seawall.policy.gate import gate_from_flags
from seawall.report.output import parse_output_specs
from seawall.sources.interface import SourceOptions, Target


def open_sbom(path: str, _options: SourceOptions | None = None) -> Target:
    """The SBOM at ``path`` as a scan target (bad input raises a one-line error)."""
    from seawall.sources.document_targets import SbomTarget

    try:
        with open(path, "rb") as stream:
            data = stream.read()
    except FileNotFoundError:
        raise NotFoundError(f"{path}: no such file") from None
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror or exc}") from None
    content = read_sbom(data, path)
    return SbomTarget(
        ref=path, packages=content.packages, os_info=content.os, skipped=content.skipped,
        extra={"sbom_format": content.format, "described": content.name},
    )


@app.command("sbom-scan")
@click.argument("sbom_file", type=click.Path(dir_okay=False))
@click.option("--format", "-f", "formats", multiple=True, metavar="FMT[=FILE]",
              help="Report format (repeatable): table, json, cyclonedx, sarif...; =FILE "
                   "writes a file.")
@click.option("--output", "-o", type=click.Path(dir_okay=False),
              help="File for the formats without their own =FILE.")
@click.option("--db-dir", envvar="SEAWALL_DB_DIR", type=click.Path(file_okay=False),
              help="Vulnerability database directory (default ~/.cache/seawall/db).")
@gate_flags
@policy_flags
@click.pass_obj
def sbom_scan_command(obj: GlobalOptions | None, sbom_file: str, formats: tuple[str, ...],
                      output: str | None, db_dir: str | None, severity: str | None,
                      exit_code: int | None, fail_on: str | None, allow_incomplete: bool,
                      **policy_kwargs: Any) -> None:
    """Find known vulnerabilities of the packages listed in SBOM_FILE (CycloneDX or
    SPDX JSON, as seawall, Trivy or Syft write them)."""
    from seawall.scanning import ScanDriver, ScanOptions

    specs = parse_output_specs(formats, output)
    gate, shown = gate_from_flags(exit_code, severity, fail_on)
    policy, show_suppressed = policy_from_kwargs(policy_kwargs)
    options = ScanOptions(scanners=("sbom-vuln",),
                          analyzer_options={"vuln.db_dir": db_dir} if db_dir else {},
                          use_cache=False)
    outcomes = scan_targets(obj, [sbom_file], open_sbom, SourceOptions(),
                            ScanDriver(options)).outcomes
    plan = Publication(specs, gate, shown, policy, show_suppressed, allow_incomplete)
    status = publish(obj, [o.report for o in outcomes], plan)
    if status:
        sys.exit(status)
