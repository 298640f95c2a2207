"""Binds control IDs to check functions (no switch: each check module registers its
functions with :func:`check` on import; :mod:`.all` imports them, and
:func:`.check_table.checks_for` looks them up).

A check is a function of one *subject* of its domain (a parsed Dockerfile, a
workload, an RBAC subject's effective permissions, the cluster's network model ...)
that yields a :class:`Violation` per problem. The engine turns violations into
findings using the control's metadata.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from seawall.component_registry import ComponentRegistry

#: Domains and the subject type their checks receive.
DOMAINS = {
    "image": "ImageView (image config + filesystem)",
    "dockerfile": "Dockerfile (parsed)",
    "workload": "Workload (pod spec of any workload kind)",
    "k8s_object": "K8sObject (any Kubernetes object)",
    "rbac": "SubjectPermissions (one RBAC subject's effective rules)",
    "rbac_role": "K8sObject (Role or ClusterRole definition)",
    "network": "NetworkModel (every NetworkPolicy, namespace and pod)",
    "compose": "ComposeService (one service of a compose file)",
}


@dataclass
class Violation:
    """One problem a check found in a subject."""

    message: str
    """What exactly is wrong (becomes the finding's evidence)."""
    container: str | None = None
    """Container (pod spec) or stage (Dockerfile) it is about."""
    line: int | None = None
    """1-based line, when the check knows it better than the subject does."""
    resource: str | None = None
    """Override of the subject's resource name (RBAC subjects, namespaces)."""
    path: str | None = None
    """File (inside an image: absolute path) when it differs from the subject's file."""
    layer: str | None = None
    """Image layer diff_id holding the offending file."""
    source: Any = None
    """The K8sObject the violation is anchored to (location and inline exceptions)."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Structured details kept in the finding's ``extra``."""


@dataclass(frozen=True)
class ScanSettings:
    """User options every check may consult."""

    trusted_registries: tuple[str, ...] = ()
    """Allowed registry hosts/prefixes (``registry.corp.example``, ``ghcr.io/acme/``);
    empty means every registry is trusted (the untrusted-registry controls pass)."""
    secret_name_pattern: str = (
        r"(?i)(passw(or)?d|passwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key"
        r"|credential|auth[_-]?key|client[_-]?secret)"
    )
    """Names of variables/labels/keys that suggest a secret (name-based check only)."""


CheckFunction = Callable[[Any, ScanSettings], Iterable[Violation]]


@dataclass(frozen=True)
class CheckBinding:
    """A control ID's check function and the domain of subjects it receives."""

    control_id: str
    domain: str
    function: CheckFunction


CHECKS: ComponentRegistry[CheckBinding] = ComponentRegistry("misconfig check")


def check(control_id: str, domain: str) -> Callable[[CheckFunction], CheckFunction]:
    """Decorator binding ``control_id`` to the decorated check function."""
    if domain not in DOMAINS:
        raise ValueError(f"unknown check domain {domain!r}")

    def deco(func: CheckFunction) -> CheckFunction:
        CHECKS.add(control_id, CheckBinding(control_id, domain, func))
        return func

    return deco
