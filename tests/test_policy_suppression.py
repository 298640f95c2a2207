"""Suppression: --ignore-unfixed, .seawallignore, seawall-ignore.yaml, OpenVEX,
--baseline; expiry; the gate only sees what is left."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from report_samples import IMAGE_DIGEST, OPENSSL_PURL, sample_report
from seawall.errors import InputError
from seawall.policy.gate import gate_from_flags
from seawall.policy.ignore_rules import (
    discover_ignore_files,
    load_ignore_file,
    parse_seawallignore,
    purl_matches,
)
from seawall.policy.suppression import SuppressionPolicy, apply_suppressions, is_unfixed
from seawall.policy.vex import load_vex

TODAY = dt.date(2026, 6, 1)


def rule_ids(findings: list) -> set[str]:
    return {f.rule_id for f in findings}


def test_ignore_unfixed_hides_vulnerabilities_without_a_fix_only() -> None:
    report = sample_report()
    assert [f.rule_id for f in report.findings if is_unfixed(f)] == ["CVE-2023-45853"]
    out = SuppressionPolicy(ignore_unfixed=True, today=TODAY).apply(report).report
    assert rule_ids(out.suppressed) == {"CVE-2023-45853"}
    assert len(out.findings) == len(report.findings) - 1
    assert out.suppressed[0].extra["suppressed_by"]["kind"] == "unfixed"


def test_seawallignore_ids_globs_comments_and_expiry(tmp_path: Path) -> None:
    report = sample_report()
    secret_id = next(f.id for f in report.findings if f.rule_id == "SW-SEC-AWS-001")
    path = tmp_path / ".seawallignore"
    path.write_text(
        "# accepted risks\n"
        "CVE-2023-0286   # not reachable\n"
        f"{secret_id} exp:2026-12-31\n"
        "SW-K8S-* exp:2026-01-01\n"  # expired: stops suppressing
        "\n"
    )
    rules = load_ignore_file(str(path))
    assert [r.origin for r in rules] == [f"{path}:2", f"{path}:3", f"{path}:4"]
    outcome = SuppressionPolicy(ignore_rules=rules, today=TODAY).apply(report)
    assert rule_ids(outcome.report.suppressed) == {"CVE-2023-0286", "SW-SEC-AWS-001"}
    cve = next(f for f in outcome.report.suppressed if f.rule_id == "CVE-2023-0286")
    assert cve.extra["suppressed_by"]["statement"] == "not reachable"
    k8s = next(f for f in outcome.report.findings if f.rule_id == "SW-K8S-012")
    assert k8s.extra["expired_ignore"]["expires"] == "2026-01-01"
    assert len(outcome.warnings()) == 1 and "expired on 2026-01-01" in outcome.warnings()[0]
    # the expiry day itself still suppresses
    same_day = SuppressionPolicy(ignore_rules=rules, today=dt.date(2026, 1, 1)).apply(
        sample_report())
    assert "SW-K8S-012" in rule_ids(same_day.report.suppressed)


@pytest.mark.parametrize("line", ["CVE-1 exp:2026-13-01", "CVE-1 later", "CVE-1 exp:"])
def test_seawallignore_bad_lines_name_file_and_line(line: str) -> None:
    with pytest.raises(InputError, match=r"^\.seawallignore:2: "):
        parse_seawallignore(f"# x\n{line}\n", ".seawallignore")


def test_yaml_ignore_by_path_purl_and_rule_id(tmp_path: Path) -> None:
    path = tmp_path / "seawall-ignore.yaml"
    path.write_text(
        "ignore:\n"
        "  - id: CVE-2023-45853\n"
        "    purl: pkg:deb/debian/zlib1g\n"          # no version: any version
        "    statement: minizip is not shipped\n"
        "    expires: 2027-01-01\n"
        "  - rule_id: SW-PRIV-*\n"
        "    path: /usr/bin/**\n"
        "  - rule_id: SW-SEC-*\n"
        "    path: /srv/**\n"                         # wrong path: no effect
        "  - path: /etc/shadow\n"
        "    expires: 2020-01-01\n"                   # expired
    )
    rules = load_ignore_file(str(path))
    outcome = SuppressionPolicy(ignore_rules=rules, today=TODAY).apply(sample_report())
    assert rule_ids(outcome.report.suppressed) == {"CVE-2023-45853", "SW-PRIV-SUID-001"}
    zlib = next(f for f in outcome.report.suppressed if f.rule_id == "CVE-2023-45853")
    assert zlib.extra["suppressed_by"] == {"kind": "ignorefile", "origin": f"{path}#1",
                                           "statement": "minizip is not shipped",
                                           "expires": "2027-01-01"}
    assert [w.split(" ")[2] for w in outcome.warnings()] == [f"{path}#4"]


@pytest.mark.parametrize("body, message", [
    ("ignore: {id: x}", "expected a list"),
    ("ignore:\n  - statement: only words\n", "needs at least one of"),
    ("ignore:\n  - id: x\n    expire: 2026-01-01\n", "unknown key"),
    ("ignore:\n  - id: x\n    expires: soon\n", "invalid expiry date"),
    ("ignore: [", "not valid YAML"),
])
def test_yaml_ignore_errors(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "seawall-ignore.yaml"
    path.write_text(body)
    with pytest.raises(InputError, match=message):
        load_ignore_file(str(path))


def test_default_ignore_files_are_discovered(tmp_path: Path) -> None:
    assert discover_ignore_files(str(tmp_path)) == []
    (tmp_path / ".seawallignore").write_text("CVE-2023-0286\n")
    (tmp_path / "seawall-ignore.yaml").write_text("ignore: []\n")
    found = discover_ignore_files(str(tmp_path))
    assert [Path(p).name for p in found] == [".seawallignore", "seawall-ignore.yaml"]
    policy = SuppressionPolicy.from_files(discover_in=str(tmp_path), today=TODAY)
    assert len(policy.ignore_rules) == 1


def test_purl_matching_ignores_qualifiers_and_optional_version() -> None:
    assert purl_matches("pkg:deb/debian/openssl", OPENSSL_PURL)
    assert purl_matches("pkg:deb/debian/openssl@3.0.11-1~deb12u1", OPENSSL_PURL)
    assert not purl_matches("pkg:deb/debian/openssl@3.0.9", OPENSSL_PURL)
    assert not purl_matches("pkg:deb/debian/openssl-dev", OPENSSL_PURL)


def _vex(tmp_path: Path, statements: list[dict], name: str = "vex.json") -> Path:
    doc = {"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://example.com/vex/1",
           "author": "Platform Security", "timestamp": "2026-01-10T10:00:00Z", "version": 1,
           "statements": statements}
    path = tmp_path / name
    path.write_text(json.dumps(doc))
    return path


def test_openvex_not_affected_and_fixed_suppress_matching_purls(tmp_path: Path) -> None:
    path = _vex(tmp_path, [
        {"vulnerability": {"name": "CVE-2023-0286"},
         "products": [{"@id": "pkg:deb/debian/openssl@3.0.11-1~deb12u1?arch=amd64"}],
         "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"},
        # image product with the package as subcomponent, named by the finding's alias
        {"vulnerability": {"name": "GHSA-zzzz-0000-1111"},
         "products": [{"@id": f"pkg:oci/app@{IMAGE_DIGEST}",
                       "subcomponents": [{"@id": "pkg:deb/debian/zlib1g"}]}],
         "status": "fixed"},
        # affected does not suppress; another vulnerability id matches nothing
        {"vulnerability": "CVE-2023-0286", "products": ["pkg:deb/debian/other"],
         "status": "not_affected", "justification": "component_not_present"},
    ])
    policy = SuppressionPolicy(vex=load_vex([str(path)]), today=TODAY)
    out = policy.apply(sample_report()).report
    assert rule_ids(out.suppressed) == {"CVE-2023-0286", "CVE-2023-45853"}
    openssl = next(f for f in out.suppressed if f.rule_id == "CVE-2023-0286")
    assert openssl.extra["suppressed_by"]["justification"] == (
        "vulnerable_code_not_in_execute_path")
    # non-vulnerability findings are never touched by VEX
    assert all(f.category.value == "vulnerability" for f in out.suppressed)


def test_openvex_later_affected_statement_revokes(tmp_path: Path) -> None:
    first = _vex(tmp_path, [{"vulnerability": {"name": "CVE-2023-0286"},
                             "products": [{"@id": "pkg:deb/debian/openssl"}],
                             "status": "not_affected",
                             "justification": "component_not_present"}], "a.json")
    later = _vex(tmp_path, [{"vulnerability": {"name": "CVE-2023-0286"},
                             "products": [{"@id": "pkg:deb/debian/openssl"}],
                             "status": "affected", "timestamp": "2026-03-01T00:00:00Z",
                             "action_statement": "upgrade"}], "b.json")
    out = SuppressionPolicy(vex=load_vex([str(later), str(first)])).apply(sample_report())
    assert out.report.suppressed == []
    only_first = SuppressionPolicy(vex=load_vex([str(first)])).apply(sample_report())
    assert rule_ids(only_first.report.suppressed) == {"CVE-2023-0286"}


@pytest.mark.parametrize("doc, message", [
    ({"statements": [{"vulnerability": "CVE-1", "status": "maybe"}]}, "unknown status"),
    ({"@context": "https://cyclonedx.org", "statements": []}, "is not OpenVEX"),
    ({"vulnerabilities": []}, "not an OpenVEX document"),
])
def test_openvex_errors(tmp_path: Path, doc: dict, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(InputError, match=message):
        load_vex([str(path)])


def test_baseline_keeps_only_new_findings_and_the_gate_sees_only_them(tmp_path: Path) -> None:
    old = sample_report()
    new_finding = old.findings.pop(0)  # the baseline did not have this one yet
    baseline = tmp_path / "old.json"
    baseline.write_text(json.dumps(old.to_dict()))
    policy = SuppressionPolicy.from_files(baseline=str(baseline), discover_in=None)
    [current], warnings = apply_suppressions([sample_report()], policy)
    assert warnings == []
    assert [f.id for f in current.findings] == [new_finding.id]
    assert len(current.suppressed) == len(old.findings)
    gate, _ = gate_from_flags(None, None, "critical")
    assert gate.exit_status([current]) == 0  # the new one is only high
    gate, _ = gate_from_flags(None, None, "high")
    assert gate.exit_status([current]) == 1


def test_baseline_must_be_a_report(tmp_path: Path) -> None:
    path = tmp_path / "old.json"
    path.write_text('{"runs": []}')
    with pytest.raises(InputError, match="not a seawall JSON report"):
        SuppressionPolicy.from_files(baseline=str(path), discover_in=None)
