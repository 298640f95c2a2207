"""Read Kubernetes audit logs: JSON lines of ``audit.k8s.io`` Events or ``EventList``
documents (what the log backend writes and what the webhook backend POSTs), plain or
gzip, from files, directories, stdin or a growing file. Bad records are counted and
named (first few), never fatal: a truncated line, non-audit JSON, invalid UTF-8 or an
over-long line costs that record only."""

from __future__ import annotations

import gzip
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import orjson

from seawall.detect.event import Event
from seawall.detect.k8s_audit_schema import SOURCE, event_time

MAX_LINE_BYTES = 16 * 1024 * 1024
"""Longer lines are skipped (counted) without being held in memory whole."""
_KEEP_ERROR_SAMPLES = 20


@dataclass
class ReadStats:
    """What reading gave: events, and bad records by kind with the first few named."""

    records: int = 0
    events: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    samples: list[str] = field(default_factory=list)
    """``where: what`` of the first bad records."""

    def error(self, kind: str, where: str) -> None:
        """Count a bad record."""
        self.errors[kind] += 1
        if len(self.samples) < _KEEP_ERROR_SAMPLES:
            self.samples.append(f"{where}: {kind}")

    @property
    def error_count(self) -> int:
        """Bad records in all."""
        return sum(self.errors.values())


def _is_event(doc: dict[str, Any]) -> bool:
    kind = doc.get("kind")
    if kind == "Event":
        return True
    # Hand-trimmed logs drop kind/apiVersion; an auditID and a verb or stage still say it.
    return kind is None and isinstance(doc.get("auditID"), str) and (
        isinstance(doc.get("verb"), str) or isinstance(doc.get("stage"), str))


class AuditEventDecoder:
    """Turns decoded JSON documents into events, counting what is not an audit event."""

    def __init__(self, stats: ReadStats | None = None) -> None:
        self.stats = stats or ReadStats()
        self._last_time = 0.0

    def events(self, doc: Any, where: str) -> list[Event]:
        """The events of one document (an Event, or an EventList's items)."""
        self.stats.records += 1
        if not isinstance(doc, dict):
            self.stats.error("not a JSON object", where)
            return []
        if doc.get("kind") == "EventList":
            items = doc.get("items")
            if not isinstance(items, list):
                self.stats.error("EventList without an items list", where)
                return []
            out = []
            for index, item in enumerate(items):
                ev = self._one(item, f"{where} item {index}")
                if ev is not None:
                    out.append(ev)
            return out
        ev = self._one(doc, where)
        return [ev] if ev is not None else []

    def _one(self, doc: Any, where: str) -> Event | None:
        if not isinstance(doc, dict) or not _is_event(doc):
            self.stats.error("not an audit Event", where)
            return None
        when = event_time(doc)
        if when is None:
            self.stats.error("event without a timestamp (kept, timed as the previous one)",
                             where)
            when = self._last_time
        self._last_time = when
        self.stats.events += 1
        return Event(SOURCE, doc, when)

    def decode_line(self, line: bytes, where: str) -> list[Event]:
        """The events of one JSON line (empty lines give none and are not errors)."""
        if not line.strip():
            return []
        if line.startswith(b"\xef\xbb\xbf"):  # a byte-order mark from an editor
            line = line[3:]
        try:
            doc = orjson.loads(line)
        except ValueError as exc:  # orjson.JSONDecodeError is a ValueError
            self.stats.records += 1
            if "UTF-8" in str(exc):
                self.stats.error("invalid UTF-8", where)
            else:
                self.stats.error("not valid JSON (truncated?)", where)
            return []
        return self.events(doc, where)


def _open(path: Path) -> IO[bytes]:
    raw = path.open("rb")
    magic = raw.read(2)
    raw.seek(0)
    if magic == b"\x1f\x8b":
        return gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[return-value]
    return raw


class AuditLogReader:
    """Events of audit log files, directories and streams."""

    def __init__(self, max_line: int = MAX_LINE_BYTES) -> None:
        self.stats = ReadStats()
        self.decoder = AuditEventDecoder(self.stats)
        self.max_line = max_line

    def _lines(self, stream: IO[bytes]) -> Iterator[tuple[int, bytes | None]]:
        """(line number, bytes) pairs; None for a line over the limit (skipped)."""
        number = 0
        while True:
            line = stream.readline(self.max_line + 1)
            if not line:
                return
            number += 1
            if len(line) > self.max_line and not line.endswith(b"\n"):
                while True:  # drain the rest of the long line in bounded pieces
                    rest = stream.readline(1024 * 1024)
                    if not rest or rest.endswith(b"\n"):
                        break
                yield number, None
                continue
            yield number, line

    def read_stream(self, stream: IO[bytes], name: str) -> Iterator[Event]:
        """Events of a byte stream of JSON lines."""
        try:
            for number, line in self._lines(stream):
                where = f"{name}:{number}"
                if line is None:
                    self.stats.records += 1
                    self.stats.error(f"line longer than {self.max_line} bytes skipped", where)
                    continue
                yield from self.decoder.decode_line(line, where)
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            self.stats.error(f"read failed: {exc}", name)

    def files(self, path: Path) -> list[Path]:
        """The log files of a path (a directory gives its files, sorted)."""
        if path.is_dir():
            return sorted(p for p in path.rglob("*") if p.is_file() and not p.is_symlink())
        return [path]

    def read_path(self, path: Path) -> Iterator[Event]:
        """Events of a file (plain or gzip) or of every file under a directory."""
        for file in self.files(path):
            try:
                stream = _open(file)
            except OSError as exc:
                self.stats.error(f"cannot open: {exc.strerror or exc}", str(file))
                continue
            with stream:
                yield from self.read_stream(stream, str(file))

    def follow(self, path: Path, stop: Callable[[], bool], poll: float = 0.2
               ) -> Iterator[Event]:
        """Events of a growing file: read to the end, then wait for more until ``stop()``.
        A partial last line is kept until its newline arrives. A file truncated in place
        is read again from its start; a file rotated away (renamed, a new file in its
        place) is finished, then the new file is followed from its start."""
        stream = path.open("rb")
        pending = b""
        number = 0
        try:
            while True:
                chunk = stream.readline(self.max_line + 1)
                if chunk:
                    pending += chunk
                    if not pending.endswith(b"\n") and len(pending) <= self.max_line:
                        continue
                    number += 1
                    line, pending = pending, b""
                    if len(line) > self.max_line:
                        self.stats.records += 1
                        self.stats.error("over-long line skipped", f"{path}:{number}")
                        continue
                    yield from self.decoder.decode_line(line, f"{path}:{number}")
                    continue
                try:
                    current = path.stat()
                except OSError:
                    current = None
                if current is not None and current.st_ino != os.fstat(stream.fileno()).st_ino:
                    if pending:  # the rotated file's unterminated last line
                        number += 1
                        yield from self.decoder.decode_line(pending, f"{path}:{number}")
                    stream.close()
                    stream = path.open("rb")
                    pending, number = b"", 0
                    continue
                if current is not None and current.st_size < stream.tell():
                    stream.seek(0)
                    pending, number = b"", 0
                    continue
                if stop():
                    if pending:
                        number += 1
                        yield from self.decoder.decode_line(pending, f"{path}:{number}")
                    return
                time.sleep(poll)
        finally:
            stream.close()
