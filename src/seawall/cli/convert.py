"""``seawall convert REPORT.json --format X``: re-render a saved JSON report in any
format, optionally through the gate and the suppression flags (so a CI job can scan
once and decide, render and upload in later steps)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from seawall.cli.app import GlobalOptions, app
from seawall.cli.policy_options import gate_flags, policy_flags, policy_from_kwargs
from seawall.cli.scan_pipeline import Publication, publish
from seawall.errors import InputError
from seawall.model.report import Report
from seawall.policy.gate import gate_from_flags
from seawall.report.output import parse_output_specs


def load_reports(path: str) -> list[Report]:
    """The reports of a ``--format json`` file (one document or an array; ``-`` is stdin)."""
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise InputError(f"{path} is not UTF-8 text") from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise InputError(f"{path} is not JSON: {exc}") from None
    docs = data if isinstance(data, list) else [data]
    reports = []
    for index, doc in enumerate(docs):
        where = path if len(docs) == 1 else f"{path}[{index}]"
        if not isinstance(doc, dict) or "findings" not in doc or "target" not in doc:
            raise InputError(f"{where} is not a seawall JSON report (no target/findings)")
        try:
            reports.append(Report.from_dict(doc))
        except (KeyError, ValueError, TypeError) as exc:
            raise InputError(f"{where}: malformed report ({exc})") from None
    if not reports:
        raise InputError(f"{path} holds no report")
    return reports


@app.command("convert")
@click.argument("report", metavar="REPORT.json")
@click.option("--format", "-f", "formats", multiple=True, metavar="FMT[=FILE]",
              help="Output format (repeatable): table, json, sarif, cyclonedx, spdx, junit, "
                   "markdown, html; =FILE writes a file.")
@click.option("--output", "-o", type=click.Path(dir_okay=False),
              help="File for the formats without their own =FILE.")
@gate_flags
@policy_flags
@click.pass_obj
def convert_command(obj: GlobalOptions | None, report: str, formats: tuple[str, ...],
                    output: str | None, severity: str | None, exit_code: int | None,
                    fail_on: str | None, allow_incomplete: bool, **kwargs: Any) -> None:
    """Re-render a saved JSON report (``-`` reads stdin); the gate decides as it did for
    the scan (a saved incomplete scan exits 4 unless --allow-incomplete)."""
    specs = parse_output_specs(formats, output)
    gate, shown = gate_from_flags(exit_code, severity, fail_on)
    policy, show_suppressed = policy_from_kwargs(kwargs)
    plan = Publication(specs, gate, shown, policy, show_suppressed, allow_incomplete)
    status = publish(obj, load_reports(report), plan)
    if status:
        sys.exit(status)
