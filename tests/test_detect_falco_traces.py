"""Every Falco k8saudit trace in ../shared/k8saudit-samples raises exactly the alerts
Falco's expected-detection file lists (counted by the Falco rule each seawall rule is
the equivalent of), with Falco's tuning files replaced by seawall tuning files of the
same name (tests/fixtures/detect/falco_tuning)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from seawall.detect.engine import DetectionEngine
from seawall.detect.k8s_audit_reader import AuditLogReader
from seawall.detect.rule_loader import load_rule_set
from shared_data import shared_marker, shared_path

SAMPLES = "k8saudit-samples"
TUNING = Path(__file__).parent / "fixtures" / "detect" / "falco_tuning"
pytestmark = shared_marker(SAMPLES)

# Falco's cases count only the rule each case is about; other rules fire on the same
# trace in Falco too. An alert outside a case's counts is accepted only when it is
# (a) informational (Falco's INFO activity rules, counted by their own cases),
# (b) counted for the same trace by another case, or (c) listed here with the reason
# Falco's own rule fires as well.
ALSO_RAISED_BY_FALCO = {
    # system:anonymous creates namespace "foo", which is not in allowed_namespaces.
    "anonymous_creates_namespace_foo.json": {"Create Disallowed Namespace"},
}


class _MuxLoader(yaml.SafeLoader):
    """Falco's test file tags its top mapping ``!mux`` (an avocado-framework tag)."""


_MuxLoader.add_constructor("!mux", lambda loader, node: loader.construct_mapping(node))


def _trace(case: dict[str, Any]) -> str:
    found = re.search(r"trace_files/k8s_audit/(\S+\.json)", case.get("addl_cmdline_opts", ""))
    assert found, case
    return found.group(1)


def _load_cases() -> dict[str, Any]:
    path = shared_path(f"{SAMPLES}/falco_k8s_audit_tests.yaml")
    if not path.exists():
        return {}
    doc = yaml.load(path.read_text(encoding="utf-8"), Loader=_MuxLoader)
    return dict(doc["trace_files"])


CASES = _load_cases()


def _counted_for_trace(trace: str) -> set[str]:
    return {rule for case in CASES.values() if _trace(case) == trace
            for entry in case.get("detect_counts") or [] for rule in entry}


def _cases() -> list[Any]:
    if not CASES:
        return [pytest.param(None, id="missing-samples")]
    return [pytest.param((name, case, _trace(case)), id=name) for name, case in CASES.items()]


@pytest.mark.parametrize("case", _cases())
def test_falco_trace_raises_expected_alerts(case: Any) -> None:
    assert case is not None, "../shared/k8saudit-samples is missing"
    _name, spec, trace = case
    rule_files = spec.get("rules_file", [])
    builtin = any(f.endswith("k8s_audit_rules.yaml") for f in rule_files)
    tuning = [TUNING / f.split("./rules/k8s_audit/")[1].replace("/", "__")
              for f in rule_files if f.startswith("./rules/k8s_audit/")
              and not f.endswith("engine_v4_k8s_audit_rules.yaml")]
    rule_set = load_rule_set(tuning, builtin=builtin)
    engine = DetectionEngine(rule_set)
    reader = AuditLogReader()
    alerts = []
    for ev in reader.read_path(shared_path(f"{SAMPLES}/falco-trace-files/{trace}")):
        alerts.extend(engine.process(ev))
    falco_alerts = [a for a in alerts if a.rule.falco]
    expected = {}
    for entry in spec.get("detect_counts") or []:
        expected.update(entry)
    if not spec["detect"]:
        assert not falco_alerts, [a.output for a in falco_alerts]
        return
    got: Counter[str] = Counter()
    explained = _counted_for_trace(trace) | ALSO_RAISED_BY_FALCO.get(trace, set())
    unexplained = []
    for alert in falco_alerts:
        names = [n for n in alert.rule.falco if n in expected]
        if names:
            got[names[0]] += 1
        elif alert.rule.severity.value != "info" and not set(alert.rule.falco) & explained:
            unexplained.append(f"{alert.rule.id}: {alert.output}")
    assert dict(got) == expected
    assert not unexplained


def test_malformed_trace_is_counted_not_fatal() -> None:
    reader = AuditLogReader()
    events = list(reader.read_path(shared_path(f"{SAMPLES}/falco-trace-files/fal_01_003.json")))
    assert events == []
    assert reader.stats.errors == Counter({"not an audit Event": 1})
