"""OSV records (JSON or YAML: PyPA, Go vulndb, GHSA, OSV.dev exports) to advisories."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from seawall.analyzers.vuln.db.records import AdvisoryRecord, AffectedRecord
from seawall.analyzers.vuln.importers.report import MalformedRecordError

_PEP503 = re.compile(r"[-_.]+")


def normalize_package_name(ecosystem: str, name: str) -> str:
    """Ecosystem-specific name normalisation, applied identically at import and match."""
    base = ecosystem.split(":", 1)[0]
    if base == "PyPI":
        return _PEP503.sub("-", name).lower()
    if base in ("NuGet", "Packagist"):
        return name.lower()
    return name


def timestamp(value: Any) -> str | None:
    """ISO-8601 UTC text for a timestamp that YAML may have turned into a datetime."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%dT00:00:00Z")
    return str(value)


def looks_like_osv(data: Any) -> bool:
    """An OSV record has an ``id`` and at least one of the OSV top-level fields."""
    return (
        isinstance(data, dict)
        and "id" in data
        and any(k in data for k in ("affected", "modified", "schema_version", "aliases"))
    )


def _affected(entry: Any) -> AffectedRecord:
    if not isinstance(entry, dict):
        raise MalformedRecordError("affected entry is not an object")
    pkg = entry.get("package")
    if not isinstance(pkg, dict) or not pkg.get("name") or not pkg.get("ecosystem"):
        raise MalformedRecordError("affected entry without package name/ecosystem")
    ecosystem = str(pkg["ecosystem"])
    ranges = entry.get("ranges") or []
    versions = entry.get("versions") or []
    if not isinstance(ranges, list) or not isinstance(versions, list):
        raise MalformedRecordError("ranges/versions is not a list")
    for r in ranges:
        if not isinstance(r, dict) or not isinstance(r.get("events"), list):
            raise MalformedRecordError("range without an events list")
        if not any(isinstance(e, dict) and "introduced" in e for e in r["events"]):
            raise MalformedRecordError("range without an 'introduced' event")
    if not ranges and not versions:
        raise MalformedRecordError("affected entry with neither ranges nor versions")
    severity = None
    for holder in (entry.get("ecosystem_specific"), entry.get("database_specific")):
        if isinstance(holder, dict) and isinstance(holder.get("severity"), str):
            severity = holder["severity"]
            break
    return AffectedRecord(
        ecosystem=ecosystem,
        name=normalize_package_name(ecosystem, str(pkg["name"])),
        ranges=[{"type": str(r.get("type", "")), "events": r["events"]} for r in ranges],
        versions=[str(v) for v in versions],
        severity=severity,
    )


def osv_to_advisory(data: Any) -> AdvisoryRecord:
    """Validate and normalise one OSV record; raise :class:`MalformedRecordError`."""
    if not isinstance(data, dict):
        raise MalformedRecordError("record is not an object")
    vid = data.get("id")
    if not isinstance(vid, str) or not vid.strip():
        raise MalformedRecordError("missing id")
    raw_affected = data.get("affected")
    if raw_affected is not None and not isinstance(raw_affected, list):
        raise MalformedRecordError("affected is not a list")
    affected = [_affected(a) for a in raw_affected or []]
    if not affected:
        raise MalformedRecordError("no affected packages")
    aliases = data.get("aliases") or []
    severities = []
    for s in data.get("severity") or []:
        if isinstance(s, dict) and s.get("type") and s.get("score"):
            severities.append((str(s["type"]), str(s["score"])))
    refs = [
        (str(r.get("type", "")), str(r["url"]))
        for r in data.get("references") or []
        if isinstance(r, dict) and r.get("url")
    ]
    dbs = data.get("database_specific")
    vendor = dbs.get("severity") if isinstance(dbs, dict) else None
    eco = affected[0].ecosystem.split(":", 1)[0]
    return AdvisoryRecord(
        id=vid.strip(),
        source=f"osv:{eco}",
        summary=str(data.get("summary") or ""),
        details=str(data.get("details") or ""),
        published=timestamp(data.get("published")),
        modified=timestamp(data.get("modified")),
        withdrawn=timestamp(data.get("withdrawn")),
        vendor_severity=str(vendor) if isinstance(vendor, str) else None,
        aliases=[str(a) for a in aliases if isinstance(a, str)],
        severities=severities,
        references=refs,
        affected=affected,
    )
