"""``seawall db import PATH...``: load local advisory files into the DB (built aside)."""

from __future__ import annotations

from pathlib import Path

from seawall.analyzers.vuln.db.writer import build_database
from seawall.analyzers.vuln.importers.loader import import_paths
from seawall.analyzers.vuln.importers.report import ImportReport


def run_import(db_file: Path, paths: list[Path], *, replace: bool = False) -> ImportReport:
    """Import ``paths`` (files, directories, zips) on top of the current DB, or into a
    fresh one with ``replace`` (which also repairs a corrupt DB file). A file in no
    known format, or an import that stores nothing, raises InputError and leaves the
    DB as it was."""
    report = ImportReport()
    with build_database(db_file, start_from_existing=not replace) as writer:
        before = dict(report.imported)
        import_paths(paths, writer, report)
        location = ", ".join(str(p) for p in paths)
        report.check(location)
        for source, n in report.imported.items():
            added = n - before.get(source, 0)
            previous = writer.conn.execute(
                "SELECT record_count FROM sources WHERE name = ?", (source,)).fetchone()
            total = added + (previous[0] if previous and not replace else 0)
            writer.record_source(source, location, total, report.last_modified.get(source))
    return report
