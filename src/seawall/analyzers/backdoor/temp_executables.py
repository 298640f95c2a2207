"""Executables hidden in world-writable directories (/tmp, /var/tmp, /dev/shm): where
droppers park miners and implants."""

from __future__ import annotations

from collections.abc import Iterator

from seawall.analyzers.backdoor.check_registry import CheckHit, backdoor_check
from seawall.analyzers.backdoor.command_patterns import suspicious_command
from seawall.analyzers.backdoor.scan_context import TEMP_DIRS, BackdoorContext
from seawall.model.finding import Severity

_MAGIC = (b"\x7fELF", b"#!")
#: The hook samples ``git init`` copies from git's templates; git never runs a
#: ``*.sample`` hook, so a clone in /tmp is not a hidden executable.
GIT_SAMPLE_HOOKS = frozenset(f"{name}.sample" for name in (
    "applypatch-msg", "commit-msg", "fsmonitor-watchman", "post-update", "pre-applypatch",
    "pre-commit", "pre-merge-commit", "pre-push", "pre-rebase", "pre-receive",
    "prepare-commit-msg", "push-to-checkout", "sendemail-validate", "update"))


def is_stock_git_sample(ctx: BackdoorContext, path: str) -> bool:
    """A script under ``.git/hooks/`` named like one of git's samples, with no payload
    line in it (a renamed implant or a doctored sample is not exempt)."""
    directory, _, name = path.rpartition("/")
    if not directory.endswith("/.git/hooks") or name not in GIT_SAMPLE_HOOKS:
        return False
    if not (ctx.read_bytes(path, 2) or b"").startswith(b"#!"):
        return False
    return not any(suspicious_command(line) for _, line in ctx.logical_lines(path))


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
        if not executable or (not is_elf and is_stock_git_sample(ctx, path)):
            continue
        rel = next(path[len(t):] for t in TEMP_DIRS if path.startswith(t))
        hidden = any(part.startswith(".") for part in rel.split("/"))
        if hidden:
            yield CheckHit(path, "a hidden " + ("ELF binary" if is_elf else "executable")
                           + " in a world-writable directory", None, f"mode {oct(info.mode)}")
        elif is_elf:
            yield CheckHit(path, "an ELF binary in a world-writable directory", None,
                           f"mode {oct(info.mode)}", Severity.MEDIUM)
