"""Alpine: secdb ``secfixes`` per branch and origin package. Vulnerable while the
installed version is older than the fix; a ``0`` fix means never affected."""

from __future__ import annotations

from seawall.analyzers.vuln.db.store import VulnStore
from seawall.analyzers.vuln.matching.debian import DistroMatch
from seawall.analyzers.vuln.versions import parse_version
from seawall.analyzers.vuln.versions.apk import ApkScheme
from seawall.analyzers.vuln.versions.interface import VersionError

_APK = ApkScheme()


def alpine_branch(version: str) -> str | None:
    """``3.19.1`` -> ``v3.19`` (edge and odd strings -> None)."""
    parts = version.strip().lstrip("v").split(".")
    if len(parts) < 2 or not parts[0].isdigit() or not parts[1].isdigit():
        return None
    return f"v{parts[0]}.{parts[1]}"


def match_alpine(store: VulnStore, branch: str, origin: str, installed: str
                 ) -> list[DistroMatch]:
    """Secfixes verdicts for one installed origin package."""
    v = parse_version(_APK, installed)
    by_vuln: dict[str, list[str]] = {}
    for fixed, vuln_id in store.alpine_secfixes(branch, origin):
        by_vuln.setdefault(vuln_id, []).append(fixed)
    out = []
    for vuln_id, fixes in sorted(by_vuln.items()):
        if "0" in fixes:
            continue
        vulnerable_fixes = []
        for fixed in fixes:
            try:
                if v < parse_version(_APK, fixed):
                    vulnerable_fixes.append(fixed)
            except VersionError:
                continue
        if len(vulnerable_fixes) == len(fixes) and vulnerable_fixes:
            lowest = min(vulnerable_fixes, key=lambda f: _Key(f))
            out.append(DistroMatch(vuln_id, "fixed", lowest, None, "alpine"))
    return out


class _Key:
    __slots__ = ("v",)

    def __init__(self, text: str) -> None:
        self.v = parse_version(_APK, text)

    def __lt__(self, other: _Key) -> bool:
        return bool(self.v < other.v)
