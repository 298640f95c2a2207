# ruff: noqa: E501  (a data table: one case per line reads best)
"""Fail/pass inputs for every misconfiguration control, generated from secure base
objects plus a patch (shared by the table-driven control tests)."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

DIGEST = "sha256:" + "a" * 64
IMAGE = f"registry.example.com/shop/web:1.4.2@{DIGEST}"


@dataclass
class Case:
    """Inputs for one control: ``fail`` must trip it, ``passing`` must not."""

    kind: str  # k8s | dockerfile | compose | image
    fail: Any
    passing: Any
    trusted: tuple[str, ...] = ()
    extra_files: dict[str, str] = field(default_factory=dict)


def merge(base: Any, patch: Any) -> Any:
    """JSON merge patch (RFC 7386): dicts merge, None deletes, anything else replaces."""
    if not isinstance(patch, dict) or not isinstance(base, dict):
        return copy.deepcopy(patch)
    out = copy.deepcopy(base)
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merge(out.get(key), value)
    return out


SECURE_CONTAINER: dict[str, Any] = {
    "name": "app",
    "image": IMAGE,
    "imagePullPolicy": "Always",
    "ports": [{"containerPort": 8080}],
    "securityContext": {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "capabilities": {"drop": ["ALL"]},
    },
    "resources": {
        "requests": {"cpu": "100m", "memory": "64Mi"},
        "limits": {"cpu": "500m", "memory": "128Mi"},
    },
    "livenessProbe": {"httpGet": {"path": "/healthz", "port": 8080}},
    "readinessProbe": {"httpGet": {"path": "/ready", "port": 8080}},
}
SECURE_POD: dict[str, Any] = {
    "serviceAccountName": "web",
    "automountServiceAccountToken": False,
    "securityContext": {
        "runAsNonRoot": True,
        "runAsUser": 20000,
        "runAsGroup": 20000,
        "fsGroup": 20000,
        "seccompProfile": {"type": "RuntimeDefault"},
    },
    "containers": [SECURE_CONTAINER],
}


def deployment(pod: dict[str, Any] | None = None, container: dict[str, Any] | None = None,
               meta: dict[str, Any] | None = None, template_meta: dict[str, Any] | None = None,
               kind: str = "Deployment") -> dict[str, Any]:  # fmt: skip
    """A secure Deployment with patches applied to pod spec / first container."""
    spec = merge(SECURE_POD, pod or {})
    spec["containers"] = [merge(SECURE_CONTAINER, container or {}), *spec["containers"][1:]]
    obj = {
        "apiVersion": "apps/v1",
        "kind": kind,
        "metadata": merge({"name": "web", "namespace": "shop"}, meta or {}),
        "spec": {
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": merge({"labels": {"app": "web"}}, template_meta or {}),
                "spec": spec,
            },
        },
    }
    if kind == "Pod":
        obj = {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": merge(obj["metadata"], template_meta or {}),
            "spec": spec,
        }
    return obj


def wl(**kw: Any) -> list[dict[str, Any]]:
    return [deployment(**kw)]


def obj(kind: str, api: str = "v1", ns: str | None = "shop", **fields: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": fields.pop("name", "x")}
    if ns:
        meta["namespace"] = ns
    meta.update(fields.pop("meta", {}))
    return {"apiVersion": api, "kind": kind, "metadata": meta, **fields}


def k8s(
    control: str, fail: list[dict[str, Any]], passing: list[dict[str, Any]] | None = None, **kw: Any
) -> tuple[str, Case]:
    return control, Case("k8s", fail, passing if passing is not None else wl(), **kw)


def role(
    kind: str, rules: list[dict[str, Any]], name: str = "r", ns: str | None = "shop"
) -> dict[str, Any]:
    return obj(
        kind, "rbac.authorization.k8s.io/v1", ns if kind == "Role" else None, name=name, rules=rules
    )


def binding(
    role_kind: str,
    role_name: str,
    subjects: list[dict[str, Any]],
    cluster: bool = False,
    name: str = "b",
) -> dict[str, Any]:
    return obj(
        "ClusterRoleBinding" if cluster else "RoleBinding",
        "rbac.authorization.k8s.io/v1",
        None if cluster else "shop",
        name=name,
        roleRef={"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": role_name},
        subjects=subjects,
    )


SA = {"kind": "ServiceAccount", "name": "ci", "namespace": "shop"}


def granted(rules: list[dict[str, Any]], subject: dict[str, Any] = SA) -> list[dict[str, Any]]:
    return [role("Role", rules), binding("Role", "r", [subject])]


def rule(verbs: list[str], resources: list[str], groups: list[str] | None = None) -> dict[str, Any]:
    return {
        "apiGroups": groups if groups is not None else [""],
        "resources": resources,
        "verbs": verbs,
    }


SAFE_GRANT = granted([rule(["get", "list"], ["configmaps"])])


def rbac(control: str, rules: list[dict[str, Any]], **kw: Any) -> tuple[str, Case]:
    return control, Case("k8s", granted(rules, **kw), SAFE_GRANT)


def netpol(name: str, spec: dict[str, Any], ns: str = "shop") -> dict[str, Any]:
    return obj("NetworkPolicy", "networking.k8s.io/v1", ns, name=name, spec=spec)


DENY_ALL = netpol("deny", {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]})
ALLOW_WEB = netpol(
    "web",
    {
        "podSelector": {"matchLabels": {"app": "web"}},
        "ingress": [
            {
                "from": [
                    {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "edge"}}}
                ]
            }
        ],
    },
)
NET_OK = [*wl(), DENY_ALL, ALLOW_WEB]


# ---------------------------------------------------------------- Kubernetes
NS_OK = obj(
    "Namespace",
    ns=None,
    name="shop",
    meta={"labels": {"pod-security.kubernetes.io/enforce": "restricted"}},
)
HOSTPATH = {"volumes": [{"name": "h", "hostPath": {"path": "/srv/cache"}}]}
RO_MOUNT = {"volumeMounts": [{"name": "h", "mountPath": "/cache", "readOnly": True}]}
K8S_CASES = dict([
    k8s("SW-K8S-001", wl(container={"securityContext": {"privileged": True}})),
    k8s("SW-K8S-002", wl(container={"securityContext": {"allowPrivilegeEscalation": None}})),
    k8s("SW-K8S-003", wl(pod={"hostPID": True})),
    k8s("SW-K8S-004", wl(pod={"hostIPC": True})),
    k8s("SW-K8S-005", wl(pod={"hostNetwork": True})),
    k8s("SW-K8S-006", wl(pod={"securityContext": {"runAsNonRoot": None}})),
    k8s("SW-K8S-007", wl(pod={"securityContext": {"runAsUser": 0}})),
    k8s("SW-K8S-008", wl(pod={"securityContext": {"runAsUser": 1000}})),
    k8s("SW-K8S-009", wl(pod={"securityContext": {"runAsGroup": 1000}})),
    k8s("SW-K8S-010", wl(pod={"securityContext": {"fsGroup": 0}})),
    k8s("SW-K8S-011", wl(container={"securityContext": {"readOnlyRootFilesystem": False}})),
    k8s("SW-K8S-012", wl(container={"securityContext": {"capabilities": {"add": ["NET_ADMIN"]}}})),
    k8s("SW-K8S-013", wl(container={"securityContext": {"capabilities": {"drop": ["NET_RAW"]}}})),
    k8s("SW-K8S-014", wl(container={"securityContext": {"capabilities": {"add": ["CHOWN"]}}}),
        wl(container={"securityContext": {"capabilities": {"add": ["NET_BIND_SERVICE"]}}})),
    k8s("SW-K8S-015", wl(container={"securityContext": {"capabilities": {"add": ["CAP_SYS_ADMIN"]}}})),
    k8s("SW-K8S-016", wl(container={"securityContext": {"capabilities": {"drop": None}}})),
    k8s("SW-K8S-017", wl(container={"securityContext": {"capabilities": {"add": ["SYS_PTRACE"]}}})),
    k8s("SW-K8S-018", wl(pod=HOSTPATH, container=RO_MOUNT)),
    k8s("SW-K8S-019", wl(pod=HOSTPATH, container={"volumeMounts": [{"name": "h", "mountPath": "/c"}]}),
        wl(pod=HOSTPATH, container=RO_MOUNT)),
    k8s("SW-K8S-020", wl(pod={"volumes": [{"name": "h", "hostPath": {"path": "/etc/kubernetes"}}]}),
        wl(pod=HOSTPATH)),
    k8s("SW-K8S-021", wl(pod={"volumes": [{"name": "s", "hostPath": {"path": "/var/run/docker.sock"}}]}),
        wl(pod=HOSTPATH)),
    k8s("SW-K8S-022", wl(container={"ports": [{"containerPort": 8080, "hostPort": 8080}]})),
    k8s("SW-K8S-023", wl(pod={"securityContext": {"seccompProfile": {"type": "Unconfined"}}})),
    k8s("SW-K8S-024", wl(pod={"securityContext": {"seccompProfile": None}}),
        wl(pod={"securityContext": {"seccompProfile": None}}, container={"securityContext": {"seccompProfile": {"type": "Localhost", "localhostProfile": "p.json"}}})),
    k8s("SW-K8S-025", wl(container={"securityContext": {"appArmorProfile": {"type": "Unconfined"}}}),
        wl(template_meta={"annotations": {"container.apparmor.security.beta.kubernetes.io/app": "runtime/default"}})),
    k8s("SW-K8S-026", wl(pod={"securityContext": {"seLinuxOptions": {"type": "spc_t"}}}),
        wl(pod={"securityContext": {"seLinuxOptions": {"type": "container_t", "level": "s0:c1"}}})),
    k8s("SW-K8S-027", wl(container={"securityContext": {"procMount": "Unmasked"}})),
    k8s("SW-K8S-028", wl(pod={"securityContext": {"sysctls": [{"name": "kernel.msgmax", "value": "1"}]}}),
        wl(pod={"securityContext": {"sysctls": [{"name": "net.ipv4.tcp_syncookies", "value": "1"}]}})),
    k8s("SW-K8S-029", wl(container={"securityContext": {"windowsOptions": {"hostProcess": True}}})),
    k8s("SW-K8S-030", wl(pod={"volumes": [{"name": "n", "nfs": {"server": "nfs", "path": "/"}}]}),
        wl(pod={"volumes": [{"name": "c", "configMap": {"name": "cfg"}}, {"name": "e", "emptyDir": {}}]})),
    k8s("SW-K8S-031", wl(container={"livenessProbe": {"httpGet": {"host": "10.0.0.1", "path": "/", "port": 80}}})),
    k8s("SW-K8S-032", wl(pod={"securityContext": None}, container={"securityContext": None})),
    k8s("SW-K8S-033", wl(pod={"automountServiceAccountToken": None}),
        [*wl(pod={"automountServiceAccountToken": None}), obj("ServiceAccount", name="web", automountServiceAccountToken=False)]),
    k8s("SW-K8S-034", wl(pod={"serviceAccountName": None})),
    k8s("SW-K8S-035", wl(container={"image": "registry.example.com/shop/web:1.4.2"})),
    k8s("SW-K8S-036", wl(container={"image": "registry.example.com/shop/web:latest"})),
    k8s("SW-K8S-037", wl(container={"image": "registry.example.com/shop/web:1.4.2", "imagePullPolicy": "IfNotPresent"})),
    k8s("SW-K8S-038", wl(container={"image": f"docker.io/library/nginx:1.25@{DIGEST}"}), trusted=("registry.example.com",)),
    k8s("SW-K8S-039", wl(container={"resources": {"requests": {"cpu": None}}})),
    k8s("SW-K8S-040", wl(container={"resources": {"limits": {"cpu": None}}})),
    k8s("SW-K8S-041", wl(container={"resources": {"requests": {"memory": None}}})),
    k8s("SW-K8S-042", wl(container={"resources": {"limits": {"memory": None}}})),
    k8s("SW-K8S-043", wl(container={"livenessProbe": None}), wl(container={"livenessProbe": None}, kind="Job")),
    k8s("SW-K8S-044", wl(container={"readinessProbe": None})),
    k8s("SW-K8S-045", wl(container={"env": [{"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "pw"}}}]})),
    k8s("SW-K8S-046", wl(container={"env": [{"name": "DB_PASSWORD", "value": "hunter22"}]}),
        wl(container={"env": [{"name": "LOG_LEVEL", "value": "debug"}]})),
    k8s("SW-K8S-047", wl(meta={"namespace": "kube-system"})),
    k8s("SW-K8S-048", wl(kind="Pod")),
    k8s("SW-K8S-049", wl(container={"command": ["sudo", "/app"]})),
    k8s("SW-K8S-050", wl(container={"ports": [{"containerPort": 22}]})),
    k8s("SW-K8S-051", wl(pod={"hostAliases": [{"ip": "10.1.2.3", "hostnames": ["db"]}]})),
    k8s("SW-K8S-052", wl(pod={"serviceAccount": "web"})),
    k8s("SW-K8S-053", wl(container={"env": [{"name": "A", "value": "1"}, {"name": "A", "value": "2"}]})),
    k8s("SW-K8S-054", wl(container={"image": f"gcr.io/kubernetes-helm/tiller:v2.16.1@{DIGEST}"})),
    k8s("SW-K8S-055", wl(template_meta={"labels": {"k8s-app": "kubernetes-dashboard"}})),
    k8s("SW-K8S-056", [obj("ConfigMap", ns="default", data={"a": "b"})], [obj("ConfigMap", data={"a": "b"})]),
    k8s("SW-K8S-057", [obj("Service", spec={"type": "NodePort"})], [obj("Service", spec={"type": "ClusterIP"})]),
    k8s("SW-K8S-058", [obj("Service", spec={"type": "LoadBalancer"})],
        [obj("Service", spec={"type": "LoadBalancer", "loadBalancerSourceRanges": ["10.0.0.0/8"]})]),
    k8s("SW-K8S-059", [obj("Service", spec={"externalIPs": ["1.2.3.4"]})], [obj("Service", spec={})]),
    k8s("SW-K8S-060", [obj("ConfigMap", data={"db_password": "s3cr3t"})], [obj("ConfigMap", data={"color": "blue"})]),
    k8s("SW-K8S-061", [obj("Ingress", "networking.k8s.io/v1", spec={"rules": []})],
        [obj("Ingress", "networking.k8s.io/v1", spec={"tls": [{"hosts": ["a"]}]})]),
    k8s("SW-K8S-062", [obj("Ingress", "networking.k8s.io/v1", meta={"annotations": {"nginx.ingress.kubernetes.io/configuration-snippet": "x"}}, spec={"tls": [{}]})],
        [obj("Ingress", "networking.k8s.io/v1", meta={"annotations": {"nginx.ingress.kubernetes.io/rewrite-target": "/"}}, spec={"tls": [{}]})]),
    k8s("SW-K8S-063", [obj("Secret", stringData={"token": "abc"})], [obj("Secret", type="Opaque")]),
    k8s("SW-K8S-064", [obj("Ingress", "extensions/v1beta1", spec={"tls": [{}]})], [obj("Ingress", "networking.k8s.io/v1", spec={"tls": [{}]})]),
    k8s("SW-K8S-065", [obj("Namespace", ns=None, name="shop")], [NS_OK]),
    k8s("SW-K8S-066", [obj("Namespace", ns=None, name="shop", meta={"labels": {"pod-security.kubernetes.io/enforce": "privileged"}})], [NS_OK]),
    # RBAC
    ("SW-RBAC-001", Case("k8s", granted([rule(["*"], ["configmaps"])]), SAFE_GRANT)),
    rbac("SW-RBAC-002", [rule(["*"], ["*"], ["*"])]),
    ("SW-RBAC-003", Case("k8s", [binding("ClusterRole", "cluster-admin", [SA], cluster=True)], SAFE_GRANT)),
    rbac("SW-RBAC-004", [rule(["get"], ["pods"])], subject={"kind": "Group", "name": "system:authenticated"}),
    rbac("SW-RBAC-005", [rule(["get"], ["pods"])], subject={"kind": "Group", "name": "system:masters"}),
    rbac("SW-RBAC-006", [rule(["get", "list"], ["secrets"])]),
    rbac("SW-RBAC-007", [rule(["escalate"], ["clusterroles"], ["rbac.authorization.k8s.io"])]),
    rbac("SW-RBAC-008", [rule(["create"], ["rolebindings"], ["rbac.authorization.k8s.io"])]),
    rbac("SW-RBAC-009", [rule(["impersonate"], ["users"])]),
    rbac("SW-RBAC-010", [rule(["create"], ["pods/exec"])]),
    rbac("SW-RBAC-011", [rule(["get"], ["nodes/proxy"])]),
    rbac("SW-RBAC-012", [rule(["create"], ["deployments"], ["apps"])]),
    rbac("SW-RBAC-013", [rule(["get"], ["pods"])], subject={"kind": "ServiceAccount", "name": "default", "namespace": "shop"}),
    rbac("SW-RBAC-014", [rule(["update"], ["mutatingwebhookconfigurations"], ["admissionregistration.k8s.io"])]),
    rbac("SW-RBAC-015", [rule(["update"], ["certificatesigningrequests/approval"], ["certificates.k8s.io"])]),
    rbac("SW-RBAC-016", [rule(["create"], ["serviceaccounts/token"])]),
    rbac("SW-RBAC-017", [rule(["create"], ["pods/portforward"])]),
    rbac("SW-RBAC-018", [rule(["delete"], ["events"])]),
    rbac("SW-RBAC-019", [rule(["create"], ["persistentvolumes"])]),
    rbac("SW-RBAC-020", [rule(["patch"], ["services/status"])]),
    rbac("SW-RBAC-021", [rule(["create"], ["networkpolicies"], ["networking.k8s.io"])]),
    # NetworkPolicy
    k8s("SW-NET-001", wl(), NET_OK),
    k8s("SW-NET-002", [*wl(), netpol("deny-in", {"podSelector": {}, "policyTypes": ["Ingress"]})], NET_OK),
    k8s("SW-NET-003", [*wl(), netpol("other", {"podSelector": {"matchLabels": {"app": "db"}}})], NET_OK),
    k8s("SW-NET-004", [*NET_OK, netpol("all-ns", {"podSelector": {"matchLabels": {"app": "web"}}, "ingress": [{"from": [{"namespaceSelector": {}}]}]})], NET_OK),
    k8s("SW-NET-005", [*NET_OK, netpol("any", {"podSelector": {}, "policyTypes": ["Egress"], "egress": [{"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}]}]})], NET_OK),
    k8s("SW-NET-006", [*NET_OK, netpol("typo", {"podSelector": {"matchLabels": {"app": "wbe"}}})], NET_OK),
    k8s("SW-NET-007", [*NET_OK, netpol("open", {"podSelector": {"matchLabels": {"app": "web"}}, "ingress": [{"ports": [{"port": 8080}]}]})], NET_OK),
    k8s("SW-NET-008", [*NET_OK, netpol("out", {"podSelector": {}, "policyTypes": ["Egress"], "egress": [{}]})], NET_OK),
])  # fmt: skip

# ---------------------------------------------------------------- compose
SECURE_SERVICE: dict[str, Any] = {
    "image": "registry.example.com/web:1.2", "read_only": True, "user": "10001",
    "security_opt": ["no-new-privileges:true"], "mem_limit": "256m", "pids_limit": 100,
    "ports": ["127.0.0.1:8080:8080"], "cap_drop": ["ALL"], "healthcheck": {"test": ["CMD", "true"]},
}  # fmt: skip


def compose(**patch: Any) -> dict[str, Any]:
    return {"services": {"web": merge(SECURE_SERVICE, patch)}}


_COMPOSE_FAIL = {
    "001": compose(privileged=True), "002": compose(cap_add=["SYS_ADMIN"]),
    "003": compose(network_mode="host"), "004": compose(pid="host"), "005": compose(ipc="host"),
    "006": compose(volumes=["/var/run/docker.sock:/var/run/docker.sock"]),
    "007": compose(volumes=["/etc:/host/etc:ro"]), "008": compose(environment={"DB_PASSWORD": "x1y2z3"}),
    "009": compose(security_opt=None), "010": compose(security_opt=["no-new-privileges:true", "seccomp:unconfined"]),
    "011": compose(security_opt=["no-new-privileges:true", "apparmor:unconfined"]), "012": compose(read_only=None),
    "013": compose(mem_limit=None), "014": compose(pids_limit=None), "015": compose(ports=["8080:8080"]),
    "016": compose(ports=["127.0.0.1:80:8080"]), "017": compose(userns_mode="host"), "018": compose(user="root"),
    "019": compose(image="nginx"), "020": compose(devices=["/dev/kvm:/dev/kvm"]),
    "021": compose(healthcheck={"disable": True}), "022": compose(volumes=["./data:/data:rshared"]),
}  # fmt: skip
COMPOSE_CASES = {f"SW-COMPOSE-{k}": Case("compose", v, compose()) for k, v in _COMPOSE_FAIL.items()}

# ---------------------------------------------------------------- Dockerfile
BASE_DOCKERFILE = f"""# syntax=docker/dockerfile:1
FROM registry.example.com/base/debian:12.5@{DIGEST} AS build
WORKDIR /src
COPY . /src/
RUN set -eux; apt-get update && apt-get install -y --no-install-recommends gcc && rm -rf /var/lib/apt/lists/*
#BUILD
FROM registry.example.com/base/distroless:1.0@{DIGEST}
WORKDIR /app
COPY --from=build /src/app /app/app
USER 10001
EXPOSE 8080
HEALTHCHECK CMD ["/app/app", "health"]
ENTRYPOINT ["/app/app"]
#FINAL
"""


def dockerfile(build: str = "", final: str = "", **replace: str) -> str:
    text = BASE_DOCKERFILE.replace("#BUILD", build).replace("#FINAL", final)
    for old, new in replace.items():
        text = text.replace(old.replace("_", " "), new)
    return text


def _r(old: str, new: str) -> str:
    return BASE_DOCKERFILE.replace(old, new)


_DF_FAIL = {
    "001": _r("USER 10001", "USER root"), "002": _r('HEALTHCHECK CMD ["/app/app", "health"]\n', ""),
    "003": _r("EXPOSE 8080", "EXPOSE 22"), "004": dockerfile(final="ADD config.json /app/"),
    "005": dockerfile(final="ADD https://example.com/tool.bin /app/"), "006": dockerfile("RUN apt-get update"),
    "007": dockerfile(final="MAINTAINER ops@example.com"),
    "008": _r(f"registry.example.com/base/debian:12.5@{DIGEST}", "debian"),
    "009": _r(f"registry.example.com/base/debian:12.5@{DIGEST}", "registry.example.com/base/debian:12.5"),
    "010": dockerfile("RUN apt install -y curl"), "011": dockerfile("WORKDIR app"),
    "012": _r(f"FROM registry.example.com/base/distroless:1.0@{DIGEST}", f"FROM registry.example.com/base/distroless:1.0@{DIGEST} AS build"),
    "013": dockerfile("RUN sudo make install"), "014": dockerfile("RUN curl -k -o /tmp/x https://e.example/x"),
    "015": dockerfile("RUN wget --no-check-certificate https://e.example/x"),
    "016": dockerfile("RUN pip install --no-cache-dir --trusted-host pypi.corp flask"),
    "017": dockerfile("ENV PYTHONHTTPSVERIFY=0"), "018": dockerfile("ENV NODE_TLS_REJECT_UNAUTHORIZED=0"),
    "019": dockerfile("RUN apk add --no-cache --allow-untrusted foo"),
    "020": dockerfile("RUN apt-get install -y --no-install-recommends --allow-unauthenticated foo && rm -rf /var/lib/apt/lists/*"),
    "021": dockerfile("RUN dnf install -y --nogpgcheck foo && dnf clean all"),
    "022": dockerfile("RUN rpm -i --nosignature foo.rpm"),
    "023": dockerfile("RUN apt-get install -y --no-install-recommends --force-yes foo && rm -rf /var/lib/apt/lists/*"),
    "024": dockerfile("ENV NPM_CONFIG_STRICT_SSL=false"), "025": dockerfile("ENV GIT_SSL_NO_VERIFY=1"),
    "026": dockerfile("RUN echo sslverify=0 >> /etc/yum.conf"), "027": dockerfile("RUN echo 'root:pw' | chpasswd"),
    "028": dockerfile("RUN curl -fsSL https://get.example.com | sh"), "029": dockerfile("ARG NPM_TOKEN"),
    "030": dockerfile("COPY --from=build /a /b"), "031": dockerfile(final='ENTRYPOINT ["/x"]'),
    "032": dockerfile(final='CMD ["a"]\nCMD ["b"]'), "033": dockerfile(final="EXPOSE 70000"),
    "034": dockerfile("COPY a b /app"), "035": dockerfile("RUN cd /tmp && make"),
    "036": dockerfile("RUN curl -fsSLo /a https://e.example/a\nRUN wget -q https://e.example/b"),
    "037": dockerfile("RUN yum install -y foo"), "038": dockerfile("RUN dnf install -y foo"),
    "039": dockerfile("RUN zypper install -y foo"),
    "040": dockerfile("RUN apt-get install --no-install-recommends foo && rm -rf /var/lib/apt/lists/*"),
    "041": dockerfile(final='HEALTHCHECK CMD ["x"]'),
    "042": dockerfile("RUN apt-get update && apt-get upgrade -y && rm -rf /var/lib/apt/lists/*"),
    "043": dockerfile("RUN apk add curl"), "044": dockerfile("RUN microdnf install -y foo"),
    "045": dockerfile("RUN apt-get install -y foo && rm -rf /var/lib/apt/lists/*"),
    "046": dockerfile("WORKDIR /proc/x"),
    "047": dockerfile("RUN apt-get update && apt-get install -y --no-install-recommends foo"),
    "048": dockerfile("RUN pip install flask"), "049": _r('ENTRYPOINT ["/app/app"]', "ENTRYPOINT /app/app"),
    "050": _r(f"registry.example.com/base/debian:12.5@{DIGEST}", f"docker.io/library/debian:12@{DIGEST}"),
    "051": dockerfile("COPY id_rsa /root/.ssh/"), "052": dockerfile("RUN curl -fsSL https://e.example/x.tgz | tar xz"),
}  # fmt: skip
DOCKERFILE_CASES = {
    f"SW-DF-{k}": Case(
        "dockerfile", v, BASE_DOCKERFILE, trusted=("registry.example.com",) if k == "050" else ()
    )
    for k, v in _DF_FAIL.items()
}

# ---------------------------------------------------------------- image
BASE_IMAGE_CONFIG: dict[str, Any] = {
    "User": "10001", "Healthcheck": {"Test": ["CMD", "/app", "health"]}, "Env": ["PATH=/usr/bin:/bin"],
    "Labels": {"org.opencontainers.image.base.name": "debian:12.5", "org.opencontainers.image.base.digest": DIGEST},
    "ExposedPorts": {"8080/tcp": {}}, "Entrypoint": ["/app"],
}  # fmt: skip
BASE_HISTORY = [
    "/bin/sh -c #(nop) ADD file:0123456789abcdef0123 in / ",
    "RUN /bin/sh -c apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/* # buildkit",
]
BASE_FILES = {
    "etc/passwd": ("root:x:0:0:root:/root:/bin/sh\napp:x:10001:10001::/app:/bin/sh\n", 0o644),
    "etc/group": ("root:x:0:\napp:x:10001:\n", 0o644),
    "etc/shadow": ("root:*:19000:0:99999:7:::\napp:!:19000:0:99999:7:::\n", 0o640),
    "app": ("#!/bin/sh\n", 0o755),
}


def image(config: dict[str, Any] | None = None, history: list[str] | None = None,
          files: dict[str, tuple[str, int]] | None = None) -> tuple[dict[str, Any], list[str], dict[str, tuple[str, int]]]:  # fmt: skip
    return (
        merge(BASE_IMAGE_CONFIG, config or {}),
        BASE_HISTORY + (history or []),
        {**BASE_FILES, **(files or {})},
    )


_IMG_FAIL = {
    "001": image({"User": ""}), "002": image({"Healthcheck": None}),
    "003": image({"Env": ["PATH=/usr/bin", "API_TOKEN=abc123"]}), "004": image({"Labels": {"db_password": "x"}}),
    "005": image(history=["RUN |1 API_TOKEN=abc /bin/sh -c make # buildkit"]),
    "006": image(history=["ADD https://x.example/a.tgz /opt/ # buildkit"]),
    "007": image(history=["RUN /bin/sh -c curl -fsSL https://x.example/i | sh # buildkit"]),
    "008": image(files={"var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_InRelease": ("x", 0o644)}),
    "009": image(files={"usr/bin/sudo": ("x", 0o4755)}), "010": image(files={"usr/bin/su": ("x", 0o4755)}),
    "011": image({"ExposedPorts": {"22/tcp": {}}}), "012": image(files={"usr/sbin/sshd": ("x", 0o755)}),
    "013": image({"Labels": {"org.opencontainers.image.base.name": "debian", "org.opencontainers.image.base.digest": None}}),
    "014": image(history=["RUN /bin/sh -c apt-get upgrade -y # buildkit"]),
    "015": image(history=["RUN /bin/sh -c apt-get update # buildkit"]),
    "016": image(history=["/bin/sh -c #(nop) ADD dir:0123456789abcdef0123 in /opt/app "]),
    "017": image(files={"etc/shadow": ("root:*:19000:0:99999:7:::\napp::19000:0:99999:7:::\n", 0o640)}),
    "018": image(files={"etc/passwd": ("root:x:0:0::/root:/bin/sh\ntoor:x:0:0::/root:/bin/sh\n", 0o644)}),
    "019": image(files={"home/app/.git-credentials": ("https://u:p@git.example", 0o600)}),
    "020": image({"Env": ["PATH=/usr/bin", "PYTHONHTTPSVERIFY=0"]}), "021": image({"Entrypoint": ["sudo", "/app"]}),
    "022": image(files={"usr/bin/gcc": ("x", 0o755)}),
    "023": image(history=["RUN /bin/sh -c echo root:pw | chpasswd # buildkit"]),
    "024": image(history=["RUN /bin/sh -c curl -k https://x.example -o /a # buildkit"]),
}  # fmt: skip
IMAGE_CASES = {f"SW-IMG-{k}": Case("image", v, image()) for k, v in _IMG_FAIL.items()}

ALL_CASES: dict[str, Case] = {**K8S_CASES, **COMPOSE_CASES, **DOCKERFILE_CASES, **IMAGE_CASES}
