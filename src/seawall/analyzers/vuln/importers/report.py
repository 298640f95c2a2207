"""What an import did: records stored per source, and every skipped record with why."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from seawall.errors import InputError

UNRECOGNISED = "unrecognised advisory format"
"""Skip reason of a file no importer recognises (fatal: see :meth:`ImportReport.check`)."""
DEBIAN_LIST = ("a Debian DSA/DLA list (data/DSA/list): not importable, use the tracker "
               "JSON (https://security-tracker.debian.org/tracker/data/json)")


class MalformedRecordError(ValueError):
    """One record cannot be used; the import skips it and counts the reason."""


@dataclass
class SkippedRecord:
    """One record (or file) left out of the database."""

    file: str
    reason: str


@dataclass
class ImportReport:
    """Counters filled while importing; rendered by ``seawall db import/update``."""

    imported: Counter[str] = field(default_factory=Counter)
    """Records stored, per source name (``osv:PyPI``, ``debian-tracker`` ...)."""
    unchanged: Counter[str] = field(default_factory=Counter)
    """Records skipped because the DB already has the same ``modified`` time."""
    last_modified: dict[str, str] = field(default_factory=dict)
    """Newest ``modified`` seen per source."""
    skipped: list[SkippedRecord] = field(default_factory=list)
    files: int = 0
    seen_ids: set[str] = field(default_factory=set)
    """Advisory ids stored by this import (a second copy must replace the first)."""
    feeds: int = 0
    """Feeds ``db update`` found (fetched, or up to date)."""

    def skip(self, file: str, reason: str) -> None:
        """Count one skipped record."""
        self.skipped.append(SkippedRecord(file, reason))

    def stored(self, source: str, modified: str | None = None) -> None:
        """Count one stored record."""
        self.imported[source] += 1
        if modified and modified > self.last_modified.get(source, ""):
            self.last_modified[source] = modified

    def check(self, what: str, *, require_records: bool = True) -> None:
        """Raise InputError (one line naming the culprit) when a file was in no known
        format, or when nothing at all was imported from ``what``: an import that
        stores nothing must not look like a successful one."""
        foreign = [s for s in self.skipped if s.reason in (UNRECOGNISED, DEBIAN_LIST)]
        if foreign:
            more = f" (and {len(foreign) - 1} more such files)" if len(foreign) > 1 else ""
            raise InputError(f"{foreign[0].file}: {foreign[0].reason}{more}; nothing imported")
        if require_records and not sum(self.imported.values()) and not sum(
                self.unchanged.values()):
            found = f"{self.files} files, none usable" if self.files else "no advisory files"
            raise InputError(f"nothing imported from {what}: {found}")

    def skip_reasons(self) -> Counter[str]:
        """How many records were skipped for each reason."""
        return Counter(s.reason for s in self.skipped)

    def summary_lines(self, max_files: int = 20) -> list[str]:
        """Human-readable summary: totals, then skipped records by reason and file."""
        lines = [
            f"imported {sum(self.imported.values())} records from {self.files} files"
            + (f" ({sum(self.unchanged.values())} unchanged)" if self.unchanged else "")
        ]
        for source, n in sorted(self.imported.items()):
            lines.append(f"  {source}: {n}")
        if self.skipped:
            lines.append(f"skipped {len(self.skipped)} malformed or partial records:")
            for reason, n in self.skip_reasons().most_common():
                lines.append(f"  {n} x {reason}")
            for s in self.skipped[:max_files]:
                lines.append(f"  {s.file}: {s.reason}")
            if len(self.skipped) > max_files:
                lines.append(f"  ... and {len(self.skipped) - max_files} more")
        return lines
