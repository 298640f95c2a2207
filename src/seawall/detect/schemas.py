"""Registry of event sources the engine knows: adding a source (the runtime monitor's
exec/file/network events) means registering its schema here, nothing else."""

from __future__ import annotations

from seawall.component_registry import ComponentRegistry
from seawall.detect.event import EventSchema
from seawall.detect.k8s_audit_schema import K8S_AUDIT_SCHEMA

SCHEMAS: ComponentRegistry[EventSchema] = ComponentRegistry("event source")


def register_schema(schema: EventSchema) -> None:
    """Make a source's fields available to rules."""
    SCHEMAS.add(schema.source, schema)


def schema_for(source: str) -> EventSchema | None:
    """The schema of ``source``, or None when no such source is registered."""
    return SCHEMAS.get(source) if source in SCHEMAS else None


def known_sources() -> list[str]:
    """Names of the registered sources."""
    return sorted(SCHEMAS)


register_schema(K8S_AUDIT_SCHEMA)
