"""The detection engine: condition language, rule loading errors, tuning, stateful
rules, and every shipped rule's own examples."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from seawall.detect.condition_compiler import ConditionCompileError, ConditionCompiler
from seawall.detect.condition_syntax import ConditionSyntaxError, parse_condition
from seawall.detect.engine import DetectionEngine
from seawall.detect.event import Event
from seawall.detect.k8s_audit_reader import AuditEventDecoder
from seawall.detect.k8s_audit_schema import K8S_AUDIT_SCHEMA
from seawall.detect.rule_examples import example_event, run_examples
from seawall.detect.rule_loader import RuleFileError, load_rule_set
from seawall.errors import InputError

RULES = load_rule_set()


def _event(index: int = 0, **partial: object) -> Event:
    return AuditEventDecoder().events(example_event(partial, index), "test")[0]


def _holds(condition: str, ev: Event, lists: dict[str, list[str]] | None = None) -> bool:
    compiler = ConditionCompiler(K8S_AUDIT_SCHEMA, lists or {}, {})
    return compiler.compile(parse_condition(condition))(ev)


@pytest.mark.parametrize("rule_id", [r.id for r in RULES.rules])
def test_shipped_rule_examples(rule_id: str) -> None:
    rule = RULES.by_id(rule_id)
    assert rule is not None
    assert rule.examples.get("match") and rule.examples.get("no_match"), "examples missing"
    assert run_examples(RULES, rule) == []


def test_rule_metadata_complete() -> None:
    assert len(RULES.rules) >= 48 + 25
    for rule in RULES.rules:
        assert rule.title and rule.description and rule.remediation, rule.id
        assert rule.condition_text and rule.output_fields, rule.id
    falco_names = {n for r in RULES.rules for n in r.falco}
    assert len([r for r in RULES.rules if r.falco]) == 48
    assert "Attach/Exec Pod" in falco_names and "port-forward" in falco_names


@pytest.mark.parametrize(("condition", "expected"), [
    ("ka.verb = get", True),
    ("ka.verb != get", False),
    ("ka.verb in (get, list)", True),
    ("not ka.verb in (list, watch)", True),
    ("ka.response.code < 300 and ka.response.code >= 200", True),
    ("ka.response.code startswith 2", True),
    ("ka.response.code in (401, 403)", False),
    ("ka.user.name startswith ali and ka.user.name endswith ce", True),
    ("ka.uri contains secrets", True),
    ("ka.uri icontains SECRETS", True),
    ("ka.uri glob '/api/v1/namespaces/*/secrets?*'", True),
    ("ka.uri glob '/api/v1/namespaces/*/pods*'", False),
    ("ka.uri pmatch (/api/v1)", True),
    ("ka.uri pmatch (/api/v10)", False),
    ("ka.sourceip cidr (203.0.113.0/24)", True),
    ("ka.sourceip cidr (10.0.0.0/8)", False),
    ("ka.user.groups intersects (system:authenticated)", True),
    ("ka.user.groups in (system:authenticated)", True),
    ("ka.user.groups in (nobody)", False),
    ("ka.target.subresource exists", False),
    ("not ka.target.subresource exists", True),
    ("ka.target.subresource = exec", False),
    ("ka.target.subresource != exec", False),
    ("(ka.verb = list or ka.verb = get) and not (ka.verb = list)", True),
    ("ka.uri.param[limit] = 500", True),
    ("ka.json[/user/username] = alice", True),
    ("ka.json[/no/such] exists", False),
])
def test_condition_semantics(condition: str, expected: bool) -> None:
    ev = _event(verb="get", requestURI="/api/v1/namespaces/apps/secrets?limit=500",
                objectRef={"resource": "secrets", "namespace": "apps"})
    assert _holds(condition, ev) is expected


def test_list_references_expand_nested_lists() -> None:
    ev = _event(verb="patch")
    lists = {"writes": ["create", "more_writes"], "more_writes": ["patch"]}
    assert _holds("ka.verb in (writes)", ev, lists)
    assert not _holds("ka.verb in (more_writes, get)", _event(verb="delete"), lists)


@pytest.mark.parametrize(("condition", "message"), [
    ("ka.verb = ", "unexpected end"),
    ("ka.verb = get and", "unexpected end"),
    ("(ka.verb = get", "unexpected end"),
    ("ka.verb in get", "expected '('"),
    ("ka.verb = 'get", "unterminated string"),
    ("ka.verb ! get", "'!' must be '!='"),
    ("and ka.verb = get", "expected a field or macro"),
])
def test_syntax_errors(condition: str, message: str) -> None:
    with pytest.raises(ConditionSyntaxError, match=re.escape(message)):
        parse_condition(condition)


@pytest.mark.parametrize(("condition", "message"), [
    ("ka.response.code = abc", "not an integer"),
    ("ka.verb < 3", "needs an integer field"),
    ("ka.req.pod.host_pid = maybe", "not true/false"),
    ("ka.no.such = x", "not a field of source k8s_audit"),
    ("__class__ = x", "not a field of source k8s_audit"),
    ("some_undefined_macro", "unknown field or macro"),
    ("ka.verb.__class__ exists", "not a field of source k8s_audit"),
    ("ka.sourceip cidr (not-a-net)", "bad network"),
])
def test_compile_errors(condition: str, message: str) -> None:
    with pytest.raises(ConditionCompileError, match=message):
        ConditionCompiler(K8S_AUDIT_SCHEMA, {}, {}).compile(parse_condition(condition))


def _write(tmp_path: Path, text: str, name: str = "r.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


RULE = """\
- rule: USER-001
  title: t
  severity: high
  description: d
  remediation: r
  condition: {condition}
  output: "x user=%ka.user.name"
"""


@pytest.mark.parametrize(("text", "where", "message"), [
    (RULE.format(condition="ka.verb = get and (ka.verb = list"), ":1:", "unexpected end"),
    ("- list: a\n  items: [x]\n" + RULE.format(condition="nosuchmacro"), ":3:",
     "unknown field or macro 'nosuchmacro'"),
    ("- rule: X\n  title: t\n  severity: high\n  condition: ka.verb = get\n"
     "  output: \"%ka.bogus\"\n", ":1:", "output"),
    ("- rule: X\n  title: t\n  severity: severe\n  condition: ka.verb = get\n", ":1:",
     "bad severity"),
    ("- rule: X\n  title: [unclosed\n", ":3:", "YAML syntax error"),
    ("- macro: m\n  condition: m\n" + RULE.format(condition="m"), ":3:", "refers to itself"),
    ("- override: NOPE\n  enabled: false\n", ":1:", "unknown rule"),
    ("- rule: X\n  title: t\n  severity: high\n  condition: ka.verb = get\n"
     "  count: {key: [ka.user.name], window: soon, threshold: 3}\n", ":1:", "bad duration"),
])
def test_rule_file_errors_name_file_and_line(tmp_path: Path, text: str, where: str,
                                             message: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(RuleFileError) as info:
        load_rule_set([path])
    assert str(info.value).startswith(f"{path}{where}"), str(info.value)
    assert message in str(info.value)


def test_one_bad_file_loads_nothing(tmp_path: Path) -> None:
    good = _write(tmp_path, RULE.format(condition="ka.verb = get"), "a.yaml")
    _write(tmp_path, RULE.format(condition="ka.verb = (").replace("USER-001", "USER-2"),
           "b.yaml")
    assert load_rule_set([good]).by_id("USER-001") is not None
    with pytest.raises(RuleFileError, match=r"b\.yaml"):
        load_rule_set([tmp_path])


def test_user_tuning_exceptions_overrides_disable(tmp_path: Path) -> None:
    tuning = _write(tmp_path, """\
- list: allowed_k8s_users
  items: [mallory]
  append: true
- override: SW-K8SA-011
  exceptions:
    - name: debuggers
      fields: [ka.user.name, ka.target.namespace]
      values: [[alice, [apps, staging]]]
- override: SW-K8SA-042
  enabled: false
""")
    rules = load_rule_set([tuning])
    engine = DetectionEngine(rules)
    ids = lambda ev: {a.rule.id for a in engine.process(ev)}  # noqa: E731
    assert "SW-K8SA-001" not in ids(_event(0, user={"username": "mallory"}))
    def exec_in(namespace: str) -> dict[str, object]:
        return {"stage": "ResponseStarted", "verb": "create", "objectRef": {
            "resource": "pods", "subresource": "exec", "name": "w", "namespace": namespace}}

    assert "SW-K8SA-011" not in ids(_event(1, **exec_in("apps")))
    assert "SW-K8SA-011" in ids(_event(2, **exec_in("prod")))
    assert rules.by_id("SW-K8SA-042").enabled is False  # type: ignore[union-attr]
    assert not load_rule_set(disable=["tag:activity"]).by_id("SW-K8SA-022").enabled  # type: ignore[union-attr]
    with pytest.raises(InputError, match="no rule or tag"):
        load_rule_set(disable=["SW-NOPE"])


def test_count_window_is_per_key_and_sliding() -> None:
    rule = RULES.by_id("SW-K8SA-105")
    assert rule is not None
    engine = DetectionEngine(load_rule_set())
    denied = {"verb": "get", "responseStatus": {"code": 403}}
    fired = []
    # 19 from alice and 19 from bob interleaved: no key reaches 20.
    for i in range(19):
        fired += engine.process(_event(i, **denied))
        fired += engine.process(_event(i, **denied, user={"username": "bob"}))
    assert not [a for a in fired if a.rule.id == "SW-K8SA-105"]
    # 70 s later the window has slid past alice's first 19.
    assert not [a for a in engine.process(_event(90, **denied)) if a.rule.id == "SW-K8SA-105"]
    # bob's 20th within the window fires once, then the key starts over.
    hit = [a for a in engine.process(_event(20, **denied, user={"username": "bob"}))
           if a.rule.id == "SW-K8SA-105"]
    assert len(hit) == 1 and hit[0].fields["ka.user.name"] == "bob"


def test_sequence_needs_order_key_and_window() -> None:
    engine = DetectionEngine(load_rule_set())
    listing = {"verb": "list", "objectRef": {"resource": "secrets", "namespace": "apps"}}
    execing = {"stage": "ResponseStarted", "verb": "create",
               "objectRef": {"resource": "pods", "subresource": "exec", "namespace": "apps",
                             "name": "w"}}
    seq = lambda ev: [a for a in engine.process(ev) if a.rule.id == "SW-K8SA-121"]  # noqa: E731
    assert not seq(_event(0, **listing))
    assert not seq(_event(1, **execing, user={"username": "bob"}))  # other key
    assert len(seq(_event(2, **execing))) == 1
    assert not seq(_event(3, **listing))
    assert not seq(_event(3 + 301, **execing))  # outside 5 minutes


def test_hostile_values_do_not_break_detection() -> None:
    engine = DetectionEngine(RULES)
    weird = example_event({"user": {"username": ["not", "a", "string"]}, "verb": 7,
                           "objectRef": "pods", "requestObject": {"kind": "Pod",
                           "spec": {"containers": "nope", "volumes": [1, None]}},
                           "responseStatus": {"code": "200"}}, 0)
    for ev in AuditEventDecoder().events(weird, "x"):
        engine.process(ev)
    assert engine.stats.rule_errors == 0


def test_candidate_index_never_drops_a_match() -> None:
    """The dispatch index only skips rules that cannot fire: on every example event,
    trace and scenario, indexed and exhaustive evaluation raise the same alerts."""
    from seawall.detect.k8s_audit_reader import AuditLogReader

    scenarios = Path(__file__).parent / "fixtures" / "detect" / "scenarios"
    events: list[Event] = []
    for path in sorted(scenarios.glob("*.jsonl")):
        events.extend(AuditLogReader().read_path(path))
    for rule in RULES.rules:
        for example in (rule.examples.get("match") or []) + (rule.examples.get("no_match") or []):
            partials = example.get("sequence", [example])
            for i, partial in enumerate(partials):
                events.extend(AuditEventDecoder().events(example_event(partial, i), "x"))
    indexed = DetectionEngine(RULES)
    exhaustive = DetectionEngine(RULES)
    index = exhaustive._index["k8s_audit"]
    index.candidates = lambda ev: index.items  # type: ignore[method-assign]
    for ev in events:
        fresh = Event(ev.source, ev.raw, ev.time)
        assert [a.rule.id for a in indexed.process(ev)] == \
            [a.rule.id for a in exhaustive.process(fresh)]
    assert indexed.stats.alerts > 100
