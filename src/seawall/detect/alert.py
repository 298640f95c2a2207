"""An alert: a rule matched an event. Rendered as a finding of category ``audit``
(the report schema's one finding shape) carrying the event fields and the output."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from seawall.detect.rule import Rule
from seawall.model.finding import Category, Finding, Location


@dataclass(frozen=True)
class Alert:
    """One detection."""

    rule: Rule
    time: float
    """Event time (seconds since the epoch)."""
    output: str
    """The rule's output line with the event's values."""
    fields: dict[str, Any]
    """Values of the rule's output fields."""
    event_id: str
    """Identity of the triggering event (``auditID:stage`` for K8s audit events)."""
    resource: str | None = None
    """Where the event's target is (``pods/exec/default/web``)."""
    category: Category = Category.AUDIT

    @property
    def time_text(self) -> str:
        """RFC 3339 UTC time."""
        return datetime.fromtimestamp(self.time, UTC).isoformat().replace("+00:00", "Z")

    def to_finding(self) -> Finding:
        """The alert as a report finding."""
        rule = self.rule
        tags: dict[str, list[str]] = {}
        if rule.attack:
            tags["attack"] = list(rule.attack)
        if rule.ms_matrix:
            tags["ms-k8s-matrix"] = list(rule.ms_matrix)
        if rule.tags:
            tags["labels"] = list(rule.tags)
        return Finding(
            rule_id=rule.id, category=self.category, severity=rule.severity,
            title=rule.title, description=rule.description, remediation=rule.remediation,
            location=Location(resource=self.resource),
            evidence=self.output, references=list(rule.references), tags=tags,
            extra={"time": self.time_text, "event_id": self.event_id, "output": self.output,
                   "source": rule.source,
                   "fields": {k: v for k, v in self.fields.items() if v is not None}},
            fingerprint_key=self.event_id,
        )
