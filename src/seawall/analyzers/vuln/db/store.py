"""Read access to the vulnerability database, for the matcher and ``db status``."""

from __future__ import annotations

import functools
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from seawall.analyzers.vuln.db.errors import CorruptDatabaseError, NoDatabaseError
from seawall.analyzers.vuln.db.schema import FORMAT_TAG, SCHEMA_VERSION


@dataclass(frozen=True)
class AdvisoryInfo:
    """What a finding needs to know about one advisory."""

    id: str
    summary: str
    details: str
    vendor_severity: str | None
    aliases: tuple[str, ...]
    severities: tuple[tuple[str, str], ...]
    references: tuple[str, ...]
    published: str | None = None
    modified: str | None = None
    withdrawn: str | None = None


@dataclass(frozen=True)
class AffectedRow:
    """One ``affected`` entry as stored."""

    advisory_id: str
    ecosystem: str
    name: str
    ranges: list[dict[str, Any]] = field(hash=False)
    versions: list[str] = field(hash=False)
    severity: str | None


@dataclass(frozen=True)
class DebianRow:
    """Tracker verdict for one (release, source package, vulnerability)."""

    release: str
    vuln_id: str
    state: str
    fixed_version: str | None
    urgency: str | None


@dataclass(frozen=True)
class SourceInfo:
    """One imported source, for ``seawall db status``."""

    name: str
    location: str
    record_count: int
    last_modified: str | None
    imported_at: str


class VulnStore:
    """An open, validated, read-only vulnerability database."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path

    @classmethod
    def open(cls, path: Path) -> VulnStore:
        """Open ``path`` read-only and check it is a seawall DB of our schema version."""
        if not path.is_file():
            raise NoDatabaseError(path)
        try:
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
            meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.DatabaseError as exc:
            raise CorruptDatabaseError(path, str(exc)) from None
        if meta.get("format") != FORMAT_TAG:
            conn.close()
            raise CorruptDatabaseError(path, "no seawall format tag")
        if meta.get("schema_version") != str(SCHEMA_VERSION):
            conn.close()
            raise CorruptDatabaseError(
                path, f"schema version {meta.get('schema_version')}, expected {SCHEMA_VERSION}"
            )
        store = cls(conn, path)
        store.meta = meta
        return store

    meta: dict[str, str]

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()

    def __enter__(self) -> VulnStore:
        return self

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _query(self, sql: str, args: tuple[Any, ...] = ()) -> list[Any]:
        try:
            return self.conn.execute(sql, args).fetchall()
        except sqlite3.DatabaseError as exc:
            raise CorruptDatabaseError(self.path, str(exc)) from None

    # -- matcher lookups -------------------------------------------------------------

    def affected(self, name: str, ecosystem_prefixes: tuple[str, ...]) -> list[AffectedRow]:
        """Entries for package ``name`` whose ecosystem equals one of the prefixes or
        starts with ``prefix + ':'`` (``Ubuntu:22.04`` also finds ``Ubuntu:22.04:LTS``)."""
        rows = self._query(
            "SELECT advisory_id, ecosystem, name, ranges, versions, severity "
            "FROM affected WHERE name = ?", (name,)
        )
        out = []
        for adv, eco, nm, ranges, versions, sev in rows:
            if any(eco == p or eco.startswith(p + ":") for p in ecosystem_prefixes):
                out.append(AffectedRow(adv, eco, nm, json.loads(ranges), json.loads(versions), sev))
        return out

    def debian_rows(self, package: str, releases: tuple[str, ...]) -> list[DebianRow]:
        """Tracker rows for a source package in the given releases (plus nothing else)."""
        marks = ",".join("?" * len(releases))
        rows = self._query(
            "SELECT release, vuln_id, state, fixed_version, urgency FROM debian_status "
            f"WHERE package = ? AND release IN ({marks})",
            (package, *releases),
        )
        return [DebianRow(*r) for r in rows]

    def debian_source_version(self, release: str, package: str) -> str | None:
        """The release's current source version of ``package``, when imported."""
        rows = self._query(
            "SELECT version FROM debian_sources WHERE release = ? AND package = ?",
            (release, package),
        )
        return rows[0][0] if rows else None

    def debian_codename(self, major_version: str) -> str | None:
        """Codename for a Debian major version (from the imported distributions list)."""
        rows = self._query(
            "SELECT codename FROM debian_releases WHERE major_version = ?", (major_version,)
        )
        return rows[0][0] if rows else None

    def alpine_secfixes(self, branch: str, package: str) -> list[tuple[str, str]]:
        """(fixed_version, vuln_id) pairs for an origin package on a branch."""
        return [tuple(r) for r in self._query(
            "SELECT fixed_version, vuln_id FROM alpine_secfixes WHERE branch = ? AND package = ?",
            (branch, package),
        )]

    @functools.lru_cache(maxsize=8192)  # noqa: B019 - the store lives for one scan
    def advisory(self, advisory_id: str) -> AdvisoryInfo | None:
        """Text, aliases, severities and references of one advisory (cached)."""
        rows = self._query(
            "SELECT id, summary, details, vendor_severity, published, modified, withdrawn "
            "FROM advisories WHERE id = ?", (advisory_id,)
        )
        if not rows:
            return None
        aid, summary, details, vendor, published, modified, withdrawn = rows[0]
        aliases = tuple(r[0] for r in self._query(
            "SELECT alias FROM aliases WHERE advisory_id = ? ORDER BY alias", (aid,)))
        sev = tuple((r[0], r[1]) for r in self._query(
            "SELECT type, score FROM severities WHERE advisory_id = ? ORDER BY type", (aid,)))
        refs = tuple(r[0] for r in self._query(
            "SELECT url FROM refs WHERE advisory_id = ? ORDER BY rowid", (aid,)))
        return AdvisoryInfo(aid, summary or "", details or "", vendor, aliases, sev, refs,
                            published, modified, withdrawn)

    @functools.lru_cache(maxsize=8192)  # noqa: B019 - the store lives for one scan
    def advisories_aliasing(self, vuln_id: str) -> list[str]:
        """Ids of advisories that list ``vuln_id`` as an alias (GHSA for a CVE ...)."""
        return [r[0] for r in self._query(
            "SELECT advisory_id FROM aliases WHERE alias = ? ORDER BY advisory_id", (vuln_id,))]

    # -- status ------------------------------------------------------------------------

    def sources(self) -> list[SourceInfo]:
        """Every imported source."""
        return [SourceInfo(*r) for r in self._query(
            "SELECT name, location, record_count, last_modified, imported_at "
            "FROM sources ORDER BY name")]

    def counts(self) -> dict[str, int]:
        """Row counts of the main tables."""
        out = {}
        for table in ("advisories", "affected", "aliases", "debian_status", "debian_sources",
                      "alpine_secfixes"):
            out[table] = int(self._query(f"SELECT COUNT(*) FROM {table}")[0][0])
        return out

    def iter_affected_names(self) -> Iterator[tuple[str, str]]:
        """(ecosystem, name) of every affected entry (for benchmarks and debugging)."""
        yield from self._query("SELECT DISTINCT ecosystem, name FROM affected")
