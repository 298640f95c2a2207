"""A detection rule as data: metadata, compiled condition, exceptions, state."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from seawall.detect.condition_compiler import Predicate
from seawall.detect.event import Event
from seawall.model.finding import Severity


@dataclass(frozen=True)
class CountWindow:
    """Fire when ``threshold`` matching events share a key within ``seconds``."""

    key: tuple[str, ...]
    seconds: float
    threshold: int


@dataclass(frozen=True)
class SequenceWindow:
    """Fire when events matching each step, in order, share a key within ``seconds``."""

    key: tuple[str, ...]
    seconds: float
    steps: tuple[Predicate, ...]


@dataclass(frozen=True)
class FirstSeen:
    """Fire when a key that was seen before shows a value it never showed."""

    key: tuple[str, ...]
    value: tuple[str, ...]


Stateful = CountWindow | SequenceWindow | FirstSeen


@dataclass
class Rule:
    """One compiled rule."""

    id: str
    """Stable id (``SW-K8SA-001``)."""
    title: str
    severity: Severity
    description: str
    remediation: str
    source: str
    """Event source the condition reads (``k8s_audit``)."""
    condition_text: str
    output: str
    """Output template with ``%field`` references."""
    output_fields: tuple[str, ...]
    """Fields the output and the alert carry."""
    predicate: Predicate
    """Condition and exceptions, compiled."""
    render: Callable[[Event], tuple[str, dict[str, Any]]]
    """The output line and the output fields' values for a matching event."""
    attack: tuple[str, ...] = ()
    """MITRE ATT&CK technique ids."""
    ms_matrix: tuple[str, ...] = ()
    """Microsoft Threat Matrix for Kubernetes ids."""
    falco: tuple[str, ...] = ()
    """Names of the Falco rules this one is the equivalent of."""
    tags: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    stateful: Stateful | None = None
    enabled: bool = True
    origin: str = ""
    """``file:line`` the rule was defined at."""
    examples: dict[str, list[Any]] = field(default_factory=dict)
    """``match`` and ``no_match``: example events (or ``{sequence: [...]}``)."""
