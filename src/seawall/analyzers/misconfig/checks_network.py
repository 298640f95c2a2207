"""NetworkPolicy checks (SW-NET-001..008) over the scan's :class:`NetworkModel`."""

from __future__ import annotations

from collections.abc import Iterator

from seawall.analyzers.misconfig.k8s_model import as_dict, as_list
from seawall.analyzers.misconfig.netpol_model import NetworkModel, Policy
from seawall.analyzers.misconfig.registry import ScanSettings, Violation, check

_ANY_CIDRS = {"0.0.0.0/0", "::/0"}


def _admits_everything(policy: Policy, direction: str) -> bool:
    rules = policy.ingress if direction == "Ingress" else policy.egress
    peers_key = "from" if direction == "Ingress" else "to"
    return any(not as_list(rule.get(peers_key)) for rule in rules)


def _default_deny(model: NetworkModel, direction: str) -> Iterator[Violation]:
    for ns in model.namespaces:
        covered = any(
            p.selects_all and direction in p.types and not _admits_everything(p, direction)
            for p in model.by_namespace.get(ns, ())
        )
        if not covered:
            yield Violation(
                f"namespace {ns} has no default-deny {direction.lower()} policy",
                resource=f"Namespace/{ns}",
                source=model.anchor(ns),
            )


@check("SW-NET-001", "network")
def no_default_deny_ingress(model: NetworkModel, s: ScanSettings) -> Iterator[Violation]:
    yield from _default_deny(model, "Ingress")


@check("SW-NET-002", "network")
def no_default_deny_egress(model: NetworkModel, s: ScanSettings) -> Iterator[Violation]:
    yield from _default_deny(model, "Egress")


@check("SW-NET-003", "network")
def unselected_pods(model: NetworkModel, s: ScanSettings) -> Iterator[Violation]:
    for pod in model.pods:
        if pod.workload is None:
            continue
        if not any(p.selects(pod) for p in model.by_namespace.get(pod.namespace, ())):
            yield Violation(
                f"{pod.workload.obj.resource} is selected by no NetworkPolicy",
                source=pod.workload.obj,
            )


def _peers(policy: Policy) -> Iterator[tuple[str, dict[str, object]]]:
    for rule in policy.ingress:
        for peer in as_list(rule.get("from")):
            yield "ingress", as_dict(peer)
    for rule in policy.egress:
        for peer in as_list(rule.get("to")):
            yield "egress", as_dict(peer)


@check("SW-NET-004", "network")
def all_namespaces(model: NetworkModel, s: ScanSettings) -> Iterator[Violation]:
    for policy in model.policies:
        for direction, peer in _peers(policy):
            selector = peer.get("namespaceSelector")
            if (
                isinstance(selector, dict)
                and not selector.get("matchLabels")
                and not selector.get("matchExpressions")
            ):
                yield Violation(
                    f"{direction} peer namespaceSelector {{}} matches every namespace",
                    source=policy.obj,
                )


@check("SW-NET-005", "network")
def any_cidr(model: NetworkModel, s: ScanSettings) -> Iterator[Violation]:
    for policy in model.policies:
        for direction, peer in _peers(policy):
            cidr = as_dict(peer.get("ipBlock")).get("cidr")
            if cidr in _ANY_CIDRS:
                yield Violation(f"{direction} peer ipBlock {cidr}", source=policy.obj)


@check("SW-NET-006", "network")
def selects_nothing(model: NetworkModel, s: ScanSettings) -> Iterator[Violation]:
    for policy in model.policies:
        pods = [p for p in model.pods if p.namespace == policy.namespace and p.workload is not None]
        if pods and not any(policy.selects(p) for p in pods):
            yield Violation(
                f"podSelector of {policy.obj.resource} matches no workload", source=policy.obj
            )


@check("SW-NET-007", "network")
def ingress_allow_all(model: NetworkModel, s: ScanSettings) -> Iterator[Violation]:
    for policy in model.policies:
        if "Ingress" in policy.types and _admits_everything(policy, "Ingress"):
            yield Violation("an ingress rule has no from peers (all sources)", source=policy.obj)


@check("SW-NET-008", "network")
def egress_allow_all(model: NetworkModel, s: ScanSettings) -> Iterator[Violation]:
    for policy in model.policies:
        if "Egress" in policy.types and any(
            not as_list(r.get("to")) and not as_list(r.get("ports")) for r in policy.egress
        ):
            yield Violation(
                "an egress rule has neither to peers nor ports (all destinations)",
                source=policy.obj,
            )
