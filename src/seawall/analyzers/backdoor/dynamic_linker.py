"""Dynamic-linker hijacks: /etc/ld.so.preload, ld.so.conf search paths, LD_PRELOAD in
the image environment."""

from __future__ import annotations

from collections.abc import Iterator

from seawall.analyzers.backdoor.check_registry import CheckHit, backdoor_check
from seawall.analyzers.backdoor.scan_context import TEMP_DIRS, BackdoorContext

PRELOAD_VARS = ("LD_PRELOAD", "LD_AUDIT", "LD_AOUT_PRELOAD", "LD_ELF_PRELOAD")


def _odd_directory(path: str) -> bool:
    """World-writable, hidden or home directories have no business in a linker path."""
    parts = [p for p in path.split("/") if p]
    return (path.rstrip("/") + "/").startswith(TEMP_DIRS) or any(p.startswith(".") for p in parts) \
        or path.startswith(("/home/", "/root"))


@backdoor_check("SW-BD-003", "/etc/ld.so.preload loads a library into every process", "critical",
                ("T1574.006",), "Empty /etc/ld.so.preload and remove the library it names.")
def ld_so_preload(ctx: BackdoorContext) -> Iterator[CheckHit]:
    """Any active line of /etc/ld.so.preload (no distribution ships one)."""
    for number, line in ctx.lines("/etc/ld.so.preload"):
        entry = line.split("#", 1)[0].strip()
        if entry:
            yield CheckHit("/etc/ld.so.preload", f"preloads {entry} into every dynamically "
                           "linked program (user-land rootkit technique)", number, line)


@backdoor_check("SW-BD-004", "Linker search path points at a writable or hidden directory",
                "high", ("T1574.006",), "Remove the entry from /etc/ld.so.conf(.d).")
def ld_so_conf_paths(ctx: BackdoorContext) -> Iterator[CheckHit]:
    """/etc/ld.so.conf and /etc/ld.so.conf.d/*.conf entries in temp, hidden or home dirs."""
    files = ["/etc/ld.so.conf", *ctx.files_in("/etc/ld.so.conf.d")]
    for path in files:
        for number, line in ctx.lines(path):
            entry = line.split("#", 1)[0].strip()
            if entry and not entry.startswith("include") and _odd_directory(entry):
                yield CheckHit(path, f"libraries are searched first in {entry}", number, line)


@backdoor_check("SW-BD-005", "LD_PRELOAD/LD_AUDIT set for every process", "high",
                ("T1574.006",), "Remove the variable from the image config or /etc/environment.")
def preload_environment(ctx: BackdoorContext) -> Iterator[CheckHit]:
    """LD_PRELOAD-style variables in the image/container Env or /etc/environment."""
    for item in ctx.image_env:
        key, _, value = item.partition("=")
        if key in PRELOAD_VARS and value.strip():
            yield CheckHit("(image config Env)", f"{key} makes every process load {value}",
                           None, item)
    for number, line in ctx.lines("/etc/environment"):
        text = line.strip().removeprefix("export ").strip()
        key, _, value = text.partition("=")
        if key.strip() in PRELOAD_VARS and value.strip():
            yield CheckHit("/etc/environment", f"{key.strip()} is set for every login session",
                           number, line)
