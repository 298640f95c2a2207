"""Checks of any Kubernetes object (SW-K8S-056..066): namespacing, Services,
ConfigMaps, Secrets, Ingresses, API versions and Namespace admission labels."""

from __future__ import annotations

import re
from collections.abc import Iterator

from seawall.analyzers.misconfig.k8s_model import K8sObject, as_dict, as_list, dig
from seawall.analyzers.misconfig.registry import ScanSettings, Violation, check

#: Kinds that are not namespaced (never "in the default namespace").
CLUSTER_SCOPED = frozenset(
    [
        "Namespace",
        "Node",
        "PersistentVolume",
        "ClusterRole",
        "ClusterRoleBinding",
        "StorageClass",
        "CustomResourceDefinition",
        "PriorityClass",
        "IngressClass",
        "RuntimeClass",
        "PodSecurityPolicy",
        "MutatingWebhookConfiguration",
        "ValidatingWebhookConfiguration",
        "APIService",
        "CertificateSigningRequest",
        "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding",
        "CSIDriver",
        "CSINode",
        "VolumeAttachment",
        "ClusterIssuer",
    ]
)
#: apiVersion -> kinds it is deprecated/removed for (None: every kind).
DEPRECATED_APIS: dict[str, frozenset[str] | None] = {
    "extensions/v1beta1": None,
    "apps/v1beta1": None,
    "apps/v1beta2": None,
    "batch/v1beta1": frozenset({"CronJob"}),
    "batch/v2alpha1": None,
    "networking.k8s.io/v1beta1": None,
    "rbac.authorization.k8s.io/v1beta1": None,
    "rbac.authorization.k8s.io/v1alpha1": None,
    "policy/v1beta1": None,
    "autoscaling/v2beta1": None,
    "autoscaling/v2beta2": None,
    "admissionregistration.k8s.io/v1beta1": None,
    "apiextensions.k8s.io/v1beta1": None,
    "storage.k8s.io/v1beta1": frozenset(
        {"CSIDriver", "CSINode", "StorageClass", "VolumeAttachment", "CSIStorageCapacity"}
    ),
    "scheduling.k8s.io/v1beta1": None,
    "discovery.k8s.io/v1beta1": None,
    "flowcontrol.apiserver.k8s.io/v1beta1": None,
    "flowcontrol.apiserver.k8s.io/v1beta2": None,
}
_SNIPPET = re.compile(r"^nginx\.ingress\.kubernetes\.io/.*snippet$")


def _v(obj: K8sObject, message: str, **extra: object) -> Violation:
    return Violation(message, source=obj, extra=dict(extra))


@check("SW-K8S-056", "k8s_object")
def default_namespace(obj: K8sObject, s: ScanSettings) -> Iterator[Violation]:
    if obj.kind in CLUSTER_SCOPED or not obj.kind or obj.kind.endswith("List"):
        return
    if obj.namespace == "default":
        yield _v(obj, "metadata.namespace is default")
    elif obj.namespace is None and obj.helm_source is None:
        yield _v(obj, "metadata.namespace is unset (applies to default)")


@check("SW-K8S-057", "k8s_object")
def node_port(obj: K8sObject, s: ScanSettings) -> Iterator[Violation]:
    if obj.kind == "Service" and dig(obj.doc, "spec", "type") == "NodePort":
        yield _v(obj, "Service type NodePort")


@check("SW-K8S-058", "k8s_object")
def load_balancer(obj: K8sObject, s: ScanSettings) -> Iterator[Violation]:
    spec = obj.doc.get("spec")
    if (
        obj.kind == "Service"
        and dig(spec, "type") == "LoadBalancer"
        and not as_list(dig(spec, "loadBalancerSourceRanges"))
    ):
        yield _v(obj, "Service type LoadBalancer without loadBalancerSourceRanges")


@check("SW-K8S-059", "k8s_object")
def external_ips(obj: K8sObject, s: ScanSettings) -> Iterator[Violation]:
    ips = as_list(dig(obj.doc, "spec", "externalIPs"))
    if obj.kind == "Service" and ips:
        yield _v(obj, f"Service externalIPs {', '.join(map(str, ips))}")


@check("SW-K8S-060", "k8s_object")
def configmap_secrets(obj: K8sObject, s: ScanSettings) -> Iterator[Violation]:
    if obj.kind != "ConfigMap":
        return
    pattern = re.compile(s.secret_name_pattern)
    for key, value in as_dict(obj.doc.get("data")).items():
        if pattern.search(str(key)) and isinstance(value, str) and value.strip():
            yield _v(obj, f"ConfigMap key {key} looks like a credential", key=str(key))


@check("SW-K8S-061", "k8s_object")
def ingress_tls(obj: K8sObject, s: ScanSettings) -> Iterator[Violation]:
    if obj.kind == "Ingress" and not as_list(dig(obj.doc, "spec", "tls")):
        yield _v(obj, "Ingress has no spec.tls")


@check("SW-K8S-062", "k8s_object")
def nginx_snippet(obj: K8sObject, s: ScanSettings) -> Iterator[Violation]:
    if obj.kind != "Ingress":
        return
    for key in obj.annotations:
        if _SNIPPET.match(key):
            yield _v(obj, f"annotation {key}")


@check("SW-K8S-063", "k8s_object")
def inline_secret(obj: K8sObject, s: ScanSettings) -> Iterator[Violation]:
    if obj.kind != "Secret" or obj.api_version != "v1":
        return
    if str(obj.doc.get("type") or "") == "kubernetes.io/service-account-token":
        return  # filled in by the control plane
    keys = list(as_dict(obj.doc.get("data"))) + list(as_dict(obj.doc.get("stringData")))
    if keys:
        yield _v(
            obj, f"Secret carries {len(keys)} inline value(s): {', '.join(map(str, keys[:5]))}"
        )


@check("SW-K8S-064", "k8s_object")
def deprecated_api(obj: K8sObject, s: ScanSettings) -> Iterator[Violation]:
    if obj.api_version in DEPRECATED_APIS:
        kinds = DEPRECATED_APIS[obj.api_version]
        if kinds is None or obj.kind in kinds:
            yield _v(obj, f"{obj.api_version} {obj.kind} is deprecated or removed")


_ENFORCE = "pod-security.kubernetes.io/enforce"


@check("SW-K8S-065", "k8s_object")
def namespace_no_psa(obj: K8sObject, s: ScanSettings) -> Iterator[Violation]:
    if obj.kind == "Namespace" and _ENFORCE not in obj.labels:
        yield _v(obj, f"Namespace {obj.name} has no {_ENFORCE} label")


@check("SW-K8S-066", "k8s_object")
def namespace_privileged(obj: K8sObject, s: ScanSettings) -> Iterator[Violation]:
    if obj.kind == "Namespace" and obj.labels.get(_ENFORCE) == "privileged":
        yield _v(obj, f"Namespace {obj.name} enforces the privileged level")
