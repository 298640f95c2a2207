"""Run the example events that live next to each rule: every ``match`` example must
fire the rule and no ``no_match`` example may. An example is a (partial) audit event,
completed with defaults, or ``{sequence: [event, ...]}`` for stateful rules (the rule
must fire somewhere in the sequence, or nowhere)."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from seawall.detect.engine import DetectionEngine
from seawall.detect.k8s_audit_reader import AuditEventDecoder
from seawall.detect.rule import Rule
from seawall.detect.rule_loader import RuleFileError, RuleSet, load_rule_set

_BASE_TIME = 1_767_225_600  # 2026-01-01T00:00:00Z


def example_event(partial: Mapping[str, Any], index: int) -> dict[str, Any]:
    """A full audit event: ``partial`` over defaults (the ``index``-th second of a day)."""
    stamp = f"2026-01-01T00:{index // 60 % 60:02d}:{index % 60:02d}.000000Z"
    event: dict[str, Any] = {
        "kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "RequestResponse",
        "auditID": f"example-{index}", "stage": "ResponseComplete",
        "requestReceivedTimestamp": stamp, "stageTimestamp": stamp,
        "user": {"username": "alice", "groups": ["system:authenticated"]},
        "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.30.0",
        "responseStatus": {"code": 200},
        "annotations": {"authorization.k8s.io/decision": "allow"},
    }
    event.update(copy.deepcopy(dict(partial)))
    return event


@dataclass(frozen=True)
class ExampleFailure:
    """An example that did not behave as declared."""

    rule_id: str
    kind: str
    """``match`` or ``no_match``."""
    index: int
    message: str


def _fires(rule_set: RuleSet, rule: Rule, example: Any) -> bool:
    engine = DetectionEngine(RuleSet([rule], rule_set.lists, rule_set.macros, rule_set.files))
    decoder = AuditEventDecoder()
    events = example["sequence"] if isinstance(example, dict) and "sequence" in example else [
        example]
    fired = False
    for index, partial in enumerate(events):
        for ev in decoder.events(example_event(partial, index), f"example {index}"):
            if engine.process(ev):
                fired = True
    if decoder.stats.error_count:
        raise ValueError("; ".join(decoder.stats.samples))
    return fired


def run_examples(rule_set: RuleSet, rule: Rule) -> list[ExampleFailure]:
    """The examples of ``rule`` that fail (empty when all pass). A rule that is off
    until tuned carries ``examples.tuning`` (list/macro items) applied for its examples."""
    failures: list[ExampleFailure] = []
    tuning = rule.examples.get("tuning")
    if tuning:
        try:
            tuned = load_rule_set(rule_set.files, builtin=False, extra_items=tuning,
                                  extra_origin=f"{rule.origin} examples.tuning")
        except RuleFileError as exc:
            return [ExampleFailure(rule.id, "tuning", 0, str(exc))]
        found = tuned.by_id(rule.id)
        if found is None:
            return [ExampleFailure(rule.id, "tuning", 0, "rule missing after tuning")]
        rule_set, rule = tuned, found
    for kind, want in (("match", True), ("no_match", False)):
        for index, example in enumerate(rule.examples.get(kind) or []):
            try:
                got = _fires(rule_set, rule, example)
            except ValueError as exc:
                failures.append(ExampleFailure(rule.id, kind, index, f"bad example: {exc}"))
                continue
            if got != want:
                verb = "did not fire" if want else "fired"
                failures.append(ExampleFailure(rule.id, kind, index, f"rule {verb}"))
    return failures
