"""Open the vulnerability DB and match packages against it, turning a missing or
corrupt DB into report errors (the scan goes on without vulnerability results)."""

from __future__ import annotations

from seawall.analyzers.vuln.db.errors import CorruptDatabaseError, NoDatabaseError
from seawall.analyzers.vuln.db.location import db_path
from seawall.analyzers.vuln.db.store import VulnStore
from seawall.analyzers.vuln.matching.matcher import MatchOptions, match_packages
from seawall.model.finding import Finding
from seawall.model.package import Package
from seawall.model.report import ErrorEntry, OSInfo

SCOPE = "analyzer:vuln"


def match_with_database(
    packages: list[Package],
    os_info: OSInfo | None,
    db_dir: str | None,
    options: MatchOptions,
) -> tuple[list[Finding], list[ErrorEntry]]:
    """Findings for ``packages`` from the DB in ``db_dir`` (default location when None),
    and the errors to report when the DB is absent or unreadable."""
    path = db_path(db_dir)
    try:
        store = VulnStore.open(path)
    except NoDatabaseError:
        return [], [
            ErrorEntry(SCOPE, f"no vulnerability database at {path}; run `seawall db update`")
        ]
    except CorruptDatabaseError as exc:
        return [], [ErrorEntry(SCOPE, str(exc))]
    try:
        return match_packages(packages, os_info, store, options), []
    except CorruptDatabaseError as exc:
        return [], [ErrorEntry(SCOPE, str(exc))]
    finally:
        store.close()
