"""Node.js security WG advisories (``vuln/npm/<n>.json``): npm range strings, kept as a
``NPM_RANGE`` range that the matcher evaluates with npm's range grammar.

``patched_versions`` is kept too: a version inside it is not affected, and the lower
bounds of its alternatives (``>=1.5.2``, ``>= 2.0.0 || >=1.3.4 <2.0.0``) are the fixed
versions (``<0.0.0`` is the WG's way of saying "no fix")."""

from __future__ import annotations

import re
from typing import Any

from seawall.analyzers.vuln.db.records import AdvisoryRecord, AffectedRecord
from seawall.analyzers.vuln.db.writer import VulnDbWriter
from seawall.analyzers.vuln.importers.osv import timestamp
from seawall.analyzers.vuln.importers.report import ImportReport
from seawall.analyzers.vuln.versions.interface import VersionError
from seawall.analyzers.vuln.versions.semver import NpmRange

SOURCE = "nodejs-security-wg"
_LOWER_BOUND = re.compile(r"(?:>=|\^|~>?)\s*v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)")


def patched_lower_bounds(patched: str) -> list[str]:
    """The first patched version of each ``||`` alternative of ``patched_versions``."""
    out = []
    for alternative in patched.split("||"):
        m = _LOWER_BOUND.search(alternative)
        if m and m.group(1) != "0.0.0":
            out.append(m.group(1))
    return out


def looks_like_npm_wg(data: Any) -> bool:
    """``module_name`` + ``vulnerable_versions``."""
    return isinstance(data, dict) and "module_name" in data and "vulnerable_versions" in data


def looks_like_npm_wg_index(data: Any) -> bool:
    """``vuln/npm/index.json``: every advisory of the directory, keyed by id."""
    return (isinstance(data, dict) and bool(data)
            and all(looks_like_npm_wg(v) for v in data.values()))


def import_index(data: dict[str, Any], writer: VulnDbWriter, report: ImportReport,
                 file: str) -> None:
    """Every advisory of ``index.json`` (those already read from their own file in this
    import are not stored twice)."""
    for value in data.values():
        import_advisory(value, writer, report, file)


def import_advisory(data: dict[str, Any], writer: VulnDbWriter, report: ImportReport,
                    file: str) -> None:
    """One advisory of the Node.js security WG."""
    expr = data.get("vulnerable_versions")
    name = data.get("module_name")
    if not isinstance(expr, str) or not expr.strip() or not isinstance(name, str) or not name:
        report.skip(file, "missing module_name or vulnerable_versions")
        return
    try:
        NpmRange(expr)
    except VersionError as exc:
        report.skip(file, f"bad vulnerable_versions: {exc}")
        return
    npm_range: dict[str, Any] = {"type": "NPM_RANGE", "expr": expr}
    patched = data.get("patched_versions")
    if isinstance(patched, str) and patched.strip():
        try:
            NpmRange(patched)
        except VersionError as exc:
            report.skip(file, f"bad patched_versions: {exc}")
            return
        npm_range["patched"] = patched
        npm_range["fixed"] = patched_lower_bounds(patched)
    vector = data.get("cvss_vector")
    adv = AdvisoryRecord(
        id=f"NSWG-ECO-{data.get('id')}",
        source=SOURCE,
        summary=str(data.get("title") or ""),
        details=str(data.get("overview") or ""),
        published=timestamp(data.get("publish_date")),
        modified=timestamp(data.get("updated_at")),
        aliases=[c for c in data.get("cves") or [] if isinstance(c, str)],
        severities=[("CVSS_V3", vector)] if isinstance(vector, str) and vector.startswith("CVSS:3")
        else [],
        references=[("WEB", r) for r in data.get("references") or [] if isinstance(r, str)],
        affected=[AffectedRecord("npm", name, [npm_range], [])],
    )
    if adv.id in report.seen_ids:
        return
    report.seen_ids.add(adv.id)
    writer.upsert_advisory(adv)
    report.stored(SOURCE, adv.modified)
