"""The vulnerability DB: import summaries, atomic rebuilds, corrupt/foreign files,
``db update`` from a mirror served over HTTP on 127.0.0.1, and the ``vuln`` analyzer
warning once when there is no DB."""

from __future__ import annotations

import functools
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from seawall.analyzers.vuln import VulnAnalyzer
from seawall.analyzers.vuln.db.errors import CorruptDatabaseError, NoDatabaseError
from seawall.analyzers.vuln.db.feeds import UpdatePlan, run_update
from seawall.analyzers.vuln.db.local_import import run_import
from seawall.analyzers.vuln.db.store import VulnStore
from seawall.analyzers.vuln.db.writer import build_database
from shared_data import shared_marker, shared_path

DATA = shared_path("vulndata")
PYPA = DATA / "pypa-advisory-database" / "vulns"
GO = DATA / "golang-vulndb" / "data" / "osv"
SEAWALL = [sys.executable, "-c", "from seawall.cli import main; main()"]

pytestmark = shared_marker("vulndata")


def _cli(*args: str, env_dir: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if env_dir is not None:
        env["SEAWALL_DB_DIR"] = str(env_dir)
    return subprocess.run([*SEAWALL, *args], capture_output=True, text=True, env=env,
                          timeout=120)


def test_import_counts_malformed_records_by_file(tmp_path: Path) -> None:
    src = tmp_path / "advisories"
    src.mkdir()
    good = PYPA / "requests"
    for f in sorted(good.glob("*.yaml"))[:2]:
        (src / f.name).write_bytes(f.read_bytes())
    (src / "broken.json").write_text("{not json")
    (src / "noid.json").write_text(json.dumps({"modified": "2024-01-01T00:00:00Z",
                                               "affected": []}))
    (src / "norange.json").write_text(json.dumps({
        "id": "X-1", "modified": "2024-01-01T00:00:00Z",
        "affected": [{"package": {"ecosystem": "PyPI", "name": "x"}}]}))
    (src / "bad.yaml").write_text("id: [unclosed\n")
    report = run_import(tmp_path / "db" / "vuln.db", [src], replace=True)
    assert report.imported["osv:PyPI"] == 2
    reasons = {s.file: s.reason for s in report.skipped}
    assert set(reasons) == {"broken.json", "noid.json", "norange.json", "bad.yaml"}
    assert reasons["norange.json"].endswith("affected entry with neither ranges nor versions")
    text = "\n".join(report.summary_lines())
    assert "skipped 4 malformed or partial records" in text and "broken.json" in text
    # re-importing the same records is incremental by 'modified'
    again = run_import(tmp_path / "db" / "vuln.db", [src])
    assert again.unchanged["osv:PyPI"] == 2 and not again.imported


def test_importing_nothing_or_foreign_files_is_exit_2_and_keeps_the_db(tmp_path: Path
                                                                       ) -> None:
    db_dir = tmp_path / "db"
    good = sorted((PYPA / "requests").glob("*.yaml"))[:2]
    assert _cli("db", "import", "--db-dir", str(db_dir), *map(str, good)).returncode == 0
    before = (db_dir / "vuln.db").read_bytes()
    tracker = DATA / "debian-security-tracker"
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "a.yaml").write_bytes(good[0].read_bytes())
    (foreign / "other.json").write_text(json.dumps({"hello": "world"}))
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.txt").write_text("no advisories here")
    cases = [
        (["db", "import", str(tracker / "data" / "DSA" / "list")], "DSA/DLA list"),
        (["db", "import", str(tracker / "data" / "DLA" / "list")], "DSA/DLA list"),
        (["db", "import", str(tracker)], "nothing imported from"),
        (["db", "import", str(foreign)], "other.json: unrecognised advisory format"),
        (["db", "import", str(DATA / "nodejs-security-wg" / "vuln")],
         "unrecognised advisory format (and "),
        (["db", "update", "--source", str(empty)], "no advisory feed found at"),
    ]
    for args, message in cases:
        proc = _cli(*args, "--db-dir", str(db_dir))
        assert proc.returncode == 2, (args, proc.stderr)
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and message in lines[0], (args, proc.stderr)
        assert (db_dir / "vuln.db").read_bytes() == before, args


def test_corrupt_or_foreign_db_gives_one_clear_error_and_is_repaired(tmp_path: Path) -> None:
    db = tmp_path / "vuln.db"
    with pytest.raises(NoDatabaseError):
        VulnStore.open(db)
    db.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(CorruptDatabaseError, match="corrupt or not a seawall DB"):
        VulnStore.open(db)
    proc = _cli("db", "status", "--db-dir", str(tmp_path))
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "run `seawall db update`" in proc.stderr
    db.unlink()
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE something_else (x)")
    conn.commit()
    conn.close()
    with pytest.raises(CorruptDatabaseError):
        VulnStore.open(db)
    proc = _cli("db", "import", "--replace", "--db-dir", str(tmp_path), str(PYPA / "pyyaml"))
    assert proc.returncode == 0, proc.stderr
    with VulnStore.open(db) as store:
        assert store.counts()["advisories"] == len(list((PYPA / "pyyaml").glob("*.yaml")))


def test_failed_build_leaves_the_live_db_untouched(tmp_path: Path) -> None:
    db = tmp_path / "vuln.db"
    run_import(db, [PYPA / "jinja2"], replace=True)
    before = db.read_bytes()
    with pytest.raises(RuntimeError), build_database(db, start_from_existing=True) as writer:
        writer.conn.execute("DELETE FROM advisories")
        raise RuntimeError("interrupted")
    assert db.read_bytes() == before
    assert not list(tmp_path.glob("vuln.db.tmp-*"))


def test_killed_import_never_damages_the_db_in_use(tmp_path: Path) -> None:
    db = tmp_path / "vuln.db"
    run_import(db, [PYPA / "django"], replace=True)
    with VulnStore.open(db) as store:
        counts = store.counts()
    env = dict(os.environ, SEAWALL_DB_DIR=str(tmp_path))
    proc = subprocess.Popen([*SEAWALL, "db", "import", str(GO)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while not list(tmp_path.glob("vuln.db.tmp-*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    with VulnStore.open(db) as store:
        assert store.counts() == counts


@pytest.fixture()
def mirror(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """An OSV/Debian/Alpine mirror built from shared vulndata, served on 127.0.0.1."""
    root = tmp_path / "mirror"
    (root / "PyPI").mkdir(parents=True)
    with zipfile.ZipFile(root / "PyPI" / "all.zip", "w") as zf:
        for name in ("requests", "urllib3"):
            for f in sorted((PYPA / name).glob("*.yaml")):
                zf.write(f, f.name)
    (root / "Go").mkdir()
    go_files = sorted(GO.glob("GO-2023-*.json"))[:200]
    with zipfile.ZipFile(root / "Go" / "all.zip", "w") as zf:
        for f in go_files:
            zf.write(f, f.name)
    (root / "Go" / "modified_id.csv").write_text(
        "".join(f"0001-01-01T00:00:00Z,{f.stem}\n" for f in go_files))
    (root / "debian").mkdir()
    (root / "debian" / "tracker.json").write_bytes(
        (DATA / "debian-tracker-json-sample" / "debian.json").read_bytes())
    (root / "alpine" / "v3.19").mkdir(parents=True)
    packages = [{"pkg": {"name": d["name"], "secfixes": d["secfixes"]}} for d in (
        json.loads(f.read_text()) for f in (DATA / "vuln-list-alpine/alpine/3.19/main").glob(
            "*.json"))]
    (root / "alpine" / "v3.19" / "main.json").write_text(json.dumps(
        {"distroversion": "v3.19", "reponame": "main", "packages": packages}))
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", root
    finally:
        server.shutdown()
        server.server_close()


def test_update_from_http_mirror_then_incremental(mirror: tuple[str, Path], tmp_path: Path
                                                  ) -> None:
    url, root = mirror
    db_dir = tmp_path / "db"
    (db_dir).mkdir()
    (db_dir / "vuln.db").write_bytes(b"garbage from an older crash")
    proc = _cli("db", "update", "--source", url, "--ecosystem", "PyPI", "--ecosystem", "Go",
                env_dir=db_dir)
    assert proc.returncode == 0, proc.stderr
    assert "rebuilt from scratch" in proc.stderr
    with VulnStore.open(db_dir / "vuln.db") as store:
        sources = {s.name: s for s in store.sources()}
        n_pypi = len(zipfile.ZipFile(root / "PyPI" / "all.zip").namelist())
        assert sources["osv:PyPI"].record_count == n_pypi
        assert sources["osv:Go"].record_count == 200
        assert sources["debian-tracker"].record_count > 0
        assert sources["alpine-secdb"].record_count > 0
        assert store.alpine_secfixes("v3.19", "zlib")
    plan = UpdatePlan(source=url, ecosystems=("PyPI", "Go"))
    report = run_update(db_dir / "vuln.db", plan)
    assert any(n.startswith("osv:Go: up to date") for n in plan.notes)
    assert report.unchanged["osv:PyPI"] == n_pypi and report.imported["osv:PyPI"] == 0
    status = _cli("db", "status", env_dir=db_dir)
    assert status.returncode == 0 and "osv:PyPI" in status.stdout


def test_local_directory_source_for_air_gapped_update(mirror: tuple[str, Path],
                                                      tmp_path: Path) -> None:
    _, root = mirror
    plan = UpdatePlan(source=str(root), ecosystems=("PyPI", "npm"))
    run_update(tmp_path / "vuln.db", plan)
    assert any("osv:npm: not found" in n for n in plan.notes)
    with VulnStore.open(tmp_path / "vuln.db") as store:
        assert store.counts()["advisories"] > 0


def test_scan_without_db_warns_once_and_goes_on(tmp_path: Path) -> None:
    import seawall
    from seawall.scanning.driver import scan_target
    from seawall.scanning.options import ScanOptions

    rootfs = tmp_path / "rootfs"
    site = rootfs / "usr/lib/python3/dist-packages/requests-2.19.1.dist-info"
    site.mkdir(parents=True)
    (site / "METADATA").write_text("Metadata-Version: 2.1\nName: requests\nVersion: 2.19.1\n")
    (rootfs / "etc").mkdir()
    (rootfs / "etc/os-release").write_text('ID=debian\nVERSION_ID="12"\n'
                                           "VERSION_CODENAME=bookworm\n")
    options = ScanOptions(use_cache=False,
                          analyzer_options={"vuln.db_dir": str(tmp_path / "nodb")})
    with seawall.open_rootfs(str(rootfs)) as target:
        report = scan_target(target, scanners=["vuln"], options=options)
    errors = [e for e in report.errors if e.scope == "analyzer:vuln"]
    assert len(errors) == 1 and "no vulnerability database" in errors[0].message
    db_dir = tmp_path / "db"
    run_import(db_dir / "vuln.db", [PYPA / "requests"], replace=True)
    options.analyzer_options["vuln.db_dir"] = str(db_dir)
    with seawall.open_rootfs(str(rootfs)) as target:
        report = scan_target(target, scanners=["vuln"], options=options)
    assert not [e for e in report.errors if e.scope == "analyzer:vuln"]
    vulns = [f for f in report.findings if f.category.value == "vulnerability"]
    assert vulns and all(f.package and f.package.name == "requests" for f in vulns)
    assert all(f.location.path and "requests-2.19.1.dist-info" in f.location.path for f in vulns)
    assert isinstance(VulnAnalyzer(), VulnAnalyzer)
