"""Executables hidden in world-writable directories (/tmp, /var/tmp, /dev/shm): where
droppers park miners and implants."""

from __future__ import annotations

from collections.abc import Iterator

from seawall.analyzers.backdoor.check_registry import CheckHit, backdoor_check
from seawall.analyzers.backdoor.scan_context import TEMP_DIRS, BackdoorContext
from seawall.model.finding import Severity

_MAGIC = (b"\x7fELF", b"#!")


@backdoor_check("SW-BD-037", "Hidden executable in /tmp, /var/tmp or /dev/shm", "high",
                ("T1564.001",), "Delete it; temp directories in images should be empty.")
def hidden_temp_executables(ctx: BackdoorContext) -> Iterator[CheckHit]:
    """Executables (mode bit or ELF/script magic) with a dot-name or under a dot-dir
    in temp dirs are high; visible ELF binaries there are medium."""
    for path in ctx.candidates.get("temp", []):
        info = ctx.info(path)
        if info is None or not info.is_file():
            continue
        head = ctx.read_bytes(path, 4) or b""
        is_elf = head.startswith(b"\x7fELF")
        executable = bool(info.mode & 0o111) or head.startswith(_MAGIC)
        if not executable:
            continue
        rel = next(path[len(t):] for t in TEMP_DIRS if path.startswith(t))
        hidden = any(part.startswith(".") for part in rel.split("/"))
        if hidden:
            yield CheckHit(path, "a hidden " + ("ELF binary" if is_elf else "executable")
                           + " in a world-writable directory", None, f"mode {oct(info.mode)}")
        elif is_elf:
            yield CheckHit(path, "an ELF binary in a world-writable directory", None,
                           f"mode {oct(info.mode)}", Severity.MEDIUM)
