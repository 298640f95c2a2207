"""Report renderers (json, table) and the --format/--output plumbing."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from seawall.errors import InputError
from seawall.model.finding import Category, Finding, Location, PackageRef, Severity
from seawall.model.package import Package
from seawall.model.report import ErrorEntry, OSInfo, Report, Stats, TargetInfo
from seawall.report.interface import RenderOptions
from seawall.report.output import OutputSpec, parse_output_specs, write_outputs
from seawall.report.renderer_table import get_renderer, load_renderers


def _report(ref: str = "docker-archive:app.tar") -> Report:
    return Report(
        target=TargetInfo("image", ref, "sha256:" + "ab" * 32, OSInfo("debian", "12")),
        packages=[Package("zlib1g", "1:1.2.13", "deb"), Package("bash", "5.2", "deb")],
        findings=[
            Finding(
                "SW-SEC-1",
                Category.SECRET,
                Severity.MEDIUM,
                "AWS key",
                location=Location(path="/app/.env", line=3, layer="sha256:" + "cd" * 32),
            ),
            Finding(
                "CVE-2023-0001",
                Category.VULNERABILITY,
                Severity.CRITICAL,
                "overflow",
                package=PackageRef("zlib1g", "1:1.2.13", "1:1.2.13.dfsg-1"),
            ),
            Finding("SW-CFG-9", Category.MISCONFIG, Severity.LOW, "runs as root"),
        ],
        errors=[ErrorEntry("plugin:x", "crashed before answering")],
        stats=Stats(1.5, 10, 2048),
    )


def test_json_is_the_schema_document_stable_and_round_trips() -> None:
    renderer = get_renderer("json")
    first, second = io.StringIO(), io.StringIO()
    renderer.render([_report()], first, RenderOptions())
    renderer.render([_report()], second, RenderOptions())
    assert first.getvalue() == second.getvalue()
    doc = json.loads(first.getvalue())
    assert list(doc) == [
        "schema_version",
        "tool",
        "target",
        "packages",
        "findings",
        "errors",
        "complete",
        "notes",
        "stats",
    ]
    assert doc["complete"] is False  # the sample report has an error entry
    assert [f["severity"] for f in doc["findings"]] == ["critical", "medium", "low"]
    assert [p["name"] for p in doc["packages"]] == ["bash", "zlib1g"]
    assert Report.from_dict(doc).to_dict() == doc
    many = io.StringIO()
    renderer.render([_report("a"), _report("b")], many, RenderOptions())
    assert [d["target"]["ref"] for d in json.loads(many.getvalue())] == ["a", "b"]


def test_table_groups_by_category_and_ends_with_a_summary() -> None:
    out = io.StringIO()
    get_renderer("table").render([_report()], out, RenderOptions(color=False))
    text = out.getvalue()
    assert "\x1b[" not in text
    lines = [line.rstrip() for line in text.splitlines()]
    # the scan had an error: that comes first, then the target and its errors
    assert lines[0].startswith("WARNING: the scan is INCOMPLETE: 1 error (listed under each")
    assert lines[2] == "docker-archive:app.tar (image) sha256:abababababab debian 12"
    assert lines[3:5] == ["  INCOMPLETE: 1 errors:", "    plugin:x: crashed before answering"]
    titles = [
        line for line in lines if line.split(" (")[0] in ("misconfig", "secret", "vulnerability")
    ]
    assert titles == ["misconfig (1 low)", "secret (1 medium)", "vulnerability (1 critical)"]
    assert any("zlib1g 1:1.2.13 -> 1:1.2.13.dfsg-1" in line for line in lines)
    assert any("/app/.env:3 (sha256:cdcdcdcdcdcd)" in line for line in lines)
    assert lines[-1] == (
        "INCOMPLETE scan, 1 target: 3 findings (1 critical, 1 medium, 1 low), 2 packages, "
        "1 errors, 1.5s"
    )
    coloured = io.StringIO()
    get_renderer("table").render([_report()], coloured, RenderOptions(color=True, width=120))
    assert "\x1b[" in coloured.getvalue()


def test_output_specs() -> None:
    assert parse_output_specs([], None) == [OutputSpec("table", None)]
    assert parse_output_specs(["json"], "r.json") == [OutputSpec("json", "r.json")]
    assert parse_output_specs(["table", "json=r.json"], None) == [
        OutputSpec("table", None),
        OutputSpec("json", "r.json"),
    ]
    with pytest.raises(InputError, match="only one --format can go to stdout"):
        parse_output_specs(["table", "json"], None)
    with pytest.raises(InputError, match="unknown format 'xml'"):
        parse_output_specs(["xml"], None)
    with pytest.raises(InputError, match="missing file name"):
        parse_output_specs(["json="], None)
    with pytest.raises(InputError, match="same file"):
        parse_output_specs(["json=a", "table=a"], None)
    assert {"json", "table"} <= set(load_renderers())


def test_write_outputs_to_files_and_stdout(tmp_path: Path) -> None:
    target = tmp_path / "out" / "report.json"
    stdout = io.StringIO()
    write_outputs([_report()], [OutputSpec("table"), OutputSpec("json", str(target))], stdout)
    assert json.loads(target.read_text())["stats"] == {
        "duration_s": 1.5,
        "files": 10,
        "bytes": 2048,
    }
    assert sorted(p.name for p in target.parent.iterdir()) == ["report.json"]  # no temp left
    assert stdout.getvalue().rstrip().splitlines()[-1].startswith(
        "INCOMPLETE scan, 1 target: 3 findings")
    with pytest.raises(InputError, match="cannot write"):
        write_outputs([_report()], [OutputSpec("json", str(target / "sub" / "x.json"))])
