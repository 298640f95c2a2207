"""RBAC checks: wildcard role definitions (SW-RBAC-001) and risky effective
permissions per subject (SW-RBAC-002..021), each reported with the grants (binding
-> role -> rule) that make the subject risky."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from seawall.analyzers.misconfig.k8s_model import K8sObject, as_list
from seawall.analyzers.misconfig.rbac_model import Grant, SubjectPermissions
from seawall.analyzers.misconfig.registry import ScanSettings, Violation, check

_RBAC = "rbac.authorization.k8s.io"
_WRITE = {"create", "update", "patch", "delete", "deletecollection"}
_EVERYONE = {"system:authenticated", "system:unauthenticated", "system:anonymous"}


def _violation(subject: SubjectPermissions, what: str, grants: list[Grant]) -> Violation:
    described = list(dict.fromkeys(g.describe() for g in grants))
    return Violation(
        f"{subject.key} {what}: "
        + "; ".join(described[:3])
        + (" ..." if len(described) > 3 else ""),
        resource=subject.key,
        source=grants[0].binding,
        extra={"subject": subject.key, "permissions": described},
    )


@check("SW-RBAC-001", "rbac_role")
def wildcard_role(obj: K8sObject, s: ScanSettings) -> Iterator[Violation]:
    if obj.kind not in ("Role", "ClusterRole") or not obj.api_version.startswith(_RBAC):
        return
    for index, rule in enumerate(as_list(obj.doc.get("rules"))):
        if not isinstance(rule, dict):
            continue
        fields = [f for f in ("verbs", "resources", "apiGroups") if "*" in as_list(rule.get(f))]
        if fields:
            yield Violation(f"rule {index} uses '*' in {', '.join(fields)}", source=obj)


def _subject_check(
    control_id: str, what: str, select: Callable[[SubjectPermissions], list[Grant]]
) -> None:
    def run(subject: SubjectPermissions, s: ScanSettings) -> Iterator[Violation]:
        grants = select(subject)
        if grants:
            yield _violation(subject, what, grants)

    check(control_id, "rbac")(run)


def _full_control(subject: SubjectPermissions) -> list[Grant]:
    return [
        g
        for g in subject.grants
        if "*" in as_list(g.rule.get("verbs"))
        and "*" in as_list(g.rule.get("resources"))
        and "*" in as_list(g.rule.get("apiGroups"))
    ]


_subject_check("SW-RBAC-002", "has full control", _full_control)
_subject_check(
    "SW-RBAC-003",
    "is bound to cluster-admin",
    lambda sub: (
        [g for g in sub.grants if g.role == "ClusterRole/cluster-admin"]
        if sub.kind == "ServiceAccount"
        else []
    ),
)
_subject_check(
    "SW-RBAC-004",
    "(everyone) is granted rights",
    lambda sub: (
        [g for g in sub.grants if not g.role.startswith("ClusterRole/system:")]
        if sub.name in _EVERYONE
        else []
    ),
)
_subject_check(
    "SW-RBAC-005",
    "is bound",
    lambda sub: list(sub.grants) if sub.kind == "Group" and sub.name == "system:masters" else [],
)
_subject_check(
    "SW-RBAC-006",
    "can read secrets",
    lambda sub: sub.matching({"get", "list", "watch"}, "", {"secrets"}),
)
_subject_check(
    "SW-RBAC-007",
    "can escalate or bind roles",
    lambda sub: sub.matching({"escalate", "bind"}, _RBAC, {"roles", "clusterroles"}),
)
_subject_check(
    "SW-RBAC-008",
    "can write role bindings",
    lambda sub: sub.matching(
        {"create", "update", "patch"}, _RBAC, {"rolebindings", "clusterrolebindings"}
    ),
)
_subject_check(
    "SW-RBAC-009",
    "can impersonate",
    lambda sub: (
        sub.matching({"impersonate"}, "", {"users", "groups", "serviceaccounts", "uids"})
        + sub.matching({"impersonate"}, "authentication.k8s.io", {"userextras/*", "uids"})
    ),
)
_subject_check(
    "SW-RBAC-010",
    "can exec/attach into pods",
    lambda sub: sub.matching({"create", "get"}, "", {"pods/exec", "pods/attach"}),
)
_subject_check(
    "SW-RBAC-011",
    "can use nodes/proxy",
    lambda sub: sub.matching({"get", "create", "update", "patch"}, "", {"nodes/proxy"}),
)
_WORKLOADS = {"deployments", "daemonsets", "statefulsets", "replicasets"}
_subject_check(
    "SW-RBAC-012",
    "can create pods or workloads",
    lambda sub: (
        sub.matching({"create"}, "", {"pods", "replicationcontrollers"})
        + sub.matching({"create"}, "apps", _WORKLOADS)
        + sub.matching({"create"}, "batch", {"jobs", "cronjobs"})
    ),
)
_subject_check(
    "SW-RBAC-013",
    "(a default service account) is granted rights",
    lambda sub: list(sub.grants) if sub.kind == "ServiceAccount" and sub.name == "default" else [],
)
_subject_check(
    "SW-RBAC-014",
    "can change admission webhooks",
    lambda sub: sub.matching(
        _WRITE,
        "admissionregistration.k8s.io",
        {"mutatingwebhookconfigurations", "validatingwebhookconfigurations"},
    ),
)
_subject_check(
    "SW-RBAC-015",
    "can approve CSRs",
    lambda sub: sub.matching(
        {"update", "patch"}, "certificates.k8s.io", {"certificatesigningrequests/approval"}
    ),
)
_subject_check(
    "SW-RBAC-016",
    "can mint service account tokens",
    lambda sub: sub.matching({"create"}, "", {"serviceaccounts/token"}),
)
_subject_check(
    "SW-RBAC-017",
    "can port-forward",
    lambda sub: sub.matching({"create", "get"}, "", {"pods/portforward"}),
)
_subject_check(
    "SW-RBAC-018",
    "can delete events",
    lambda sub: (
        sub.matching({"delete", "deletecollection"}, "", {"events"})
        + sub.matching({"delete", "deletecollection"}, "events.k8s.io", {"events"})
    ),
)
_subject_check(
    "SW-RBAC-019",
    "can create persistent volumes",
    lambda sub: sub.matching({"create"}, "", {"persistentvolumes"}),
)
_subject_check(
    "SW-RBAC-020",
    "can modify services/status",
    lambda sub: sub.matching({"update", "patch"}, "", {"services/status"}),
)
_subject_check(
    "SW-RBAC-021",
    "can change NetworkPolicies",
    lambda sub: sub.matching(_WRITE, "networking.k8s.io", {"networkpolicies"}),
)
