"""The misconfig analyzer's workload controls (SW-K8S-*) run on an audit event's
``requestObject``, so "privileged pod created" means the same thing to ``seawall
config`` and to ``seawall audit``: one source of truth for what a risky pod spec is."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def workload_violations(raw: Mapping[str, Any]) -> list[str] | None:
    """Ids of the workload controls the request object violates (sorted, unique); None
    when the request carries no pod-bearing object."""
    obj = raw.get("requestObject")
    if not isinstance(obj, dict) or not isinstance(obj.get("kind"), str):
        return None
    # Imported on first use: the analyzers are not needed by events without objects.
    from seawall.analyzers.misconfig.check_table import checks_for
    from seawall.analyzers.misconfig.k8s_model import K8sObject, workload_of
    from seawall.analyzers.misconfig.registry import ScanSettings

    workload = workload_of(K8sObject(obj, path="<audit requestObject>", line=1))
    if workload is None:
        return None
    settings = ScanSettings()
    found = set()
    for binding in checks_for("workload"):
        try:
            if next(iter(binding.function(workload, settings)), None) is not None:
                found.add(binding.control_id)
        except (KeyError, TypeError, ValueError, AttributeError):
            continue  # a malformed object fails that control's look, not the event
    return sorted(found)
