"""OS package databases: dpkg (status, distroless status.d, file lists, DEP-5
copyright), apk, rpm (SQLite, Berkeley DB, NDB), OS end of life."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest

import seawall
from seawall.analyzers.facts.inventory import InventoryExtractor, run_inventory
from seawall.analyzers.interface import AnalysisContext, FileInput
from seawall.analyzers.packages.dpkg import licenses_from_copyright, packages_from_status
from seawall.analyzers.packages.os_eol import eol_status
from seawall.analyzers.packages.rpm_header import split_source_rpm
from seawall.fs.directory import DirectoryFileSystem
from seawall.model.report import OSInfo

FIXTURES = Path(__file__).parent / "fixtures" / "packages"
RPM_DIR = FIXTURES / "rpm"


def analyze(root: Path, path: str) -> object:
    fs = DirectoryFileSystem(str(root))
    info = fs.lstat(path)
    analyzer = InventoryExtractor()
    assert analyzer.required(path, info)
    return analyzer.analyze_file(FileInput(path, info, fs, "sha256:" + "a" * 64), AnalysisContext())


def test_dpkg_status_fields() -> None:
    text = (FIXTURES / "rootfs-debian/var/lib/dpkg/status").read_text()
    pkgs = {p.name: p for p in packages_from_status(text, "/var/lib/dpkg/status", None)}
    assert "oldtool" not in pkgs  # config-files only: nothing installed
    assert set(pkgs) == {"base-files", "bash", "libc6", "zlib1g", "libssl3", "python3-six",
                         "python3-yaml"}
    assert (pkgs["libc6"].source_name, pkgs["libc6"].source_version) == ("glibc", "2.36-9+deb12u7")
    # binNMU: the source version is the one in parentheses
    assert (pkgs["bash"].source_name, pkgs["bash"].source_version) == ("bash", "5.2.15-2")
    assert pkgs["zlib1g"].version == "1:1.2.13.dfsg-1"
    assert pkgs["zlib1g"].source_version == "1:1.2.13.dfsg-1"
    assert pkgs["base-files"].source_name == "base-files"
    assert pkgs["python3-six"].arch == "all"


def test_dpkg_copyright_dep5_only() -> None:
    root = FIXTURES / "rootfs-debian/usr/share/doc"
    assert licenses_from_copyright((root / "zlib1g/copyright").read_bytes()) == ["Zlib"]
    assert licenses_from_copyright((root / "bash/copyright").read_bytes()) == [
        "GPL-3.0-or-later", "BSD-4-clause-UC", "GPL-2.0-or-later"]
    assert licenses_from_copyright((root / "libc6/copyright").read_bytes()) == []
    findutils_style = (b"Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/"
                       b"\n\nFiles: *\nLicense: BSD-3-clause and/or GPL-3+\n\n"
                       b"Files: x\nLicense: MIT/X11\n")
    assert licenses_from_copyright(findutils_style) == ["BSD-3-Clause", "GPL-3.0-or-later", "MIT"]


def test_distroless_status_d() -> None:
    target = seawall.open_rootfs(str(FIXTURES / "distroless"))
    result = run_inventory(target)
    pkgs = {p.name: p for p in result.packages}
    assert set(pkgs) == {"libssl3", "tzdata"}
    assert pkgs["libssl3"].path == "/var/lib/dpkg/status.d/libssl3"
    assert pkgs["libssl3"].source_name == "openssl"
    assert pkgs["libssl3"].purl == \
        "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl"
    md5 = analyze(FIXTURES / "distroless", "/var/lib/dpkg/status.d/libssl3.md5sums")
    assert md5.data["owned_files"] == ["/usr/lib/x86_64-linux-gnu/libssl.so.3",
                                       "/usr/lib/x86_64-linux-gnu/libcrypto.so.3"]


def test_apk_installed() -> None:
    result = analyze(FIXTURES / "alpine", "/lib/apk/db/installed")
    pkgs = {p.name: p for p in result.packages}
    assert [(p.name, p.version, p.source_name, p.arch, p.licenses) for p in result.packages] == [
        ("musl", "1.2.4-r2", "musl", "x86_64", ["MIT"]),
        ("libcrypto3", "3.1.3-r0", "openssl", "x86_64", ["Apache-2.0"]),
        ("busybox", "1.36.1-r2", "busybox", "x86_64", ["GPL-2.0-only"]),
    ]
    assert pkgs["musl"].layer == "sha256:" + "a" * 64
    owned = result.data["owned_files"]
    assert "/lib/ld-musl-x86_64.so.1" in owned and "/usr/lib/libcrypto.so.3" in owned


def test_apk_target_purls_and_ownership() -> None:
    result = run_inventory(seawall.open_rootfs(str(FIXTURES / "alpine")))
    purls = sorted(p.purl for p in result.packages)
    assert "pkg:apk/alpine/libcrypto3@3.1.3-r0?arch=x86_64&distro=3.18.4&upstream=openssl" in purls
    # the dist-info under an apk-owned directory is the OS package's, not a PyPI one
    assert not [p for p in result.packages if p.type == "pypi"]


def _expected_rpms() -> list[tuple[str, str, str, str, str]]:
    rows = []
    for line in (RPM_DIR / "expected.txt").read_text().splitlines():
        name, evr, arch, srpm, lic = line.split("\t")
        rows.append((name, evr, arch, srpm, lic))
    return rows


@pytest.mark.parametrize("db_name", ["rpmdb.sqlite", "Packages", "Packages.db"])
def test_rpm_databases_match_rpm_qa(tmp_path: Path, db_name: str) -> None:
    dest = tmp_path / "var/lib/rpm"
    dest.mkdir(parents=True)
    shutil.copy(RPM_DIR / db_name, dest / db_name)
    result = analyze(tmp_path, f"/var/lib/rpm/{db_name}")
    assert not result.errors
    got = sorted((p.name, p.version, p.arch or "", p.licenses[0]) for p in result.packages)
    want = sorted((n, evr, arch, lic) for n, evr, arch, _srpm, lic in _expected_rpms())
    assert got == want
    by_name = {p.name: p for p in result.packages}
    for name, _evr, _arch, srpm, _lic in _expected_rpms():
        src = split_source_rpm(srpm)
        assert src is not None
        assert by_name[name].source_name == src[0]
    assert by_name["seawall-lib"].source_name == "seawall-crypto"
    assert by_name["seawall-hello"].source_version == "2:1.2.3-4.el9"
    owned = set(result.data["owned_files"])
    assert "/usr/share/seawall-big/file-with-a-long-name-300.txt" in owned
    assert len([f for f in owned if f.startswith("/usr/share/seawall-big/")]) >= 300


@pytest.mark.skipif(shutil.which("rpm") is None, reason="Debian's rpm package not installed")
@pytest.mark.parametrize(("db_name", "backend"), [("rpmdb.sqlite", "sqlite"),
                                                  ("Packages", "bdb_ro")])
def test_rpm_databases_against_live_rpm(tmp_path: Path, db_name: str, backend: str) -> None:
    dbpath = tmp_path / "var/lib/rpm"
    dbpath.mkdir(parents=True)
    shutil.copy(RPM_DIR / db_name, dbpath / db_name)
    live = subprocess.run(
        ["rpm", "-qa", "--dbpath", str(dbpath), "--define", f"_db_backend {backend}",
         "--qf", "%{NAME} %{EVR} %{ARCH}\\n"],
        capture_output=True, text=True, check=True).stdout
    parsed = analyze(tmp_path, f"/var/lib/rpm/{db_name}")
    got = sorted(f"{p.name} {p.version} {p.arch}" for p in parsed.packages)
    assert got == sorted(live.splitlines())


def test_rpm_target_dedups_rpm_owned_python(tmp_path: Path) -> None:
    (tmp_path / "var/lib/rpm").mkdir(parents=True)
    shutil.copy(RPM_DIR / "rpmdb.sqlite", tmp_path / "var/lib/rpm/rpmdb.sqlite")
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc/os-release").write_text('ID="rhel"\nVERSION_ID="9.2"\nNAME="Red Hat"\n')
    dist = tmp_path / "usr/lib/python3.9/site-packages/hello-1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: hello\nVersion: 1.0\n")
    result = run_inventory(seawall.open_rootfs(str(tmp_path)))
    assert {p.type for p in result.packages} == {"rpm"}
    hello = next(p for p in result.packages if p.name == "seawall-hello")
    assert hello.purl == ("pkg:rpm/redhat/seawall-hello@1.2.3-4.el9"
                          "?arch=noarch&distro=redhat-9.2&epoch=2")


def test_corrupt_rpmdb_is_an_error_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "var/lib/rpm").mkdir(parents=True)
    data = bytearray((RPM_DIR / "Packages").read_bytes())
    data[4096:8192] = b"\xff" * 4096  # trash the first hash page
    (tmp_path / "var/lib/rpm/Packages").write_bytes(bytes(data))
    (tmp_path / "var/lib/rpm/Packages.db").write_bytes(b"RpmP" + b"\0" * 60)
    result = run_inventory(seawall.open_rootfs(str(tmp_path)))
    messages = [e.message for e in result.errors]
    assert any("/var/lib/rpm/Packages.db" in m for m in messages)
    assert all(p.type == "rpm" for p in result.packages)


@pytest.mark.parametrize(
    ("family", "version", "today", "eol"),
    [
        ("debian", "10", dt.date(2026, 11, 23), True),
        ("debian", "12", dt.date(2026, 11, 23), False),
        ("debian", "6", dt.date(2026, 11, 23), True),  # older than any listed release
        ("alpine", "3.18.4", dt.date(2025, 5, 8), False),
        ("alpine", "3.18.4", dt.date(2025, 5, 10), True),
        ("ubuntu", "22.04", dt.date(2026, 11, 23), False),
        ("redhat", "7.9", dt.date(2026, 11, 23), True),
        ("amazon", "2023", dt.date(2026, 11, 23), False),
    ],
)
def test_os_eol_table(family: str, version: str, today: dt.date, eol: bool) -> None:
    status = eol_status(OSInfo(family=family, version=version), today)
    assert status is not None and status.eol is eol


def test_os_eol_unknown_is_none() -> None:
    assert eol_status(OSInfo(family="wolfi", version="20230201")) is None
    assert eol_status(OSInfo(family="debian", version="")) is None


def test_eol_finding_on_old_release(tmp_path: Path) -> None:
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc/os-release").write_text(
        'PRETTY_NAME="Debian GNU/Linux 10 (buster)"\nID=debian\nVERSION_ID="10"\n')
    target = seawall.open_rootfs(str(tmp_path))
    result = run_inventory(target)
    assert [f.rule_id for f in result.findings] == ["SW-OS-EOL"]
    assert "2024-06-30" in result.findings[0].title
    assert target.os is not None and target.os.eol is True
    assert target.target_info().to_dict()["os"]["eol"] is True
