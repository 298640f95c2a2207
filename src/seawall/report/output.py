"""Where reports go: ``--format FMT`` (repeatable, ``FMT=FILE`` to send one format to
a file) and ``--output FILE`` (the file for formats without their own); how a FILE is
written is :mod:`seawall.report.output_destination`'s business."""

from __future__ import annotations

import io
import os
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TextIO

from seawall.errors import InputError
from seawall.model.report import Report
from seawall.report.interface import RenderOptions
from seawall.report.output_destination import encode_report, write_destination
from seawall.report.renderer_table import get_renderer, load_renderers


@dataclass(frozen=True)
class OutputSpec:
    """One rendering of the reports."""

    format: str
    path: str | None = None
    """File to write; None means stdout."""


def parse_output_specs(formats: Sequence[str], output: str | None) -> list[OutputSpec]:
    """Turn ``--format`` values and ``--output`` into specs; at most one spec may
    go to stdout (two formats interleaved on one stream help nobody)."""
    table = load_renderers()
    specs: list[OutputSpec] = []
    for raw in formats or ["table"]:
        name, sep, path = raw.partition("=")
        name = name.strip()
        if name not in table:
            raise InputError(f"unknown format {name!r} (known: {', '.join(sorted(table))})")
        if sep and not path:
            raise InputError(f"--format {raw!r}: missing file name after '='")
        specs.append(OutputSpec(name, path if sep else output))
    unnamed = [s for s in specs if s.path is None]
    if len(unnamed) > 1:
        raise InputError("only one --format can go to stdout; give the others =FILE")
    paths = [s.path for s in specs if s.path is not None]
    if len(paths) != len(set(paths)):
        raise InputError("two formats would write the same file")
    return specs


def _color_for(stream: TextIO) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def write_outputs(
    reports: Sequence[Report],
    specs: Sequence[OutputSpec],
    stdout: TextIO | None = None,
    show_suppressed: bool = False,
) -> None:
    """Render every spec. Files are written by
    :func:`~seawall.report.output_destination.write_destination` (regular files
    atomically, devices and FIFOs into, no temporary file left behind on failure).
    ``show_suppressed`` lists suppressed findings in the formats that otherwise only
    count them."""
    for spec in specs:
        renderer = get_renderer(spec.format)
        if spec.path is None or spec.path == "-":
            stream = stdout or sys.stdout
            color = _color_for(stream)
            width = shutil.get_terminal_size().columns if color else None
            buffer = io.StringIO()
            renderer.render(
                reports, buffer, RenderOptions(color, width, show_suppressed=show_suppressed)
            )
            _write_stream(stream, buffer.getvalue())
            continue
        buffer = io.StringIO()
        renderer.render(reports, buffer, RenderOptions(show_suppressed=show_suppressed))
        write_destination(spec.path, encode_report(buffer.getvalue()))


def _write_stream(stream: TextIO, text: str) -> None:
    """Write to stdout: as bytes when it has a binary buffer (so a lone surrogate in a
    JSON report cannot raise UnicodeEncodeError halfway through), else as text."""
    binary = getattr(stream, "buffer", None)
    if binary is None:
        stream.write(text)
        stream.flush()
        return
    stream.flush()
    binary.write(encode_report(text))
    binary.flush()
