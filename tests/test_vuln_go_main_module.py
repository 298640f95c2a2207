"""The main module of a Go binary is matched like any module (a CVE in syft for the
syft binary), with its version from the build info or the release ``-ldflags``; a
``(devel)`` main module is listed, never matched and never an error. Real Go binaries
built here with the lab's ``go``; advisories from ../shared/vulndata/golang-vulndb."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from go_program_builder import build_go_program
from seawall.analyzers.vuln.db.local_import import run_import
from shared_data import shared_marker, shared_path

REPO = Path(__file__).resolve().parent.parent
GO_OSV = shared_path("vulndata") / "golang-vulndb" / "data" / "osv"
MODULE = "github.com/anchore/syft"
SEAWALL = [sys.executable, "-c", "from seawall.cli import main; main()"]

pytestmark = shared_marker("vulndata/golang-vulndb")


def _release(v: str) -> tuple[int, ...]:
    return tuple(int(x) for x in v.lstrip("v").split("-")[0].split("."))


def _expected(version: str) -> set[str]:
    """Advisories of MODULE whose ranges hold ``version`` (read from the records)."""
    out = set()
    for path in GO_OSV.glob("*.json"):
        if MODULE not in path.read_text():
            continue
        doc = json.loads(path.read_text())
        for aff in doc["affected"]:
            if aff["package"]["name"] != MODULE:
                continue
            for rng in aff.get("ranges") or []:
                inside = False
                for ev in rng["events"]:
                    if "introduced" in ev and (ev["introduced"] == "0" or
                                               _release(version) >= _release(ev["introduced"])):
                        inside = True
                    elif "fixed" in ev and _release(version) >= _release(ev["fixed"]):
                        inside = False
                if inside:
                    out.add(doc["id"])
    return out


@pytest.fixture(scope="module")
def db_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("go-db")
    records = [p for p in GO_OSV.glob("*.json") if MODULE in p.read_text()]
    assert records
    run_import(out / "vuln.db", records, replace=True)
    return out


def _scan(root: Path, db_dir: Path) -> tuple[int, dict]:
    proc = subprocess.run([*SEAWALL, "rootfs", str(root), "--scanners", "vuln", "-f", "json",
                           "--db-dir", str(db_dir)], capture_output=True, text=True,
                          timeout=300)
    assert proc.stdout, proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def test_main_module_with_release_ldflags_gets_its_own_advisories(db_dir: Path,
                                                                  tmp_path: Path) -> None:
    expected = _expected("v1.18.1")
    assert expected, "the data lists no advisory for syft 1.18.1"
    build_go_program(tmp_path, MODULE, "-s -w -X main.version=1.18.1")
    code, report = _scan(tmp_path / "rootfs", db_dir)
    assert code == 0 and report["errors"] == []
    main = [p for p in report["packages"] if p["name"] == MODULE]
    assert [(p["version"], p["purl"]) for p in main] == [
        ("v1.18.1", f"pkg:golang/{MODULE}@v1.18.1")]
    got = {a for f in report["findings"] if f["package"]["name"] == MODULE
           for a in f["extra"]["advisories"]}
    assert got == expected


def test_devel_main_module_is_listed_not_matched_and_not_an_error(db_dir: Path,
                                                                  tmp_path: Path) -> None:
    build_go_program(tmp_path, MODULE, None)
    code, report = _scan(tmp_path / "rootfs", db_dir)
    assert code == 0 and report["errors"] == [], report["errors"]
    assert [p["version"] for p in report["packages"] if p["name"] == MODULE] == ["(devel)"]
    assert not [f for f in report["findings"] if f["package"]["name"] == MODULE]
