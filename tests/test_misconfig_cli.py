"""End to end through the CLI: a multi-file fixture cluster (namespaces, workloads,
RBAC, NetworkPolicies, a kubectl List dump, Helm output, a Dockerfile, compose)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures" / "misconfig"
CLUSTER = FIXTURES / "cluster"


def seawall(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from seawall.cli import main; main()", *args],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=120,
    )


def _scan_cluster() -> dict[str, Any]:
    proc = seawall(
        "config", str(CLUSTER), "--exceptions", str(FIXTURES / "exceptions.yaml"), "-f", "json"
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def _has(report: dict[str, Any], rule: str, **location: str) -> bool:
    return any(
        f["rule_id"] == rule and all(f["location"].get(k) == v for k, v in location.items())
        for f in report["findings"]
    )


def test_cluster_workloads_end_to_end() -> None:
    report = _scan_cluster()
    assert report["target"]["kind"] == "config"
    assert report["errors"] == []
    assert report["target"]["objects"] >= 20 and report["target"]["dockerfiles"] == 1
    # init container overrides the pod's runAsNonRoot: flagged; the app container inherits it: not.
    assert _has(report, "SW-K8S-006", resource="Deployment/frontend/web", container="init-perms")
    assert not _has(report, "SW-K8S-006", resource="Deployment/frontend/web", container="nginx")
    assert _has(report, "SW-K8S-007", container="init-perms")
    # CronJob jobTemplate is a workload; the StatefulSet inside a List dump too.
    assert _has(report, "SW-K8S-003", resource="CronJob/backend/report")
    assert _has(report, "SW-K8S-046", resource="StatefulSet/db/postgres", container="postgres")
    assert _has(report, "SW-K8S-019", resource="StatefulSet/db/postgres")
    # the ServiceAccount object disables automount for the api pods
    assert not _has(report, "SW-K8S-033", resource="Deployment/backend/api")
    assert _has(report, "SW-K8S-033", resource="Deployment/frontend/web")
    # Helm '# Source:' is kept, and no default-namespace noise for namespaced objects
    web = [
        f for f in report["findings"] if f["location"].get("resource") == "Deployment/frontend/web"
    ]
    assert web and all(f["extra"].get("helm_source") == "shop/templates/frontend.yaml" for f in web)
    assert _has(report, "SW-K8S-065", resource="Namespace/monitoring")


def test_cluster_rbac_per_subject() -> None:
    report = _scan_cluster()
    deployer = "ServiceAccount/backend/deployer"
    for rule in ("SW-RBAC-002", "SW-RBAC-003", "SW-RBAC-006", "SW-RBAC-009", "SW-RBAC-011"):
        assert _has(report, rule, resource=deployer), rule
    # aggregationRule: the aggregate ClusterRole gains the secrets rule of its member
    prom = [
        f
        for f in report["findings"]
        if f["location"].get("resource") == "ServiceAccount/monitoring/prometheus"
    ]
    assert [f["rule_id"] for f in prom] == ["SW-RBAC-006"]
    assert "ClusterRole/monitoring-aggregate" in prom[0]["extra"]["permissions"][0]
    assert _has(report, "SW-RBAC-004", resource="Group/system:authenticated")
    assert _has(report, "SW-RBAC-010", resource="ServiceAccount/frontend/default")
    assert _has(report, "SW-RBAC-013", resource="ServiceAccount/frontend/default")
    subjects = {s["subject"] for s in report["target"]["rbac_subjects"]}
    assert deployer in subjects


def test_cluster_network_matrix() -> None:
    report = _scan_cluster()
    net = report["target"]["network_reachability"]
    assert net["namespaces"] == ["backend", "db", "frontend", "monitoring"]
    m = net["matrix"]
    assert m["frontend"]["backend"] is True  # namespaceSelector tier=web admits frontend
    assert m["backend"]["db"] is False  # backend egress is default-deny
    assert m["frontend"]["db"] is False  # db admits only backend
    assert m["frontend"]["frontend"] is False  # ipBlock peers do not admit pods
    assert m["monitoring"]["monitoring"] is True  # no policy at all
    assert _has(report, "SW-NET-001", resource="Namespace/monitoring")
    assert _has(report, "SW-NET-002", resource="Namespace/frontend")
    assert not _has(report, "SW-NET-001", resource="Namespace/backend")
    assert _has(report, "SW-NET-005", resource="NetworkPolicy/frontend/web-from-anywhere")


def test_cluster_exceptions() -> None:
    report = _scan_cluster()
    suppressed = {(f["rule_id"], f["location"].get("resource")) for f in report["suppressed"]}
    assert ("SW-K8S-040", "Deployment/backend/api") in suppressed  # annotation, live
    assert ("SW-K8S-058", "Service/frontend/web") in suppressed  # exceptions file
    assert "SW-DF-013" in {r for r, _ in suppressed}  # Dockerfile comment on the next RUN
    assert "SW-DF-009" in {r for r, _ in suppressed}  # file-wide comment
    expired = {
        f["rule_id"] for f in report["findings"] if "expired_exception" in f.get("extra", {})
    }
    assert expired == {"SW-K8S-035", "SW-COMPOSE-015"}
    # the Dockerfile's other findings keep their lines (continuation + heredoc counted)
    df = {
        f["rule_id"]: f["location"]["line"]
        for f in report["findings"]
        if f["location"]["path"].endswith("Dockerfile")
    }
    assert df["SW-DF-028"] == 16 and df["SW-DF-049"] == 17


def test_table_output_prints_matrix() -> None:
    proc = seawall("config", str(CLUSTER))
    assert proc.returncode == 0, proc.stderr
    assert "Namespace reachability" in proc.stdout
    assert "SW-RBAC-003" in proc.stdout


def test_stdin_and_gate() -> None:
    manifest = (
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: x}\nspec:\n"
        "  containers: [{name: c, image: nginx, securityContext: {privileged: true}}]\n"
    )
    proc = seawall("config", "-", "-f", "json", "--fail-on", "critical", stdin=manifest)
    assert proc.returncode == 1
    assert any(f["rule_id"] == "SW-K8S-001" for f in json.loads(proc.stdout)["findings"])
    dockerfile = "FROM alpine:3.19\nRUN apk add curl\n"
    proc = seawall("config", "-", "-f", "json", stdin=dockerfile)
    assert proc.returncode == 0
    assert "SW-DF-043" in {f["rule_id"] for f in json.loads(proc.stdout)["findings"]}


def test_nothing_readable_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("a: [unclosed\n")
    proc = seawall("config", str(bad), "-f", "json")
    assert proc.returncode == 2
    assert "bad.yaml" in proc.stderr and "Traceback" not in proc.stderr
    assert json.loads(proc.stdout)["errors"][0]["message"].startswith(str(bad))
    proc = seawall("config", str(tmp_path / "missing"))
    assert proc.returncode == 2


def test_controls_list() -> None:
    proc = seawall("controls", "list", "--format", "json")
    assert proc.returncode == 0
    controls = json.loads(proc.stdout)
    assert len(controls) >= 120
    by_id = {c["id"]: c for c in controls}
    assert by_id["SW-K8S-001"]["mappings"]["pss"] == ["baseline"]
    assert "CKV_K8S_16" in by_id["SW-K8S-001"]["mappings"]["checkov"]
    prefixes = {c["id"].rsplit("-", 1)[0] for c in controls}
    assert prefixes == {"SW-IMG", "SW-DF", "SW-K8S", "SW-RBAC", "SW-NET", "SW-COMPOSE"}
    for c in controls:
        assert c["title"] and c["rationale"] and c["remediation"] and c["mappings"], c["id"]
    table = seawall("controls", "list")
    assert "SW-COMPOSE-001" in table.stdout
