"""setuid/setgid copies of shells and interpreters: the oldest local backdoor."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

from seawall.analyzers.backdoor.check_registry import CheckHit, backdoor_check
from seawall.analyzers.backdoor.scan_context import BackdoorContext

SHELL_NAMES = ("sh", "bash", "dash", "zsh", "ksh", "mksh", "csh", "tcsh", "fish", "ash",
               "busybox", "python", "python2", "python3", "perl", "ruby", "php", "node", "lua")
REFERENCE_BINARIES = ("/bin/sh", "/bin/bash", "/bin/dash", "/bin/zsh", "/bin/ksh", "/bin/busybox",
                      "/usr/bin/python3", "/usr/bin/perl", "/usr/bin/ruby", "/usr/bin/php",
                      "/usr/bin/node")
MAX_HASH_BYTES = 64 * 1024 * 1024


def _looks_like_interpreter(name: str) -> bool:
    base = name.split(".")[0] if name.startswith("python") else name
    return base in SHELL_NAMES or any(name.startswith(p) and name[len(p):].replace(".", "")
                                      .isdigit() for p in ("python", "perl", "php", "ruby", "lua"))


@backdoor_check("SW-BD-029", "setuid/setgid copy of a shell or interpreter", "critical",
                ("T1548.001",), "Remove the file, or clear its setuid/setgid bits.")
def setuid_shell_copies(ctx: BackdoorContext) -> Iterator[CheckHit]:
    """A setuid/setgid file named like a shell or interpreter, or byte-identical to
    one of the image's shells under another name."""
    refs: dict[tuple[int, str], str] = {}
    sizes = set()
    for ref in REFERENCE_BINARIES:
        data = ctx.read_bytes(ref, MAX_HASH_BYTES)
        if data:
            refs[(len(data), hashlib.sha256(data).hexdigest())] = ref
            sizes.add(len(data))
    for path in ctx.candidates.get("setuid", []):
        info = ctx.info(path)
        if info is None:
            continue
        bits = "setuid" if info.mode & 0o4000 else "setgid"
        if _looks_like_interpreter(info.name):
            yield CheckHit(path, f"{bits} {info.name}: runs anything as the file's owner "
                           f"(uid {info.uid})", None, f"mode {oct(info.mode)}")
            continue
        if info.size in sizes:
            data = ctx.read_bytes(path, MAX_HASH_BYTES) or b""
            same = refs.get((len(data), hashlib.sha256(data).hexdigest()))
            if same:
                yield CheckHit(path, f"{bits} copy of {same}", None, f"mode {oct(info.mode)}")
