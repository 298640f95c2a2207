"""Python start-up code execution: ``.pth`` lines starting with ``import`` run on
every interpreter start, and so do ``sitecustomize``/``usercustomize`` modules."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator

from seawall.analyzers.backdoor.check_registry import CheckHit, backdoor_check
from seawall.analyzers.backdoor.scan_context import BackdoorContext
from seawall.model.finding import Severity

_PAYLOAD = re.compile(
    r"\b(?:exec|eval|compile)\s*\(|base64|b64decode|marshal\.loads|zlib\.decompress|"
    r"\bsocket\b|subprocess|os\.system|os\.popen|pty\.spawn|urllib|urlopen|requests\.get|"
    r"http\.client|__import__\s*\(\s*['\"](?:os|subprocess|socket|base64)['\"]")
_REMEDIATION = "Remove the file (or the line) unless a package you trust installed it."


def _recorded_files(ctx: BackdoorContext, site_dir: str) -> set[str]:
    """Files listed in the RECORD / installed-files.txt of packages in ``site_dir``."""
    out: set[str] = set()
    try:
        names = ctx.fs.listdir(site_dir)
    except OSError:
        return out
    for name in names:
        if name.endswith(".dist-info"):
            manifest, column = f"{site_dir}/{name}/RECORD", True
        elif name.endswith(".egg-info"):
            manifest, column = f"{site_dir}/{name}/installed-files.txt", False
        else:
            continue
        for _, line in ctx.lines(manifest):
            entry = line.split(",", 1)[0] if column else line.strip()
            if entry:
                out.add(posixpath.normpath(posixpath.join(site_dir if column else
                                                          f"{site_dir}/{name}", entry)))
    return out


class _Ownership:
    """Package-owned test for Python files: dpkg/apk or a dist's RECORD."""

    def __init__(self, ctx: BackdoorContext) -> None:
        self.ctx = ctx
        self.records: dict[str, set[str]] = {}

    def owned(self, path: str) -> bool:
        if self.ctx.ownership.owns(path):
            return True
        site = posixpath.dirname(path)
        if site not in self.records:
            self.records[site] = _recorded_files(self.ctx, site)
        return path in self.records[site]


@backdoor_check("SW-BD-034", ".pth file executes code at every Python start", "high",
                ("T1546",), _REMEDIATION)
def pth_code_execution(ctx: BackdoorContext) -> Iterator[CheckHit]:
    """``import`` lines of ``.pth`` files: payload-like code is critical wherever it
    is; any executable line in a ``.pth`` no package owns is high."""
    owner = _Ownership(ctx)
    for path in ctx.candidates.get("python-startup", []):
        if not path.endswith(".pth"):
            continue
        for number, line in ctx.lines(path):
            if not line.startswith(("import ", "import\t")):
                continue
            if _PAYLOAD.search(line):
                yield CheckHit(path, "a .pth line runs payload-like code at every Python start",
                               number, line, Severity.CRITICAL)
            elif not owner.owned(path):
                yield CheckHit(path, "a .pth line no package installed runs at every Python "
                               "start", number, line)


@backdoor_check("SW-BD-035", "sitecustomize/usercustomize module not from a package", "medium",
                ("T1546",), _REMEDIATION)
def customize_modules(ctx: BackdoorContext) -> Iterator[CheckHit]:
    """sitecustomize.py/usercustomize.py outside the package-owned set (Debian ships
    its own); payload-like lines make it critical."""
    owner = _Ownership(ctx)
    for path in ctx.candidates.get("python-startup", []):
        if path.endswith(".pth"):
            continue
        payload = [(n, line) for n, line in ctx.lines(path)
                   if not line.lstrip().startswith("#") and _PAYLOAD.search(line)]
        if payload:
            number, line = payload[0]
            yield CheckHit(path, "runs payload-like code at every Python start", number, line,
                           Severity.CRITICAL)
        elif not owner.owned(path):
            yield CheckHit(path, "a start-up module added outside the package manager")
