"""Decoding ``security.capability`` (struct vfs_cap_data, linux/capability.h)."""

from __future__ import annotations

import struct
from dataclasses import dataclass

VFS_CAP_REVISION_MASK = 0xFF000000
VFS_CAP_FLAGS_EFFECTIVE = 0x000001
VFS_CAP_REVISION_1 = 0x01000000
VFS_CAP_REVISION_2 = 0x02000000
VFS_CAP_REVISION_3 = 0x03000000

CAP_NAMES = (
    "cap_chown", "cap_dac_override", "cap_dac_read_search", "cap_fowner", "cap_fsetid",
    "cap_kill", "cap_setgid", "cap_setuid", "cap_setpcap", "cap_linux_immutable",
    "cap_net_bind_service", "cap_net_broadcast", "cap_net_admin", "cap_net_raw",
    "cap_ipc_lock", "cap_ipc_owner", "cap_sys_module", "cap_sys_rawio", "cap_sys_chroot",
    "cap_sys_ptrace", "cap_sys_pacct", "cap_sys_admin", "cap_sys_boot", "cap_sys_nice",
    "cap_sys_resource", "cap_sys_time", "cap_sys_tty_config", "cap_mknod", "cap_lease",
    "cap_audit_write", "cap_audit_control", "cap_setfcap", "cap_mac_override",
    "cap_mac_admin", "cap_syslog", "cap_wake_alarm", "cap_block_suspend", "cap_audit_read",
    "cap_perfmon", "cap_bpf", "cap_checkpoint_restore",
)

#: Capabilities that lead to root (or to reading/writing any file) on their own.
DANGEROUS = frozenset({
    "cap_setuid", "cap_setgid", "cap_dac_override", "cap_dac_read_search", "cap_sys_admin",
    "cap_sys_ptrace", "cap_sys_module", "cap_chown", "cap_fowner", "cap_setfcap",
    "cap_setpcap", "cap_sys_rawio", "cap_bpf", "cap_mknod",
})


@dataclass(frozen=True)
class FileCapabilities:
    """Decoded file capabilities."""

    permitted: tuple[str, ...]
    inheritable: tuple[str, ...]
    effective: bool
    """The effective flag: permitted caps are raised at exec."""
    rootid: int | None = None
    """Namespace root uid (revision 3 only)."""

    def text(self) -> str:
        """getcap-like ``cap_a,cap_b=ep``."""
        flags = "e" if self.effective else ""
        return f"{','.join(self.permitted)}={flags}p" if self.permitted else "(none)"


def _names(bits: int) -> tuple[str, ...]:
    return tuple(name for i, name in enumerate(CAP_NAMES) if bits >> i & 1) + tuple(
        f"cap_{i}" for i in range(len(CAP_NAMES), 64) if bits >> i & 1)


def decode_capabilities(raw: bytes) -> FileCapabilities:
    """Parse the xattr value; ``ValueError`` for unknown revisions or short data."""
    if len(raw) < 4:
        raise ValueError("security.capability shorter than its header")
    (magic,) = struct.unpack_from("<I", raw)
    revision = magic & VFS_CAP_REVISION_MASK
    effective = bool(magic & VFS_CAP_FLAGS_EFFECTIVE)
    if revision == VFS_CAP_REVISION_1:
        if len(raw) < 12:
            raise ValueError("security.capability v1 truncated")
        permitted, inheritable = struct.unpack_from("<II", raw, 4)
        return FileCapabilities(_names(permitted), _names(inheritable), effective)
    if revision in (VFS_CAP_REVISION_2, VFS_CAP_REVISION_3):
        if len(raw) < 20:
            raise ValueError("security.capability v2/v3 truncated")
        p0, i0, p1, i1 = struct.unpack_from("<IIII", raw, 4)
        rootid = None
        if revision == VFS_CAP_REVISION_3:
            if len(raw) < 24:
                raise ValueError("security.capability v3 truncated")
            (rootid,) = struct.unpack_from("<I", raw, 20)
        return FileCapabilities(_names(p0 | p1 << 32), _names(i0 | i1 << 32), effective, rootid)
    raise ValueError(f"unknown security.capability revision 0x{revision:08x}")
