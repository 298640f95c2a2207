"""Building the database aside and swapping it in atomically.

An update never writes into the file scans are reading: it copies the live DB (or
starts empty) into ``vuln.db.tmp-<pid>`` next to it, imports there, checks it, and
``os.replace``\\ s it over ``vuln.db``. An interrupted update leaves the old file
intact and, at worst, a stale temp file that the next build removes.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from seawall.analyzers.vuln.db.errors import CorruptDatabaseError, DatabaseBusyError
from seawall.analyzers.vuln.db.records import AdvisoryRecord
from seawall.analyzers.vuln.db.schema import DDL, FORMAT_TAG, INDEXES, SCHEMA_VERSION
from seawall.analyzers.vuln.db.store import VulnStore
from seawall.analyzers.vuln.versions.dpkg import parse_dpkg
from seawall.analyzers.vuln.versions.interface import InvalidVersionError

_FIXED_STATES_RANK = {"fixed": 3, "not-affected": 2}


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class VulnDbWriter:
    """Write access to a database being built (never the live file)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def advisory_modified(self, advisory_id: str) -> str | None:
        """``modified`` of the stored advisory, for incremental updates."""
        row = self.conn.execute(
            "SELECT modified FROM advisories WHERE id = ?", (advisory_id,)
        ).fetchone()
        return row[0] if row else None

    def upsert_advisory(self, adv: AdvisoryRecord, *, known_new: bool = False) -> None:
        """Insert or replace an advisory with everything it affects. ``known_new``: the
        caller checked it is not stored yet (skips the deletes, which are table scans
        while a fresh build has no indexes yet)."""
        c = self.conn
        if not known_new:
            for table in ("aliases", "severities", "refs", "affected"):
                c.execute(f"DELETE FROM {table} WHERE advisory_id = ?", (adv.id,))
        c.execute(
            "INSERT OR REPLACE INTO advisories VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (adv.id, adv.source, adv.summary, adv.details, adv.published, adv.modified,
             adv.withdrawn, adv.vendor_severity),
        )
        c.executemany(
            "INSERT OR IGNORE INTO aliases VALUES (?, ?)",
            [(adv.id, a) for a in adv.aliases if a and a != adv.id],
        )
        c.executemany("INSERT OR IGNORE INTO severities VALUES (?, ?, ?)",
                      [(adv.id, t, s) for t, s in adv.severities])
        c.executemany("INSERT INTO refs VALUES (?, ?, ?)",
                      [(adv.id, t, u) for t, u in adv.references])
        c.executemany(
            "INSERT INTO affected VALUES (?, ?, ?, ?, ?, ?)",
            [(adv.id, a.ecosystem, a.name, json.dumps(a.ranges, separators=(",", ":")),
              json.dumps(a.versions, separators=(",", ":")), a.severity) for a in adv.affected],
        )

    def ensure_advisory(self, advisory_id: str, source: str, summary: str = "") -> None:
        """Make sure a distro-only vulnerability (a bare CVE) has an advisory row."""
        self.conn.execute(
            "INSERT OR IGNORE INTO advisories (id, source, summary) VALUES (?, ?, ?)",
            (advisory_id, source, summary),
        )
        if summary:
            self.conn.execute(
                "UPDATE advisories SET summary = ? WHERE id = ? AND COALESCE(summary, '') = ''",
                (summary, advisory_id),
            )

    def set_debian_status(
        self, release: str, package: str, vuln_id: str, state: str,
        fixed_version: str | None, urgency: str | None,
    ) -> None:
        """Record the tracker's verdict; a concrete fix (e.g. from a DSA) is never
        overwritten by a vaguer state read later from an older file."""
        row = self.conn.execute(
            "SELECT state, urgency FROM debian_status WHERE release=? AND package=? AND vuln_id=?",
            (release, package, vuln_id),
        ).fetchone()
        if row is not None:
            if _FIXED_STATES_RANK.get(row[0], 0) > _FIXED_STATES_RANK.get(state, 0):
                return
            urgency = urgency or row[1]
        self.conn.execute(
            "INSERT OR REPLACE INTO debian_status VALUES (?, ?, ?, ?, ?, ?)",
            (release, package, vuln_id, state, fixed_version, urgency),
        )

    def set_debian_source(self, release: str, package: str, version: str) -> None:
        """Record a release's source version, keeping the newest (main vs -security)."""
        row = self.conn.execute(
            "SELECT version FROM debian_sources WHERE release=? AND package=?", (release, package)
        ).fetchone()
        if row is not None:
            with contextlib.suppress(InvalidVersionError):
                if parse_dpkg(row[0]) >= parse_dpkg(version):
                    return
        self.conn.execute("INSERT OR REPLACE INTO debian_sources VALUES (?, ?, ?)",
                          (release, package, version))

    def set_debian_release(self, codename: str, major_version: str) -> None:
        """Map a codename to its major version number."""
        self.conn.execute("INSERT OR REPLACE INTO debian_releases VALUES (?, ?)",
                          (codename, major_version))

    def add_alpine_secfix(
        self, branch: str, package: str, fixed_version: str, vuln_id: str
    ) -> None:
        """Record one secdb ``secfixes`` entry."""
        self.conn.execute("INSERT OR IGNORE INTO alpine_secfixes VALUES (?, ?, ?, ?)",
                          (branch, package, fixed_version, vuln_id))

    def record_source(
        self, name: str, location: str, record_count: int, last_modified: str | None
    ) -> None:
        """Remember where a source came from and how much it held."""
        self.conn.execute(
            "INSERT OR REPLACE INTO sources VALUES (?, ?, ?, ?, ?)",
            (name, location, record_count, last_modified, _now()),
        )

    def source_last_modified(self, name: str) -> str | None:
        """``last_modified`` recorded for a source by an earlier import."""
        row = self.conn.execute(
            "SELECT last_modified FROM sources WHERE name = ?", (name,)
        ).fetchone()
        return row[0] if row else None


def _create(conn: sqlite3.Connection) -> None:
    conn.executescript(DDL)
    conn.executemany(
        "INSERT INTO meta VALUES (?, ?)",
        [("format", FORMAT_TAG), ("schema_version", str(SCHEMA_VERSION)), ("created_at", _now())],
    )


@contextlib.contextmanager
def _exclusive_lock(directory: Path) -> Iterator[IO[str]]:
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / "vuln.db.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DatabaseBusyError(
                f"another seawall process is updating the vulnerability DB in {directory}"
            ) from None
        yield handle


@contextlib.contextmanager
def build_database(path: Path, *, start_from_existing: bool) -> Iterator[VulnDbWriter]:
    """Yield a writer on a temp copy of ``path``; on success swap it in atomically.

    ``start_from_existing``: copy the live DB first (incremental import). When the live
    DB is corrupt this raises :class:`CorruptDatabaseError`; pass False to rebuild."""
    with _exclusive_lock(path.parent):
        for stale in path.parent.glob(path.name + ".tmp-*"):
            stale.unlink(missing_ok=True)
        tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
        conn = sqlite3.connect(tmp, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode=OFF")
            conn.execute("PRAGMA synchronous=OFF")
            if start_from_existing and path.exists():
                with VulnStore.open(path) as live:
                    live.conn.backup(conn)
            else:
                _create(conn)
            conn.execute("BEGIN")
            yield VulnDbWriter(conn)
            conn.execute("INSERT OR REPLACE INTO meta VALUES ('updated_at', ?)", (_now(),))
            conn.execute("COMMIT")
            conn.executescript(INDEXES)
            conn.execute("ANALYZE")
            check = conn.execute("PRAGMA quick_check").fetchone()
            if check is None or check[0] != "ok":
                raise CorruptDatabaseError(tmp, f"self-check failed: {check}")
            conn.close()
            os.replace(tmp, path)
        except BaseException:
            conn.close()
            tmp.unlink(missing_ok=True)
            raise
