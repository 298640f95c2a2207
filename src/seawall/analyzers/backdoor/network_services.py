"""Super-server and TCP wrapper persistence: inetd, xinetd, hosts.allow/deny."""

from __future__ import annotations

import re
from collections.abc import Iterator

from seawall.analyzers.backdoor.check_registry import CheckHit, backdoor_check
from seawall.analyzers.backdoor.command_patterns import suspicious_command
from seawall.analyzers.backdoor.scan_context import TEMP_DIRS, BackdoorContext
from seawall.model.finding import Severity

SHELLS = re.compile(r"(?:^|/)(?:ba|da|z|k|c|tc)?sh$")
_XINETD_ATTR = re.compile(r"^\s*(\w+)\s*[+-]?=\s*(.*?)\s*$")
_REMEDIATION = "Remove the service entry; containers should not run a super-server."


def _shell_or_temp(program: str) -> bool:
    return bool(SHELLS.search(program)) or program.startswith(TEMP_DIRS)


@backdoor_check("SW-BD-017", "inetd serves a network service", "medium", ("T1543",),
                _REMEDIATION)
def inetd_services(ctx: BackdoorContext) -> Iterator[CheckHit]:
    """Active /etc/inetd.conf lines; a shell or temp-dir server is a bind shell."""
    paths = ["/etc/inetd.conf", *ctx.files_in("/etc/inetd.d")]
    for path in paths:
        for number, line in ctx.lines(path):
            fields = line.split()
            if len(fields) < 6 or line.lstrip().startswith("#"):
                continue
            program = fields[5]
            args = " ".join(fields[6:])
            if _shell_or_temp(program) or SHELLS.search(args.split()[0] if args else ""):
                yield CheckHit(path, f"port {fields[0]} is served by {program}: a bind shell",
                               number, line, Severity.CRITICAL)
            else:
                yield CheckHit(path, f"inetd serves {fields[0]} with {program}", number, line)


@backdoor_check("SW-BD-018", "xinetd service runs a shell or a temp-dir program", "critical",
                ("T1543",), _REMEDIATION)
def xinetd_services(ctx: BackdoorContext) -> Iterator[CheckHit]:
    """Enabled xinetd services whose ``server`` is a shell, lives in a temp dir, or
    whose ``server_args`` carry a payload."""
    for path in ["/etc/xinetd.conf", *ctx.files_in("/etc/xinetd.d")]:
        attrs: dict[str, tuple[int, str]] = {}
        for number, line in ctx.lines(path):
            stripped = line.split("#", 1)[0].strip()
            if stripped.startswith("service"):
                attrs = {}
            elif stripped == "}":
                yield from _xinetd_block(path, attrs)
                attrs = {}
            elif match := _XINETD_ATTR.match(stripped):
                attrs[match.group(1).lower()] = (number, match.group(2))


def _xinetd_block(path: str, attrs: dict[str, tuple[int, str]]) -> Iterator[CheckHit]:
    if attrs.get("disable", (0, "no"))[1].lower() == "yes" or "server" not in attrs:
        return
    number, server = attrs["server"]
    args = attrs.get("server_args", (0, ""))[1]
    if _shell_or_temp(server) or suspicious_command(f"{server} {args}"):
        yield CheckHit(path, f"xinetd hands connections to {server} {args}".strip(), number,
                       f"server = {server}")


@backdoor_check("SW-BD-019", "TCP wrappers run a command on connection (spawn/twist/aclexec)",
                "high", ("T1546",), "Remove the spawn/twist/aclexec option from hosts.allow/deny.")
def tcp_wrapper_commands(ctx: BackdoorContext) -> Iterator[CheckHit]:
    """hosts.allow/deny options that execute commands when a client connects."""
    for path in ("/etc/hosts.allow", "/etc/hosts.deny"):
        for number, line in ctx.logical_lines(path):
            text = line.split("#", 1)[0]
            match = re.search(r":\s*(spawn|twist|aclexec)\s+(.+)$", text, re.I)
            if match:
                severe = suspicious_command(match.group(2)) or _shell_or_temp(
                    match.group(2).split()[0])
                yield CheckHit(path, f"{match.group(1)} runs '{match.group(2)[:80]}' for "
                               "matching connections", number, line,
                               Severity.CRITICAL if severe else None)
