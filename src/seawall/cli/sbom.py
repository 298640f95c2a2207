"""``seawall sbom REF``: the package inventory of an image, container or directory as
a CycloneDX or SPDX JSON SBOM (or seawall's own JSON report)."""

from __future__ import annotations

import os
import sys

import click

import seawall
from seawall.cli.app import app
from seawall.cli.source_options import source_options
from seawall.errors import InputError
from seawall.model.report import Report
from seawall.policy.gate import EXIT_INCOMPLETE
from seawall.report.output_destination import encode_report, write_destination
from seawall.report.untrusted_text import visible
from seawall.sources.interface import SourceOptions, Target

FORMATS = ("cyclonedx", "spdx", "json")


def open_sbom_target(ref: str, options: SourceOptions) -> Target:
    """A directory path is a root filesystem (an OCI layout directory is an image);
    ``container:ID`` is a Docker container; anything else is an image reference."""
    if ref.startswith(("rootfs:", "dir:")):
        return seawall.open_rootfs(ref.partition(":")[2])
    if ref.startswith("container:"):
        return seawall.open_container(ref.partition(":")[2], options)
    if os.path.isdir(ref):
        if os.path.isfile(os.path.join(ref, "oci-layout")):
            return seawall.open_image(f"oci:{ref}", options)
        return seawall.open_rootfs(ref)
    return seawall.open_image(ref, options)


def inventory_report(target: Target, cache_dir: str | None = None) -> Report:
    """A report holding the target's packages (and the OS end-of-life finding): the
    ``packages`` analyzer through the scan driver, so the inventory fact comes from the
    per-layer cache like a scan's."""
    from seawall.scanning import ScanDriver, ScanOptions

    options = ScanOptions(scanners=("packages",), cache_dir=cache_dir)
    return ScanDriver(options).scan(target).report


def render_sbom(report: Report, fmt: str, cyclonedx_version: str = "1.6") -> str:
    """The SBOM text of ``report`` in ``fmt`` (cyclonedx, spdx or json)."""
    from seawall.report.json_text import dumps_json

    if fmt == "cyclonedx":
        from seawall.report.cyclonedx import cyclonedx_document

        return cyclonedx_document([report], spec_version=cyclonedx_version) + "\n"
    if fmt == "spdx":
        from seawall.report.spdx import spdx_document

        return dumps_json(spdx_document([report])) + "\n"
    if fmt == "json":
        return dumps_json(report.to_dict()) + "\n"
    raise InputError(f"unknown SBOM format {fmt!r} (known: {', '.join(FORMATS)})")


def write_text(text: str, output: str | None) -> None:
    """Write to ``output`` (see :mod:`seawall.report.output_destination`: regular
    files atomically, devices and FIFOs into), or to stdout."""
    data = encode_report(text)
    if not output or output == "-":
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    write_destination(output, data)


@app.command("sbom")
@click.argument("ref")
@click.option("--format", "-f", "fmt", type=click.Choice(FORMATS), default="cyclonedx",
              show_default=True, help="SBOM format.")
@click.option("--output", "-o", type=click.Path(dir_okay=False),
              help="Write to this file instead of stdout.")
@click.option("--cyclonedx-version", type=click.Choice(["1.5", "1.6"]), default="1.6",
              show_default=True, help="CycloneDX specification version.")
@click.option("--allow-incomplete", is_flag=True,
              help="Exit 0 instead of 4 when some package metadata could not be read "
                   "(the SBOM then says it is incomplete).")
@source_options
def sbom_command(ref: str, fmt: str, output: str | None, cyclonedx_version: str,
                 allow_incomplete: bool, source_options: SourceOptions) -> None:
    """Write the SBOM (installed OS and language packages) of REF.

    REF is an image reference (docker-daemon:, docker-archive:, oci:, oci-archive:,
    docker://, containerd:, podman:, or a bare name), a root filesystem directory, or
    container:ID. An inventory that could not read everything it was asked to is
    written anyway, marked incomplete, and exits 4 unless --allow-incomplete.
    """
    with open_sbom_target(ref, source_options) as target:
        report = inventory_report(target, source_options.cache_dir)
    for error in report.errors:
        click.echo(f"seawall: warning: {visible(error.message)}", err=True)
    write_text(render_sbom(report, fmt, cyclonedx_version), output)
    if not report.complete and not allow_incomplete:
        sys.exit(EXIT_INCOMPLETE)
