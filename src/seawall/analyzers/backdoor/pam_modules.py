"""PAM: module libraries no package installed, and stack lines that let anyone in
(``auth sufficient pam_permit.so``) or run programs (``pam_exec.so``)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from seawall.analyzers.backdoor.check_registry import CheckHit, backdoor_check
from seawall.analyzers.backdoor.scan_context import BackdoorContext
from seawall.model.finding import Severity

PAM_DIRS = ("/lib/security", "/lib64/security", "/usr/lib/security", "/usr/lib64/security")
_MULTIARCH_ROOTS = ("/lib", "/usr/lib")
_LINE = re.compile(r"^\s*-?(auth|account|password|session)\s+(\[[^\]]*\]|\S+)\s+(\S+)(.*)$")


def pam_module_dirs(ctx: BackdoorContext) -> list[str]:
    """Security module dirs incl. multiarch ones (/usr/lib/x86_64-linux-gnu/security)."""
    dirs = list(PAM_DIRS)
    for root in _MULTIARCH_ROOTS:
        try:
            names = ctx.fs.listdir(root)
        except OSError:
            continue
        dirs += [f"{root}/{n}/security" for n in names if n.endswith(("-linux-gnu", "-linux-musl"))]
    return dirs


@backdoor_check("SW-BD-025", "PAM module not installed by any package", "critical",
                ("T1556.003",), "Remove the module and every pam.d line that loads it.")
def unowned_pam_modules(ctx: BackdoorContext) -> Iterator[CheckHit]:
    """``*.so`` in the security dirs, and absolute module paths in /etc/pam.d, that no
    package owns (a patched pam_unix with a master password is the classic)."""
    seen = set()
    for directory in pam_module_dirs(ctx):
        for path in ctx.files_in(directory):
            real = ctx.fs.realpath(path) if ctx.info(path) else path
            if path.endswith(".so") and real not in seen and ctx.unowned(path) \
                    and ctx.unowned(real):
                seen.add(real)
                yield CheckHit(path, "a PAM module outside the package-owned set")
    for path in ctx.files_in("/etc/pam.d"):
        for number, line in ctx.lines(path):
            match = _LINE.match(line)
            if match and match.group(3).startswith("/") and ctx.unowned(match.group(3)):
                yield CheckHit(path, f"loads {match.group(3)}, which no package owns", number, line)


@backdoor_check("SW-BD-026", "PAM stack accepts any password or runs a program", "high",
                ("T1556.003",), "Restore the distribution's /etc/pam.d files.")
def pam_stack_bypass(ctx: BackdoorContext) -> Iterator[CheckHit]:
    """``auth sufficient pam_permit.so`` (critical: every password works) and
    ``pam_exec.so`` lines (can log passwords with ``expose_authtok``)."""
    for path in ctx.files_in("/etc/pam.d"):
        for number, line in ctx.lines(path):
            match = _LINE.match(line)
            if not match:
                continue
            kind, control, module, args = match.groups()
            name = module.rsplit("/", 1)[-1]
            if kind == "auth" and name == "pam_permit.so" and (
                    control == "sufficient" or "success=done" in control):
                yield CheckHit(path, "pam_permit.so is sufficient for auth: any password works",
                               number, line, Severity.CRITICAL)
            elif name == "pam_exec.so":
                severe = "expose_authtok" in args
                yield CheckHit(path, "pam_exec.so runs " + (args.strip() or "a program")
                               + (" with the typed password" if severe else ""), number, line,
                               Severity.CRITICAL if severe else None)
