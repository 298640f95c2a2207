"""End to end: ``seawall rootfs`` on a real directory (secrets + a vulnerable Python
package matched against real advisories) rendered to every format at once, stdout kept
clean for machine formats, ``seawall convert`` re-rendering the saved JSON, and the
suppression flags and gate on the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from shared_data import SHARED_DIR, shared_marker

REPO = Path(__file__).resolve().parent.parent
SHARED = SHARED_DIR
JINJA2_ADVISORIES = SHARED / "vulndata" / "pypa-advisory-database" / "vulns" / "jinja2"
SARIF_SCHEMA = REPO / "tests" / "fixtures" / "sarif" / "sarif-schema-2.1.0.json"
FORMATS = ("json", "sarif", "cyclonedx", "spdx", "junit", "markdown", "html", "table")

pytestmark = shared_marker("vulndata/pypa-advisory-database/vulns/jinja2")


def seawall(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None,
            stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    full_env.pop("FORCE_COLOR", None)
    return subprocess.run([sys.executable, "-c", "from seawall.cli import main; main()", *args],
                          capture_output=True, text=True, env=full_env, cwd=cwd,
                          input=stdin, timeout=300, check=False)


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A rootfs, its vuln DB, and one scan rendered to every format."""
    base = tmp_path_factory.mktemp("e2e")
    root = base / "rootfs"
    (root / "etc").mkdir(parents=True)
    (root / "etc" / "os-release").write_text('ID=debian\nVERSION_ID="12"\n')
    dist = root / "usr/lib/python3/dist-packages/Jinja2-2.10.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: Jinja2\nVersion: 2.10\n")
    (root / "root" / ".aws").mkdir(parents=True)
    (root / "root" / ".aws" / "credentials").write_text(
        "[default]\naws_access_key_id = AKIAQ3EGRTJ5UDT6MBVZ\n"
        "aws_secret_access_key = 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\n")
    db = base / "db"
    imported = seawall("db", "import", "--db-dir", str(db), str(JINJA2_ADVISORIES))
    assert imported.returncode == 0, imported.stderr
    out = base / "out"
    env = {"SEAWALL_DB_DIR": str(db), "SEAWALL_CACHE_DIR": str(base / "cache")}
    args = [f"--format={fmt}={out / ('report.' + fmt)}" for fmt in FORMATS if fmt != "json"]
    proc = seawall("rootfs", str(root), "--format", "json", *args, env=env, cwd=base)
    assert proc.returncode == 0, proc.stderr
    (base / "stdout.json").write_text(proc.stdout)
    return {"base": base, "root": root, "db": db, "out": out,
            "stdout": base / "stdout.json", "cache": base / "cache"}


def test_json_on_stdout_is_pure_json_with_every_format_written(scanned: dict[str, Path]) -> None:
    doc = json.loads(scanned["stdout"].read_text())  # logs would break this
    categories = {f["category"] for f in doc["findings"]}
    assert {"vulnerability", "secret"} <= categories
    assert any(p["name"].lower() == "jinja2" for p in doc["packages"])
    for fmt in FORMATS:
        if fmt != "json":
            assert (scanned["out"] / f"report.{fmt}").stat().st_size > 200, fmt
    sarif = json.loads((scanned["out"] / "report.sarif").read_text())
    jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text())).validate(sarif)
    assert len(sarif["runs"][0]["results"]) == len(doc["findings"])
    cdx = json.loads((scanned["out"] / "report.cyclonedx").read_text())
    assert {v["id"] for v in cdx["vulnerabilities"]} == {
        f["rule_id"] for f in doc["findings"] if f["category"] == "vulnerability"}


def test_convert_rerenders_the_saved_report_identically(scanned: dict[str, Path],
                                                         tmp_path: Path) -> None:
    saved = scanned["stdout"]
    for fmt in ("sarif", "markdown", "junit"):
        proc = seawall("convert", str(saved), "--format", fmt)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout == (scanned["out"] / f"report.{fmt}").read_text(), fmt
    again = seawall("convert", str(saved), "-f", "json", "-o", str(tmp_path / "again.json"))
    assert again.returncode == 0
    assert json.loads((tmp_path / "again.json").read_text()) == json.loads(saved.read_text())
    piped = seawall("convert", "-", "-f", "markdown", stdin=saved.read_text())
    assert piped.stdout.startswith("## seawall:")


def test_convert_bad_input_is_one_line_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "x.json"
    bad.write_text('{"hello": 1}')
    proc = seawall("convert", str(bad), "-f", "sarif")
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        f"seawall: {bad} is not a seawall JSON report (no target/findings)")
    proc = seawall("convert", str(bad), "-f", "nope")
    assert proc.returncode == 2 and "unknown format 'nope'" in proc.stderr


def test_gate_ignorefile_baseline_and_show_suppressed_on_the_cli(
        scanned: dict[str, Path], tmp_path: Path) -> None:
    saved = scanned["stdout"]
    doc = json.loads(saved.read_text())
    failing = seawall("convert", str(saved), "-f", "json", "--fail-on", "critical")
    assert failing.returncode == 1
    # an ignore file in the working directory is picked up by itself
    (tmp_path / ".seawallignore").write_text("SW-SEC-*  # test keys\nCVE-* exp:2001-01-01\n")
    proc = seawall("convert", str(saved), "-f", "json", "--fail-on", "critical", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout
    after = json.loads(proc.stdout)
    assert {f["category"] for f in after["findings"]} == {"vulnerability"}
    assert len(after["suppressed"]) == sum(f["category"] == "secret" for f in doc["findings"])
    assert "expired on 2001-01-01" in proc.stderr
    table = seawall("convert", str(saved), "--show-suppressed", "--ignore-unfixed", cwd=tmp_path)
    assert "suppressed (" in table.stdout and "ignorefile" in table.stdout
    baseline = seawall("convert", str(saved), "-f", "json", "--baseline", str(saved),
                       "--exit-code", "3")
    assert baseline.returncode == 0 and json.loads(baseline.stdout)["findings"] == []
    # jinja2's PyPA advisories publish no severity: unknown, gated only when listed
    sev = seawall("convert", str(saved), "-f", "json", "--severity", "unknown",
                  "--exit-code", "3", "--ignorefile", str(tmp_path / ".seawallignore"))
    assert sev.returncode == 3
    assert {f["severity"] for f in json.loads(sev.stdout)["findings"]} == {"unknown"}
    info_only = seawall("convert", str(saved), "-f", "json", "--severity", "info",
                        "--exit-code", "3", "--ignorefile", str(tmp_path / ".seawallignore"))
    assert info_only.returncode == 0


def test_scan_applies_suppression_flags(scanned: dict[str, Path], tmp_path: Path) -> None:
    ignore = tmp_path / "seawall-ignore.yaml"
    ignore.write_text("ignore:\n  - rule_id: SW-SEC-*\n    path: /root/.aws/*\n"
                      "    statement: fixture keys\n")
    env = {"SEAWALL_DB_DIR": str(scanned["db"]), "SEAWALL_CACHE_DIR": str(scanned["cache"]),
           "CI": "true"}
    proc = seawall("-q", "rootfs", str(scanned["root"]), "-f", "sarif", "--ignorefile",
                   str(ignore), "--show-suppressed", "--fail-on", "critical", env=env)
    assert proc.returncode == 0, proc.stderr
    sarif = json.loads(proc.stdout)
    hidden = [r for r in sarif["runs"][0]["results"] if "suppressions" in r]
    assert hidden and all(r["ruleId"].startswith("SW-SEC-") for r in hidden)
    assert all(s["justification"] == "ignorefile: fixture keys"
               for r in hidden for s in r["suppressions"])
    bad = seawall("rootfs", str(scanned["root"]), "--vex", str(ignore), env=env)
    assert bad.returncode == 2 and bad.stderr.startswith("seawall: VEX file")
