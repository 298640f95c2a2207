"""Kubernetes objects as the checks see them: any object (:class:`K8sObject`), and
for workload kinds the pod spec with every container (init, app and ephemeral) and
its *effective* security context.

The effective context follows ``DetermineEffectiveSecurityContext`` of the kubelet
(kubernetes ``pkg/securitycontext/util.go``): the pod-level ``runAsUser``,
``runAsGroup``, ``runAsNonRoot``, ``seLinuxOptions``, ``seccompProfile``,
``appArmorProfile`` and ``windowsOptions`` are inherited and overridden per field by
the container; ``capabilities``, ``privileged``, ``allowPrivilegeEscalation``,
``readOnlyRootFilesystem`` and ``procMount`` exist only on containers.
``seLinuxOptions`` is replaced as a whole; ``windowsOptions`` field by field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

#: kind -> path (keys) from the object to its pod spec.
POD_SPEC_PATHS: dict[str, tuple[str, ...]] = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
    "PodTemplate": ("template", "spec"),
}
_INHERITED = ("runAsUser", "runAsGroup", "runAsNonRoot", "seccompProfile", "appArmorProfile")
_CONTAINER_ONLY = (
    "capabilities",
    "privileged",
    "allowPrivilegeEscalation",
    "readOnlyRootFilesystem",
    "procMount",
)


def dig(obj: Any, *keys: str | int) -> Any:
    """Follow keys/indexes through nested dicts/lists; None when any step is missing."""
    for key in keys:
        if isinstance(key, int):
            if not isinstance(obj, list) or key >= len(obj):
                return None
            obj = obj[key]
        else:
            if not isinstance(obj, dict):
                return None
            obj = obj.get(key)
    return obj


def as_dict(value: Any) -> dict[str, Any]:
    """``value`` if it is a mapping, else an empty one (hostile input tolerance)."""
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    """``value`` if it is a list, else an empty one."""
    return value if isinstance(value, list) else []


@dataclass(eq=False)
class K8sObject:
    """One Kubernetes object read from a file."""

    doc: dict[str, Any]
    """The object as parsed."""
    path: str
    """File it came from (``-`` for stdin)."""
    line: int
    """1-based line where its document starts."""
    text: str = ""
    """Its document's text (used to find lines of fields)."""
    helm_source: str | None = None
    """Template path from a Helm ``# Source:`` comment."""
    _lines: dict[str, int | None] = field(default_factory=dict, repr=False)

    @cached_property
    def kind(self) -> str:
        return str(self.doc.get("kind") or "")

    @cached_property
    def api_version(self) -> str:
        return str(self.doc.get("apiVersion") or "")

    @cached_property
    def metadata(self) -> dict[str, Any]:
        return as_dict(self.doc.get("metadata"))

    @cached_property
    def name(self) -> str:
        return str(self.metadata.get("name") or self.metadata.get("generateName") or "")

    @cached_property
    def namespace(self) -> str | None:
        """Namespace as written (None: unset, meaning the default namespace on apply)."""
        ns = self.metadata.get("namespace")
        return str(ns) if ns else None

    @cached_property
    def annotations(self) -> dict[str, str]:
        return {str(k): str(v) for k, v in as_dict(self.metadata.get("annotations")).items()}

    @cached_property
    def labels(self) -> dict[str, str]:
        return {str(k): str(v) for k, v in as_dict(self.metadata.get("labels")).items()}

    @cached_property
    def resource(self) -> str:
        """``Kind/namespace/name`` (``Kind/name`` for cluster-scoped objects)."""
        if self.namespace:
            return f"{self.kind}/{self.namespace}/{self.name}"
        return f"{self.kind}/{self.name}"

    def line_of(self, needle: str) -> int | None:
        """Line of the first line holding ``needle`` (``name: x``) as its content."""
        if not self.text or not needle:
            return None
        cache = self._lines
        if needle in cache:
            return cache[needle]
        line = None
        pos = self.text.find(needle)
        while pos >= 0:
            start = self.text.rfind("\n", 0, pos) + 1
            end = self.text.find("\n", pos)
            rest = self.text[pos + len(needle) : end if end >= 0 else len(self.text)]
            if self.text[start:pos].strip(" -\t") == "" and rest.strip() in ("", '"', "'"):
                line = self.line + self.text.count("\n", 0, pos)
                break
            pos = self.text.find(needle, pos + 1)
        cache[needle] = line
        return line


@dataclass
class ContainerView:
    """One container of a pod spec, with its effective security context."""

    spec: dict[str, Any]
    kind: str
    """``container``, ``initContainer`` or ``ephemeralContainer``."""
    effective_sc: dict[str, Any]
    """Security context as the kubelet applies it (pod-level fields inherited)."""
    own_sc: dict[str, Any]
    """The container's own ``securityContext`` as written."""

    @property
    def name(self) -> str:
        return str(self.spec.get("name") or "")

    @property
    def image(self) -> str:
        return str(self.spec.get("image") or "")

    def caps(self, which: str) -> set[str]:
        """Upper-cased capability names in ``add`` or ``drop``, ``CAP_`` prefix removed."""
        values = as_list(dig(self.effective_sc, "capabilities", which))
        return {str(v).upper().removeprefix("CAP_") for v in values}


@dataclass
class Workload:
    """A workload object and the pod it creates."""

    obj: K8sObject
    pod_spec: dict[str, Any]
    pod_metadata: dict[str, Any]
    """Template metadata (annotations/labels of the pods), the object's own for Pods."""
    containers: list[ContainerView] = field(default_factory=list)
    service_account: dict[str, Any] | None = None
    """The ServiceAccount object the pod uses, when it was among the scanned files."""

    @property
    def service_account_name(self) -> str:
        """``serviceAccountName`` (or the deprecated ``serviceAccount``), default ``default``."""
        name = self.pod_spec.get("serviceAccountName") or self.pod_spec.get("serviceAccount")
        return str(name) if name else "default"

    @property
    def pod_sc(self) -> dict[str, Any]:
        return as_dict(self.pod_spec.get("securityContext"))

    @property
    def pod_annotations(self) -> dict[str, str]:
        return {str(k): str(v) for k, v in as_dict(self.pod_metadata.get("annotations")).items()}

    @property
    def pod_labels(self) -> dict[str, str]:
        return {str(k): str(v) for k, v in as_dict(self.pod_metadata.get("labels")).items()}

    @property
    def is_windows(self) -> bool:
        return str(dig(self.pod_spec, "os", "name") or "").lower() == "windows"

    @property
    def namespace(self) -> str:
        return self.obj.namespace or "default"

    def app_containers(self) -> list[ContainerView]:
        """Long-running containers (probes apply to these only)."""
        return [c for c in self.containers if c.kind == "container"]


def effective_security_context(
    pod_sc: dict[str, Any], container_sc: dict[str, Any]
) -> dict[str, Any]:
    """Merge as the kubelet does (see the module docstring)."""
    effective: dict[str, Any] = {}
    for key in _INHERITED:
        if pod_sc.get(key) is not None:
            effective[key] = pod_sc[key]
    if pod_sc.get("seLinuxOptions") is not None:
        effective["seLinuxOptions"] = pod_sc["seLinuxOptions"]
    if isinstance(pod_sc.get("windowsOptions"), dict):
        effective["windowsOptions"] = dict(pod_sc["windowsOptions"])
    for key in (*_INHERITED, *_CONTAINER_ONLY):
        if container_sc.get(key) is not None:
            effective[key] = container_sc[key]
    if container_sc.get("seLinuxOptions") is not None:
        effective["seLinuxOptions"] = container_sc["seLinuxOptions"]
    own_win = container_sc.get("windowsOptions")
    if isinstance(own_win, dict):
        win = dict(as_dict(effective.get("windowsOptions")))
        # the two GMSA fields go together, as in the kubelet
        if (
            own_win.get("gmsaCredentialSpecName") is not None
            or own_win.get("gmsaCredentialSpec") is not None
        ):
            win["gmsaCredentialSpecName"] = own_win.get("gmsaCredentialSpecName")
            win["gmsaCredentialSpec"] = own_win.get("gmsaCredentialSpec")
        for key in ("runAsUserName", "hostProcess"):
            if own_win.get(key) is not None:
                win[key] = own_win[key]
        effective["windowsOptions"] = win
    return effective


def pod_spec_path(obj: K8sObject) -> tuple[str, ...] | None:
    """Where the pod spec is: known kinds, else any object with ``spec.template.spec``
    holding containers (custom resources such as Argo Rollouts)."""
    path = POD_SPEC_PATHS.get(obj.kind)
    if path is not None:
        return path
    if isinstance(dig(obj.doc, "spec", "template", "spec", "containers"), list):
        return ("spec", "template", "spec")
    return None


def workload_of(obj: K8sObject) -> Workload | None:
    """The :class:`Workload` view of ``obj``, or None for kinds without pods."""
    path = pod_spec_path(obj)
    if path is None:
        return None
    spec = dig(obj.doc, *path)
    if not isinstance(spec, dict):
        return None
    meta = obj.metadata if obj.kind == "Pod" else as_dict(dig(obj.doc, *path[:-1], "metadata"))
    workload = Workload(obj, spec, meta)
    pod_sc = workload.pod_sc
    for key, kind in (
        ("initContainers", "initContainer"),
        ("containers", "container"),
        ("ephemeralContainers", "ephemeralContainer"),
    ):
        for c in as_list(spec.get(key)):
            if isinstance(c, dict):
                own = as_dict(c.get("securityContext"))
                workload.containers.append(
                    ContainerView(c, kind, effective_security_context(pod_sc, own), own)
                )
    return workload


def expand_lists(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """``kind: List`` / ``*List`` (``kubectl get -o json``) flattened to their items."""
    kind = str(doc.get("kind") or "")
    items = doc.get("items")
    if kind.endswith("List") and isinstance(items, list):
        out: list[dict[str, Any]] = []
        for item in items:
            if isinstance(item, dict):
                if "kind" not in item and kind != "List":
                    item = {**item, "kind": kind[: -len("List")]}
                out.extend(expand_lists(item))
        return out
    return [doc]


def is_k8s_object(doc: Any) -> bool:
    """Has the shape of a Kubernetes object (apiVersion + kind)."""
    return isinstance(doc, dict) and isinstance(doc.get("kind"), str) and "apiVersion" in doc
