"""NetworkPolicy evaluation: which pods each policy isolates and admits, and the
namespace-to-namespace reachability matrix.

Pods are the pod templates of scanned workloads; a namespace with no workload in
the scan is represented by one unlabelled placeholder pod. Ports are ignored (a
namespace "reaches" another when some pod can open some connection), and ipBlock
peers are treated as cluster-external, as the Kubernetes docs advise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from seawall.analyzers.misconfig.k8s_model import K8sObject, Workload, as_dict, as_list
from seawall.analyzers.misconfig.rbac_model import _selector_matches


@dataclass
class PodGroup:
    """The pods of one workload (or a namespace's placeholder)."""

    namespace: str
    labels: dict[str, str]
    workload: Workload | None


@dataclass
class Policy:
    """A NetworkPolicy with its effective policy types."""

    obj: K8sObject
    namespace: str
    pod_selector: dict[str, Any]
    ingress: list[dict[str, Any]]
    egress: list[dict[str, Any]]
    types: set[str]

    def selects(self, pod: PodGroup) -> bool:
        """Does the policy apply to ``pod``?"""
        return pod.namespace == self.namespace and _selector_matches(self.pod_selector, pod.labels)

    @property
    def selects_all(self) -> bool:
        return not self.pod_selector.get("matchLabels") and not self.pod_selector.get(
            "matchExpressions"
        )


def _policy(obj: K8sObject) -> Policy:
    spec = as_dict(obj.doc.get("spec"))
    ingress = [as_dict(r) for r in as_list(spec.get("ingress"))]
    egress = [as_dict(r) for r in as_list(spec.get("egress"))]
    declared = {str(t) for t in as_list(spec.get("policyTypes"))}
    # Kubernetes default: Ingress always, Egress only when egress rules exist.
    types = declared or ({"Ingress", "Egress"} if egress else {"Ingress"})
    return Policy(
        obj, obj.namespace or "default", as_dict(spec.get("podSelector")), ingress, egress, types
    )


class NetworkModel:
    """Namespaces, pods and policies of the scan."""

    def __init__(self, objects: list[K8sObject], workloads: list[Workload]) -> None:
        self.policies = [
            _policy(o)
            for o in objects
            if o.kind == "NetworkPolicy" and o.api_version.startswith("networking.k8s.io")
        ]
        self.namespace_objects = {o.name: o for o in objects if o.kind == "Namespace"}
        self.first_object: dict[str, K8sObject] = {}
        for o in objects:
            if o.namespace:
                self.first_object.setdefault(o.namespace, o)
        names = set(self.namespace_objects) | {w.namespace for w in workloads}
        names |= {p.namespace for p in self.policies}
        self.namespaces = sorted(names)
        self.pods = [PodGroup(w.namespace, w.pod_labels, w) for w in workloads]
        seen = {p.namespace for p in self.pods}
        self.pods += [PodGroup(ns, {}, None) for ns in self.namespaces if ns not in seen]
        self.by_namespace: dict[str, list[Policy]] = {}
        for policy in self.policies:
            self.by_namespace.setdefault(policy.namespace, []).append(policy)
        self._matrix: dict[str, dict[str, bool]] | None = None

    def _referenced_labels(self) -> tuple[set[tuple[str, str]], set[str]]:
        """(key, value) pairs and bare keys that any selector of any policy looks at."""
        pairs: set[tuple[str, str]] = set()
        keys: set[str] = set()
        selectors: list[dict[str, Any]] = []
        for policy in self.policies:
            selectors.append(policy.pod_selector)
            for rule in policy.ingress + policy.egress:
                for peer in as_list(rule.get("from")) + as_list(rule.get("to")):
                    selectors.append(as_dict(as_dict(peer).get("podSelector")))
        for sel in selectors:
            pairs.update((str(k), str(v)) for k, v in as_dict(sel.get("matchLabels")).items())
            for expr in as_list(sel.get("matchExpressions")):
                expr = as_dict(expr)
                keys.add(str(expr.get("key")))
                pairs.update((str(expr.get("key")), str(v)) for v in as_list(expr.get("values")))
        return pairs, keys

    def pod_classes(self) -> list[PodGroup]:
        """One representative per set of pods no policy can tell apart: same namespace
        and same labels *as far as any selector looks* (keeps the matrix near-linear)."""
        pairs, keys = self._referenced_labels()
        classes: dict[tuple[str, frozenset[tuple[str, str]]], PodGroup] = {}
        for pod in self.pods:
            signature = frozenset(
                (k, v if (k, v) in pairs else "*")
                for k, v in pod.labels.items()
                if (k, v) in pairs or k in keys
            )
            classes.setdefault((pod.namespace, signature), pod)
        return list(classes.values())

    def namespace_labels(self, name: str) -> dict[str, str]:
        """Labels of a namespace, with the automatic ``kubernetes.io/metadata.name``."""
        obj = self.namespace_objects.get(name)
        labels = dict(obj.labels) if obj else {}
        labels["kubernetes.io/metadata.name"] = name
        return labels

    def anchor(self, namespace: str) -> K8sObject | None:
        """An object to attach namespace-level findings to."""
        return self.namespace_objects.get(namespace) or self.first_object.get(namespace)

    def _peer_matches(self, peer: dict[str, Any], policy_ns: str, pod: PodGroup) -> bool:
        if "ipBlock" in peer:
            return False
        ns_sel, pod_sel = peer.get("namespaceSelector"), peer.get("podSelector")
        if ns_sel is None:
            ns_ok = pod.namespace == policy_ns
        else:
            ns_ok = _selector_matches(as_dict(ns_sel), self.namespace_labels(pod.namespace))
        return ns_ok and (pod_sel is None or _selector_matches(as_dict(pod_sel), pod.labels))

    def _allowed(self, pod: PodGroup, other: PodGroup, direction: str) -> bool:
        """May ``pod`` receive from (Ingress) / send to (Egress) ``other``?"""
        key, peers_key = ("ingress", "from") if direction == "Ingress" else ("egress", "to")
        applying = [
            p
            for p in self.by_namespace.get(pod.namespace, ())
            if direction in p.types and p.selects(pod)
        ]
        if not applying:
            return True
        for policy in applying:
            for rule in getattr(policy, key):
                peers = rule.get(peers_key)
                if peers is None or peers == []:
                    return True
                if any(
                    self._peer_matches(as_dict(peer), policy.namespace, other)
                    for peer in as_list(peers)
                ):
                    return True
        return False

    def can_reach(self, src: PodGroup, dst: PodGroup) -> bool:
        """Egress of ``src`` and ingress of ``dst`` both allow the connection."""
        return self._allowed(src, dst, "Egress") and self._allowed(dst, src, "Ingress")

    def reachability(self) -> dict[str, dict[str, bool]]:
        """``matrix[src][dst]``: some pod of namespace src can reach some pod of dst."""
        if self._matrix is not None:
            return self._matrix
        by_ns: dict[str, list[PodGroup]] = {ns: [] for ns in self.namespaces}
        for pod in self.pod_classes():
            by_ns.setdefault(pod.namespace, []).append(pod)
        self._matrix = {
            src: {
                dst: any(self.can_reach(a, b) for a in by_ns[src] for b in by_ns[dst])
                for dst in self.namespaces
            }
            for src in self.namespaces
        }
        return self._matrix

    def matrix_rows(self) -> list[str]:
        """The matrix as text rows (``Y`` reachable, ``.`` blocked), sources down."""
        matrix = self.reachability()
        width = max((len(n) for n in self.namespaces), default=4)
        header = " " * (width + 2) + " ".join(n[:width].ljust(width) for n in self.namespaces)
        rows = [header]
        for src in self.namespaces:
            cells = " ".join(
                ("Y" if matrix[src][dst] else ".").ljust(width) for dst in self.namespaces
            )
            rows.append(f"{src.ljust(width)}  {cells}")
        return rows
