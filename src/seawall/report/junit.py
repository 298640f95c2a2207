"""``--format junit``: JUnit XML, for CI servers that show test results (Jenkins,
GitLab ``artifacts:reports:junit``, Azure DevOps).

One ``testsuite`` per target and category (``<ref> [secret]``), one failing
``testcase`` per finding (the failure's ``type`` is the severity). A target without
findings gets one passing testcase, so the CI still shows that it was scanned; analyzer
errors become ``error`` testcases.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import TextIO

from seawall.model.finding import Finding
from seawall.model.report import Report
from seawall.report.finding_display import location_text, package_text
from seawall.report.interface import Renderer, RenderOptions, register_renderer
from seawall.report.untrusted_text import visible


def _case_name(finding: Finding) -> str:
    where = location_text(finding, with_layer=False)
    name = f"[{finding.severity.value}] {finding.rule_id}"
    if finding.package is not None:
        name += f" {finding.package.name}"
    return visible(f"{name} {where}".strip())


def _failure_text(finding: Finding) -> str:
    lines = [finding.title]
    if finding.description and finding.description != finding.title:
        lines.append(finding.description)
    where = location_text(finding)
    if where:
        lines.append(f"Location: {where}")
    pkg = package_text(finding)
    if pkg:
        lines.append(f"Package: {pkg}")
    if finding.remediation:
        lines.append(f"Remediation: {finding.remediation}")
    lines += [f"Reference: {r}" for r in finding.references[:5]]
    lines.append(f"Finding id: {finding.id}")
    return visible("\n".join(lines), multiline=True)


def _suite(parent: ET.Element, name: str, seconds: float) -> ET.Element:
    return ET.SubElement(parent, "testsuite", name=name, tests="0", failures="0",
                         errors="0", skipped="0", time=f"{seconds:.3f}")


def _count(suite: ET.Element, key: str) -> None:
    suite.set(key, str(int(suite.get(key, "0")) + 1))


def junit_tree(reports: Sequence[Report]) -> ET.Element:
    """The ``<testsuites>`` element for ``reports``."""
    root = ET.Element("testsuites", name="seawall",
                      complete="false" if any(r.errors for r in reports) else "true")
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for report in reports:
        ref = visible(report.target.ref) or "(unnamed)"
        by_category: dict[str, list[Finding]] = {}
        for f in sorted(report.findings, key=Finding.sort_key):
            by_category.setdefault(f.category.value, []).append(f)
        for category in sorted(by_category):
            suite = _suite(root, f"{ref} [{category}]", 0.0)
            for f in by_category[category]:
                case = ET.SubElement(suite, "testcase", name=_case_name(f),
                                     classname=f"seawall.{category}", time="0")
                failure = ET.SubElement(case, "failure", message=visible(f.title)[:500],
                                        type=f.severity.value)
                failure.text = _failure_text(f)
                _count(suite, "tests")
                _count(suite, "failures")
        if not by_category or report.errors:
            suite = _suite(root, f"{ref} [scan]", report.stats.duration_s)
            if not by_category:
                ET.SubElement(suite, "testcase", name="no findings",
                              classname="seawall.scan", time=f"{report.stats.duration_s:.3f}")
                _count(suite, "tests")
            for err in report.errors:
                message = visible(err.message)
                case = ET.SubElement(suite, "testcase", name=visible(err.scope),
                                     classname="seawall.scan", time="0")
                error = ET.SubElement(case, "error", message=message[:500],
                                      type="incomplete-scan")
                error.text = f"The scan is incomplete: this could not be scanned. {message}"
                _count(suite, "tests")
                _count(suite, "errors")
    for suite in root:
        for key in totals:
            totals[key] += int(suite.get(key, "0"))
    for key, value in totals.items():
        root.set(key, str(value))
    return root


@register_renderer
class JunitRenderer(Renderer):
    """JUnit XML test report."""

    name = "junit"
    description = "JUnit XML (one testsuite per category, a failing testcase per finding)"

    def render(self, reports: Sequence[Report], stream: TextIO, options: RenderOptions) -> None:
        """Write the XML document."""
        root = junit_tree(reports)
        ET.indent(root)
        stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        stream.write(ET.tostring(root, encoding="unicode"))
        stream.write("\n")
