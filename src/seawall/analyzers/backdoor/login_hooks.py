"""Login banners and package-manager hooks: update-motd scripts (run as root at every
SSH login) and APT/dpkg hook commands (run as root at every install/update)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from seawall.analyzers.backdoor.check_registry import CheckHit, backdoor_check
from seawall.analyzers.backdoor.command_patterns import suspicious_command
from seawall.analyzers.backdoor.scan_context import BackdoorContext
from seawall.model.finding import Severity

APT_HOOK_KEYS = re.compile(
    r"(APT::Update::(?:Pre|Post)-Invoke(?:-Success)?|DPkg::(?:Pre|Post)-Invoke|"
    r"DPkg::Pre-Install-Pkgs|DPkg::Post-Install-Pkgs|APT::Install::(?:Pre|Post)-Invoke|"
    r"Acquire::\w+::(?:Pre|Post)-Invoke|DPkg::Tools::Options)", re.I)
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')
DPKG_HOOK = re.compile(r"^\s*(pre|post)-invoke\s*=?\s*(.+)$", re.I)


@backdoor_check("SW-BD-032", "update-motd script not from a package, or running a payload",
                "medium", ("T1037",), "Remove the script from /etc/update-motd.d.")
def motd_scripts(ctx: BackdoorContext) -> Iterator[CheckHit]:
    """/etc/update-motd.d scripts run as root on each login: payload lines are
    critical; executable scripts no package owns are medium."""
    for path in ctx.files_in("/etc/update-motd.d"):
        payload = False
        for number, line in ctx.logical_lines(path):
            hit = suspicious_command(line)
            if hit:
                payload = True
                yield CheckHit(path, f"motd script runs at login: {hit.why}", number, line,
                               Severity.CRITICAL)
        info = ctx.info(path)
        if not payload and info is not None and info.mode & 0o111 and ctx.unowned(path):
            yield CheckHit(path, "an executable motd script added outside the package manager")


@backdoor_check("SW-BD-033", "APT/dpkg hook runs a payload", "critical", ("T1546",),
                "Remove the hook from apt.conf.d / dpkg.cfg.d.")
def package_manager_hooks(ctx: BackdoorContext) -> Iterator[CheckHit]:
    """APT::Update::Pre-Invoke, DPkg::Post-Invoke... and dpkg.cfg pre/post-invoke
    commands that download, open a shell to the network or run temp-dir programs."""
    for path in ["/etc/apt/apt.conf", *ctx.files_in("/etc/apt/apt.conf.d")]:
        text = ctx.read_text(path) or ""
        for match in APT_HOOK_KEYS.finditer(text):
            block_end = text.find("};", match.end())
            block = text[match.end(): block_end if block_end != -1 else match.end() + 4096]
            number = text.count("\n", 0, match.start()) + 1
            for command in _QUOTED.findall(block):
                hit = suspicious_command(command)
                if hit:
                    yield CheckHit(path, f"{match.group(1)} hook: {hit.why}", number, command)
    for path in ["/etc/dpkg/dpkg.cfg", *ctx.files_in("/etc/dpkg/dpkg.cfg.d")]:
        for number, line in ctx.lines(path):
            hook = DPKG_HOOK.match(line)
            if hook:
                hit = suspicious_command(hook.group(2))
                if hit:
                    yield CheckHit(path, f"dpkg {hook.group(1)}-invoke hook: {hit.why}", number,
                                   line)
