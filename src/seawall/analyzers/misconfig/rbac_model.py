"""Effective RBAC permissions per subject, from Roles, ClusterRoles (including
``aggregationRule``) and their bindings. A RoleBinding to a ClusterRole grants the
ClusterRole's rules inside the binding's namespace only.

Built-in ClusterRoles (cluster-admin, admin, edit, view) are assumed with their
upstream meaning when the scanned files reference them without defining them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from seawall.analyzers.misconfig.k8s_model import K8sObject, as_dict, as_list

_ALL = ["*"]
_READ = ["get", "list", "watch"]
_WRITE = ["create", "delete", "deletecollection", "patch", "update"]
#: Built-in ClusterRoles, reduced to the rules that matter for risk assessment.
BUILTIN_CLUSTER_ROLES: dict[str, list[dict[str, Any]]] = {
    "cluster-admin": [
        {"apiGroups": _ALL, "resources": _ALL, "verbs": _ALL},
        {"nonResourceURLs": _ALL, "verbs": _ALL},
    ],
    "admin": [
        {
            "apiGroups": [""],
            "resources": [
                "pods",
                "pods/exec",
                "pods/attach",
                "pods/portforward",
                "secrets",
                "services",
                "configmaps",
                "serviceaccounts",
                "persistentvolumeclaims",
            ],
            "verbs": _READ + _WRITE,
        },
        {"apiGroups": ["apps", "batch"], "resources": _ALL, "verbs": _READ + _WRITE},
        {
            "apiGroups": ["rbac.authorization.k8s.io"],
            "resources": ["roles", "rolebindings"],
            "verbs": _READ + _WRITE,
        },
        {"apiGroups": [""], "resources": ["serviceaccounts"], "verbs": ["impersonate"]},
    ],
    "edit": [
        {
            "apiGroups": [""],
            "resources": [
                "pods",
                "pods/exec",
                "pods/attach",
                "pods/portforward",
                "secrets",
                "services",
                "configmaps",
                "persistentvolumeclaims",
            ],
            "verbs": _READ + _WRITE,
        },
        {"apiGroups": ["apps", "batch"], "resources": _ALL, "verbs": _READ + _WRITE},
        {"apiGroups": [""], "resources": ["serviceaccounts"], "verbs": ["impersonate"]},
    ],
    "view": [
        {
            "apiGroups": ["", "apps", "batch"],
            "resources": ["pods", "services", "configmaps", "deployments", "jobs"],
            "verbs": _READ,
        },
    ],
}


@dataclass(frozen=True)
class Grant:
    """One rule as it applies to a subject."""

    rule: dict[str, Any]
    scope: str
    """Namespace the rule applies in, or ``*`` for cluster-wide."""
    role: str
    """``ClusterRole/name`` or ``Role/ns/name``."""
    binding: K8sObject

    def describe(self) -> str:
        """``verbs on resources in scope via binding -> role``."""
        verbs = ",".join(map(str, as_list(self.rule.get("verbs"))))
        what = as_list(self.rule.get("resources")) or [
            f"url:{u}" for u in as_list(self.rule.get("nonResourceURLs"))
        ]
        names = as_list(self.rule.get("resourceNames"))
        suffix = f" (names: {','.join(map(str, names))})" if names else ""
        scope = "cluster-wide" if self.scope == "*" else f"in namespace {self.scope}"
        target = ",".join(map(str, what))
        return f"{verbs} on {target}{suffix} {scope} via {self.binding.resource} -> {self.role}"

    def allows(self, verbs: set[str], group: str, resources: set[str]) -> bool:
        """Does this rule allow any of ``verbs`` on any of ``resources`` in ``group``?"""
        rule_verbs = {str(v) for v in as_list(self.rule.get("verbs"))}
        if "*" not in rule_verbs and not rule_verbs & verbs:
            return False
        groups = {str(g) for g in as_list(self.rule.get("apiGroups"))}
        if "*" not in groups and group not in groups:
            return False
        rule_resources = {str(r) for r in as_list(self.rule.get("resources"))}
        for res in resources:
            if "*" in rule_resources or res in rule_resources:
                return True
            if "/" in res and f"*/{res.split('/', 1)[1]}" in rule_resources:
                return True
        return False


@dataclass
class SubjectPermissions:
    """A user, group or service account and everything it is granted."""

    kind: str
    name: str
    namespace: str | None = None
    grants: list[Grant] = field(default_factory=list)

    @property
    def key(self) -> str:
        """``ServiceAccount/ns/name``, ``User/name`` or ``Group/name``."""
        if self.kind == "ServiceAccount":
            return f"ServiceAccount/{self.namespace}/{self.name}"
        return f"{self.kind}/{self.name}"

    def matching(self, verbs: set[str], group: str, resources: set[str]) -> list[Grant]:
        """Grants allowing any of ``verbs`` on ``resources`` of ``group``."""
        return [g for g in self.grants if g.allows(verbs, group, resources)]


def _selector_matches(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    for key, value in as_dict(selector.get("matchLabels")).items():
        if labels.get(str(key)) != str(value):
            return False
    for expr in as_list(selector.get("matchExpressions")):
        key, op = str(as_dict(expr).get("key")), str(as_dict(expr).get("operator"))
        values = {str(v) for v in as_list(as_dict(expr).get("values"))}
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and labels.get(key) in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True


class RbacModel:
    """Roles, bindings and the effective permissions of every bound subject."""

    def __init__(self, objects: list[K8sObject]) -> None:
        self.roles: dict[tuple[str, str], K8sObject] = {}
        self.cluster_roles: dict[str, K8sObject] = {}
        self.bindings: list[K8sObject] = []
        for obj in objects:
            if not obj.api_version.startswith("rbac.authorization.k8s.io/"):
                continue
            if obj.kind == "Role":
                self.roles[(obj.namespace or "default", obj.name)] = obj
            elif obj.kind == "ClusterRole":
                self.cluster_roles[obj.name] = obj
            elif obj.kind in ("RoleBinding", "ClusterRoleBinding"):
                self.bindings.append(obj)
        self.subjects: dict[str, SubjectPermissions] = {}
        self._build()

    def cluster_role_rules(self, name: str) -> list[dict[str, Any]]:
        """Rules of a ClusterRole, aggregated ones included (built-ins as fallback)."""
        obj = self.cluster_roles.get(name)
        if obj is None:
            return BUILTIN_CLUSTER_ROLES.get(name, [])
        rules = [r for r in as_list(obj.doc.get("rules")) if isinstance(r, dict)]
        selectors = as_list(as_dict(obj.doc.get("aggregationRule")).get("clusterRoleSelectors"))
        for other_name, other in self.cluster_roles.items():
            if other_name == name or not selectors:
                continue
            if any(_selector_matches(as_dict(sel), other.labels) for sel in selectors):
                rules.extend(r for r in as_list(other.doc.get("rules")) if isinstance(r, dict))
        return rules

    def _build(self) -> None:
        for binding in self.bindings:
            ref = as_dict(binding.doc.get("roleRef"))
            ref_kind, ref_name = str(ref.get("kind") or ""), str(ref.get("name") or "")
            namespace = binding.namespace or "default"
            if ref_kind == "ClusterRole":
                rules, role = self.cluster_role_rules(ref_name), f"ClusterRole/{ref_name}"
            else:
                role_obj = self.roles.get((namespace, ref_name))
                rules = as_list(role_obj.doc.get("rules")) if role_obj else []
                role = f"Role/{namespace}/{ref_name}"
            scope = "*" if binding.kind == "ClusterRoleBinding" else namespace
            for subject in as_list(binding.doc.get("subjects")):
                subject = as_dict(subject)
                kind, name = str(subject.get("kind") or ""), str(subject.get("name") or "")
                if not kind or not name:
                    continue
                sa_ns = (
                    str(subject.get("namespace") or namespace) if kind == "ServiceAccount" else None
                )
                perms = SubjectPermissions(kind, name, sa_ns)
                perms = self.subjects.setdefault(perms.key, perms)
                for rule in rules:
                    if isinstance(rule, dict):
                        perms.grants.append(Grant(rule, scope, role, binding))

    def summary(self) -> list[dict[str, Any]]:
        """Per subject: its grants as text (for the report's target extra)."""
        return [
            {"subject": key, "grants": [g.describe() for g in s.grants]}
            for key, s in sorted(self.subjects.items())
        ]
