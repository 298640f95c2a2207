"""The detection engine: events in, alerts out. Stateless rules are a compiled
predicate per event; stateful rules feed their matches to per-rule window state."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from seawall.detect.alert import Alert
from seawall.detect.event import Event, field_getter
from seawall.detect.rule import CountWindow, FirstSeen, Rule, SequenceWindow
from seawall.detect.rule_index import CandidateIndex
from seawall.detect.rule_loader import RuleSet
from seawall.detect.schemas import schema_for
from seawall.detect.stateful_state import CountState, FirstSeenState, SequenceState, key_reader

DISPATCH_FIELDS: dict[str, tuple[str, ...]] = {
    "k8s_audit": ("ka.stage", "ka.target.resource", "ka.verb", "ka.target.subresource"),
}
"""Per source, the cheap fields whose values pick the candidate rules of an event."""


@dataclass
class EngineStats:
    """Counters a detector reports."""

    events: int = 0
    alerts: int = 0
    rule_errors: int = 0
    """Rule evaluations that raised (a bug or a hostile value): counted, never fatal."""
    out_of_order: int = 0
    """Events older than the newest event seen (windows still judge them by their time)."""


def _getters(source: str, names: tuple[str, ...]) -> list[Callable[[Event], object]]:
    schema = schema_for(source)
    assert schema is not None
    out = []
    for name in names:
        resolved = schema.resolve(name)
        assert resolved is not None  # checked by the loader
        out.append(field_getter(resolved[0], resolved[2]))
    return out


class _Evaluator:
    """One rule with its state; ``check`` says whether an event fires it."""

    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        self.predicate = rule.predicate
        spec = rule.stateful
        self.state: CountState | SequenceState | FirstSeenState | None = None
        if isinstance(spec, CountWindow):
            self.state = CountState(spec, key_reader(_getters(rule.source, spec.key)))
        elif isinstance(spec, SequenceWindow):
            self.state = SequenceState(spec, key_reader(_getters(rule.source, spec.key)))
        elif isinstance(spec, FirstSeen):
            self.state = FirstSeenState(spec, key_reader(_getters(rule.source, spec.key)),
                                        key_reader(_getters(rule.source, spec.value)))

    def check(self, ev: Event) -> bool:
        if not self.predicate(ev):
            return False
        return self.state is None or self.state.observe(ev)


class DetectionEngine:
    """Runs the enabled rules of a :class:`RuleSet` over events of any known source."""

    def __init__(self, rule_set: RuleSet) -> None:
        self.rule_set = rule_set
        self.by_source: dict[str, list[_Evaluator]] = {}
        for rule in rule_set.enabled():
            self.by_source.setdefault(rule.source, []).append(_Evaluator(rule))
        self.stats = EngineStats()
        self._schemas = {source: schema_for(source) for source in self.by_source}
        self._index: dict[str, CandidateIndex[_Evaluator]] = {}
        for source, evaluators in self.by_source.items():
            fields = DISPATCH_FIELDS.get(source, ())
            readers = _getters(source, fields)
            self._index[source] = CandidateIndex(
                evaluators, [e.rule.condition_text for e in evaluators], fields, readers,
                rule_set.macros, rule_set.lists)
        self._latest = 0.0

    def process(self, ev: Event) -> list[Alert]:
        """The alerts ``ev`` raises, in rule order."""
        self.stats.events += 1
        if ev.time < self._latest:
            self.stats.out_of_order += 1
        else:
            self._latest = ev.time
        alerts: list[Alert] = []
        index = self._index.get(ev.source)
        for evaluator in index.candidates(ev) if index is not None else ():
            try:
                fired = evaluator.check(ev)
                if fired:
                    output, values = evaluator.rule.render(ev)
            except Exception:  # a hostile value must not stop detection
                self.stats.rule_errors += 1
                continue
            if fired:
                schema = self._schemas[ev.source]
                event_id = schema.identify(ev.raw) if schema.identify else None
                alerts.append(Alert(evaluator.rule, ev.time, output, values,
                                    event_id or f"{ev.source}@{ev.time}",
                                    resource=schema.locate(ev.raw) if schema.locate else None))
        self.stats.alerts += len(alerts)
        return alerts
