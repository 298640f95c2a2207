"""Processes of a container read from a procfs (the host's ``/proc``, or
``<host-root>/proc`` in parallel-container mode).

A process belongs to a container when its ``/proc/<pid>/cgroup`` mentions the
container ID: cgroupfs (``/docker/<id>``), systemd (``docker-<id>.scope``) and
podman's ``libpod-<id>.scope`` all embed it, under cgroup v1 and v2 alike.
"""

from __future__ import annotations

import contextlib
import os
import pwd

from seawall.sources.interface import ProcessInfo


def _read(path: str, limit: int = 1 << 20) -> bytes | None:
    try:
        with open(path, "rb") as fh:
            return fh.read(limit)
    except OSError:
        return None


def _status_fields(proc_root: str, pid: int) -> dict[str, str]:
    raw = _read(os.path.join(proc_root, str(pid), "status")) or b""
    fields = {}
    for line in raw.decode("utf-8", "replace").splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return fields


def _user_name(uid: int) -> str:
    # Names come from the scanning host's passwd; inside a user namespace or a
    # container with its own /etc/passwd they may differ, so numeric IDs stay exact.
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def read_process(proc_root: str, pid: int) -> ProcessInfo | None:
    """One process, or None when it vanished (processes come and go while we read)."""
    cmdline = _read(os.path.join(proc_root, str(pid), "cmdline"))
    status = _status_fields(proc_root, pid)
    if cmdline is None or not status:
        return None
    argv = [a.decode("utf-8", "replace") for a in cmdline.split(b"\0") if a]
    if not argv:
        argv = [f"[{status.get('Name', '?')}]"]  # kernel thread or zombie
    uid = int((status.get("Uid") or "0").split()[0])
    exe = None
    with contextlib.suppress(OSError):
        exe = os.readlink(os.path.join(proc_root, str(pid), "exe"))
    return ProcessInfo(
        pid=pid,
        ppid=int(status.get("PPid") or 0),
        user=_user_name(uid),
        cmdline=argv,
        exe=exe,
    )


def pids_of_container(proc_root: str, container_id: str) -> list[int]:
    """Host PIDs whose cgroup names ``container_id``."""
    marker = container_id.encode()
    pids = []
    try:
        names = os.listdir(proc_root)
    except OSError:
        return []
    for name in names:
        if not name.isdigit():
            continue
        cgroup = _read(os.path.join(proc_root, name, "cgroup"), 64 * 1024)
        if cgroup and marker in cgroup:
            pids.append(int(name))
    return sorted(pids)


def container_processes(proc_root: str, pids: list[int]) -> list[ProcessInfo]:
    """ProcessInfo of each still-living pid."""
    found = (read_process(proc_root, pid) for pid in pids)
    return [p for p in found if p is not None]
