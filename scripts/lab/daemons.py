"""The lab's long-running services: dockerd (only if none answers), two registries, a
standalone containerd and podman's Docker-compatible API socket.

Each ``ensure_*`` is idempotent: it returns at once when the service already answers."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

from lab.commands import (
    LabError,
    http_status,
    recorded_pid,
    run,
    say,
    start_daemon,
    stop_recorded,
    succeeds,
    wait_until,
)
from lab.paths import AUTH_PASSWORD, AUTH_REGISTRY, AUTH_USER, OPEN_REGISTRY, LabPaths

#: Every daemon ``down`` may stop, in stop order. Only those with a pid file are ours.
DAEMONS = ("podman", "containerd", "registry-auth", "registry-open", "dockerd")


def docker_answers() -> bool:
    return succeeds(["docker", "info", "--format", "{{.ID}}"], timeout=15)


def _dockerd_argv(paths: LabPaths) -> list[str]:
    """Plain ``dockerd`` (system defaults, as systemd would start it); for a unix
    DOCKER_HOST, a private engine on that socket with its storage under the lab dir."""
    host = os.environ.get("DOCKER_HOST", "")
    if not host:
        return ["dockerd"]
    if not host.startswith("unix://"):
        raise LabError(f"DOCKER_HOST={host} does not answer `docker info`; the lab only "
                       "starts engines on unix sockets")
    d = paths.root / "docker"
    return ["dockerd", "-H", host, "--data-root", str(d / "root"), "--exec-root",
            str(d / "exec"), "--pidfile", str(d / "docker.pid")]


def ensure_dockerd(paths: LabPaths) -> None:
    """Use the running engine; start ``dockerd`` only when ``docker info`` fails."""
    if docker_answers():
        return
    if shutil.which("dockerd") is None:
        raise LabError("no docker engine answers and dockerd is not installed "
                       "(apt-get install docker.io)")
    log = paths.log_file("dockerd")
    pid_file = paths.pid_file("dockerd")
    argv = _dockerd_argv(paths)
    if recorded_pid(pid_file) is None:
        say(f"starting {' '.join(argv)}")
        start_daemon("dockerd", argv, pid_file=pid_file, log=log)
    try:
        wait_until("dockerd", lambda: docker_answers() or recorded_pid(pid_file) is None,
                   timeout=90, log=log)
    except LabError:
        stop_recorded("dockerd", pid_file)
        raise
    if docker_answers():
        return
    # Sandboxes without NET_ADMIN cannot set up docker0/iptables. Builds use the host
    # network, so the lab does not need either.
    argv += ["--iptables=false", "--ip-masq=false", "--bridge=none"]
    say(f"dockerd exited (see {log}); retrying: {' '.join(argv)}")
    start_daemon("dockerd", argv, pid_file=pid_file, log=log)
    wait_until("dockerd", docker_answers, timeout=90, log=log)


def _registry_config(paths: LabPaths, port: int, htpasswd: Path | None) -> Path:
    storage = paths.registry / str(port)
    storage.mkdir(parents=True, exist_ok=True)
    auth = ""
    if htpasswd is not None:
        auth = f"auth:\n  htpasswd:\n    realm: seawall-lab\n    path: {htpasswd}\n"
    config = paths.registry / f"config-{port}.yml"
    config.write_text(
        "version: 0.1\n"
        "log:\n  level: warn\n  accesslog:\n    disabled: true\n"
        f"storage:\n  filesystem:\n    rootdirectory: {storage}\n"
        "  delete:\n    enabled: true\n"
        f"http:\n  addr: 127.0.0.1:{port}\n  secret: seawall-lab-{port}\n"
        f"{auth}"
    )
    return config


def _write_htpasswd(paths: LabPaths) -> Path:
    htpasswd = paths.registry / "htpasswd"
    if not htpasswd.exists():
        # bcrypt is the only hash distribution's htpasswd auth accepts.
        line = run(["htpasswd", "-Bbn", AUTH_USER, AUTH_PASSWORD]).stdout.strip()
        htpasswd.write_text(line + "\n")
    return htpasswd


def _answers_with(url: str, status: int) -> Callable[[], bool]:
    return lambda: http_status(url) == status


def ensure_registries(paths: LabPaths) -> None:
    """127.0.0.1:5000 without auth, 127.0.0.1:5001 with htpasswd basic auth; plain HTTP."""
    htpasswd = _write_htpasswd(paths)
    for name, address, auth_file, expect in (("registry-open", OPEN_REGISTRY, None, 200),
                                             ("registry-auth", AUTH_REGISTRY, htpasswd, 401)):
        port = int(address.rsplit(":", 1)[1])
        url = f"http://{address}/v2/"
        status = http_status(url)
        if status == expect:
            if recorded_pid(paths.pid_file(name)) is None:
                say(f"{address}: a registry not started by this lab answers; using it")
            continue
        if status is not None:
            raise LabError(f"{address} answers /v2/ with HTTP {status}, expected {expect}: "
                           "something else holds the port (e.g. Debian's docker-registry "
                           "service: `systemctl stop docker-registry`)")
        if shutil.which("docker-registry") is None:
            raise LabError("docker-registry is not installed (apt-get install docker-registry)")
        say(f"starting registry on {address}")
        config = _registry_config(paths, port, auth_file)
        log = paths.log_file(name)
        start_daemon(name, ["docker-registry", "serve", config], pid_file=paths.pid_file(name),
                     log=log)
        wait_until(f"registry {address}", _answers_with(url, expect), timeout=30, log=log)


def _containerd_config(paths: LabPaths) -> Path:
    c = paths.containerd
    config = c / "config.toml"
    # Everything under the lab dir so the engine's own containerd is never touched; CRI
    # is disabled because nothing here runs pods and it would want CNI.
    config.write_text(
        "version = 2\n"
        f'root = "{c / "root"}"\n'
        f'state = "{c / "state"}"\n'
        'disabled_plugins = ["io.containerd.grpc.v1.cri"]\n'
        "[grpc]\n"
        f'  address = "{paths.containerd_socket}"\n'
        "[ttrpc]\n"
        f'  address = "{paths.containerd_socket}.ttrpc"\n'
        "[debug]\n"
        f'  address = "{c / "debug.sock"}"\n'
        "[metrics]\n"
        '  address = ""\n'
        '[plugins."io.containerd.internal.v1.opt"]\n'
        f'  path = "{c / "opt"}"\n'
    )
    return config


def containerd_answers(paths: LabPaths) -> bool:
    return paths.containerd_socket.exists() and succeeds(
        ["ctr", "-a", paths.containerd_socket, "version"], timeout=10)


def ensure_containerd(paths: LabPaths) -> None:
    """A standalone containerd with its own root, state and socket under the lab dir."""
    if containerd_answers(paths):
        return
    if shutil.which("containerd") is None:
        raise LabError("containerd is not installed (apt-get install containerd)")
    say("starting standalone containerd")
    stop_recorded("containerd", paths.pid_file("containerd"))
    paths.containerd_socket.unlink(missing_ok=True)
    log = paths.log_file("containerd")
    start_daemon("containerd", ["containerd", "--config", _containerd_config(paths)],
                 pid_file=paths.pid_file("containerd"), log=log)
    wait_until("containerd", lambda: containerd_answers(paths), timeout=30, log=log)


def podman_env(paths: LabPaths) -> dict[str, str]:
    """Podman settings that work without systemd (file events, cgroupfs)."""
    conf = paths.podman / "containers.conf"
    if not conf.exists():
        paths.podman.mkdir(parents=True, exist_ok=True)
        conf.write_text('[engine]\nevents_logger = "file"\ncgroup_manager = "cgroupfs"\n'
                        f'events_logfile_path = "{paths.podman / "events.log"}"\n')
    return {"CONTAINERS_CONF": str(conf)}


def podman_answers(paths: LabPaths) -> bool:
    return paths.podman_socket.exists() and http_status(
        "/_ping", unix_socket=str(paths.podman_socket)) == 200


def ensure_podman(paths: LabPaths) -> str | None:
    """Start ``podman system service`` on the lab socket. Returns None when podman works,
    else the reason it cannot (recorded in lab.env, never faked)."""
    if shutil.which("podman") is None:
        return "podman is not installed (apt-get install podman)"
    if podman_answers(paths):
        return None
    probe = run(["podman", "info", "--format", "{{.Store.GraphDriverName}}"], check=False,
                env=podman_env(paths), timeout=60)
    if probe.returncode != 0:
        return "`podman info` fails: " + " ".join((probe.stderr or probe.stdout).split())[:300]
    say("starting podman API service")
    stop_recorded("podman", paths.pid_file("podman"))
    paths.podman_socket.unlink(missing_ok=True)
    log = paths.log_file("podman")
    start_daemon("podman", ["podman", "system", "service", "--time=0",
                            f"unix://{paths.podman_socket}"],
                 pid_file=paths.pid_file("podman"), log=log, env=podman_env(paths))
    try:
        wait_until("podman service", lambda: podman_answers(paths), timeout=30, log=log)
    except LabError as exc:
        return str(exc).splitlines()[0]
    return None


def stop_all(paths: LabPaths) -> list[str]:
    """Stop every daemon this lab started (those with a pid file); names stopped."""
    stopped = [name for name in DAEMONS if stop_recorded(name, paths.pid_file(name))]
    paths.containerd_socket.unlink(missing_ok=True)
    paths.podman_socket.unlink(missing_ok=True)
    return stopped


def status_lines(paths: LabPaths) -> list[str]:
    """One line per service: up/down and whether this lab started it."""
    def owner(name: str) -> str:
        pid = recorded_pid(paths.pid_file(name))
        return f"started by lab, pid {pid}" if pid else "not started by lab"

    lines = [f"dockerd        {'up' if docker_answers() else 'DOWN'} ({owner('dockerd')})"]
    for address, name in ((OPEN_REGISTRY, "registry-open"), (AUTH_REGISTRY, "registry-auth")):
        status = http_status(f"http://{address}/v2/")
        lines.append(f"{name:14} {'up' if status else 'DOWN'} "
                     f"(/v2/ -> {status}; {owner(name)})")
    lines.append(f"containerd     {'up' if containerd_answers(paths) else 'DOWN'} "
                 f"({paths.containerd_socket}; {owner('containerd')})")
    lines.append(f"podman         {'up' if podman_answers(paths) else 'DOWN'} "
                 f"({paths.podman_socket}; {owner('podman')})")
    return lines
