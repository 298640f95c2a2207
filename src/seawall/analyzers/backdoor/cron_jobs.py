"""Scheduled jobs: system and user crontabs, cron.* script dirs, anacron, at jobs."""

from __future__ import annotations

from collections.abc import Iterator

from seawall.analyzers.backdoor.check_registry import CheckHit, backdoor_check
from seawall.analyzers.backdoor.command_patterns import suspicious_command
from seawall.analyzers.backdoor.scan_context import BackdoorContext

SYSTEM_CRONTABS = ("/etc/crontab",)
SYSTEM_CRON_DIRS = ("/etc/cron.d",)
USER_CRON_DIRS = ("/var/spool/cron/crontabs", "/var/spool/cron", "/var/spool/cron/tabs")
SCRIPT_DIRS = ("/etc/cron.hourly", "/etc/cron.daily", "/etc/cron.weekly", "/etc/cron.monthly",
               "/etc/cron.yearly")
AT_DIRS = ("/var/spool/cron/atjobs", "/var/spool/at")
ANACRONTAB = "/etc/anacrontab"
_REMEDIATION = "Remove the job (or the file) unless you put it there on purpose; rebuild the image."


def cron_command(line: str, has_user: bool) -> str | None:
    """The command part of a crontab line, or None for comments/variables/blank."""
    text = line.strip()
    if not text or text.startswith("#"):
        return None
    fields = text.split()
    if "=" in fields[0] and not fields[0].startswith(("@", "*")) and not fields[0][0].isdigit():
        return None  # VAR=value
    skip = 1 if fields[0].startswith("@") else 5
    skip += 1 if has_user else 0
    if len(fields) <= skip:
        return None
    return " ".join(fields[skip:])


def _crontabs(ctx: BackdoorContext) -> Iterator[tuple[str, bool]]:
    for path in SYSTEM_CRONTABS:
        if ctx.is_file(path):
            yield path, True
    for directory in SYSTEM_CRON_DIRS:
        for path in ctx.files_in(directory):
            yield path, True
    for path in _user_crontabs(ctx):
        yield path, False


def _user_crontabs(ctx: BackdoorContext) -> list[str]:
    seen: list[str] = []
    for directory in USER_CRON_DIRS:
        for path in ctx.files_in(directory):
            if path not in seen and not path.endswith((".lock", ".pid")):
                seen.append(path)
    return seen


@backdoor_check("SW-BD-001", "Cron job runs a reverse shell, a download or a temp-dir program",
                "critical", ("T1053.003",), _REMEDIATION)
def suspicious_cron_jobs(ctx: BackdoorContext) -> Iterator[CheckHit]:
    """Every crontab line (system, /etc/cron.d, user spools, anacrontab, at jobs) and
    every line of the cron.{hourly,daily,...} scripts."""
    for path, has_user in _crontabs(ctx):
        for number, line in ctx.lines(path):
            command = cron_command(line, has_user)
            hit = suspicious_command(command) if command else None
            if hit:
                yield CheckHit(path, f"cron job: {hit.why}", number, line)
    for number, line in ctx.lines(ANACRONTAB):
        fields = line.split(None, 3)
        if len(fields) == 4 and not line.lstrip().startswith("#") and "=" not in fields[0]:
            hit = suspicious_command(fields[3])
            if hit:
                yield CheckHit(ANACRONTAB, f"anacron job: {hit.why}", number, line)
    scripts = [p for d in SCRIPT_DIRS for p in ctx.files_in(d)]
    scripts += [p for d in AT_DIRS for p in ctx.files_in(d)]
    for path in scripts:
        for number, line in ctx.logical_lines(path):
            hit = suspicious_command(line)
            if hit:
                yield CheckHit(path, f"scheduled script: {hit.why}", number, line)


@backdoor_check("SW-BD-002", "User crontab or at job baked into the image", "medium",
                ("T1053.003", "T1053.002"), _REMEDIATION)
def user_crontab_present(ctx: BackdoorContext) -> Iterator[CheckHit]:
    """A per-user crontab or queued at job in an image: images do not normally carry
    any, so each one is persistence someone added."""
    for path in _user_crontabs(ctx):
        for number, line in ctx.lines(path):
            if cron_command(line, has_user=False):
                yield CheckHit(path, "a user crontab with jobs ships in the image", number, line)
                break
    for directory in AT_DIRS:
        for path in ctx.files_in(directory):
            if not path.rsplit("/", 1)[-1].startswith("."):
                yield CheckHit(path, "a queued at job ships in the image")
