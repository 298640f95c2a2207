"""SysV-style start-up: /etc/rc.local, /etc/init.d scripts, /etc/inittab."""

from __future__ import annotations

from collections.abc import Iterator

from seawall.analyzers.backdoor.check_registry import CheckHit, backdoor_check
from seawall.analyzers.backdoor.command_patterns import suspicious_command
from seawall.analyzers.backdoor.scan_context import BackdoorContext
from seawall.model.finding import Severity

RC_LOCAL = ("/etc/rc.local", "/etc/rc.d/rc.local", "/etc/conf.d/local.start",
            "/usr/local/etc/rc.local")
INIT_DIRS = ("/etc/init.d", "/etc/rc.d/init.d", "/usr/local/etc/rc.d")
_GETTY = ("getty", "agetty", "mingetty", "mgetty", "fgetty", "login", "sulogin", "/etc/init.d/rc",
          "/etc/rc", "shutdown", "rc.sysinit", "initctl", "halt", "reboot")
_REMEDIATION = "Remove the command from the boot script; rebuild the image."


@backdoor_check("SW-BD-014", "rc.local runs commands at boot", "medium", ("T1037.004",),
                _REMEDIATION)
def rc_local(ctx: BackdoorContext) -> Iterator[CheckHit]:
    """rc.local with commands other than ``exit 0`` (Debian ships none); payload
    lines are critical."""
    for path in RC_LOCAL:
        reported = False
        for number, line in ctx.logical_lines(path):
            text = line.strip()
            if not text or text.startswith("#") or text in ("exit 0", "exit"):
                continue
            hit = suspicious_command(text)
            if hit:
                yield CheckHit(path, f"runs at boot: {hit.why}", number, line, Severity.CRITICAL)
            elif not reported:
                reported = True
                yield CheckHit(path, "rc.local runs commands as root at boot", number, line)


@backdoor_check("SW-BD-015", "init.d script runs a reverse shell, a download or a temp-dir program",
                "critical", ("T1037",), _REMEDIATION)
def init_script_payloads(ctx: BackdoorContext) -> Iterator[CheckHit]:
    """Payload lines in SysV init scripts."""
    for directory in INIT_DIRS:
        for path in ctx.files_in(directory):
            for number, line in ctx.logical_lines(path):
                hit = suspicious_command(line)
                if hit:
                    yield CheckHit(path, f"init script: {hit.why}", number, line)


@backdoor_check("SW-BD-016", "inittab starts an extra program", "high", ("T1037",),
                "Remove the inittab entry.")
def inittab_entries(ctx: BackdoorContext) -> Iterator[CheckHit]:
    """inittab entries (id:runlevels:action:process) whose process is not a getty or
    the rc machinery; payloads are critical."""
    for number, line in ctx.lines("/etc/inittab"):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        parts = text.split(":", 3)
        if len(parts) != 4 or parts[2] in ("initdefault", "ctrlaltdel", "powerfail",
                                           "powerokwait", "powerfailnow", "kbrequest"):
            continue
        process = parts[3]
        hit = suspicious_command(process)
        if hit:
            yield CheckHit("/etc/inittab", f"init runs: {hit.why}", number, line,
                           Severity.CRITICAL)
        elif process and not any(g in process.split()[0] for g in _GETTY):
            yield CheckHit("/etc/inittab", f"init {parts[2]}s {process.split()[0]}", number, line)
