"""Every renderer on a report with a finding of every category, packages and an error:
SARIF against the official 2.1.0 schema, CycloneDX against its schema, JUnit through a
JUnit parser, and the human formats for their content and escaping."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
from junitparser import Error, Failure, JUnitXml

from report_samples import HOSTILE_TITLE, LAYER, sample_report
from seawall.model.finding import Category, Finding, Severity
from seawall.model.report import Report
from seawall.report.interface import RenderOptions
from seawall.report.renderer_table import get_renderer, load_renderers

SARIF_SCHEMA = Path(__file__).parent / "fixtures" / "sarif" / "sarif-schema-2.1.0.json"


def render(fmt: str, reports: list[Report], **options: Any) -> str:
    out = io.StringIO()
    get_renderer(fmt).render(reports, out, RenderOptions(**options))
    return out.getvalue()


def with_suppressed() -> Report:
    report = sample_report()
    hidden = Finding("CVE-2020-0001", Category.VULNERABILITY, Severity.LOW, "old thing",
                     extra={"suppressed_by": {"kind": "vex", "statement": "not reachable"}})
    report.suppressed.append(hidden)
    return report


def test_every_issue_format_is_registered() -> None:
    assert {"table", "json", "sarif", "cyclonedx", "spdx", "junit", "markdown",
            "html"} <= set(load_renderers())


def test_sarif_validates_against_the_2_1_0_schema_with_rules_and_locations() -> None:
    report = with_suppressed()
    doc = json.loads(render("sarif", [report, sample_report("rootfs:/srv")],
                            show_suppressed=True))
    schema = json.loads(SARIF_SCHEMA.read_text())
    jsonschema.Draft4Validator(schema).validate(doc)
    assert doc["version"] == "2.1.0" and len(doc["runs"]) == 2
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert len({r["id"] for r in rules}) == len(rules) == len(report.findings) + 1
    by_rule = {r["id"]: r for r in rules}
    cve = by_rule["CVE-2023-0286"]
    assert cve["helpUri"] == "https://security-tracker.debian.org/tracker/CVE-2023-0286"
    assert "Upgrade openssl" in cve["help"]["text"]
    assert cve["properties"]["security-severity"] == "8.0"
    results = [r for r in run["results"] if "suppressions" not in r]
    assert len(results) == len(report.findings)
    ids = {f.id for f in report.findings}
    assert {r["partialFingerprints"]["seawallFindingId/v1"] for r in results} == ids
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    secret = next(r for r in results if r["ruleId"] == "SW-SEC-AWS-001")
    physical = secret["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == "root/.aws/credentials"
    assert physical["region"] == {"startLine": 2}
    assert secret["properties"]["layer"] == LAYER and secret["level"] == "error"
    k8s = next(r for r in results if r["ruleId"] == "SW-K8S-012")
    assert k8s["level"] == "warning"
    assert {"name": "Deployment/prod/web", "kind": "resource"} in k8s["locations"][0][
        "logicalLocations"]
    audit = next(r for r in results if r["ruleId"] == "SW-AUDIT-007")
    assert audit["level"] == "note"
    # no path: the location is the scanned target itself
    assert audit["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        report.target.ref)
    hidden = [r for r in run["results"] if "suppressions" in r]
    assert [r["ruleId"] for r in hidden] == ["CVE-2020-0001"]
    assert hidden[0]["suppressions"][0]["justification"] == "vex: not reachable"
    assert run["invocations"][0]["executionSuccessful"] is False


def test_sarif_without_show_suppressed_counts_but_omits_them() -> None:
    doc = json.loads(render("sarif", [with_suppressed()]))
    run = doc["runs"][0]
    assert all("suppressions" not in r for r in run["results"])
    assert run["properties"]["suppressed"] == 1


def test_cyclonedx_has_packages_and_vulnerabilities_and_validates() -> None:
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    text = render("cyclonedx", [sample_report()])
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None
    doc = json.loads(text)
    purls = {c.get("purl") for c in doc["components"]}
    assert "pkg:pypi/jinja2@2.10" in purls
    vulns = {v["id"]: v for v in doc["vulnerabilities"]}
    assert set(vulns) == {"CVE-2023-0286", "CVE-2023-45853"}
    refs = {c["bom-ref"] for c in doc["components"]}
    assert all(a["ref"] in refs for v in vulns.values() for a in v["affects"])
    assert vulns["CVE-2023-0286"]["ratings"][0]["severity"] == "high"


def test_spdx_lists_every_package_with_its_purl() -> None:
    doc = json.loads(render("spdx", [sample_report()]))
    assert doc["spdxVersion"] == "SPDX-2.3"
    locators = {ref["referenceLocator"] for p in doc["packages"]
                for ref in p.get("externalRefs", [])}
    assert {"pkg:pypi/jinja2@2.10"} <= locators
    assert any(loc.startswith("pkg:deb/debian/openssl@") for loc in locators)


def test_junit_parses_one_suite_per_category_and_a_failure_per_finding(tmp_path: Path) -> None:
    report = sample_report()
    path = tmp_path / "junit.xml"
    path.write_text(render("junit", [report]))
    xml = JUnitXml.fromfile(str(path))
    suites = list(xml)
    categories = {f.category.value for f in report.findings}
    finding_suites = [s for s in suites if not s.name.endswith("[scan]")]
    assert {s.name.rsplit("[", 1)[1].rstrip("]") for s in finding_suites} == categories
    cases = [c for s in finding_suites for c in s]
    assert len(cases) == len(report.findings)
    failures = [r for c in cases for r in c.result if isinstance(r, Failure)]
    assert len(failures) == len(report.findings)
    assert {f.type for f in failures} == {f.severity.value for f in report.findings}
    assert all(s.failures == s.tests for s in finding_suites)
    errors = [r for s in suites for c in s for r in c.result if isinstance(r, Error)]
    assert [e.message for e in errors] == ["timed out after 30s"]
    assert xml.failures == len(report.findings) and xml.errors == 1


def test_junit_clean_target_is_one_passing_case(tmp_path: Path) -> None:
    report = sample_report()
    report.findings.clear()
    report.errors.clear()
    path = tmp_path / "clean.xml"
    path.write_text(render("junit", [report]))
    xml = JUnitXml.fromfile(str(path))
    cases = [c for s in xml for c in s]
    assert len(cases) == 1 and cases[0].is_passed


def test_markdown_summary_counts_top_table_and_escapes() -> None:
    report = with_suppressed()
    text = render("markdown", [report], show_suppressed=True)
    assert text.startswith(f"## seawall: {len(report.findings)} findings")
    # an incomplete scan says so before anything else
    assert text.splitlines()[2].startswith("> **Warning: the scan is incomplete** (1 error(s))")
    counts_row = text.splitlines()[9]
    assert counts_row == "| 4 | 3 | 2 | 2 | 0 | 1 |"  # critical … low, unknown, info
    rows = [line for line in text.splitlines() if line.startswith("| ") and "`" in line]
    # 12 findings + 1 suppressed row, each a well-formed 5- or 3-column row
    assert len(rows) == len(report.findings) + 1
    hostile = next(line for line in rows if "SW-K8S-012" in line)
    assert "<img" not in hostile and "\\|" in hostile and hostile.count(" | ") == 4
    assert "1 finding suppressed" in text and "vex: not reachable" in text
    assert "timed out after 30s" in text
    assert "vex: not reachable" not in render("markdown", [report])


def test_html_is_self_contained_and_escapes_hostile_text() -> None:
    page = render("html", [with_suppressed()])
    assert page.startswith("<!DOCTYPE html>")
    assert "default-src 'none'" in page
    # nothing is fetched: no src/href pointing anywhere, no link/import tags
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "<link" not in page and "@import" not in page
    data = page.split('id="seawall-data">', 1)[1].split("</script>", 1)[0]
    assert "<" not in data  # a title cannot close the data island
    doc = json.loads(data)
    titles = [f["title"] for f in doc["reports"][0]["findings"]]
    # strings are shown made visible: the newline is an escape, not a line break
    assert HOSTILE_TITLE.replace("\n", "\\n") in titles
    assert 'id="incomplete"' in page.split("<div class=\"cards\"", 1)[0]
    assert doc["suppressed_total"] == 1 and "suppressed" not in doc["reports"][0]


def test_table_groups_truncates_and_ends_with_the_summary() -> None:
    report = with_suppressed()
    report.findings[0].title = "x" * 500
    text = render("table", [report], show_suppressed=True)
    lines = text.rstrip("\n").splitlines()
    assert lines[0].startswith("WARNING: the scan is INCOMPLETE: 1 error")
    assert lines[-1].startswith("INCOMPLETE scan, 1 target: 12 findings (4 critical, 3 high, "
                                "2 medium, 2 low, 1 info), 1 suppressed, 3 packages, 1 errors")
    assert "\x1b[" not in text
    assert "x" * 200 not in text and "…" in text
    for category in Category:
        assert f"{category.value} (" in text
    assert "suppressed (1)" in text and "vex: not reachable" in text
    assert "suppressed (1)" not in render("table", [report])
