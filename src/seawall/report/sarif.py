"""``--format sarif``: SARIF 2.1.0 (OASIS), the format code-scanning dashboards
(GitHub, GitLab, Azure DevOps) ingest.

One run per scanned target. Each distinct rule becomes a ``reportingDescriptor`` with
help text (description, remediation, references) and a ``helpUri``; each finding a
result with a physical location (path without the leading ``/``, so dashboards resolve
it relative to the repository or image root; the target itself when the finding has no
path), the layer and package in ``properties``, and ``partialFingerprints`` from the
stable finding id so dashboards track a finding across runs. Severities map to SARIF
``level`` and to the numeric ``security-severity`` property GitHub ranks alerts by.
With ``--show-suppressed``, suppressed findings are included with a ``suppressions``
entry (SARIF's own way of saying "known and accepted").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, TextIO

from seawall._version import __version__
from seawall.model.finding import Finding, Severity
from seawall.model.report import Report
from seawall.report.finding_display import first_url, location_text, suppression_reason
from seawall.report.interface import Renderer, RenderOptions, register_renderer
from seawall.report.json_text import dumps_json

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
#: partialFingerprints key; versioned so a future change of the id scheme is visible.
FINGERPRINT_KEY = "seawallFindingId/v1"

LEVELS = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.UNKNOWN: "warning",
    Severity.INFO: "note",
}
#: GitHub buckets security-severity as critical >= 9.0, high >= 7.0, medium >= 4.0.
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "2.0",
    Severity.INFO: "0.0",
}
"""No ``unknown`` entry: a finding without a published score gets no number (GitHub
then ranks it by ``level``) rather than an invented one."""
_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9]+")


def _rule_name(finding: Finding) -> str:
    """PascalCase name from the title (SARIF rule names are identifiers, not prose)."""
    words = _NAME_UNSAFE.split(finding.title)[:8]
    return "".join(w[:1].upper() + w[1:] for w in words if w) or finding.rule_id


def _help(finding: Finding) -> dict[str, str]:
    text_parts = [finding.description or finding.title]
    md_parts = [f"**{finding.title}**", "", finding.description or ""]
    if finding.remediation:
        text_parts.append(f"Remediation: {finding.remediation}")
        md_parts += ["", f"**Remediation:** {finding.remediation}"]
    refs = finding.references[:10]
    if refs:
        text_parts.append("References: " + ", ".join(refs))
        md_parts += ["", "**References:**", *(f"- {r}" for r in refs)]
    return {"text": "\n".join(p for p in text_parts if p), "markdown": "\n".join(md_parts).strip()}


def rule_descriptor(finding: Finding) -> dict[str, Any]:
    """The ``reportingDescriptor`` of ``finding``'s rule (from its first finding)."""
    tags = ["security", finding.category.value]
    for key, values in sorted(finding.tags.items()):
        tags += [f"{key}:{v}" for v in values]
    rule: dict[str, Any] = {
        "id": finding.rule_id,
        "name": _rule_name(finding),
        "shortDescription": {"text": finding.title[:1000] or finding.rule_id},
        "fullDescription": {"text": (finding.description or finding.title)[:4000]},
        "help": _help(finding),
        "defaultConfiguration": {"level": LEVELS[finding.severity]},
        "properties": {
            "tags": tags,
            "precision": "high",
            "category": finding.category.value,
        },
    }
    if finding.severity in SECURITY_SEVERITY:
        rule["properties"]["security-severity"] = SECURITY_SEVERITY[finding.severity]
    url = first_url(finding.references)
    if url:
        rule["helpUri"] = url
    return rule


def _artifact_uri(finding: Finding, report: Report) -> str:
    path = finding.location.path
    if path:
        return path.lstrip("/") or "/"
    return report.target.ref or "target"


def _result(finding: Finding, rule_index: int, report: Report) -> dict[str, Any]:
    loc = finding.location
    physical: dict[str, Any] = {"artifactLocation": {"uri": _artifact_uri(finding, report)}}
    if loc.line:
        physical["region"] = {"startLine": loc.line}
    location: dict[str, Any] = {"physicalLocation": physical}
    logical = [
        {"name": value, "kind": kind}
        for value, kind in ((loc.resource, "resource"), (loc.container, "container"))
        if value
    ]
    if logical:
        location["logicalLocations"] = logical
    message = finding.title
    where = location_text(finding, with_layer=False)
    if where:
        message += f" ({where})"
    props: dict[str, Any] = {
        "category": finding.category.value,
        "severity": finding.severity.value,
    }
    if finding.severity in SECURITY_SEVERITY:
        props["security-severity"] = SECURITY_SEVERITY[finding.severity]
    if loc.layer:
        props["layer"] = loc.layer
    if finding.package is not None:
        props["package"] = finding.package.to_dict()
    if finding.evidence:
        props["evidence"] = finding.evidence
    if finding.tags:
        props["tags"] = [f"{k}:{v}" for k, vs in sorted(finding.tags.items()) for v in vs]
    return {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "kind": "fail",
        "message": {"text": message},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT_KEY: finding.id},
        "properties": props,
    }


def sarif_run(report: Report, show_suppressed: bool = False) -> dict[str, Any]:
    """One SARIF ``run`` for one report."""
    rules: list[dict[str, Any]] = []
    index_of: dict[str, int] = {}
    results: list[dict[str, Any]] = []
    suppressed = sorted(report.suppressed, key=Finding.sort_key) if show_suppressed else []
    listed = [(f, False) for f in sorted(report.findings, key=Finding.sort_key)]
    for finding, is_suppressed in listed + [(f, True) for f in suppressed]:
        if finding.rule_id not in index_of:
            index_of[finding.rule_id] = len(rules)
            rules.append(rule_descriptor(finding))
        result = _result(finding, index_of[finding.rule_id], report)
        if is_suppressed:
            result["suppressions"] = [
                {"kind": "external", "justification": suppression_reason(finding)}
            ]
        results.append(result)
    target = report.target
    run_props: dict[str, Any] = {"target": target.to_dict(), "suppressed": len(report.suppressed),
                                 "complete": report.complete}
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "seawall",
                "version": report.tool.version or __version__,
                "semanticVersion": __version__,
                "rules": rules,
            }
        },
        "automationDetails": {"id": f"seawall/{target.kind}/{target.ref}"},
        "results": results,
        "columnKind": "unicodeCodePoints",
        "properties": run_props,
    }
    if report.errors:
        run["invocations"] = [
            {
                "executionSuccessful": False,
                "toolExecutionNotifications": [
                    {"level": "error", "message": {"text": f"{e.scope}: {e.message}"}}
                    for e in report.errors
                ],
            }
        ]
    else:
        run["invocations"] = [{"executionSuccessful": True}]
    return run


def sarif_log(reports: Sequence[Report], show_suppressed: bool = False) -> dict[str, Any]:
    """The whole SARIF log document."""
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [sarif_run(r, show_suppressed) for r in reports],
    }


@register_renderer
class SarifRenderer(Renderer):
    """SARIF 2.1.0 for code-scanning dashboards."""

    name = "sarif"
    description = "SARIF 2.1.0 (GitHub/GitLab code scanning)"

    def render(self, reports: Sequence[Report], stream: TextIO, options: RenderOptions) -> None:
        """Write one SARIF log with a run per report."""
        stream.write(dumps_json(sarif_log(reports, options.show_suppressed)))
        stream.write("\n")
