"""Registry of event sources the engine knows: adding a source (the runtime monitor's
exec/file/network events) means registering its schema here, nothing else."""

from __future__ import annotations

from seawall.detect.event import EventSchema
from seawall.detect.k8s_audit_schema import K8S_AUDIT_SCHEMA

_SCHEMAS: dict[str, EventSchema] = {}


def register_schema(schema: EventSchema) -> None:
    """Make a source's fields available to rules."""
    _SCHEMAS[schema.source] = schema


def schema_for(source: str) -> EventSchema | None:
    """The schema of ``source``, or None when no such source is registered."""
    return _SCHEMAS.get(source)


def known_sources() -> list[str]:
    """Names of the registered sources."""
    return sorted(_SCHEMAS)


register_schema(K8S_AUDIT_SCHEMA)
