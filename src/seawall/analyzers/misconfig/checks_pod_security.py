"""Pod security checks (SW-K8S-001..017, 023..032; host access is in
:mod:`.checks_host_access`): the Pod Security Standards field by field
(kubernetes/pod-security-admission semantics, latest version) and related hardening.

Container rules see init, app and ephemeral containers with the *effective*
security context (see :mod:`.k8s_model`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from seawall.analyzers.misconfig.k8s_model import Workload, as_dict, as_list, dig
from seawall.analyzers.misconfig.registry import CheckFunction, ScanSettings, Violation, check

BASELINE_CAPABILITIES = frozenset(
    [
        "AUDIT_WRITE",
        "CHOWN",
        "DAC_OVERRIDE",
        "FOWNER",
        "FSETID",
        "KILL",
        "MKNOD",
        "NET_BIND_SERVICE",
        "SETFCAP",
        "SETGID",
        "SETPCAP",
        "SETUID",
        "SYS_CHROOT",
    ]
)
DANGEROUS_CAPABILITIES = frozenset(
    [
        "ALL",
        "SYS_MODULE",
        "SYS_PTRACE",
        "SYS_RAWIO",
        "SYS_BOOT",
        "SYS_TIME",
        "DAC_READ_SEARCH",
        "NET_ADMIN",
        "BPF",
        "PERFMON",
        "MAC_ADMIN",
        "MAC_OVERRIDE",
        "SYSLOG",
        "SYS_RESOURCE",
    ]
)
SAFE_SYSCTLS = frozenset(
    [
        "kernel.shm_rmid_forced",
        "net.ipv4.ip_local_port_range",
        "net.ipv4.tcp_syncookies",
        "net.ipv4.ping_group_range",
        "net.ipv4.ip_unprivileged_port_start",
        "net.ipv4.ip_local_reserved_ports",
        "net.ipv4.tcp_keepalive_time",
        "net.ipv4.tcp_fin_timeout",
        "net.ipv4.tcp_keepalive_intvl",
        "net.ipv4.tcp_keepalive_probes",
        "net.ipv4.tcp_rmem",
        "net.ipv4.tcp_wmem",
        "net.ipv4.tcp_slow_start_after_idle",
        "net.ipv4.tcp_notsent_lowat",
    ]
)
SELINUX_TYPES = frozenset(
    ("", "container_t", "container_init_t", "container_kvm_t", "container_engine_t")
)
RESTRICTED_VOLUME_TYPES = frozenset(
    [
        "configMap",
        "downwardAPI",
        "emptyDir",
        "projected",
        "secret",
        "csi",
        "persistentVolumeClaim",
        "ephemeral",
        "image",
    ]
)


def violation_at(
    w: Workload, message: str, container: str | None = None, **extra: object
) -> Violation:
    """A violation anchored to the workload (and the container's line)."""
    line = w.obj.line_of(f"name: {container}") if container else None
    return Violation(message, container=container, line=line, source=w.obj, extra=dict(extra))


@check("SW-K8S-001", "workload")
def privileged(w: Workload, s: ScanSettings) -> Iterator[Violation]:
    for c in w.containers:
        if c.effective_sc.get("privileged") is True:
            yield violation_at(w, f"{c.kind} {c.name!r} has privileged: true", c.name)


@check("SW-K8S-002", "workload")
def privilege_escalation(w: Workload, s: ScanSettings) -> Iterator[Violation]:
    if w.is_windows:
        return
    for c in w.containers:
        if c.effective_sc.get("allowPrivilegeEscalation") is not False:
            yield violation_at(
                w, f"{c.kind} {c.name!r} does not set allowPrivilegeEscalation: false", c.name
            )


def _host_namespace(field_name: str) -> CheckFunction:
    def run(w: Workload, s: ScanSettings) -> Iterator[Violation]:
        if w.pod_spec.get(field_name) is True:
            yield violation_at(w, f"spec.{field_name}: true")

    return run


check("SW-K8S-003", "workload")(_host_namespace("hostPID"))
check("SW-K8S-004", "workload")(_host_namespace("hostIPC"))
check("SW-K8S-005", "workload")(_host_namespace("hostNetwork"))


@check("SW-K8S-006", "workload")
def run_as_non_root(w: Workload, s: ScanSettings) -> Iterator[Violation]:
    if w.pod_spec.get("hostUsers") is False:
        return  # user namespaces: root in the pod is not root on the node (PSS 1.35+)
    pod_value = w.pod_sc.get("runAsNonRoot")
    if pod_value is False:
        yield violation_at(w, "spec.securityContext.runAsNonRoot: false")
    for c in w.containers:
        own = c.own_sc.get("runAsNonRoot")
        if own is False:
            yield violation_at(w, f"{c.kind} {c.name!r} sets runAsNonRoot: false", c.name)
        elif own is None and pod_value is not True:
            yield violation_at(
                w, f"{c.kind} {c.name!r}: runAsNonRoot is not true (pod or container)", c.name
            )


@check("SW-K8S-007", "workload")
def run_as_uid_zero(w: Workload, s: ScanSettings) -> Iterator[Violation]:
    if w.pod_spec.get("hostUsers") is False:
        return
    for c in w.containers:
        if c.effective_sc.get("runAsUser") == 0:
            yield violation_at(w, f"{c.kind} {c.name!r} runs with runAsUser: 0", c.name)


def _low_id(field_name: str, label: str) -> CheckFunction:
    def run(w: Workload, s: ScanSettings) -> Iterator[Violation]:
        for c in w.containers:
            value = c.effective_sc.get(field_name)
            if not isinstance(value, int) or value <= 10000:
                shown = "unset" if value is None else value
                yield violation_at(
                    w, f"{c.kind} {c.name!r} {label} is {shown} (want > 10000)", c.name
                )

    return run


check("SW-K8S-008", "workload")(_low_id("runAsUser", "runAsUser"))
check("SW-K8S-009", "workload")(_low_id("runAsGroup", "runAsGroup"))


@check("SW-K8S-010", "workload")
def root_group(w: Workload, s: ScanSettings) -> Iterator[Violation]:
    if w.pod_sc.get("fsGroup") == 0:
        yield violation_at(w, "spec.securityContext.fsGroup: 0")
    if 0 in as_list(w.pod_sc.get("supplementalGroups")):
        yield violation_at(w, "spec.securityContext.supplementalGroups contains 0")
    for c in w.containers:
        if c.effective_sc.get("runAsGroup") == 0:
            yield violation_at(w, f"{c.kind} {c.name!r} runs with runAsGroup: 0", c.name)


@check("SW-K8S-011", "workload")
def writable_root_fs(w: Workload, s: ScanSettings) -> Iterator[Violation]:
    for c in w.containers:
        if c.effective_sc.get("readOnlyRootFilesystem") is not True:
            yield violation_at(
                w, f"{c.kind} {c.name!r} does not set readOnlyRootFilesystem: true", c.name
            )


@check("SW-K8S-012", "workload")
def caps_beyond_baseline(w: Workload, s: ScanSettings) -> Iterator[Violation]:
    for c in w.containers:
        extra = sorted(c.caps("add") - BASELINE_CAPABILITIES)
        if extra:
            yield violation_at(
                w, f"{c.kind} {c.name!r} adds {', '.join(extra)}", c.name, capabilities=extra
            )


@check("SW-K8S-013", "workload")
def drop_all_missing(w: Workload, s: ScanSettings) -> Iterator[Violation]:
    if w.is_windows:
        return
    for c in w.containers:
        if "ALL" not in c.caps("drop"):
            yield violation_at(w, f"{c.kind} {c.name!r} does not drop ALL capabilities", c.name)


@check("SW-K8S-014", "workload")
def caps_beyond_restricted(w: Workload, s: ScanSettings) -> Iterator[Violation]:
    if w.is_windows:
        return
    for c in w.containers:
        extra = sorted(c.caps("add") - {"NET_BIND_SERVICE"})
        if extra:
            yield violation_at(
                w, f"{c.kind} {c.name!r} adds {', '.join(extra)}", c.name, capabilities=extra
            )


@check("SW-K8S-015", "workload")
def sys_admin(w: Workload, s: ScanSettings) -> Iterator[Violation]:
    for c in w.containers:
        if "SYS_ADMIN" in c.caps("add"):
            yield violation_at(w, f"{c.kind} {c.name!r} adds SYS_ADMIN", c.name)


@check("SW-K8S-016", "workload")
def net_raw(w: Workload, s: ScanSettings) -> Iterator[Violation]:
    for c in w.containers:
        if "NET_RAW" in c.caps("add"):
            yield violation_at(w, f"{c.kind} {c.name!r} adds NET_RAW", c.name)
        elif not c.caps("drop") & {"ALL", "NET_RAW"}:
            yield violation_at(w, f"{c.kind} {c.name!r} does not drop NET_RAW (or ALL)", c.name)


@check("SW-K8S-017", "workload")
def dangerous_caps(w: Workload, s: ScanSettings) -> Iterator[Violation]:
    for c in w.containers:
        bad = sorted(c.caps("add") & DANGEROUS_CAPABILITIES)
        if bad:
            yield violation_at(
                w, f"{c.kind} {c.name!r} adds {', '.join(bad)}", c.name, capabilities=bad
            )


def _seccomp_types(w: Workload) -> Iterator[tuple[str | None, str | None]]:
    """(container name or None for the pod, profile type) for every explicit setting."""
    pod_type = dig(w.pod_sc, "seccompProfile", "type")
    if pod_type is not None:
        yield None, str(pod_type)
    for c in w.containers:
        own = dig(c.own_sc, "seccompProfile", "type")
        if own is not None:
            yield c.name, str(own)
    for key, value in w.pod_annotations.items():
        if key == "seccomp.security.alpha.kubernetes.io/pod":
            yield None, "Unconfined" if value == "unconfined" else value
        elif key.startswith("container.seccomp.security.alpha.kubernetes.io/"):
            yield key.rsplit("/", 1)[1], "Unconfined" if value == "unconfined" else value


@check("SW-K8S-023", "workload")
def seccomp_unconfined(w: Workload, s: ScanSettings) -> Iterator[Violation]:
    for name, kind in _seccomp_types(w):
        if kind == "Unconfined":
            where = f"container {name!r}" if name else "pod"
            yield violation_at(w, f"{where} seccomp profile is Unconfined", name)


@check("SW-K8S-024", "workload")
def seccomp_not_restricted(w: Workload, s: ScanSettings) -> Iterator[Violation]:
    if w.is_windows:
        return
    for c in w.containers:
        kind = dig(c.effective_sc, "seccompProfile", "type")
        if kind not in ("RuntimeDefault", "Localhost"):
            yield violation_at(
                w, f"{c.kind} {c.name!r} seccomp profile is {kind or 'unset'}", c.name
            )


@check("SW-K8S-025", "workload")
def apparmor_unconfined(w: Workload, s: ScanSettings) -> Iterator[Violation]:
    prefix = "container.apparmor.security.beta.kubernetes.io/"
    for key, value in w.pod_annotations.items():
        if (
            key.startswith(prefix)
            and value not in ("", "runtime/default")
            and not value.startswith("localhost/")
        ):
            yield violation_at(w, f"annotation {key}: {value}", key[len(prefix) :])
    pod_type = dig(w.pod_sc, "appArmorProfile", "type")
    if pod_type not in (None, "RuntimeDefault", "Localhost"):
        yield violation_at(w, f"pod appArmorProfile.type is {pod_type}")
    for c in w.containers:
        own = dig(c.own_sc, "appArmorProfile", "type")
        if own not in (None, "RuntimeDefault", "Localhost"):
            yield violation_at(w, f"{c.kind} {c.name!r} appArmorProfile.type is {own}", c.name)


@check("SW-K8S-026", "workload")
def selinux_options(w: Workload, s: ScanSettings) -> Iterator[Violation]:
    targets: list[tuple[str | None, dict[str, Any]]] = [
        (None, as_dict(w.pod_sc.get("seLinuxOptions")))
    ]
    targets += [(c.name, as_dict(c.own_sc.get("seLinuxOptions"))) for c in w.containers]
    for name, opts in targets:
        where = f"container {name!r}" if name else "pod"
        if str(opts.get("type") or "") not in SELINUX_TYPES:
            yield violation_at(w, f"{where} seLinuxOptions.type is {opts.get('type')}", name)
        for key in ("user", "role"):
            if opts.get(key):
                yield violation_at(w, f"{where} sets seLinuxOptions.{key}", name)


@check("SW-K8S-027", "workload")
def proc_mount(w: Workload, s: ScanSettings) -> Iterator[Violation]:
    if w.pod_spec.get("hostUsers") is False:
        return
    for c in w.containers:
        value = c.effective_sc.get("procMount")
        if value not in (None, "Default"):
            yield violation_at(w, f"{c.kind} {c.name!r} procMount is {value}", c.name)


@check("SW-K8S-028", "workload")
def unsafe_sysctls(w: Workload, s: ScanSettings) -> Iterator[Violation]:
    for sysctl in as_list(w.pod_sc.get("sysctls")):
        name = str(dig(sysctl, "name") or "")
        if name not in SAFE_SYSCTLS:
            yield violation_at(w, f"unsafe sysctl {name}", sysctl=name)


@check("SW-K8S-029", "workload")
def windows_host_process(w: Workload, s: ScanSettings) -> Iterator[Violation]:
    if dig(w.pod_sc, "windowsOptions", "hostProcess") is True:
        yield violation_at(w, "pod windowsOptions.hostProcess: true")
    for c in w.containers:
        if dig(c.own_sc, "windowsOptions", "hostProcess") is True:
            yield violation_at(w, f"{c.kind} {c.name!r} windowsOptions.hostProcess: true", c.name)


@check("SW-K8S-030", "workload")
def restricted_volumes(w: Workload, s: ScanSettings) -> Iterator[Violation]:
    for vol in as_list(w.pod_spec.get("volumes")):
        if not isinstance(vol, dict):
            continue
        kinds = [k for k in vol if k != "name"]
        bad = [k for k in kinds if k not in RESTRICTED_VOLUME_TYPES]
        if bad:
            yield violation_at(w, f"volume {vol.get('name')!r} is of type {', '.join(bad)}")


_HANDLERS = ("livenessProbe", "readinessProbe", "startupProbe")


@check("SW-K8S-031", "workload")
def probe_host(w: Workload, s: ScanSettings) -> Iterator[Violation]:
    for c in w.containers:
        handlers = [(p, as_dict(c.spec.get(p))) for p in _HANDLERS]
        handlers += [
            (f"lifecycle.{h}", as_dict(dig(c.spec, "lifecycle", h)))
            for h in ("postStart", "preStop")
        ]
        for where, handler in handlers:
            for action in ("httpGet", "tcpSocket"):
                host = dig(handler, action, "host")
                if host:
                    yield violation_at(
                        w, f"{c.kind} {c.name!r} {where}.{action}.host is {host}", c.name
                    )


@check("SW-K8S-032", "workload")
def no_security_context(w: Workload, s: ScanSettings) -> Iterator[Violation]:
    for c in w.containers:
        if not c.own_sc and not w.pod_sc:
            yield violation_at(
                w, f"{c.kind} {c.name!r} has no securityContext (pod or container)", c.name
            )
