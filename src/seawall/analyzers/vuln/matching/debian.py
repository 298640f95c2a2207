"""Debian: the security tracker's verdict for a source package in one release,
with the trivy-db rules for backports (``aquasecurity/trivy-db`` ``vulnsrc/debian``):

* a release line with a fixed version wins: vulnerable while installed < that version;
* ``not-affected`` (or a ``0`` fix) and ``undetermined`` are skipped;
* no release line, or a non-fix state: if the *sid* fix has reached the release (its
  source version >= the sid fix) the release is fixed at the sid version, which also
  overrides stale ``no-dsa``/``postponed`` notes; otherwise the state becomes a status
  (``unfixed``/``no-dsa``/``removed`` -> affected, ``postponed`` -> fix_deferred,
  ``ignored`` -> will_not_fix, ``end-of-life`` -> end_of_life);
* an installed version already >= the sid fix is never vulnerable.
"""

from __future__ import annotations

from dataclasses import dataclass

from seawall.analyzers.vuln.db.store import DebianRow, VulnStore
from seawall.analyzers.vuln.versions import parse_version
from seawall.analyzers.vuln.versions.dpkg import DpkgScheme
from seawall.analyzers.vuln.versions.interface import VersionError

_DPKG = DpkgScheme()
_STATE_STATUS = {
    "unfixed": "affected",
    "no-dsa": "affected",
    "removed": "affected",
    "postponed": "fix_deferred",
    "ignored": "will_not_fix",
    "end-of-life": "end_of_life",
}

DEBIAN_RELEASES = {
    "7": "wheezy", "8": "jessie", "9": "stretch", "10": "buster", "11": "bullseye",
    "12": "bookworm", "13": "trixie", "14": "forky", "15": "duke",
}
"""Fallback codename table when the DB holds no distributions list."""


@dataclass(frozen=True)
class DistroMatch:
    """One distro verdict: vulnerable, with a status and maybe a fixed version."""

    vuln_id: str
    status: str
    """fixed | affected | will_not_fix | fix_deferred | end_of_life"""
    fixed_version: str | None
    urgency: str | None
    data_source: str


def _ge(a: str, b: str) -> bool | None:
    try:
        return bool(parse_version(_DPKG, a) >= parse_version(_DPKG, b))
    except VersionError:
        return None


def debian_codename(store: VulnStore, version: str, codename: str | None) -> str | None:
    """Release codename from os-release data (``12.5`` -> ``bookworm``)."""
    if codename:
        return codename.lower()
    major = version.split(".", 1)[0].strip()
    if not major:
        return None
    return store.debian_codename(major) or DEBIAN_RELEASES.get(major)


def match_debian(store: VulnStore, release: str, source: str, installed: str
                 ) -> list[DistroMatch]:
    """Tracker verdicts for one installed source package; ``installed`` must be a
    valid Debian version (the caller checked)."""
    rows = store.debian_rows(source, (release, "sid"))
    by_vuln: dict[str, dict[str, DebianRow]] = {}
    for row in rows:
        by_vuln.setdefault(row.vuln_id, {})[row.release] = row
    release_source = store.debian_source_version(release, source)
    out = []
    for vuln_id, per_release in sorted(by_vuln.items()):
        m = _verdict(vuln_id, per_release.get(release), per_release.get("sid"), installed,
                     release_source, release == "sid")
        if m is not None:
            out.append(m)
    return out


def _verdict(vuln_id: str, rel: DebianRow | None, sid: DebianRow | None, installed: str,
             release_source: str | None, is_sid: bool) -> DistroMatch | None:
    urgency = (rel.urgency if rel else None) or (sid.urgency if sid else None)
    if rel is not None and rel.state in ("not-affected", "undetermined"):
        return None
    if rel is not None and rel.state == "fixed" and rel.fixed_version:
        if rel.fixed_version == "0" or _ge(installed, rel.fixed_version) is not False:
            return None
        return DistroMatch(vuln_id, "fixed", rel.fixed_version, urgency, "debian")
    if rel is None and (sid is None or sid.state in ("not-affected", "undetermined")):
        return None
    sid_fix = sid.fixed_version if (sid is not None and sid.state == "fixed") else None
    if sid_fix == "0":
        return None
    if sid_fix is not None:
        if _ge(installed, sid_fix) is not False:
            return None
        if is_sid or (release_source is not None and _ge(release_source, sid_fix)):
            return DistroMatch(vuln_id, "fixed", sid_fix, urgency, "debian")
    state = rel.state if rel is not None else (sid.state if sid is not None else "unfixed")
    if state == "fixed":  # sid fixed, release has no line and the fix has not reached it
        state = "unfixed"
    status = _STATE_STATUS.get(state)
    if status is None:
        return None
    return DistroMatch(vuln_id, status, None, urgency, "debian")
