"""The controls catalogue: stable IDs with metadata, loaded from ``rules/controls``.

A control is data only (title, severity, rationale, remediation, mappings to CIS
Docker / CIS Kubernetes / NSA-CISA / Pod Security Standards / the Kubernetes threat
matrix / ATT&CK, and the IDs of peer tools). Its logic lives in a check function
bound to the ID in :mod:`seawall.analyzers.misconfig.registry`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from seawall.model.finding import Severity

#: Mapping keys a control may carry, in the order they are printed.
MAPPING_KEYS = (
    "cis_docker",
    "cis_k8s",
    "nsa_cisa",
    "pss",
    "ms_matrix",
    "attack",
    "checkov",
    "kubescape",
    "trivy",
    "dockle",
    "hadolint",
)


@dataclass(frozen=True)
class Control:
    """One control of the catalogue."""

    id: str
    """Stable ID (``SW-K8S-001``); never reused for another meaning."""
    domain: str
    """What it inspects: image, dockerfile, workload, k8s_object, rbac, rbac_role,
    network, compose."""
    title: str
    """One line, phrased as the problem (``Privileged container``)."""
    severity: Severity
    """Default severity of its findings."""
    rationale: str
    """Why it matters."""
    remediation: str
    """What to change."""
    mappings: dict[str, list[str]] = field(default_factory=dict)
    """Framework/tool references: ``cis_k8s``, ``pss`` (``baseline``/``restricted``),
    ``attack``, ``ms_matrix``, ``checkov`` ... (see :data:`MAPPING_KEYS`)."""
    references: tuple[str, ...] = ()
    """URLs backing the control."""

    def to_dict(self) -> dict[str, Any]:
        """JSON form used by ``seawall controls list --format json``."""
        return {
            "id": self.id,
            "domain": self.domain,
            "title": self.title,
            "severity": self.severity.value,
            "rationale": self.rationale,
            "remediation": self.remediation,
            "mappings": {k: list(v) for k, v in self.mappings.items() if v},
            "references": list(self.references),
        }


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)]


def _parse_control(raw: dict[str, Any], default_domain: str, source: str) -> Control:
    try:
        mappings = {k: _as_list(v) for k, v in (raw.get("mappings") or {}).items()}
        unknown = set(mappings) - set(MAPPING_KEYS)
        if unknown:
            raise ValueError(f"unknown mapping keys {sorted(unknown)}")
        return Control(
            id=str(raw["id"]),
            domain=str(raw.get("domain", default_domain)),
            title=str(raw["title"]).strip(),
            severity=Severity.parse(str(raw["severity"])),
            rationale=str(raw["rationale"]).strip(),
            remediation=str(raw["remediation"]).strip(),
            mappings=mappings,
            references=tuple(_as_list(raw.get("references"))),
        )
    except (KeyError, ValueError) as exc:
        raise ValueError(f"{source}: control {raw.get('id', '?')}: {exc}") from None


@lru_cache(maxsize=1)
def load_controls() -> dict[str, Control]:
    """Every built-in control by ID, from ``seawall/rules/controls/*.yaml`` (cached)."""
    out: dict[str, Control] = {}
    folder = resources.files("seawall").joinpath("rules", "controls")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".yaml"):
            continue
        doc = yaml.safe_load(entry.read_text(encoding="utf-8")) or {}
        default_domain = str(doc.get("domain", ""))
        for raw in doc.get("controls") or []:
            control = _parse_control(raw, default_domain, entry.name)
            if control.id in out:
                raise ValueError(f"{entry.name}: duplicate control id {control.id}")
            out[control.id] = control
    return out
