"""systemd persistence: units whose Exec* run payloads, timers and generators that no
package installed, per-user units baked into home directories."""

from __future__ import annotations

import re
from collections.abc import Iterator

from seawall.analyzers.backdoor.check_registry import CheckHit, backdoor_check
from seawall.analyzers.backdoor.command_patterns import suspicious_command
from seawall.analyzers.backdoor.scan_context import BackdoorContext

UNIT_DIRS = ("/etc/systemd/system", "/usr/lib/systemd/system", "/lib/systemd/system",
             "/usr/local/lib/systemd/system", "/etc/systemd/user", "/usr/lib/systemd/user",
             "/usr/local/lib/systemd/user")
GENERATOR_DIRS = ("/etc/systemd/system-generators", "/usr/local/lib/systemd/system-generators",
                  "/usr/lib/systemd/system-generators", "/lib/systemd/system-generators",
                  "/etc/systemd/user-generators", "/usr/local/lib/systemd/user-generators",
                  "/usr/lib/systemd/user-generators")
_EXEC = re.compile(r"^\s*(Exec\w*)\s*=\s*(.+)$")
_UNIT_SUFFIXES = (".service", ".timer", ".socket", ".path", ".conf")
_REMEDIATION = "Remove the unit (and its enablement symlinks) unless a package you trust owns it."


def unit_files(ctx: BackdoorContext) -> list[str]:
    """Regular unit files and drop-ins in system dirs and users' ~/.config/systemd/user."""
    dirs = list(UNIT_DIRS) + [f"{h.rstrip('/')}/.config/systemd/user" for h in ctx.home_dirs]
    out = []
    for directory in dirs:
        for path in ctx.files_in(directory, recursive=True):
            info = ctx.info(path)
            if info is not None and info.is_file() and path.endswith(_UNIT_SUFFIXES):
                out.append(path)
    return list(dict.fromkeys(out))


@backdoor_check("SW-BD-010", "systemd unit runs a reverse shell, a download or a temp-dir program",
                "critical", ("T1543.002",), _REMEDIATION)
def unit_payloads(ctx: BackdoorContext) -> Iterator[CheckHit]:
    """Exec*= lines of every unit and drop-in."""
    for path in unit_files(ctx):
        for number, line in ctx.logical_lines(path):
            match = _EXEC.match(line)
            if not match:
                continue
            command = match.group(2).lstrip("-@+!:")
            hit = suspicious_command(command)
            if hit:
                yield CheckHit(path, f"{match.group(1)}: {hit.why}", number, line)


@backdoor_check("SW-BD-011", "systemd timer not installed by any package", "medium",
                ("T1053.006",), _REMEDIATION)
def unowned_timers(ctx: BackdoorContext) -> Iterator[CheckHit]:
    """``*.timer`` units no package owns (scheduled persistence, cron's successor)."""
    for path in unit_files(ctx):
        if path.endswith(".timer") and ctx.unowned(path):
            service = path[:-len(".timer")] + ".service"
            exec_line = next((line.strip() for _, line in ctx.lines(service)
                              if _EXEC.match(line)), None)
            yield CheckHit(path, "a timer added outside the package manager"
                           + (f" starts {service}" if exec_line else ""), None, exec_line)


@backdoor_check("SW-BD-012", "systemd generator not installed by any package", "high",
                ("T1543.002",), "Remove the generator; generators run as root early at boot.")
def unowned_generators(ctx: BackdoorContext) -> Iterator[CheckHit]:
    """Generators run as root at every boot and daemon-reload, before units start."""
    for directory in GENERATOR_DIRS:
        for path in ctx.files_in(directory):
            if ctx.unowned(path) or any(suspicious_command(line) for _, line in ctx.lines(path)):
                yield CheckHit(path, "an executable run by systemd at every boot and "
                               "daemon-reload, added outside the package manager")


@backdoor_check("SW-BD-013", "Per-user systemd unit baked into a home directory", "medium",
                ("T1543.002",), _REMEDIATION)
def user_units(ctx: BackdoorContext) -> Iterator[CheckHit]:
    """~/.config/systemd/user units start with the user's session (lingering users
    even without a login)."""
    for home in ctx.home_dirs:
        for path in ctx.files_in(f"{home.rstrip('/')}/.config/systemd/user", recursive=True):
            if path.endswith((".service", ".timer")):
                exec_line = next((line.strip() for _, line in ctx.lines(path)
                                  if _EXEC.match(line)), None)
                yield CheckHit(path, "a user unit ships in the image", None, exec_line)
