"""sudoers rules that hand out root too easily: ``NOPASSWD``, ``ALL`` commands,
wildcards in command arguments, ``!authenticate`` defaults, and GTFOBins commands."""

from __future__ import annotations

import re
from dataclasses import dataclass

from seawall.analyzers.privesc.suid_catalog import lookup

_ALIAS = re.compile(r"^(User_Alias|Runas_Alias|Host_Alias|Cmnd_Alias|Cmd_Alias)\b")
_TAG = re.compile(r"\b(NOPASSWD|PASSWD|NOEXEC|EXEC|SETENV|NOSETENV|LOG_INPUT|LOG_OUTPUT|"
                  r"MAIL|NOMAIL|FOLLOW|NOFOLLOW|INTERCEPT|NOINTERCEPT):")
#: Stock Debian/Ubuntu lines: root and the admin group may run anything with a password.
_STOCK_PRINCIPALS = ("root", "%sudo", "%admin", "%wheel")


@dataclass(frozen=True)
class SudoIssue:
    """One risky sudoers line."""

    rule_id: str
    severity: str
    line: int
    principal: str
    text: str
    why: str


def logical_lines(text: str) -> list[tuple[int, str]]:
    """Join ``\\`` continuations, drop comments (``#include``/``#includedir`` are
    directives, kept out too: they name files we read anyway)."""
    out: list[tuple[int, str]] = []
    pending, start = "", 0
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip()
        if not pending:
            start = n
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        full = (pending + line).strip()
        pending = ""
        if not full or full.startswith("#") or full.startswith("@include"):
            continue
        out.append((start, full))
    return out


def audit_sudoers(text: str) -> list[SudoIssue]:
    """Risky rules of one sudoers file."""
    issues: list[SudoIssue] = []
    for n, line in logical_lines(text):
        if line.startswith("Defaults"):
            if "!authenticate" in line:
                issues.append(SudoIssue("SW-PE-SUDO-003", "critical", n, "*", line,
                                        "Defaults !authenticate: sudo never asks for a password"))
            continue
        if _ALIAS.match(line) or "=" not in line:
            continue
        principal, _, rest = line.partition(" ")
        spec = rest.split("=", 1)[1] if "=" in rest else ""
        nopasswd = "NOPASSWD:" in spec
        commands = _TAG.sub("", re.sub(r"^\s*\([^)]*\)", "", spec)).strip()
        cmd_list = [c.strip() for c in commands.split(",") if c.strip()]
        all_cmds = any(c == "ALL" for c in cmd_list)
        if principal in _STOCK_PRINCIPALS and not nopasswd:
            continue
        if all_cmds and nopasswd:
            issues.append(SudoIssue("SW-PE-SUDO-001", "critical", n, principal, line,
                                    f"{principal} may run any command as root without a password"))
            continue
        if all_cmds:
            issues.append(SudoIssue("SW-PE-SUDO-004", "medium", n, principal, line,
                                    f"{principal} may run any command as root (password asked)"))
        for cmd in cmd_list:
            if cmd == "ALL":
                continue
            binary = cmd.split()[0].rsplit("/", 1)[-1]
            entry = lookup(binary)
            if entry is not None and entry.risk == "high":
                issues.append(SudoIssue(
                    "SW-PE-SUDO-002", "high" if nopasswd else "medium", n, principal, line,
                    f"{principal} may run {binary} as root"
                    f"{' without a password' if nopasswd else ''}: {entry.hint}"))
            elif "*" in cmd.split(None, 1)[-1] and " " in cmd:
                issues.append(SudoIssue(
                    "SW-PE-SUDO-005", "high" if nopasswd else "medium", n, principal, line,
                    f"wildcard in the arguments of {binary}: extra arguments (or paths with "
                    "'..') can be injected"))
            elif nopasswd and not cmd.startswith("/"):
                issues.append(SudoIssue(
                    "SW-PE-SUDO-005", "medium", n, principal, line,
                    f"NOPASSWD command {cmd!r} is not an absolute path"))
    return issues
