"""docker-compose checks (SW-COMPOSE-001..022): one subject per service."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from seawall.analyzers.misconfig.image_refs import parse_image_ref
from seawall.analyzers.misconfig.k8s_model import as_dict, as_list, dig
from seawall.analyzers.misconfig.registry import ScanSettings, Violation, check

_SENSITIVE = (
    "/",
    "/etc",
    "/proc",
    "/sys",
    "/root",
    "/boot",
    "/dev",
    "/var/lib/docker",
    "/usr",
    "/lib",
    "/home",
    "/run",
    "/var/run",
)
_SOCKETS = ("docker.sock", "containerd.sock", "crio.sock", "podman.sock")


@dataclass
class ComposeService:
    """One service of a compose file."""

    name: str
    spec: dict[str, Any]
    path: str
    line: int | None

    @property
    def resource(self) -> str:
        return f"service/{self.name}"

    def security_opts(self) -> list[str]:
        return [str(o).replace("=", ":") for o in as_list(self.spec.get("security_opt"))]

    def volumes(self) -> Iterator[tuple[str, str, str]]:
        """(host source, target, mode/propagation text) of bind mounts."""
        for vol in as_list(self.spec.get("volumes")):
            if isinstance(vol, str):
                parts = vol.split(":")
                if len(parts) >= 2 and parts[0].startswith(("/", ".", "~")):
                    yield parts[0], parts[1], ":".join(parts[2:])
            elif isinstance(vol, dict) and vol.get("type", "bind") == "bind" and vol.get("source"):
                yield (
                    str(vol["source"]),
                    str(vol.get("target", "")),
                    str(dig(vol, "bind", "propagation") or ""),
                )


def _v(svc: ComposeService, message: str) -> Violation:
    return Violation(message, resource=svc.resource, line=svc.line)


def _flag(control_id: str, key: str, value: Any, message: str) -> None:
    def run(svc: ComposeService, s: ScanSettings) -> Iterator[Violation]:
        if svc.spec.get(key) == value:
            yield _v(svc, message)

    check(control_id, "compose")(run)


_flag("SW-COMPOSE-001", "privileged", True, "privileged: true")
_flag("SW-COMPOSE-003", "network_mode", "host", "network_mode: host")
_flag("SW-COMPOSE-004", "pid", "host", "pid: host")
_flag("SW-COMPOSE-005", "ipc", "host", "ipc: host")


@check("SW-COMPOSE-002", "compose")
def cap_add(svc: ComposeService, s: ScanSettings) -> Iterator[Violation]:
    caps = [str(c).upper().removeprefix("CAP_") for c in as_list(svc.spec.get("cap_add"))]
    extra = [c for c in caps if c != "NET_BIND_SERVICE"]
    if extra:
        yield _v(svc, f"cap_add {', '.join(extra)}")


@check("SW-COMPOSE-006", "compose")
def docker_socket(svc: ComposeService, s: ScanSettings) -> Iterator[Violation]:
    for source, _target, _mode in svc.volumes():
        if source.endswith(_SOCKETS):
            yield _v(svc, f"mounts {source}")


@check("SW-COMPOSE-007", "compose")
def sensitive_mount(svc: ComposeService, s: ScanSettings) -> Iterator[Violation]:
    for source, _target, _mode in svc.volumes():
        norm = "/" + source.strip("/")
        if (
            source.startswith("/")
            and not source.endswith(_SOCKETS)
            and any(norm == p or (p != "/" and norm.startswith(p + "/")) for p in _SENSITIVE)
        ):
            yield _v(svc, f"mounts host {source}")


def _environment(svc: ComposeService) -> Iterator[tuple[str, Any]]:
    env = svc.spec.get("environment")
    if isinstance(env, dict):
        yield from ((str(k), v) for k, v in env.items())
    for item in as_list(env):
        key, sep, value = str(item).partition("=")
        yield key, value if sep else None


@check("SW-COMPOSE-008", "compose")
def env_secret(svc: ComposeService, s: ScanSettings) -> Iterator[Violation]:
    pattern = re.compile(s.secret_name_pattern)
    for key, value in _environment(svc):
        if pattern.search(key) and value not in (None, "") and not str(value).startswith("${"):
            yield _v(svc, f"environment {key} holds a literal value")


@check("SW-COMPOSE-009", "compose")
def no_new_privileges(svc: ComposeService, s: ScanSettings) -> Iterator[Violation]:
    opts = svc.security_opts()
    if "no-new-privileges:true" not in opts and "no-new-privileges" not in opts:
        yield _v(svc, "security_opt lacks no-new-privileges:true")


@check("SW-COMPOSE-010", "compose")
def seccomp_unconfined(svc: ComposeService, s: ScanSettings) -> Iterator[Violation]:
    if "seccomp:unconfined" in svc.security_opts():
        yield _v(svc, "security_opt seccomp:unconfined")


@check("SW-COMPOSE-011", "compose")
def apparmor_unconfined(svc: ComposeService, s: ScanSettings) -> Iterator[Violation]:
    if "apparmor:unconfined" in svc.security_opts():
        yield _v(svc, "security_opt apparmor:unconfined")


@check("SW-COMPOSE-012", "compose")
def read_only(svc: ComposeService, s: ScanSettings) -> Iterator[Violation]:
    if svc.spec.get("read_only") is not True:
        yield _v(svc, "read_only is not true")


@check("SW-COMPOSE-013", "compose")
def memory_limit(svc: ComposeService, s: ScanSettings) -> Iterator[Violation]:
    if not svc.spec.get("mem_limit") and not dig(
        svc.spec, "deploy", "resources", "limits", "memory"
    ):
        yield _v(svc, "no mem_limit / deploy.resources.limits.memory")


@check("SW-COMPOSE-014", "compose")
def pids_limit(svc: ComposeService, s: ScanSettings) -> Iterator[Violation]:
    if not svc.spec.get("pids_limit") and not dig(
        svc.spec, "deploy", "resources", "limits", "pids"
    ):
        yield _v(svc, "no pids_limit")


def _published(svc: ComposeService) -> Iterator[tuple[str | None, str]]:
    """(host ip or None, host port) of published ports."""
    for port in as_list(svc.spec.get("ports")):
        if isinstance(port, dict):
            if port.get("published") is not None:
                yield (
                    (str(port["host_ip"]) if port.get("host_ip") else None),
                    str(port["published"]),
                )
            continue
        parts = str(port).split("/")[0].rsplit(":", 2)
        if len(parts) == 3:
            yield parts[0].strip("[]") or None, parts[1]
        elif len(parts) == 2:
            yield None, parts[0]


@check("SW-COMPOSE-015", "compose")
def all_interfaces(svc: ComposeService, s: ScanSettings) -> Iterator[Violation]:
    for host_ip, port in _published(svc):
        if host_ip in (None, "0.0.0.0", "::"):
            yield _v(svc, f"port {port} published on all interfaces")


@check("SW-COMPOSE-016", "compose")
def privileged_port(svc: ComposeService, s: ScanSettings) -> Iterator[Violation]:
    for _ip, port in _published(svc):
        first = port.split("-")[0]
        if first.isdigit() and int(first) < 1024:
            yield _v(svc, f"host port {port} is below 1024")


@check("SW-COMPOSE-017", "compose")
def userns_uts(svc: ComposeService, s: ScanSettings) -> Iterator[Violation]:
    for key in ("userns_mode", "uts"):
        if svc.spec.get(key) == "host":
            yield _v(svc, f"{key}: host")


@check("SW-COMPOSE-018", "compose")
def root_user(svc: ComposeService, s: ScanSettings) -> Iterator[Violation]:
    user = str(svc.spec.get("user") or "").split(":")[0]
    if user in ("root", "0"):
        yield _v(svc, f"user: {svc.spec.get('user')}")


@check("SW-COMPOSE-019", "compose")
def latest_image(svc: ComposeService, s: ScanSettings) -> Iterator[Violation]:
    image = svc.spec.get("image")
    if isinstance(image, str) and "$" not in image and parse_image_ref(image).is_latest_or_untagged:
        yield _v(svc, f"image {image} uses latest/no tag")


@check("SW-COMPOSE-020", "compose")
def devices(svc: ComposeService, s: ScanSettings) -> Iterator[Violation]:
    for device in as_list(svc.spec.get("devices")):
        yield _v(
            svc, f"device {device if isinstance(device, str) else as_dict(device).get('source')}"
        )


@check("SW-COMPOSE-021", "compose")
def healthcheck_disabled(svc: ComposeService, s: ScanSettings) -> Iterator[Violation]:
    hc = as_dict(svc.spec.get("healthcheck"))
    if hc.get("disable") is True or as_list(hc.get("test"))[:1] == ["NONE"]:
        yield _v(svc, "healthcheck disabled")


@check("SW-COMPOSE-022", "compose")
def shared_propagation(svc: ComposeService, s: ScanSettings) -> Iterator[Violation]:
    for source, _target, mode in svc.volumes():
        if re.search(r"\b(r?shared)\b", mode):
            yield _v(svc, f"volume {source} uses {mode} propagation")
