"""Find advisory files under the given paths, recognise each format by its content and
hand it to the right importer. Bad files and records are counted, never fatal."""

from __future__ import annotations

import json
import os
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import yaml

from seawall.analyzers.vuln.db.writer import VulnDbWriter
from seawall.analyzers.vuln.importers import alpine, debian, npm_wg, rustsec
from seawall.analyzers.vuln.importers.osv import looks_like_osv, osv_to_advisory
from seawall.analyzers.vuln.importers.report import (
    DEBIAN_LIST,
    UNRECOGNISED,
    ImportReport,
    MalformedRecordError,
)
from seawall.errors import NotFoundError

_YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SUFFIXES = (".json", ".yaml", ".yml", ".md")
_MAX_FILE = 512 * 1024 * 1024  # the tracker JSON is ~70 MB; anything far larger is hostile
_DEBIAN_LIST = re.compile(r"^\[\d{1,2} \w{3} \d{4}\] D[SL]A-\d+")


def _decode(name: str, raw: bytes) -> Any:
    if name.endswith(".json"):
        return json.loads(raw)
    if name.endswith((".yaml", ".yml")):
        return yaml.load(raw, Loader=_YAML_LOADER)
    return raw.decode("utf-8", "replace")


def import_document(name: str, raw: bytes, writer: VulnDbWriter, report: ImportReport) -> None:
    """Import one file's bytes; ``name`` is used for format hints and messages."""
    report.files += 1
    try:
        data = _decode(name, raw)
    except (ValueError, yaml.YAMLError, UnicodeDecodeError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        report.skip(name, f"not valid {Path(name).suffix.lstrip('.').upper()}: {first[:120]}")
        return
    if name.endswith(".md"):
        rustsec.import_markdown(str(data), writer, report, name)
        return
    if isinstance(data, list) and data and all(looks_like_osv(d) for d in data):
        for item in data:
            _import_osv(item, writer, report, name)
        return
    for looks_like, import_format in _DOCUMENT_FORMATS:
        if looks_like(data):
            import_format(data, writer, report, name)
            return
    if isinstance(data, dict) and "affected" in data and "id" not in data:
        report.skip(name, "OSV record without an id")  # malformed, not foreign
        return
    if isinstance(data, str) and _DEBIAN_LIST.match(data):
        report.skip(name, DEBIAN_LIST)
        return
    report.skip(name, UNRECOGNISED)


def _import_osv(data: Any, writer: VulnDbWriter, report: ImportReport, name: str) -> None:
    try:
        adv = osv_to_advisory(data)
    except MalformedRecordError as exc:
        report.skip(name, f"{data.get('id', '?') if isinstance(data, dict) else '?'}: {exc}")
        return
    stored = writer.advisory_modified(adv.id)
    if stored is not None and adv.modified is not None and stored >= adv.modified:
        report.unchanged[adv.source] += 1
        return
    writer.upsert_advisory(adv, known_new=stored is None and adv.id not in report.seen_ids)
    report.seen_ids.add(adv.id)
    report.stored(adv.source, adv.modified)


Importer = Callable[[Any, VulnDbWriter, ImportReport, str], None]

#: Parsed documents: the first format whose detector accepts it imports it. Order
#: matters: the Debian tracker JSON (a bare mapping of packages) is the loosest shape.
_DOCUMENT_FORMATS: tuple[tuple[Callable[[Any], bool], Importer], ...] = (
    (looks_like_osv, _import_osv),
    (debian.looks_like_vulnlist_advisory, debian.import_vulnlist_advisory),
    (debian.looks_like_distributions, debian.import_distributions),
    (debian.looks_like_sources_stanza, debian.import_sources_stanza),
    (alpine.looks_like_secdb, alpine.import_secdb),
    (alpine.looks_like_vulnlist_package, alpine.import_vulnlist_package),
    (npm_wg.looks_like_npm_wg, npm_wg.import_advisory),
    (npm_wg.looks_like_npm_wg_index, npm_wg.import_index),
    (debian.looks_like_tracker_json, debian.import_tracker_json),
)


def import_zip(path: Path, writer: VulnDbWriter, report: ImportReport) -> None:
    """An OSV export (``<ecosystem>/all.zip``) or any zip of advisory files."""
    try:
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                if info.is_dir() or not info.filename.endswith(_SUFFIXES):
                    continue
                label = f"{path.name}:{info.filename}"
                if info.file_size > _MAX_FILE:
                    report.skip(label, "member too large")
                    continue
                try:
                    raw = zf.read(info)
                except (zipfile.BadZipFile, OSError) as exc:
                    report.skip(label, f"unreadable zip member: {exc}")
                    continue
                import_document(info.filename, raw, writer, report)
    except zipfile.BadZipFile as exc:
        report.skip(str(path), f"not a valid zip: {exc}")


def _walk(root: Path) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for fn in sorted(filenames):
            p = Path(dirpath) / fn
            if fn.endswith((*_SUFFIXES, ".zip")) and not p.is_symlink():
                yield p


def import_paths(paths: Iterable[Path], writer: VulnDbWriter, report: ImportReport) -> None:
    """Import files, directories (recursively) and zips."""
    for top in paths:
        if not top.exists():
            raise NotFoundError(f"advisory path {top} does not exist")
        files = [top] if top.is_file() else list(_walk(top))
        for f in files:
            if f.suffix == ".zip":
                import_zip(f, writer, report)
                continue
            if f.suffix == ".md" and not rustsec.is_rustsec_path(f):
                continue  # READMEs and docs, not advisories
            if f.stat().st_size > _MAX_FILE:
                report.skip(str(f), "file too large")
                continue
            rel = str(f.relative_to(top)) if f != top else f.name
            import_document(rel if top.is_dir() else str(f), f.read_bytes(), writer, report)
