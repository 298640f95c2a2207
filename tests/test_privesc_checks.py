"""privesc over a real temporary rootfs: setuid list, sudoers, capabilities,
writable auth files, PATH, docker group; malformed input never crashes."""

from __future__ import annotations

import os
import shutil
import struct
from pathlib import Path

import pytest

from seawall import open_rootfs
from seawall.analyzers.privesc.capabilities import decode_capabilities
from seawall.analyzers.privesc.sudoers import audit_sudoers
from seawall.analyzers.privesc.suid_catalog import lookup, suid_catalog
from seawall.model.report import Report
from seawall.scanning import ScanOptions
from seawall.scanning.driver import scan_target

TRUE = shutil.which("true") or "/bin/true"


def cap_xattr(bits: int, effective: bool = True, revision: int = 2) -> bytes:
    magic = (revision << 24) | (1 if effective else 0)
    return struct.pack("<IIIII", magic, bits & 0xFFFFFFFF, 0, bits >> 32, 0)


def binary(root: Path, path: str, mode: int) -> Path:
    p = root / path.lstrip("/")
    p.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(TRUE, p)
    os.chmod(p, mode)
    return p


def scan(root: Path) -> Report:
    with open_rootfs(str(root)) as target:
        return scan_target(target, ["privesc"], options=ScanOptions(use_cache=False))


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    root = tmp_path_factory.mktemp("pe")
    binary(root, "/usr/bin/find", 0o4755)
    binary(root, "/usr/bin/passwd", 0o4755)
    binary(root, "/usr/bin/mystery", 0o4755)
    binary(root, "/usr/bin/python3.11", 0o755)
    binary(root, "/usr/bin/ping", 0o755)
    try:
        os.setxattr(root / "usr/bin/python3.11", "security.capability", cap_xattr(1 << 7))
        os.setxattr(root / "usr/bin/ping", "security.capability", cap_xattr(1 << 13))
    except PermissionError:
        pytest.skip("setting security.capability needs CAP_SETFCAP")
    (root / "etc/sudoers.d").mkdir(parents=True)
    (root / "etc/sudoers").write_text("Defaults env_reset\nroot ALL=(ALL:ALL) ALL\n"
                                      "%sudo ALL=(ALL:ALL) ALL\n#includedir /etc/sudoers.d\n")
    (root / "etc/sudoers.d/app").write_text(
        "bob ALL=(ALL) NOPASSWD: ALL\nalice ALL=(root) NOPASSWD: /usr/bin/vim\n"
        "carol ALL=(root) NOPASSWD: /usr/bin/journalctl -u app*, \\\n  /usr/bin/cat /var/log/*\n"
        "Defaults:dave !authenticate\nthis is not a rule\n")
    (root / "etc/group").write_text("root:x:0:\ndocker:x:999:alice,bob\nbad\n")
    (root / "etc/passwd").write_text("root:x:0:0::/root:/bin/sh\n")
    os.chmod(root / "etc/passwd", 0o666)
    (root / "etc/shadow").write_text("root:*:1::::::\n")
    os.chmod(root / "etc/shadow", 0o644)
    (root / "usr/local/bin").mkdir(parents=True)
    (root / "usr/local/bin/run.sh").write_text("#!/bin/sh\n")
    os.chmod(root / "usr/local/bin/run.sh", 0o777)
    (root / "srv/ww").mkdir(parents=True)
    (root / "srv/ww/x").write_text("x")
    os.chmod(root / "srv/ww/x", 0o666)  # world-writable but not in PATH
    return scan(root)


def rules(report: Report) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for f in report.findings:
        out.setdefault(f.rule_id, set()).add(f.location.path or "")
    return out


def test_setuid_binaries_are_classified(report: Report) -> None:
    r = rules(report)
    assert r["SW-PE-SUID-001"] == {"/usr/bin/find"}
    assert r["SW-PE-SUID-002"] == {"/usr/bin/passwd"}
    assert r["SW-PE-SUID-003"] == {"/usr/bin/mystery"}
    find = next(f for f in report.findings if f.rule_id == "SW-PE-SUID-001")
    assert find.severity.value == "high" and "-exec /bin/sh -p" in find.extra["hint"]


def test_capabilities_on_interpreters_are_high(report: Report) -> None:
    caps = {f.location.path: f for f in report.findings if f.rule_id.startswith("SW-PE-CAP")}
    assert caps["/usr/bin/python3.11"].rule_id == "SW-PE-CAP-001"
    assert caps["/usr/bin/python3.11"].evidence == "cap_setuid=ep"
    assert caps["/usr/bin/ping"].severity.value == "info"
    assert not report.errors


def test_sudoers_rules(report: Report) -> None:
    sudo = [(f.rule_id, f.location.line) for f in report.findings
            if f.location.path == "/etc/sudoers.d/app"]
    assert ("SW-PE-SUDO-001", 1) in sudo
    assert ("SW-PE-SUDO-002", 2) in sudo
    assert ("SW-PE-SUDO-002", 3) in sudo  # journalctl (pager -> shell), continued line
    assert ("SW-PE-SUDO-003", 5) in sudo
    assert not [f for f in report.findings if f.location.path == "/etc/sudoers"]


def test_files_groups_and_path(report: Report) -> None:
    r = rules(report)
    assert r["SW-PE-FILE-001"] == {"/etc/passwd"}
    assert r["SW-PE-FILE-002"] == {"/etc/shadow"}
    assert r["SW-PE-PATH-001"] == {"/usr/local/bin/run.sh"}
    members = {f.evidence for f in report.findings if f.rule_id == "SW-PE-GROUP-001"}
    assert members == {"docker:alice", "docker:bob"}


def test_capability_decoding_and_catalog() -> None:
    caps = decode_capabilities(cap_xattr((1 << 7) | (1 << 21) | (1 << 40), revision=3) + b"\0" * 4)
    assert caps.permitted == ("cap_setuid", "cap_sys_admin", "cap_checkpoint_restore")
    assert caps.effective and caps.rootid == 0
    for raw in (b"", b"\x00\x00\x00\x02", b"\x00\x00\x00\x07" + b"\0" * 16):
        with pytest.raises(ValueError):
            decode_capabilities(raw)
    assert len(suid_catalog()) > 100
    entry = lookup("python3.12")
    assert entry is not None and entry.risk == "high"
    assert audit_sudoers("garbage\n\\\n=\n") == []
