"""Git hooks left in images: they run for whoever uses the repository next."""

from __future__ import annotations

from collections.abc import Iterator

from seawall.analyzers.backdoor.check_registry import CheckHit, backdoor_check
from seawall.analyzers.backdoor.command_patterns import suspicious_command
from seawall.analyzers.backdoor.scan_context import BackdoorContext
from seawall.model.finding import Severity


@backdoor_check("SW-BD-036", "Active git hook in the image", "medium", ("T1546",),
                "Remove .git directories from images (.dockerignore), or the hook.")
def git_hooks(ctx: BackdoorContext) -> Iterator[CheckHit]:
    """Executable hooks other than git's ``*.sample`` files; payloads are critical."""
    for path in ctx.candidates.get("git-hook", []):
        info = ctx.info(path)
        if info is None or path.endswith(".sample") or not info.mode & 0o111:
            continue
        payload = next(((n, line) for n, line in ctx.logical_lines(path)
                        if suspicious_command(line)), None)
        if payload:
            cmd = suspicious_command(payload[1])
            yield CheckHit(path, f"git hook: {cmd.why if cmd else 'payload'}", payload[0],
                           payload[1], Severity.CRITICAL)
        else:
            yield CheckHit(path, f"git runs the {info.name} hook in this repository")
