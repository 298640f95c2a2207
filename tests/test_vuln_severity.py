"""Severity of vulnerability findings on the real PyPA Django records
(../shared/vulndata): no published severity is ``unknown`` (never ``info``), a CVSS
vector on the record or on an alias gives the NVD rating, and ``unknown`` sorts,
filters, gates and renders in every report format."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from seawall.analyzers.vuln.cvss import base_score, rating
from seawall.analyzers.vuln.db.local_import import run_import
from seawall.analyzers.vuln.db.store import VulnStore
from seawall.analyzers.vuln.matching import match_packages
from seawall.model.finding import Category, Finding, Severity
from seawall.model.package import Package
from seawall.policy.gate import gate_from_flags
from shared_data import shared_marker, shared_path

REPO = Path(__file__).resolve().parent.parent
VULNDATA = shared_path("vulndata")
DJANGO = VULNDATA / "pypa-advisory-database" / "vulns" / "django"
WERKZEUG = VULNDATA / "pypa-advisory-database" / "vulns" / "werkzeug"
# the GitHub record aliased by PYSEC-2022-213 (see tests/fixtures/vulndata/SOURCES.md)
GHSA_DJANGO = REPO / "tests" / "fixtures" / "vulndata" / "GHSA-p64x-8rxx-wf6q.json"
SEAWALL = [sys.executable, "-c", "from seawall.cli import main; main()"]

pytestmark = shared_marker("vulndata/pypa-advisory-database")


def _listing(directory: Path, version: str) -> dict[str, dict]:
    """The records whose ``versions`` list names ``version`` (the independent truth)."""
    out = {}
    for path in directory.glob("*.yaml"):
        doc = yaml.safe_load(path.read_text())
        if any(version in [str(v) for v in aff.get("versions") or []]
               for aff in doc.get("affected") or []):
            out[doc["id"]] = doc
    return out


def _sbom(tmp_path: Path, name: str, version: str) -> Path:
    bom = {"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
           "components": [{"type": "library", "name": name, "version": version,
                           "purl": f"pkg:pypi/{name.lower()}@{version}"}]}
    path = tmp_path / "bom.json"
    path.write_text(json.dumps(bom))
    return path


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "FORCE_COLOR"}
    return subprocess.run([*SEAWALL, *args], capture_output=True, text=True, env=env,
                          timeout=120)


@pytest.fixture(scope="module")
def pypa_only(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db_dir = tmp_path_factory.mktemp("pypa-db")
    run_import(db_dir / "vuln.db", [DJANGO, WERKZEUG], replace=True)
    return db_dir


@pytest.fixture(scope="module")
def with_ghsa(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db_dir = tmp_path_factory.mktemp("ghsa-db")
    run_import(db_dir / "vuln.db", [DJANGO, GHSA_DJANGO], replace=True)
    return db_dir


def test_django_320_without_published_severity_is_unknown_never_info(pypa_only: Path
                                                                      ) -> None:
    expected = _listing(DJANGO, "3.2")
    assert len(expected) == 25 and not any(d.get("severity") for d in expected.values())
    with VulnStore.open(pypa_only / "vuln.db") as store:
        findings = match_packages([Package("Django", "3.2.0", "pypi",
                                           purl="pkg:pypi/django@3.2.0")], None, store)
    assert {a for f in findings for a in f.extra["advisories"]} == set(expected)
    assert {f.severity for f in findings} == {Severity.UNKNOWN}
    assert {f.extra["severity_source"] for f in findings} == {"none"}


def test_cvss_vector_on_the_record_gives_the_nvd_rating(pypa_only: Path) -> None:
    with_vector = {i: d for i, d in _listing(WERKZEUG, "2.2.2").items() if d.get("severity")}
    assert with_vector, "the data lists no scored werkzeug 2.2.2 advisory"
    with VulnStore.open(pypa_only / "vuln.db") as store:
        findings = match_packages([Package("Werkzeug", "2.2.2", "pypi")], None, store)
    by_adv = {a: f for f in findings for a in f.extra["advisories"]}
    for adv_id, doc in with_vector.items():
        vector = doc["severity"][0]["score"]
        finding = by_adv[adv_id]
        assert finding.extra["cvss"] == {"vector": vector, "score": base_score(vector)}
        assert finding.severity is rating(base_score(vector)) and finding.extra[
            "severity_source"] == "cvss_v3"


def test_fail_on_critical_trips_on_the_alias_critical_vector(with_ghsa: Path,
                                                             tmp_path: Path) -> None:
    ghsa = json.loads(GHSA_DJANGO.read_text())
    vector = ghsa["severity"][0]["score"]
    assert rating(base_score(vector)) is Severity.CRITICAL
    bom = _sbom(tmp_path, "Django", "3.2.0")
    proc = _cli("sbom-scan", str(bom), "--db-dir", str(with_ghsa), "-f", "json",
                "--fail-on", "critical")
    assert proc.returncode == 1, proc.stderr
    findings = json.loads(proc.stdout)["findings"]
    critical = [f for f in findings if f["severity"] == "critical"]
    assert [f["rule_id"] for f in critical] == ghsa["aliases"]
    assert "PYSEC-2022-213" in critical[0]["extra"]["advisories"]
    assert {f["severity"] for f in findings} == {"critical", "unknown"}
    assert findings[0]["severity"] == "critical"  # worst first


def test_severity_and_fail_on_treat_unknown_as_its_own_level(pypa_only: Path,
                                                            tmp_path: Path) -> None:
    bom = _sbom(tmp_path, "Django", "3.2.0")
    base = ["sbom-scan", str(bom), "--db-dir", str(pypa_only), "-f", "json"]
    for flags, code, count in [
        (["--fail-on", "critical"], 0, 25),
        (["--fail-on", "low"], 0, 25),
        (["--fail-on", "unknown"], 1, 25),
        (["-s", "critical,high,medium,low", "--exit-code", "1"], 0, 0),
        (["-s", "unknown", "--exit-code", "3"], 3, 25),
    ]:
        proc = _cli(*base, *flags)
        assert proc.returncode == code, (flags, proc.stderr)
        assert len(json.loads(proc.stdout)["findings"]) == count, flags
    help_text = _cli("sbom-scan", "--help").stdout
    assert "unknown" in help_text and "--fail-on unknown" in help_text
    image_help = _cli("image", "--help").stdout
    assert "low > unknown > info" in " ".join(image_help.split())


def test_unknown_sorts_between_low_and_info() -> None:
    made = [Finding(s.value, Category.VULNERABILITY, s, s.value) for s in Severity]
    order = [f.severity.value for f in sorted(made, key=Finding.sort_key)]
    assert order == ["critical", "high", "medium", "low", "unknown", "info"]
    assert Severity.parse("UNKNOWN") is Severity.UNKNOWN
    gate, shown = gate_from_flags(None, None, "unknown")
    assert Severity.UNKNOWN in gate.severities and Severity.INFO not in gate.severities
    assert shown == frozenset(Severity)


def test_unknown_renders_in_every_format(with_ghsa: Path, tmp_path: Path) -> None:
    bom = _sbom(tmp_path, "Django", "3.2.0")
    outs = {fmt: tmp_path / f"out.{fmt}" for fmt in
            ("json", "sarif", "junit", "markdown", "html", "cyclonedx", "table")}
    args = [x for fmt, path in outs.items() for x in ("-f", f"{fmt}={path}")]
    proc = _cli("sbom-scan", str(bom), "--db-dir", str(with_ghsa), *args)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(outs["json"].read_text())
    n_unknown = sum(f["severity"] == "unknown" for f in report["findings"])
    assert n_unknown == 24

    sarif = json.loads(outs["sarif"].read_text())
    results = sarif["runs"][0]["results"]
    unknown = [r for r in results if r["properties"]["severity"] == "unknown"]
    assert len(unknown) == n_unknown
    # no invented score: GitHub ranks these by level
    assert all("security-severity" not in r["properties"] and r["level"] == "warning"
               for r in unknown)
    rules = sarif["runs"][0]["tool"]["driver"]["rules"]
    crit_rule = next(r for r in rules if r["id"] == "CVE-2022-34265")
    assert crit_rule["properties"]["security-severity"] == "9.5"

    cases = ET.parse(outs["junit"]).getroot().iter("failure")
    assert sum(c.get("type") == "unknown" for c in cases) == n_unknown

    markdown = outs["markdown"].read_text()
    assert markdown.count("\n| UNKNOWN | `") == n_unknown
    assert "| LOW | UNKNOWN | INFO |" in markdown and f"| 0 | {n_unknown} | 0 |" in markdown

    html = outs["html"].read_text()
    assert '"unknown"' in html and ".sev-unknown" in html

    cdx = json.loads(outs["cyclonedx"].read_text())
    ratings = [r["severity"] for v in cdx["vulnerabilities"] for r in v["ratings"]]
    assert ratings.count("unknown") == n_unknown and ratings.count("critical") == 1

    table = outs["table"].read_text()
    assert "UNKNOWN" in table.upper() and "CVE-2022-34265" in table
