"""``seawall db update``: fetch the feeds and rebuild the DB aside.

Feed layout (the public upstreams by default, or the same layout under ``--source``,
which may be an http(s)/file URL or a local directory for air-gapped sites):

* ``<osv>/<ECOSYSTEM>/all.zip`` (+ optional ``modified_id.csv``: newest first; when
  its newest time is not newer than the last import the zip is not downloaded, and
  inside a zip only records with a newer ``modified`` are rewritten);
* ``<debian>/tracker.json`` (mirror) or the tracker's ``/tracker/data/json``;
* ``<alpine>/<branch>/<repo>.json`` (secdb.alpinelinux.org layout; ``.yaml`` accepted).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlparse

from seawall.analyzers.vuln.db.errors import CorruptDatabaseError
from seawall.analyzers.vuln.db.writer import VulnDbWriter, build_database
from seawall.analyzers.vuln.importers.loader import import_paths, import_zip
from seawall.analyzers.vuln.importers.report import ImportReport
from seawall.errors import InputError, SourceUnavailableError

OSV_BASE = "https://osv-vulnerabilities.storage.googleapis.com"
DEBIAN_TRACKER_URL = "https://security-tracker.debian.org/tracker/data/json"
ALPINE_BASE = "https://secdb.alpinelinux.org"
DEFAULT_ECOSYSTEMS = ("PyPI", "Go", "npm", "Maven", "RubyGems", "NuGet", "Packagist",
                      "crates.io")
DEFAULT_ALPINE_BRANCHES = ("v3.16", "v3.17", "v3.18", "v3.19", "v3.20", "v3.21", "v3.22")


@dataclass
class UpdatePlan:
    """What ``db update`` fetches."""

    source: str | None = None
    """Mirror base (URL or directory); None = the public upstreams."""
    ecosystems: tuple[str, ...] = DEFAULT_ECOSYSTEMS
    debian: bool = True
    alpine_branches: tuple[str, ...] = DEFAULT_ALPINE_BRANCHES
    notes: list[str] = field(default_factory=list)
    """Feeds that were absent or up to date (reported, not fatal)."""


class _Fetcher:
    """Reads feed files from a directory or over HTTP into a temp dir."""

    def __init__(self, tmp: Path) -> None:
        import httpx  # imported on use (~0.2 s): every CLI start loads this module

        self.tmp = tmp
        self.client = httpx.Client(timeout=httpx.Timeout(60.0, connect=15.0),
                                   follow_redirects=True)

    def get(self, location: str, name: str) -> Path | None:
        """Local path of ``location``; None when it does not exist (404 / no file)."""
        import httpx

        parsed = urlparse(location)
        if parsed.scheme in ("", "file"):
            path = Path(parsed.path if parsed.scheme else location)
            return path if path.is_file() else None
        dest = self.tmp / name
        try:
            with self.client.stream("GET", location) as resp:
                if resp.status_code == 404:
                    return None
                if resp.status_code != 200:
                    raise SourceUnavailableError(f"{location}: HTTP {resp.status_code}")
                with open(dest, "wb") as out:
                    for chunk in resp.iter_bytes(1 << 20):
                        out.write(chunk)
        except httpx.HTTPError as exc:
            raise SourceUnavailableError(f"cannot fetch {location}: {exc}") from None
        return dest

    def close(self) -> None:
        self.client.close()


def _join(base: str, *parts: str) -> str:
    if urlparse(base).scheme in ("http", "https", "file"):
        return base.rstrip("/") + "/" + "/".join(quote(p) for p in parts)
    return str(Path(base, *parts))


def _osv_update(fetch: _Fetcher, writer: VulnDbWriter, report: ImportReport, base: str,
                eco: str, plan: UpdatePlan) -> None:
    source = f"osv:{eco}"
    last = writer.source_last_modified(source)
    csv = fetch.get(_join(base, eco, "modified_id.csv"), f"{eco}-modified.csv")
    if csv is not None and last:
        first = csv.read_text(errors="replace").split("\n", 1)[0]
        newest = first.split(",", 1)[0].strip()
        if newest and newest <= last:
            plan.notes.append(f"{source}: up to date ({newest})")
            report.feeds += 1
            return
    location = _join(base, eco, "all.zip")
    zpath = fetch.get(location, f"{eco.replace('/', '_')}-all.zip")
    if zpath is None:
        plan.notes.append(f"{source}: not found at {location}")
        return
    report.feeds += 1
    before = report.imported[source]
    import_zip(zpath, writer, report)
    count = report.imported[source] - before + report.unchanged[source]
    writer.record_source(source, location, count, report.last_modified.get(source, last))


def _debian_update(fetch: _Fetcher, writer: VulnDbWriter, report: ImportReport,
                   plan: UpdatePlan) -> None:
    location = (_join(plan.source, "debian", "tracker.json") if plan.source
                else DEBIAN_TRACKER_URL)
    path = fetch.get(location, "debian-tracker.json")
    if path is None:
        plan.notes.append(f"debian-tracker: not found at {location}")
        return
    report.feeds += 1
    # the loader dispatches on suffix; a mirror file may be called plain "json"
    if path.suffix != ".json":
        named = fetch.tmp / "debian-tracker.json"
        shutil.copyfile(path, named)
        path = named
    before = report.imported["debian-tracker"]
    import_paths([path], writer, report)
    writer.record_source("debian-tracker", location,
                         report.imported["debian-tracker"] - before, None)


def _alpine_update(fetch: _Fetcher, writer: VulnDbWriter, report: ImportReport,
                   plan: UpdatePlan) -> None:
    base = _join(plan.source, "alpine") if plan.source else ALPINE_BASE
    before = report.imported["alpine-secdb"]
    found = 0
    for branch in plan.alpine_branches:
        for repo in ("main", "community"):
            for ext in (".json", ".yaml"):
                path = fetch.get(_join(base, branch, repo + ext), f"alpine-{branch}-{repo}{ext}")
                if path is not None:
                    import_paths([path], writer, report)
                    found += 1
                    report.feeds += 1
                    break
    if not found:
        plan.notes.append(f"alpine-secdb: nothing found under {base}")
        return
    writer.record_source("alpine-secdb", base, report.imported["alpine-secdb"] - before, None)


@contextmanager
def _temp_dir(db_dir: Path) -> Iterator[Path]:
    db_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="seawall-feeds-", dir=db_dir) as tmp:
        yield Path(tmp)


def run_update(db_file: Path, plan: UpdatePlan) -> ImportReport:
    """Fetch every feed of ``plan`` into a copy of the DB and swap it in. A corrupt or
    foreign DB file is rebuilt from scratch (this is the repair path)."""
    report = ImportReport()
    start_from_existing = db_file.exists()
    if start_from_existing:
        from seawall.analyzers.vuln.db.store import VulnStore

        try:
            VulnStore.open(db_file).close()
        except CorruptDatabaseError:
            plan.notes.append(f"{db_file} was corrupt or foreign: rebuilt from scratch")
            start_from_existing = False
    with _temp_dir(db_file.parent) as tmp, build_database(
            db_file, start_from_existing=start_from_existing) as writer:
        fetch = _Fetcher(tmp)
        try:
            osv_base = plan.source or OSV_BASE
            for eco in plan.ecosystems:
                _osv_update(fetch, writer, report, osv_base, eco, plan)
            if plan.debian:
                _debian_update(fetch, writer, report, plan)
            if plan.alpine_branches:
                _alpine_update(fetch, writer, report, plan)
        finally:
            fetch.close()
        if not report.feeds:
            where = plan.source or "the default feeds"
            raise InputError(
                f"no advisory feed found at {where} (a mirror holds <ECOSYSTEM>/all.zip, "
                "debian/tracker.json, alpine/<branch>/<repo>.json)")
        # an up-to-date feed stores nothing and is fine; a foreign file is not
        report.check(plan.source or "the default feeds", require_records=False)
    return report
