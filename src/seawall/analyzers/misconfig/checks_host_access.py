"""Host access checks (SW-K8S-018..022): hostPath volumes (any, writable, sensitive,
container runtime sockets) and hostPort."""

from __future__ import annotations

from collections.abc import Iterator

from seawall.analyzers.misconfig.checks_pod_security import violation_at
from seawall.analyzers.misconfig.k8s_model import Workload, as_list, dig
from seawall.analyzers.misconfig.registry import ScanSettings, Violation, check

SENSITIVE_HOST_PATHS = (
    "/",
    "/etc",
    "/proc",
    "/sys",
    "/root",
    "/boot",
    "/dev",
    "/home",
    "/var/lib/kubelet",
    "/var/lib/docker",
    "/var/lib/containerd",
    "/etc/kubernetes",
    "/var/run",
    "/run",
    "/var/log",
    "/var/lib/etcd",
    "/usr",
    "/lib",
    "/bin",
    "/sbin",
)
RUNTIME_SOCKETS = ("docker.sock", "containerd.sock", "crio.sock", "cri-dockerd.sock", "podman.sock")


def _host_path_volumes(w: Workload) -> dict[str, str]:
    out = {}
    for vol in as_list(w.pod_spec.get("volumes")):
        path = dig(vol, "hostPath", "path")
        if isinstance(vol, dict) and "hostPath" in vol:
            out[str(vol.get("name"))] = str(path or "")
    return out


@check("SW-K8S-018", "workload")
def host_path(w: Workload, s: ScanSettings) -> Iterator[Violation]:
    for name, path in _host_path_volumes(w).items():
        yield violation_at(w, f"volume {name!r} is hostPath {path}", volume=name, host_path=path)


@check("SW-K8S-019", "workload")
def writable_host_path(w: Workload, s: ScanSettings) -> Iterator[Violation]:
    volumes = _host_path_volumes(w)
    for c in w.containers:
        for mount in as_list(c.spec.get("volumeMounts")):
            name = str(dig(mount, "name"))
            if name in volumes and dig(mount, "readOnly") is not True:
                yield violation_at(
                    w, f"{c.kind} {c.name!r} mounts hostPath {volumes[name]} read-write", c.name
                )


def _is_sensitive(path: str) -> bool:
    norm = "/" + path.strip("/")
    return any(norm == p or (p != "/" and norm.startswith(p + "/")) for p in SENSITIVE_HOST_PATHS)


@check("SW-K8S-020", "workload")
def sensitive_host_path(w: Workload, s: ScanSettings) -> Iterator[Violation]:
    for name, path in _host_path_volumes(w).items():
        if _is_sensitive(path) and not any(sock in path for sock in RUNTIME_SOCKETS):
            yield violation_at(w, f"volume {name!r} mounts host {path}", host_path=path)


@check("SW-K8S-021", "workload")
def runtime_socket(w: Workload, s: ScanSettings) -> Iterator[Violation]:
    for name, path in _host_path_volumes(w).items():
        norm = "/" + path.strip("/")
        if any(norm.endswith(sock) for sock in RUNTIME_SOCKETS) or norm in (
            "/var/run",
            "/run",
            "/run/containerd",
            "/var/run/docker",
            "/var/run/crio",
        ):
            yield violation_at(
                w, f"volume {name!r} mounts runtime socket path {path}", host_path=path
            )


@check("SW-K8S-022", "workload")
def host_port(w: Workload, s: ScanSettings) -> Iterator[Violation]:
    for c in w.containers:
        for port in as_list(c.spec.get("ports")):
            hp = dig(port, "hostPort")
            if hp not in (None, 0):
                yield violation_at(w, f"{c.kind} {c.name!r} uses hostPort {hp}", c.name)
