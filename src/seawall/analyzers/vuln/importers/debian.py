"""Debian security-tracker data: the tracker's own JSON
(``security-tracker.debian.org/tracker/data/json``) and vuln-list-debian's JSON
(CVE/DSA/DLA annotations, per-release ``Sources`` stanzas, ``distributions.json``).

Everything is stored per (release, source package, vulnerability); ``sid`` holds the
unstable-line verdict. Deciding whether a sid fix has reached a release happens at
match time (see ``matching/debian.py``), with the release source versions stored here.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from seawall.analyzers.vuln.db.writer import VulnDbWriter
from seawall.analyzers.vuln.importers.report import ImportReport, MalformedRecordError

SOURCE_TRACKER = "debian-tracker"
SOURCE_VULNLIST = "debian-vuln-list"
_KINDS = {"fixed", "unfixed", "not-affected", "no-dsa", "postponed", "ignored",
          "end-of-life", "removed", "undetermined"}


def normalize_urgency(value: Any) -> str | None:
    """``high**`` -> ``high``; ``not yet assigned`` kept; empty -> None."""
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip().rstrip("*").strip().lower()


# -- the tracker's JSON ------------------------------------------------------------------

def looks_like_tracker_json(data: Any) -> bool:
    """``{source: {CVE: {"releases": {...}}}}``."""
    if not isinstance(data, dict) or not data:
        return False
    first = next(iter(data.values()))
    if not isinstance(first, dict) or not first:
        return False
    entry = next(iter(first.values()))
    return isinstance(entry, dict) and isinstance(entry.get("releases"), dict)


def _tracker_state(rel: dict[str, Any]) -> tuple[str, str | None]:
    status = rel.get("status")
    fixed = rel.get("fixed_version")
    if status == "resolved":
        if fixed in (None, ""):
            raise MalformedRecordError("resolved without fixed_version")
        return ("not-affected", None) if fixed == "0" else ("fixed", str(fixed))
    if status == "open":
        reason = str(rel.get("nodsa_reason") or "").lower()
        if "nodsa" in rel or reason:
            if reason in ("postponed", "ignored"):
                return reason, None
            return "no-dsa", None
        return "unfixed", None
    if status == "undetermined":
        return "undetermined", None
    raise MalformedRecordError(f"unknown release status {status!r}")


def import_tracker_json(
    data: dict[str, Any], writer: VulnDbWriter, report: ImportReport, file: str
) -> None:
    """Import the tracker's JSON document."""
    for package, cves in data.items():
        if not isinstance(cves, dict):
            report.skip(file, "package entry is not an object")
            continue
        for vuln_id, info in cves.items():
            try:
                releases = info.get("releases") if isinstance(info, dict) else None
                if not isinstance(releases, dict):
                    raise MalformedRecordError("entry without releases")
                rows = []
                for codename, rel in releases.items():
                    if not isinstance(rel, dict):
                        raise MalformedRecordError("release entry is not an object")
                    state, fixed = _tracker_state(rel)
                    rows.append((codename, state, fixed, normalize_urgency(rel.get("urgency")),
                                 rel.get("repositories")))
            except MalformedRecordError as exc:
                report.skip(file, f"{package}/{vuln_id}: {exc}")
                continue
            writer.ensure_advisory(vuln_id, SOURCE_TRACKER, str(info.get("description") or ""))
            for codename, state, fixed, urgency, repos in rows:
                writer.set_debian_status(codename, package, vuln_id, state, fixed, urgency)
                if isinstance(repos, dict):
                    for version in repos.values():
                        if isinstance(version, str) and version:
                            writer.set_debian_source(codename, package, version)
            report.stored(SOURCE_TRACKER)


# -- vuln-list-debian ---------------------------------------------------------------------

def looks_like_vulnlist_advisory(data: Any) -> bool:
    """``{"Header": {"ID": ...}, "Annotations": [...]}``."""
    return isinstance(data, dict) and isinstance(data.get("Header"), dict) and "Annotations" in data


def import_vulnlist_advisory(
    data: dict[str, Any], writer: VulnDbWriter, report: ImportReport, file: str
) -> None:
    """Import one CVE/DSA/DLA file of vuln-list-debian."""
    header = data["Header"]
    adv_id = header.get("ID")
    annotations = data.get("Annotations")
    if not isinstance(adv_id, str) or not isinstance(annotations, list):
        report.skip(file, "header without ID or annotations not a list")
        return
    # A DSA/DLA speaks for the CVEs it cross-references; a CVE file for itself.
    vuln_ids = [adv_id]
    if not adv_id.startswith("CVE-"):
        xrefs = [b for a in annotations if isinstance(a, dict) and a.get("Type") == "xref"
                 for b in a.get("Bugs") or [] if isinstance(b, str) and b.startswith("CVE-")]
        vuln_ids = xrefs or [adv_id]
    stored = 0
    for note in annotations:
        if not isinstance(note, dict) or note.get("Type") != "package":
            continue
        kind, package = note.get("Kind"), note.get("Package")
        if kind not in _KINDS or not isinstance(package, str):
            report.skip(file, f"{adv_id}: package annotation with kind {kind!r}")
            continue
        version = note.get("Version") if kind == "fixed" else None
        if kind == "fixed" and not version:
            report.skip(file, f"{adv_id}: fixed annotation without a version")
            continue
        release = note.get("Release") or "sid"
        for vid in vuln_ids:
            summary = str(header.get("Description") or "").strip("() ")
            writer.ensure_advisory(vid, SOURCE_VULNLIST, summary if vid == adv_id else "")
            writer.set_debian_status(release, package, vid, kind, version,
                                     normalize_urgency(note.get("Severity")))
        stored += 1
    if stored:
        report.stored(SOURCE_VULNLIST)


def looks_like_sources_stanza(data: Any) -> bool:
    """A Debian ``Sources`` stanza converted to JSON (lists of strings per field)."""
    return isinstance(data, dict) and isinstance(data.get("Package"), list) and isinstance(
        data.get("Version"), list)


def import_sources_stanza(
    data: dict[str, Any], writer: VulnDbWriter, report: ImportReport, file: str
) -> None:
    """``tracker/{source,updates-source}/<release>/<component>/<x>/<pkg>.json``."""
    parts = PurePosixPath(file.replace("\\", "/")).parts
    marker = next((i for i, p in enumerate(parts) if p in ("source", "updates-source")), None)
    if marker is None or marker + 1 >= len(parts) - 1:
        report.skip(file, "Sources stanza outside source/<release>/ or updates-source/<release>/")
        return
    release = parts[marker + 1]
    try:
        package, version = str(data["Package"][0]), str(data["Version"][0])
    except (IndexError, KeyError):
        report.skip(file, "Sources stanza without Package/Version")
        return
    writer.set_debian_source(release, package, version)
    report.stored("debian-sources")


def looks_like_distributions(data: Any) -> bool:
    """``{codename: {"major-version": "12", ...}}``."""
    return (isinstance(data, dict) and bool(data)
            and all(isinstance(v, dict) and "major-version" in v for v in data.values()))


def import_distributions(
    data: dict[str, Any], writer: VulnDbWriter, report: ImportReport, file: str
) -> None:
    """Codename <-> major version table."""
    for codename, info in data.items():
        major = str(info.get("major-version") or "")
        if major:
            writer.set_debian_release(codename, major)
    report.stored("debian-releases")
