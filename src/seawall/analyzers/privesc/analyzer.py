"""The ``privesc`` analyzer: what lets an unprivileged user (or a compromised
service) in the container become root.

Checks: setuid/setgid binaries against ``rules/privesc/suid.yaml``; sudoers rules;
file capabilities (``security.capability`` xattrs); group/world-writable
``/etc/passwd``, ``/etc/shadow``, ``/etc/sudoers``; world-writable files and
directories in PATH (image config Env PATH); members of the docker/lxd groups.
Per-file facts are collected during the walk; PATH-dependent ones are decided in
:meth:`finalize`.
"""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING

from seawall.analyzers.facts.environment import TargetEnvironment
from seawall.analyzers.facts.target_facts import facts_for
from seawall.analyzers.interface import (
    AnalysisContext,
    Analyzer,
    AnalyzerResult,
    FileInput,
    FileResult,
)
from seawall.analyzers.privesc.capabilities import DANGEROUS, decode_capabilities
from seawall.analyzers.privesc.privesc_findings import privesc_finding
from seawall.analyzers.privesc.sudoers import audit_sudoers
from seawall.analyzers.privesc.suid_catalog import lookup
from seawall.fs.interface import FileInfo, FileType
from seawall.model.report import ErrorEntry

if TYPE_CHECKING:
    from seawall.sources.interface import Target

DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
_CRITICAL_FILES = {"/etc/passwd", "/etc/shadow", "/etc/sudoers", "/etc/group", "/etc/gshadow"}
_ROOT_GROUPS = {"docker": "Docker socket access is root on the host",
                "lxd": "LXD can start privileged containers mounting /"}
_INTERPRETERS = ("python", "perl", "ruby", "php", "node", "lua", "bash", "sh", "dash", "zsh",
                 "busybox", "tclsh", "gdb", "vim")
MAX_CONFIG_BYTES = 1024 * 1024
SCOPE = "analyzer:privesc"


def _is_sudoers(path: str) -> bool:
    return path == "/etc/sudoers" or path.startswith("/etc/sudoers.d/")


class PrivescAnalyzer(Analyzer):
    """Privilege-escalation paths inside the filesystem."""

    name = "privesc"
    version = "2"
    description = "SUID/SGID (GTFOBins), sudoers, file capabilities, writable auth files, PATH"

    def required(self, path: str, info: FileInfo) -> bool:
        """setuid/setgid/capability files, world-writable entries, auth/sudo/group files."""
        if info.type is FileType.DIRECTORY:
            return bool(info.mode & 0o002) and not info.mode & 0o1000
        if not info.is_file():
            return False
        return bool(info.mode & 0o6002) or "security.capability" in info.xattrs or \
            path in _CRITICAL_FILES or _is_sudoers(path)

    def analyze_file(self, file: FileInput, ctx: AnalysisContext) -> AnalyzerResult:
        """Decide what depends on this file alone; note world-writable entries."""
        out = AnalyzerResult()
        info, path, layer = file.info, file.path, file.layer
        if info.mode & 0o002:
            out.data["world_writable"] = {"dir": info.is_dir(), "mode": info.mode}
        if info.is_dir():
            return out
        base = posixpath.basename(path)
        if info.mode & 0o6000:
            self._setuid(path, base, info, layer, out)
        raw_caps = info.xattrs.get("security.capability")
        if raw_caps is not None:
            self._capabilities(path, base, raw_caps, layer, out)
        if path in _CRITICAL_FILES and info.mode & 0o022:
            who = "everyone" if info.mode & 0o002 else "its group"
            out.findings.append(privesc_finding(
                "SW-PE-FILE-001", "critical", f"{path} is writable by {who}",
                f"{path} has mode {info.mode:04o}: adding a uid-0 account or a known password "
                "gives root.", f"chmod go-w {path}", path, layer, f"mode {info.mode:04o}"))
        if path == "/etc/shadow" and info.mode & 0o004:
            out.findings.append(privesc_finding(
                "SW-PE-FILE-002", "high", "/etc/shadow is world-readable",
                "Every user can read the password hashes and crack them offline.",
                "chmod 0640 /etc/shadow (owner root, group shadow)", path, layer,
                f"mode {info.mode:04o}"))
        if _is_sudoers(path) or path == "/etc/group":
            try:
                text = file.read(MAX_CONFIG_BYTES).decode("utf-8", "replace")
            except OSError as exc:
                out.errors.append(ErrorEntry(SCOPE, f"{path}: cannot read: {exc}"))
                return out
            if path == "/etc/group":
                self._groups(path, text, layer, out)
            else:
                for issue in audit_sudoers(text):
                    out.findings.append(privesc_finding(
                        issue.rule_id, issue.severity, f"sudoers: {issue.why.split(':')[0]}",
                        issue.why, "Require a password and list exact commands without "
                        "wildcards; never grant editors, shells or interpreters.",
                        path, layer, issue.text, line=issue.line))
        return out

    def _setuid(self, path: str, base: str, info: FileInfo, layer: str | None,
                out: AnalyzerResult) -> None:
        kind = "setuid" if info.mode & 0o4000 else "setgid"
        if info.mode & 0o4000 and info.mode & 0o2000:
            kind = "setuid+setgid"
        owner = "root" if info.uid == 0 else f"uid {info.uid}"
        entry = lookup(base)
        if entry is not None and entry.risk == "high":
            severity = "high" if info.mode & 0o4000 and info.uid == 0 else "medium"
            out.findings.append(privesc_finding(
                "SW-PE-SUID-001", severity, f"{kind} {base} gives a root shell or root file access",
                f"{path} is {kind} (owner {owner}, mode {info.mode:04o}) and is on the "
                f"GTFOBins list. Exploit: {entry.hint}", f"chmod u-s,g-s {path}", path, layer,
                f"mode {info.mode:04o}", hint=entry.hint, subject=f"setuid:{path}"))
        elif entry is not None:
            out.findings.append(privesc_finding(
                "SW-PE-SUID-002", "info", f"{kind} {base} (expected)",
                f"{path} is {kind}: {entry.hint}.", "Remove setuid bits the image does not need "
                "(chmod u-s).", path, layer, f"mode {info.mode:04o}", hint=entry.hint,
                subject=f"setuid:{path}"))
        else:
            out.findings.append(privesc_finding(
                "SW-PE-SUID-003", "medium" if info.mode & 0o4000 else "low",
                f"unknown {kind} binary {base}",
                f"{path} is {kind} (owner {owner}) and is not a binary a distribution normally "
                "ships setuid; review it.", f"chmod u-s,g-s {path}", path, layer,
                f"mode {info.mode:04o}", subject=f"setuid:{path}"))

    def _capabilities(self, path: str, base: str, raw: bytes, layer: str | None,
                      out: AnalyzerResult) -> None:
        try:
            caps = decode_capabilities(raw)
        except ValueError as exc:
            out.errors.append(ErrorEntry(SCOPE, f"{path}: {exc}"))
            return
        dangerous = sorted(set(caps.permitted) & DANGEROUS)
        entry = lookup(base)
        interpreter = base.startswith(_INTERPRETERS) or (entry is not None and entry.risk == "high")
        if dangerous and interpreter:
            severity, rule = "high", "SW-PE-CAP-001"
            why = (f"{path} has {caps.text()}: as an interpreter/GTFOBins binary it runs "
                   f"arbitrary code with {', '.join(dangerous)} (e.g. os.setuid(0)).")
        elif dangerous:
            severity, rule = "medium", "SW-PE-CAP-002"
            why = f"{path} has {caps.text()}; {', '.join(dangerous)} can lead to root."
        else:
            severity, rule = "info", "SW-PE-CAP-003"
            why = f"{path} has {caps.text()}."
        out.findings.append(privesc_finding(
            rule, severity, f"file capabilities on {base}: {caps.text()}", why,
            f"setcap -r {path} (grant only what the binary needs)", path, layer, caps.text()))

    def _groups(self, path: str, text: str, layer: str | None, out: AnalyzerResult) -> None:
        for n, line in enumerate(text.splitlines(), 1):
            parts = line.split(":")
            if len(parts) != 4 or parts[0] not in _ROOT_GROUPS:
                continue
            for member in filter(None, (m.strip() for m in parts[3].split(","))):
                out.findings.append(privesc_finding(
                    "SW-PE-GROUP-001", "high", f"{member} is in the {parts[0]} group",
                    f"{_ROOT_GROUPS[parts[0]]}: membership of {parts[0]} is root-equivalent.",
                    f"gpasswd -d {member} {parts[0]}", path, layer, f"{parts[0]}:{member}",
                    line=n))

    def finalize(self, target: Target, files: list[FileResult],
                 ctx: AnalysisContext) -> AnalyzerResult:
        """Visible files' findings, plus world-writable entries in PATH directories."""
        out = super().finalize(target, files, ctx)
        path_dirs = _path_dirs(facts_for(target, ctx, self.facts).environment)
        for fr in files:
            ww = fr.result.data.get("world_writable")
            if not fr.visible or not ww:
                continue
            parent = posixpath.dirname(fr.path)
            if ww["dir"] and fr.path in path_dirs:
                out.findings.append(privesc_finding(
                    "SW-PE-PATH-002", "high", f"PATH directory {fr.path} is world-writable",
                    "Anyone can plant a binary that root or a service runs by name.",
                    f"chmod o-w {fr.path}", fr.path, fr.layer, f"mode {ww['mode']:04o}"))
            elif not ww["dir"] and parent in path_dirs:
                out.findings.append(privesc_finding(
                    "SW-PE-PATH-001", "high", f"world-writable file in PATH: {fr.path}",
                    "Anyone can replace a command that root or a service runs.",
                    f"chmod o-w {fr.path}", fr.path, fr.layer, f"mode {ww['mode']:04o}"))
        return out


def _path_dirs(environment: TargetEnvironment) -> set[str]:
    value = environment.value("PATH")
    if value is None:
        value = DEFAULT_PATH
    dirs = {posixpath.normpath(d) for d in value.split(":") if d.startswith("/")}
    # usrmerge: /bin is /usr/bin on current Debian/Ubuntu, and the walk reports real paths
    dirs |= {"/usr" + d for d in dirs if d in ("/bin", "/sbin")}
    return dirs
