"""Shell start-up files of the system and of every user (homes from /etc/passwd):
reverse shells, download-and-execute, LD_PRELOAD, PROMPT_COMMAND / DEBUG traps and
aliases that hijack sudo, ssh and friends."""

from __future__ import annotations

import re
from collections.abc import Iterator

from seawall.analyzers.backdoor.check_registry import CheckHit, backdoor_check
from seawall.analyzers.backdoor.command_patterns import suspicious_command
from seawall.analyzers.backdoor.dynamic_linker import PRELOAD_VARS
from seawall.analyzers.backdoor.scan_context import BackdoorContext

SYSTEM_FILES = ("/etc/profile", "/etc/bash.bashrc", "/etc/bashrc", "/etc/.bashrc",
                "/etc/bash.bash_logout", "/etc/zshrc", "/etc/zprofile", "/etc/zshenv",
                "/etc/zlogin", "/etc/zsh/zshrc", "/etc/zsh/zprofile", "/etc/zsh/zshenv",
                "/etc/zsh/zlogin", "/etc/csh.cshrc", "/etc/csh.login", "/etc/ksh.kshrc")
SYSTEM_DIRS = ("/etc/profile.d",)
USER_FILES = (".bashrc", ".bash_profile", ".bash_login", ".profile", ".bash_logout", ".zshrc",
              ".zprofile", ".zshenv", ".zlogin", ".cshrc", ".tcshrc", ".kshrc", ".mkshrc",
              ".config/fish/config.fish")
HIJACKED = ("sudo", "su", "ssh", "scp", "sftp", "passwd", "ls", "ps", "netstat", "ss", "lsof",
            "top", "kill", "who", "w", "last", "login", "crontab", "find")
_PRELOAD = re.compile(r"^\s*(?:export\s+)?(?:declare\s+-x\s+)?(" + "|".join(PRELOAD_VARS)
                      + r")=\S")
_PROMPT = re.compile(r"^\s*(?:export\s+)?(?:declare\s+-x\s+)?PROMPT_COMMAND\+?=(.*)$")
_BENIGN_PROMPT = re.compile(
    r"""^\s*['"]?\s*(?:(?:echo\s+-ne|printf)\s+["']\\(?:033|e)\][0-9]*;[^"'`$(]*"""
    r"""(?:\$\{?\w+\}?[^"'`$(]*)*["']|history\s+-[an]|__vte_prompt_command|_direnv_hook|"""
    r"""\$\{?PROMPT_COMMAND\}?)\s*(?:;\s*)?['"]?\s*$""")
_TRAP = re.compile(r"^\s*trap\s+.+\s(?:DEBUG|RETURN|EXIT)\s*$")
_ALIAS = re.compile(r"^\s*alias\s+(?:--\s+)?([\w.-]+)=(['\"]?)(.*?)\2\s*$")
_FUNC = re.compile(r"^\s*(?:function\s+)?(" + "|".join(HIJACKED) + r")\s*\(\s*\)\s*\{?")
_REMEDIATION = "Remove the line from the start-up file; check the account for other persistence."


def startup_files(ctx: BackdoorContext) -> list[str]:
    """Every system-wide and per-user start-up file that exists."""
    files = [p for p in SYSTEM_FILES if ctx.is_file(p)]
    files += [p for d in SYSTEM_DIRS for p in ctx.files_in(d)]
    for home in ctx.home_dirs:
        files += [f"{home.rstrip('/')}/{name}" for name in USER_FILES
                  if ctx.is_file(f"{home.rstrip('/')}/{name}")]
    return list(dict.fromkeys(files))


def _code_lines(ctx: BackdoorContext, path: str) -> Iterator[tuple[int, str]]:
    for number, line in ctx.logical_lines(path):
        if line.strip() and not line.lstrip().startswith("#"):
            yield number, line


@backdoor_check("SW-BD-006", "Shell start-up file runs a reverse shell or downloaded code",
                "critical", ("T1546.004",), _REMEDIATION)
def startup_payloads(ctx: BackdoorContext) -> Iterator[CheckHit]:
    """Payload lines (reverse shell, download-exec, encoded exec, temp-dir programs,
    account changes) in any start-up file."""
    for path in startup_files(ctx):
        for number, line in _code_lines(ctx, path):
            hit = suspicious_command(line)
            if hit:
                yield CheckHit(path, f"runs at every login: {hit.why}", number, line)


@backdoor_check("SW-BD-007", "Shell start-up file sets LD_PRELOAD/LD_AUDIT", "high",
                ("T1574.006",), _REMEDIATION)
def startup_preload(ctx: BackdoorContext) -> Iterator[CheckHit]:
    """LD_PRELOAD-style variables exported from a start-up file."""
    for path in startup_files(ctx):
        for number, line in _code_lines(ctx, path):
            match = _PRELOAD.match(line)
            if match:
                yield CheckHit(path, f"{match.group(1)} injects a library into every command "
                               "of the session", number, line)


@backdoor_check("SW-BD-008", "PROMPT_COMMAND or a DEBUG trap runs code before every command",
                "high", ("T1546.004",), _REMEDIATION)
def startup_prompt_hooks(ctx: BackdoorContext) -> Iterator[CheckHit]:
    """PROMPT_COMMAND other than terminal-title/history housekeeping, and
    ``trap ... DEBUG`` (both run on every prompt: keyloggers, command exfiltration)."""
    for path in startup_files(ctx):
        for number, line in _code_lines(ctx, path):
            match = _PROMPT.match(line)
            if match and not _BENIGN_PROMPT.match(match.group(1)):
                yield CheckHit(path, "PROMPT_COMMAND runs this before every prompt", number, line)
            elif _TRAP.match(line) and "DEBUG" in line:
                yield CheckHit(path, "a DEBUG trap runs this before every command", number, line)


@backdoor_check("SW-BD-009", "Alias or function hijacks sudo/ssh/su or another sensitive command",
                "high", ("T1546.004", "T1556"), _REMEDIATION)
def startup_alias_hijack(ctx: BackdoorContext) -> Iterator[CheckHit]:
    """``alias sudo=...`` whose first word is not the command itself (credential
    theft wrappers), and shell functions that shadow these commands."""
    for path in startup_files(ctx):
        for number, line in _code_lines(ctx, path):
            match = _ALIAS.match(line)
            if match and match.group(1) in HIJACKED:
                words = match.group(3).split()
                first = words[0].rsplit("/", 1)[-1] if words else ""
                if first != match.group(1) or (words and "/" in words[0]
                                               and not words[0].startswith(("/usr/", "/bin/"))):
                    yield CheckHit(path, f"'{match.group(1)}' is redirected to "
                                   f"'{match.group(3)[:80]}'", number, line)
            elif _FUNC.match(line):
                yield CheckHit(path, "a shell function shadows a sensitive command", number, line)
