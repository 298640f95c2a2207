"""RustSec advisories: Markdown with a TOML front matter (```` ```toml ```` block).
``[versions] patched/unaffected`` are Cargo requirements; a version is affected when it
satisfies none of them (kept as a ``CARGO_REQS`` range for the matcher)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from seawall.analyzers.vuln.db.records import AdvisoryRecord, AffectedRecord
from seawall.analyzers.vuln.db.writer import VulnDbWriter
from seawall.analyzers.vuln.importers.osv import timestamp
from seawall.analyzers.vuln.importers.report import ImportReport

SOURCE = "rustsec"
_FRONT = re.compile(r"^\s*```toml\s*\n(.*?)\n```", re.DOTALL)


def is_rustsec_path(path: Path) -> bool:
    """Advisories are ``RUSTSEC-*.md``; other Markdown is documentation."""
    return path.name.startswith("RUSTSEC-") and path.suffix == ".md"


def import_markdown(text: str, writer: VulnDbWriter, report: ImportReport, file: str) -> None:
    """One RustSec advisory file."""
    m = _FRONT.match(text)
    if not m:
        report.skip(file, "no TOML front matter")
        return
    try:
        doc: dict[str, Any] = tomllib.loads(m.group(1))
    except tomllib.TOMLDecodeError as exc:
        report.skip(file, f"bad TOML front matter: {exc}")
        return
    adv, versions = doc.get("advisory") or {}, doc.get("versions") or {}
    if not adv.get("id") or not adv.get("package"):
        report.skip(file, "advisory without id or package")
        return
    title = text[m.end():].strip().splitlines()
    summary = title[0].lstrip("# ").strip() if title else ""
    ecosystem = "crates.io"
    vector = adv.get("cvss")
    record = AdvisoryRecord(
        id=str(adv["id"]),
        source=SOURCE,
        summary=summary,
        details="\n".join(title[1:]).strip(),
        published=timestamp(adv.get("date")),
        modified=timestamp(adv.get("date")),
        withdrawn=timestamp(adv.get("withdrawn")),
        aliases=[str(a) for a in adv.get("aliases") or []],
        severities=[("CVSS_V3", str(vector))] if vector else [],
        references=[("ADVISORY", str(adv["url"]))] if adv.get("url") else [],
        affected=[AffectedRecord(ecosystem, str(adv["package"]), [{
            "type": "CARGO_REQS",
            "patched": [str(v) for v in versions.get("patched") or []],
            "unaffected": [str(v) for v in versions.get("unaffected") or []],
        }], [])],
    )
    writer.upsert_advisory(record)
    report.stored(SOURCE, record.modified)
