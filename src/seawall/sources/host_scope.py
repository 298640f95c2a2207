"""What a scan of a live host (``seawall rootfs /``) walks, and what it skips by default.

Walking everything under ``/`` on a working machine reads pseudo filesystems (``/proc``,
``/sys``: slow, side effects), every container's layers a second and third time (engine
storage: the images are scanned as images), caches of downloaded artifacts, and network
or removable media. Trivy skips the pseudo filesystems only; a host scan that takes 24
minutes and prints 18,000 lines is not a quick start. The default skips are listed in
the report (``target.skipped``) and on stderr; ``--no-default-skips`` walks them all.
"""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass

#: Filesystem types with no files of their own (kernel state, devices, namespaces).
PSEUDO_FILESYSTEMS = frozenset({
    "proc", "sysfs", "devtmpfs", "devpts", "cgroup", "cgroup2", "securityfs", "debugfs",
    "tracefs", "bpf", "pstore", "configfs", "fusectl", "mqueue", "hugetlbfs", "autofs",
    "binfmt_misc", "efivarfs", "nsfs", "rpc_pipefs", "selinuxfs",
})
#: Network and user-space filesystems: other machines' files, or slow and unbounded.
REMOTE_FILESYSTEMS = frozenset({
    "nfs", "nfs4", "cifs", "smb3", "smbfs", "ceph", "glusterfs", "9p", "afs", "sshfs",
    "davfs", "lustre", "gpfs",
})
#: Container engine storage: the images and containers there are scanned as such.
ENGINE_STORAGE = (
    "/var/lib/docker", "/var/lib/containerd", "/var/lib/containers", "/run/containerd",
    "/run/docker", "/var/lib/kubelet/pods", "/var/lib/rancher/k3s/agent/containerd",
    "/var/lib/lxc", "/var/lib/lxd", "/var/snap/docker",
)
#: Caches of downloaded artifacts (package archives, pip/npm/go caches, seawall's own).
CACHE_DIRS = ("/var/cache", "/root/.cache", "/home/*/.cache")
#: Pseudo paths pruned even where the mount table cannot be read.
ALWAYS_PSEUDO = ("/proc", "/sys", "/dev")


@dataclass(frozen=True)
class SkippedPath:
    """One directory a host scan does not descend into by default."""

    path: str
    """Absolute path on the host."""
    reason: str
    """Why: ``pseudo filesystem (proc)``, ``container engine storage``, ``cache``,
    ``network filesystem (nfs4)``, ``container mount (overlay)``, ``user --skip-dirs``."""


@dataclass(frozen=True)
class MountEntry:
    """One line of ``/proc/self/mountinfo`` (the fields a scan needs)."""

    mount_point: str
    fs_type: str


def _unescape(field: str) -> str:
    """mountinfo escapes space, tab, newline and backslash as ``\\NNN`` octal."""
    out: list[str] = []
    i = 0
    while i < len(field):
        digits = field[i + 1 : i + 4]
        if field[i] == "\\" and len(digits) == 3 and digits.isdigit():
            out.append(chr(int(field[i + 1 : i + 4], 8)))
            i += 4
        else:
            out.append(field[i])
            i += 1
    return "".join(out)


def parse_mountinfo(text: str) -> list[MountEntry]:
    """Mount entries of a ``/proc/<pid>/mountinfo`` text; malformed lines are skipped."""
    entries: list[MountEntry] = []
    for line in text.splitlines():
        fields = line.split(" ")
        try:
            sep = fields.index("-")
        except ValueError:
            continue
        if len(fields) < 5 or sep + 1 >= len(fields):
            continue
        entries.append(MountEntry(_unescape(fields[4]), fields[sep + 1]))
    return entries


def _read_mounts(mountinfo_path: str) -> list[MountEntry]:
    try:
        with open(mountinfo_path, encoding="utf-8", errors="surrogateescape") as fh:
            return parse_mountinfo(fh.read())
    except OSError:
        return []


def _covered(path: str, chosen: list[SkippedPath]) -> bool:
    return any(path == s.path or path.startswith(s.path.rstrip("/") + "/") for s in chosen)


def default_host_skips(
    mountinfo_path: str = "/proc/self/mountinfo", cache_dir: str | None = None
) -> list[SkippedPath]:
    """The paths a scan of this host's ``/`` skips by default, outermost first."""
    candidates: list[SkippedPath] = [SkippedPath(p, "pseudo filesystem") for p in ALWAYS_PSEUDO]
    for mount in _read_mounts(mountinfo_path):
        point, fs_type = mount.mount_point, mount.fs_type
        base_type = fs_type.split(".", 1)[0]
        if point == "/":
            continue
        if fs_type in PSEUDO_FILESYSTEMS:
            candidates.append(SkippedPath(point, f"pseudo filesystem ({fs_type})"))
        elif fs_type in REMOTE_FILESYSTEMS or (base_type == "fuse" and fs_type != "fuse"):
            candidates.append(SkippedPath(point, f"network or user-space filesystem ({fs_type})"))
        elif fs_type == "overlay":
            candidates.append(SkippedPath(point, "container mount (overlay)"))
        elif point.startswith(("/media/", "/run/media/")):
            candidates.append(SkippedPath(point, f"removable media ({fs_type})"))
    candidates += [SkippedPath(p, "container engine storage") for p in ENGINE_STORAGE
                   if os.path.isdir(p)]
    for pattern in CACHE_DIRS:
        candidates += [SkippedPath(p, "cache") for p in sorted(glob.glob(pattern))
                       if os.path.isdir(p)]
    if cache_dir and os.path.isdir(cache_dir):
        candidates.append(SkippedPath(os.path.realpath(cache_dir), "seawall cache"))
    chosen: list[SkippedPath] = []
    for skip in sorted(candidates, key=lambda s: (s.path.count("/"), s.path)):
        if not _covered(skip.path, chosen):
            chosen.append(skip)
    return chosen


def user_skips(skip_dirs: tuple[str, ...]) -> list[SkippedPath]:
    """``--skip-dirs`` values (repeatable, comma-separated) as skips: paths inside the
    scanned root, absolute or relative to it."""
    out: list[SkippedPath] = []
    for raw in skip_dirs:
        for part in raw.split(","):
            part = part.strip()
            if part:
                out.append(SkippedPath("/" + part.strip("/"), "user --skip-dirs"))
    return out
