"""Alpine secdb (``secdb.alpinelinux.org`` JSON, the older per-branch YAML) and
vuln-list's one-JSON-per-package form. ``secfixes`` maps a fixed version to the ids it
fixes; ``0`` means the branch was never affected."""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any

from seawall.analyzers.vuln.db.writer import VulnDbWriter
from seawall.analyzers.vuln.importers.report import ImportReport

SOURCE = "alpine-secdb"
_ID = re.compile(r"^(CVE-\d{4}-\d+|GHSA-[\w-]+|XSA-\d+|ALPINE-\d+|[A-Z]+-\d{4}-[\w-]+)$")


def branch_name(value: str) -> str:
    """``3.19`` / ``v3.19`` / ``v3.19.1`` -> ``v3.19``; ``edge`` stays."""
    text = value.strip().lstrip("v")
    if text == "edge":
        return "edge"
    parts = text.split(".")
    return "v" + ".".join(parts[:2])


def looks_like_secdb(data: Any) -> bool:
    """Whole-branch document: ``distroversion`` + ``packages``."""
    return isinstance(data, dict) and "packages" in data and "distroversion" in data


def looks_like_vulnlist_package(data: Any) -> bool:
    """vuln-list: ``{"name": ..., "secfixes": {...}, "distroversion": ...}``."""
    return isinstance(data, dict) and "secfixes" in data and "name" in data


def _store_secfixes(branch: str, package: str, secfixes: Any, writer: VulnDbWriter,
                    report: ImportReport, file: str) -> None:
    if not isinstance(secfixes, dict):
        report.skip(file, f"{package}: secfixes is not a mapping")
        return
    for fixed, ids in secfixes.items():
        if not isinstance(ids, list):
            report.skip(file, f"{package} {fixed}: id list is not a list")
            continue
        for entry in ids:
            # entries are sometimes "CVE-1 CVE-2" or "CVE-1 (note)": keep the ids
            tokens = [t for t in str(entry).split() if _ID.match(t)]
            if not tokens:
                report.skip(file, f"{package} {fixed}: no vulnerability id in {entry!r}")
                continue
            for vuln_id in tokens:
                writer.ensure_advisory(vuln_id, SOURCE)
                writer.add_alpine_secfix(branch, package, str(fixed), vuln_id)
                report.stored(SOURCE)


def import_secdb(data: dict[str, Any], writer: VulnDbWriter, report: ImportReport,
                 file: str) -> None:
    """One branch document (``v3.19/main.json`` or ``v3.11/main.yaml``)."""
    branch = branch_name(str(data["distroversion"]))
    packages = data.get("packages")
    if not isinstance(packages, list):
        report.skip(file, "packages is not a list")
        return
    for item in packages:
        pkg = item.get("pkg") if isinstance(item, dict) else None
        if not isinstance(pkg, dict) or not pkg.get("name"):
            report.skip(file, "package entry without pkg.name")
            continue
        _store_secfixes(branch, str(pkg["name"]), pkg.get("secfixes") or {}, writer, report, file)


def import_vulnlist_package(data: dict[str, Any], writer: VulnDbWriter, report: ImportReport,
                            file: str) -> None:
    """One vuln-list ``alpine/<ver>/<repo>/<pkg>.json``."""
    version = data.get("distroversion")
    if not version:
        parts = PurePosixPath(file).parts
        version = parts[-3] if len(parts) >= 3 else ""
    if not version:
        report.skip(file, "no distroversion")
        return
    _store_secfixes(branch_name(str(version)), str(data["name"]), data.get("secfixes") or {},
                    writer, report, file)
