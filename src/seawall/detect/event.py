"""The typed event model every detector shares: an event is the raw record of one
source (a K8s audit Event, later an exec/file/network record of the runtime monitor)
plus that source's declared fields. Conditions can only read declared fields, each
with a type, so a rule cannot reach anything the source did not choose to expose."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class FieldType(str, Enum):
    """What a field's value is; literals in conditions are converted to it."""

    STR = "str"
    INT = "int"
    BOOL = "bool"
    STR_LIST = "str_list"
    BOOL_LIST = "bool_list"
    JSON = "json"
    """Any JSON value (compared as its compact JSON text, or as a string when it is one)."""

    @property
    def is_list(self) -> bool:
        """Multi-valued fields: comparisons hold when one element satisfies them."""
        return self in (FieldType.STR_LIST, FieldType.BOOL_LIST)


Extractor = Callable[[Mapping[str, Any]], Any]
"""Reads one field from a raw record; returns None when the record lacks it."""


@dataclass(frozen=True)
class FieldSpec:
    """One field a source exposes to conditions and outputs."""

    name: str
    """Dotted name used in conditions (``ka.user.name``)."""
    type: FieldType
    """Value type."""
    doc: str
    """What it is, for ``seawall rules fields``."""
    extract: Extractor | None = None
    """Plain fields: how to read it from a raw record."""
    extract_arg: Callable[[str], Extractor] | None = None
    """Parameterised fields (``ka.uri.param[command]``): builds the reader for an argument."""


@dataclass
class EventSchema:
    """The fields of one event source."""

    source: str
    """Source name rules declare (``k8s_audit``)."""
    fields: dict[str, FieldSpec] = field(default_factory=dict)
    locate: Callable[[Mapping[str, Any]], str | None] | None = None
    """Where an event's target is, for the finding's ``location.resource``."""
    identify: Callable[[Mapping[str, Any]], str | None] | None = None
    """A stable id of the event (the finding id is derived from it)."""

    def add(self, spec: FieldSpec) -> None:
        """Declare a field."""
        self.fields[spec.name] = spec

    def resolve(self, name: str) -> tuple[str, FieldType, Extractor] | None:
        """The cache key, type and reader of ``name`` (``base`` or ``base[arg]``);
        None when the source declares no such field."""
        if name.endswith("]") and "[" in name:
            base, _, arg = name[:-1].partition("[")
            spec = self.fields.get(base)
            if spec is None or spec.extract_arg is None or not arg:
                return None
            return name, spec.type, spec.extract_arg(arg)
        spec = self.fields.get(name)
        if spec is None or spec.extract is None:
            return None
        return name, spec.type, spec.extract


class Event:
    """One record of a source with a per-event cache of extracted field values (a
    field read by ten rules is extracted once)."""

    __slots__ = ("cache", "raw", "source", "time")

    def __init__(self, source: str, raw: Mapping[str, Any], time: float) -> None:
        self.source = source
        """Source name (``k8s_audit``)."""
        self.raw = raw
        """The record as decoded."""
        self.time = time
        """Event time, seconds since the epoch (windows are measured in event time)."""
        self.cache: dict[str, Any] = {}

    def value(self, name: str, schema: EventSchema) -> Any:
        """The value of a declared field (None when absent or undeclared)."""
        if name in self.cache:
            return self.cache[name]
        resolved = schema.resolve(name)
        value = resolved[2](self.raw) if resolved is not None else None
        self.cache[name] = value
        return value


_MISSING = object()


def field_getter(key: str, extract: Extractor) -> Callable[[Event], Any]:
    """A closure reading one field through the event's cache."""

    def get(ev: Event) -> Any:
        cache = ev.cache
        value = cache.get(key, _MISSING)
        if value is _MISSING:
            value = cache[key] = extract(ev.raw)
        return value

    return get
