"""Matching on real advisory data (../shared/vulndata). Every expectation is derived in
the test from the advisory files themselves, with small independent checks (string
membership in OSV ``versions`` lists, integer tuples for Go releases, the real
``dpkg --compare-versions`` for Debian), never hard-coded."""

from __future__ import annotations

import json
import re
import subprocess

import pytest
import yaml

from seawall.analyzers.vuln.db.local_import import run_import
from seawall.analyzers.vuln.db.store import VulnStore
from seawall.analyzers.vuln.matching import MatchOptions, match_packages
from seawall.model.finding import Finding
from seawall.model.package import Package
from seawall.model.report import OSInfo
from shared_data import shared_marker, shared_path

DATA = shared_path("vulndata")
PYPA = DATA / "pypa-advisory-database" / "vulns"
GO = DATA / "golang-vulndb" / "data" / "osv"
DEB = DATA / "vuln-list-debian" / "tracker"
PYPI_CASES = [("requests", "2.19.1"), ("urllib3", "1.24.1"), ("Django", "2.2"),
              ("PyYAML", "5.1"), ("Jinja2", "2.10"), ("Pillow", "6.0.0")]

pytestmark = shared_marker("vulndata")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> VulnStore:
    db = tmp_path_factory.mktemp("vulndb") / "vuln.db"
    dirs = [PYPA / name.lower() for name, _ in PYPI_CASES]
    report = run_import(db, [*dirs, GO, DATA / "vuln-list-debian",
                             DATA / "debian-tracker-json-sample", DATA / "vuln-list-alpine",
                             DATA / "github-advisory-database"], replace=True)
    assert report.imported["osv:Go"] == len(list(GO.glob("*.json")))
    s = VulnStore.open(db)
    yield s
    s.close()


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _advisory_ids(findings: list[Finding], name: str) -> set[str]:
    return {a for f in findings if f.package and f.package.name == name
            for a in f.extra["advisories"]}


def test_pypi_packages_match_exactly_the_advisories_listing_their_version(store: VulnStore
                                                                            ) -> None:
    packages = [Package(n, v, "pypi", purl=f"pkg:pypi/{n.lower()}@{v}",
                        path=f"/usr/lib/python3/dist-packages/{n}-{v}.dist-info",
                        layer="sha256:" + "1" * 64) for n, v in PYPI_CASES]
    findings = match_packages(packages, OSInfo("debian", "12"), store)
    for name, version in PYPI_CASES:
        expected = set()
        for f in (PYPA / name.lower()).glob("*.yaml"):
            doc = yaml.safe_load(f.read_text())
            for aff in doc.get("affected") or []:
                listed = [str(v) for v in aff.get("versions") or []]
                if _norm(aff["package"]["name"]) == _norm(name) and version in listed:
                    expected.add(doc["id"])
        got = {a for a in _advisory_ids(findings, name) if a.startswith("PYSEC-")}
        assert expected, f"the data lists no advisory for {name} {version}"
        assert got == expected, (name, expected ^ got)
    one = next(f for f in findings if f.package and f.package.name == "requests")
    assert one.location.layer == "sha256:" + "1" * 64 and one.location.path
    assert one.package.purl == "pkg:pypi/requests@2.19.1"
    assert one.rule_id.startswith("CVE-") and one.extra["status"] in ("fixed", "affected")
    assert one.references


def test_ghsa_severity_and_ranges(store: VulnStore) -> None:
    ghsa = json.loads(next((DATA / "github-advisory-database").rglob(
        "GHSA-j8r2-6x86-q33q.json")).read_text())
    events = ghsa["affected"][0]["ranges"][0]["events"]
    intro = next(e["introduced"] for e in events if "introduced" in e)
    fixed = next(e["fixed"] for e in events if "fixed" in e)
    findings = match_packages([Package("requests", "2.19.1", "pypi")], None, store)
    hit = [f for f in findings if "GHSA-j8r2-6x86-q33q" in f.extra["advisories"]]
    inside = tuple(map(int, intro.split("."))) <= (2, 19, 1) < tuple(map(int, fixed.split(".")))
    assert bool(hit) == inside
    if hit:
        assert hit[0].package.fixed_version == fixed
        label = ghsa["database_specific"]["severity"].lower()
        assert hit[0].severity.value == {"moderate": "medium"}.get(label, label)
        assert hit[0].rule_id == ghsa["aliases"][0]


def _go_release(v: str) -> tuple[int, ...]:
    return tuple(int(x) for x in v.split("-")[0].lstrip("v").split("."))


def test_go_stdlib_matches_derived_from_vulndb(store: VulnStore) -> None:
    version = "v1.20.1"
    installed = _go_release(version)
    expected = set()
    for f in GO.glob("*.json"):
        doc = json.loads(f.read_text())
        for aff in doc.get("affected") or []:
            if aff["package"]["name"] != "stdlib":
                continue
            for rng in aff.get("ranges") or []:
                vulnerable = False
                for ev in rng["events"]:  # Go vulndb writes events in ascending order
                    if "introduced" in ev and (ev["introduced"] == "0" or
                                               installed >= _go_release(ev["introduced"])):
                        vulnerable = True
                    elif "fixed" in ev and installed >= _go_release(ev["fixed"]):
                        vulnerable = False
                if vulnerable:
                    expected.add(doc["id"])
    findings = match_packages([Package("stdlib", version, "golang")], None, store)
    assert expected and _advisory_ids(findings, "stdlib") == expected


def _dpkg_lt(a: str, b: str) -> bool:
    return subprocess.run(["dpkg", "--compare-versions", a, "lt", b]).returncode == 0


def _expected_debian(source: str, installed: str, release: str, release_source: str | None
                     ) -> dict[str, str]:
    """Independent reading of vuln-list-debian: CVE + DSA files -> {cve: status}."""
    per: dict[str, dict[str, tuple[str, str | None]]] = {}
    for f in sorted(DEB.glob("CVE/*/*.json")) + sorted(DEB.glob("DSA/*.json")):
        doc = json.loads(f.read_text())
        hid = doc["Header"]["ID"]
        ids = [hid] if hid.startswith("CVE-") else [
            b for a in doc["Annotations"] if a.get("Type") == "xref" for b in a["Bugs"]
            if b.startswith("CVE-")]
        for a in doc["Annotations"]:
            if a.get("Type") != "package" or a.get("Package") != source:
                continue
            rel = a.get("Release") or "sid"
            for cve in ids:
                prev = per.setdefault(cve, {}).get(rel)
                if prev is None or prev[0] != "fixed":
                    per[cve][rel] = (a["Kind"], a.get("Version"))
    status_of = {"no-dsa": "affected", "unfixed": "affected", "postponed": "fix_deferred",
                 "ignored": "will_not_fix", "end-of-life": "end_of_life", "removed": "affected"}
    out = {}
    for cve, rels in per.items():
        rel, sid = rels.get(release), rels.get("sid")
        if rel and rel[0] in ("not-affected", "undetermined"):
            continue
        if rel and rel[0] == "fixed":
            if _dpkg_lt(installed, rel[1]):
                out[cve] = "fixed"
            continue
        if rel is None and (sid is None or sid[0] in ("not-affected", "undetermined")):
            continue
        if sid and sid[0] == "fixed":
            if not _dpkg_lt(installed, sid[1]):
                continue
            if release_source and not _dpkg_lt(release_source, sid[1]):
                out[cve] = "fixed"
                continue
        kind = (rel or sid)[0]
        out[cve] = status_of.get("unfixed" if kind == "fixed" else kind, "affected")
    return out


@pytest.mark.parametrize(("binary", "source", "version"), [
    ("libssl3", "openssl", "3.0.11-1~deb12u2"), ("libssl3", "openssl", "3.0.9-1"),
    ("libc6", "glibc", "2.36-9+deb12u1"), ("tar", "tar", "1.34+dfsg-1.2"),
    ("libexpat1", "expat", "2.5.0-1"), ("libcurl4", "curl", "7.88.1-10+deb12u5"),
    ("libncursesw6", "ncurses", "6.4-4"), ("coreutils", "coreutils", "9.1-1"),
])
def test_debian_bookworm_matches_by_source_package(store: VulnStore, binary: str, source: str,
                                                   version: str) -> None:
    src_file = next(DEB.glob(f"*source/bookworm/main/*/{source}.json"), None)
    release_source = json.loads(src_file.read_text())["Version"][0] if src_file else None
    expected = _expected_debian(source, version, "bookworm", release_source)
    pkg = Package(binary, version, "deb", source_name=source, source_version=version,
                  purl=f"pkg:deb/debian/{binary}@{version}", path="/var/lib/dpkg/status")
    findings = match_packages([pkg], OSInfo("debian", "12", codename="bookworm"), store)
    got = {f.rule_id: f.extra["status"] for f in findings if f.extra["data_source"] == "debian"}
    assert got == expected
    for f in findings:
        assert f.package.name == binary
        assert f.extra.get("source_package", binary) == source
        assert (f.package.fixed_version is not None) == (f.extra["status"] == "fixed")
    unfixed = match_packages([pkg], OSInfo("debian", "12"), store,
                             MatchOptions(ignore_unfixed=True))
    assert {f.rule_id for f in unfixed} == {c for c, s in expected.items() if s == "fixed"}


def test_debian_urgency_becomes_severity(store: VulnStore) -> None:
    doc = json.loads((DEB / "CVE/2011/CVE-2011-3374.json").read_text())
    note = next(a for a in doc["Annotations"] if a.get("Type") == "package")
    pkg = Package(note["Package"], "2.6.1", "deb", source_name=note["Package"])
    found = [f for f in match_packages([pkg], OSInfo("debian", "12"), store)
             if f.rule_id == "CVE-2011-3374"]
    assert found and found[0].severity.value == "low" and found[0].extra["status"] == "affected"


def test_alpine_secfixes(store: VulnStore) -> None:
    doc = json.loads((DATA / "vuln-list-alpine/alpine/3.19/main/zlib.json").read_text())
    installed = "1.2.11-r3"

    def key(v: str) -> tuple[int, ...]:
        up, _, rel = v.partition("-r")
        return (*map(int, up.split(".")), int(rel or 0))

    expected = {c for fixed, ids in doc["secfixes"].items() if fixed != "0"
                and key(installed) < key(fixed) for c in ids}
    never = set(doc["secfixes"].get("0", []))
    findings = match_packages([Package("zlib", installed, "apk", source_name="zlib")],
                              OSInfo("alpine", "3.19.1"), store)
    got = {f.rule_id for f in findings}
    assert got == expected and not (got & never)


def test_unmatchable_packages_are_reported_not_raised(store: VulnStore) -> None:
    pkgs = [Package("requests", "not-a-version!", "pypi"), Package("x", "1.0", "conda"),
            Package("libc6", "2.36-9", "deb", source_name="glibc")]
    findings = match_packages(pkgs, None, store)
    assert findings == []
    assert "invalid pep440 version" in pkgs[0].extra["unmatched"]
    assert "conda" in pkgs[1].extra["unmatched"]
    assert "deb package" in pkgs[2].extra["unmatched"]
