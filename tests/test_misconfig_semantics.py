"""Semantics that matter for false positives: securityContext inheritance exactly
as the kubelet applies it, PSS exemptions, exceptions with expiry, custom rules."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from misconfig_cases import deployment
from seawall.analyzers.misconfig.engine import ConfigScanner, ConfigScanOptions
from seawall.analyzers.misconfig.k8s_model import effective_security_context
from seawall.analyzers.misconfig.match_expressions import Expression
from seawall.errors import InputError
from seawall.policy.exceptions import parse_inline

CUSTOM = Path(__file__).parent / "fixtures" / "misconfig" / "custom"


def findings(
    tmp_path: Path, docs: list[dict], name: str = "m.yaml", **opts: object
) -> list[tuple[str, str | None]]:
    path = tmp_path / name
    path.write_text(yaml.safe_dump_all(docs) if name.endswith(".yaml") else str(docs[0]))
    report = ConfigScanner(ConfigScanOptions(**opts)).scan([str(path)])  # type: ignore[arg-type]
    assert not report.errors, report.errors
    return [(f.rule_id, f.location.container) for f in report.findings]


def test_effective_security_context_follows_kubelet() -> None:
    pod = {
        "runAsUser": 1000,
        "runAsNonRoot": True,
        "seLinuxOptions": {"type": "container_t", "level": "s0:c1"},
        "windowsOptions": {"runAsUserName": "app", "hostProcess": False},
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    own = {
        "runAsUser": 0,
        "seLinuxOptions": {"level": "s0:c2"},
        "windowsOptions": {"hostProcess": True},
        "privileged": False,
    }
    eff = effective_security_context(pod, own)
    assert eff["runAsUser"] == 0 and eff["runAsNonRoot"] is True
    assert eff["seLinuxOptions"] == {"level": "s0:c2"}  # replaced as a whole
    assert eff["windowsOptions"] == {"runAsUserName": "app", "hostProcess": True}  # field by field
    assert eff["seccompProfile"] == {"type": "RuntimeDefault"} and eff["privileged"] is False
    # container-only fields never come from the pod
    assert "readOnlyRootFilesystem" not in effective_security_context(
        {"readOnlyRootFilesystem": True}, {}
    )


def test_pod_level_settings_satisfy_container_rules(tmp_path: Path) -> None:
    # seccomp and runAsNonRoot set only at pod level: no container is flagged
    got = findings(tmp_path, [deployment()])
    assert not {r for r, _ in got} & {"SW-K8S-006", "SW-K8S-024"}
    # a container overriding runAsNonRoot: only that container is flagged
    doc = deployment(
        pod={
            "containers": [
                {
                    "name": "side",
                    "image": "registry.example.com/s:1",
                    "securityContext": {"runAsNonRoot": False},
                }
            ]
        }
    )
    doc["spec"]["template"]["spec"]["containers"].append(
        {
            "name": "side",
            "image": "registry.example.com/s:1",
            "securityContext": {"runAsNonRoot": False},
        }
    )
    got = findings(tmp_path, [doc])
    assert ("SW-K8S-006", "side") in got and ("SW-K8S-006", "app") not in got


def test_init_and_ephemeral_containers_are_checked(tmp_path: Path) -> None:
    doc = deployment(
        pod={
            "initContainers": [
                {"name": "init", "image": "x:1", "securityContext": {"privileged": True}}
            ],
            "ephemeralContainers": [
                {
                    "name": "debug",
                    "image": "busybox:1",
                    "securityContext": {"capabilities": {"add": ["SYS_PTRACE"]}},
                }
            ],
        }
    )
    got = findings(tmp_path, [doc])
    assert ("SW-K8S-001", "init") in got and ("SW-K8S-017", "debug") in got
    # probes are not expected on init containers
    assert ("SW-K8S-043", "init") not in got


def test_windows_pods_are_exempt_like_pss(tmp_path: Path) -> None:
    doc = deployment(
        pod={"os": {"name": "windows"}, "securityContext": {"seccompProfile": None}},
        container={"securityContext": {"allowPrivilegeEscalation": None, "capabilities": None}},
    )
    rules = {r for r, _ in findings(tmp_path, [doc])}
    assert not rules & {"SW-K8S-002", "SW-K8S-013", "SW-K8S-024"}


def test_inline_exception_grammar_and_expiry(tmp_path: Path) -> None:
    entries = parse_inline(
        "SW-K8S-011, SW-K8S-01*: vendor agent writes /tmp; expires 2027-01-31\nSW-NET-003", "x"
    )
    assert entries[0].rules == ("SW-K8S-011", "SW-K8S-01*") and entries[0].expires == dt.date(
        2027, 1, 31
    )
    assert entries[0].reason == "vendor agent writes /tmp" and entries[1].expires is None
    doc = deployment(
        container={"securityContext": {"readOnlyRootFilesystem": False}},
        meta={"annotations": {"seawall.io/ignore": "SW-K8S-011: needs /tmp; expires 2027-01-31"}},
    )
    path = tmp_path / "d.yaml"
    path.write_text(yaml.safe_dump(doc))
    before = ConfigScanner(ConfigScanOptions(today=dt.date(2027, 1, 31))).scan([str(path)])
    after = ConfigScanner(ConfigScanOptions(today=dt.date(2027, 2, 1))).scan([str(path)])
    assert [f.rule_id for f in before.suppressed] == ["SW-K8S-011"]
    assert "SW-K8S-011" not in {f.rule_id for f in before.findings}
    lapsed = [f for f in after.findings if f.rule_id == "SW-K8S-011"]
    assert lapsed and lapsed[0].extra["expired_exception"]["expires"] == "2027-01-31"
    with pytest.raises(InputError):
        parse_inline("SW-K8S-011: x; expires 2027-13-45", "x")


def test_python_and_yaml_custom_rules(tmp_path: Path) -> None:
    doc = deployment(pod={"volumes": [{"name": "tz", "hostPath": {"path": "/etc/localtime"}}]})
    (tmp_path / "m.yaml").write_text(yaml.safe_dump(doc))
    (tmp_path / "docker-compose.yml").write_text("services:\n  web: {image: 'a:1'}\n")
    (tmp_path / "Dockerfile").write_text(
        "FROM registry.example.com/golden/python:3.12\nFROM alpine:3\n"
    )
    report = ConfigScanner(ConfigScanOptions(custom_rules=(str(CUSTOM),))).scan([str(tmp_path)])
    custom = {(f.rule_id, f.evidence) for f in report.findings if f.rule_id.startswith("ACME")}
    assert ("ACME-001", "Deployment web has no team label") in custom
    assert ("ACME-002", "FROM alpine:3") in custom
    assert ("ACME-003", "Containers must not use the host's timezone file") in custom
    assert {r for r, _ in custom} >= {"ACME-004"}
    assert "ACME-005" not in {r for r, _ in custom}  # every image is from the corp registry


@pytest.mark.parametrize(
    "spec",
    [
        {"path": "a", "equals": 1, "in": [1]},
        {"all": []},
        {"path": "a", "regex": "("},
        {"path": "a..b", "exists": True},
        {"nope": 1},
        {"path": "a", "exists": "yes"},
    ],
)
def test_bad_expressions_are_rejected(spec: dict) -> None:
    with pytest.raises(InputError):
        Expression(spec, "rules.yaml: rule 1")


def test_expression_language() -> None:
    data = {
        "spec": {"containers": [{"image": "a/b:1"}, {"image": "c:2"}]},
        "metadata": {"labels": {"x.y/z": "1"}},
    }
    assert Expression({"path": "spec.containers[*].image", "regex": "^c:"}, "t").evaluate(data)
    assert not Expression(
        {"path": "spec.containers[*].image", "regex": "^c:", "match": "all"}, "t"
    ).evaluate(data)
    assert Expression({"path": 'metadata.labels["x.y/z"]', "in": ["1", "2"]}, "t").evaluate(data)
    assert Expression({"not": {"path": "spec.containers[5]", "exists": True}}, "t").evaluate(data)
    assert Expression(
        {"all": [{"path": "spec.containers[0].image", "equals": "a/b:1"}]}, "t"
    ).evaluate(data)
