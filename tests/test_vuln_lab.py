"""End to end on lab images: ``seawall db import`` of the real advisory data
(../shared/vulndata) into a temporary DB, then ``seawall image ... --scanners vuln
--db-dir DB --format json``. Expectations are derived here from the advisory files
(PyPA YAML ``versions`` lists, Go vulndb ranges read with integer tuples, vuln-list
Debian read with the real ``dpkg --compare-versions``) and from what the image itself
records (wheels.txt, the Go toolchain's ``go version -m`` output, dpkg's status file)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

import seawall
from conftest import Lab
from test_vuln_matching_realdata import DATA, DEB, GO, PYPA, _expected_debian

REPO = Path(__file__).resolve().parent.parent
WHEELS = REPO / "tests" / "lab" / "images" / "app-python" / "wheels.txt"
GO_BUILDINFO = "/usr/local/share/seawall-lab/hello.buildinfo"

pytestmark = pytest.mark.skipif(not DATA.is_dir(), reason="shared vulndata not present")

Report = dict[str, Any]


def seawall_cli(*args: str, env: dict[str, str] | None = None
                ) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-c", "from seawall.cli import main; main()", *args],
                          capture_output=True, text=True, env=full_env, timeout=600,
                          check=False)


def _wheels() -> list[tuple[str, str]]:
    pins = []
    for line in WHEELS.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            pins.append((name.strip(), version.strip()))
    return pins


@pytest.fixture(scope="session")
def vuln_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Only the data the lab images need: PyPA dirs of the wheels, the whole Go vulndb,
    the Debian vuln-list subset."""
    db = tmp_path_factory.mktemp("vuln-lab-db")
    pypa = [str(PYPA / n.lower()) for n, _ in _wheels() if (PYPA / n.lower()).is_dir()]
    proc = seawall_cli("db", "import", "--db-dir", str(db), *pypa, str(GO),
                       str(DATA / "vuln-list-debian"))
    assert proc.returncode == 0, proc.stderr
    return db


@pytest.fixture(scope="session")
def scan(vuln_db: Path, lab: Lab, tmp_path_factory: pytest.TempPathFactory
         ) -> Callable[..., Report]:
    """``scan(image, *flags)``: the JSON report of the vuln scanner on a lab image."""
    cache = tmp_path_factory.mktemp("vuln-lab-cache")
    done: dict[tuple[str, ...], Report] = {}

    def run(image: str, *flags: str) -> Report:
        key = (image, *flags)
        if key not in done:
            proc = seawall_cli("image", lab.ref(image, "docker-archive"), "--scanners", "vuln",
                               "--db-dir", str(vuln_db), "--cache-dir", str(cache),
                               "--format", "json", *flags)
            assert proc.returncode == 0, proc.stderr
            done[key] = json.loads(proc.stdout)
        return done[key]

    return run


def _vulns(report: Report, ptype: str) -> list[dict[str, Any]]:
    return [f for f in report["findings"]
            if f["category"] == "vulnerability" and f["package"]["type"] == ptype]


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _read_image_file(lab: Lab, image: str, path: str) -> str:
    with seawall.open_image(lab.ref(image, "docker-archive"), lab.source_options()) as img:
        return img.fs.read_bytes(path).decode()


def _check_location(finding: dict[str, Any], report: Report) -> None:
    layers = {layer["diff_id"] for layer in report["target"].get("layers") or []}
    assert finding["location"]["path"], finding["rule_id"]
    layer = finding["location"]["layer"]
    assert layer and (not layers or layer in layers), finding["rule_id"]
    pkg = finding["package"]
    assert pkg["version"]
    assert (pkg.get("fixed_version") is not None) == (finding["extra"]["status"] == "fixed")


@pytest.mark.lab
def test_old_wheels_get_the_pypa_advisories_listing_their_versions(
        scan: Callable[..., Report]) -> None:
    report = scan("app-python")
    findings = _vulns(report, "pypi")
    checked = 0
    for name, version in _wheels():
        expected: set[str] = set()
        fixes: dict[str, set[str]] = {}
        for advisory in sorted((PYPA / name.lower()).glob("*.yaml")):
            doc = yaml.safe_load(advisory.read_text())
            for aff in doc.get("affected") or []:
                if _norm(aff["package"]["name"]) != _norm(name):
                    continue
                if version in [str(v) for v in aff.get("versions") or []]:
                    expected.add(doc["id"])
                    fixes[doc["id"]] = {str(e["fixed"]) for r in aff.get("ranges") or []
                                        for e in r["events"] if "fixed" in e}
        mine = [f for f in findings if _norm(f["package"]["name"]) == _norm(name)]
        got = {a for f in mine for a in f["extra"]["advisories"] if a.startswith("PYSEC-")}
        assert got == expected, (name, expected ^ got)
        for f in mine:
            assert f["package"]["version"] == version
            assert "/dist-packages/" in f["location"]["path"]
            _check_location(f, report)
            fixed = f["package"].get("fixed_version")
            pysec = [a for a in f["extra"]["advisories"] if a in fixes]
            if fixed and pysec:
                assert set(fixed.split(", ")) & set().union(*(fixes[a] for a in pysec))
        checked += len(expected)
    assert checked >= 5  # requests 2.19.1 and urllib3 1.24.1 alone have more than that


def _go_release(v: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.split(r"[-+]", v.lstrip("v").removeprefix("go"))[0]
                 .split("."))


@pytest.mark.lab
def test_go_binary_gets_the_stdlib_advisories_of_its_toolchain(
        scan: Callable[..., Report], lab: Lab) -> None:
    buildinfo = _read_image_file(lab, "pkgs-go", GO_BUILDINFO)
    go_version = re.search(r":\s*go(\d+(?:\.\d+)+)", buildinfo.splitlines()[0])
    assert go_version, buildinfo
    installed = _go_release(go_version.group(1))
    expected: set[str] = set()
    for advisory in GO.glob("*.json"):
        doc = json.loads(advisory.read_text())
        for aff in doc.get("affected") or []:
            if aff["package"]["name"] != "stdlib":
                continue
            for rng in aff.get("ranges") or []:
                vulnerable = False
                for ev in rng["events"]:  # Go vulndb writes events in ascending order
                    if "introduced" in ev and (ev["introduced"] == "0"
                                               or installed >= _go_release(ev["introduced"])):
                        vulnerable = True
                    elif "fixed" in ev and installed >= _go_release(ev["fixed"]):
                        vulnerable = False
                if vulnerable:
                    expected.add(doc["id"])
    report = scan("pkgs-go")
    stdlib = [f for f in _vulns(report, "golang") if f["package"]["name"] == "stdlib"]
    got = {a for f in stdlib for a in f["extra"]["advisories"]}
    assert expected and got == expected, expected ^ got
    for f in stdlib:
        assert f["location"]["path"] == "/usr/local/bin/hello"
        assert _go_release(f["package"]["version"]) == installed
        _check_location(f, report)


def _dpkg_sources(status: str) -> dict[str, str]:
    """source package -> source version, read from dpkg's status file."""
    out: dict[str, str] = {}
    for stanza in status.split("\n\n"):
        fields = dict(re.findall(r"^([A-Za-z-]+):[ \t]*(.*)$", stanza, re.M))
        if "Package" not in fields or "install ok installed" not in fields.get("Status", ""):
            continue
        source, version = fields["Package"], fields["Version"]
        if "Source" in fields:
            m = re.match(r"(\S+)(?:\s+\((\S+)\))?", fields["Source"])
            assert m
            source, version = m.group(1), m.group(2) or version
        out[source] = version
    return out


def _debian_expectations(lab: Lab) -> dict[str, dict[str, str]]:
    sources = _dpkg_sources(_read_image_file(lab, "base-debian", "/var/lib/dpkg/status"))
    out = {}
    for source, version in sources.items():
        src_file = next(DEB.glob(f"*source/bookworm/main/*/{source}.json"), None)
        release_source = json.loads(src_file.read_text())["Version"][0] if src_file else None
        out[source] = _expected_debian(source, version, "bookworm", release_source)
    return out


def _debian_findings(report: Report) -> dict[str, dict[str, str]]:
    sources = {p["name"]: p.get("source_name", p["name"]) for p in report["packages"]
               if p["type"] == "deb"}
    got: dict[str, dict[str, str]] = {}
    for f in _vulns(report, "deb"):
        if f["extra"]["data_source"] != "debian":
            continue
        source = f["extra"].get("source_package", sources[f["package"]["name"]])
        previous = got.setdefault(source, {}).setdefault(f["rule_id"], f["extra"]["status"])
        assert previous == f["extra"]["status"]  # every binary of a source says the same
    return got


@pytest.mark.lab
def test_bookworm_packages_match_the_debian_tracker_by_source_package(
        scan: Callable[..., Report], lab: Lab) -> None:
    expected = {s: e for s, e in _debian_expectations(lab).items() if e}
    report = scan("base-debian")
    assert expected, "the Debian data covers none of the image's source packages"
    assert _debian_findings(report) == expected
    for f in _vulns(report, "deb"):
        assert f["location"]["path"] == "/var/lib/dpkg/status"
        _check_location(f, report)


@pytest.mark.lab
def test_ignore_unfixed_keeps_only_debian_findings_with_a_fix(
        scan: Callable[..., Report], lab: Lab) -> None:
    fixed = {s: {c: st for c, st in e.items() if st == "fixed"}
             for s, e in _debian_expectations(lab).items()}
    report = scan("base-debian", "--ignore-unfixed")
    assert _debian_findings(report) == {s: e for s, e in fixed.items() if e}
    assert all(f["extra"]["status"] == "fixed" for f in _vulns(report, "deb"))
    everything = scan("base-debian")
    assert len(_vulns(everything, "deb")) > len(_vulns(report, "deb"))


def test_unmatched_package_is_listed_once_with_its_reason(
        vuln_db: Path, tmp_path: Path) -> None:
    root = tmp_path / "rootfs"
    (root / "etc").mkdir(parents=True)
    (root / "etc" / "os-release").write_text('ID=debian\nVERSION_ID="12"\n')
    site = root / "usr/lib/python3/dist-packages"
    for name, version in (("requests", "2.19.1"), ("oddball", "not a version!")):
        dist = site / f"{name}-{version.replace(' ', '_')}.dist-info"
        dist.mkdir(parents=True)
        (dist / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    proc = seawall_cli("rootfs", str(root), "--scanners", "packages,vuln", "--db-dir",
                       str(vuln_db), "--no-cache", "--format", "json")
    # a package that could not be matched was not checked: the scan is incomplete
    assert proc.returncode == 4, proc.stderr
    report = json.loads(proc.stdout)
    assert report["complete"] is False
    assert any("1 packages not matched" in e["message"] for e in report["errors"])
    names = [p["name"] for p in report["packages"]]
    assert sorted(names) == ["oddball", "requests"]
    by_name = {p["name"]: p for p in report["packages"]}
    assert "version" in by_name["oddball"]["extra"]["unmatched"].lower()
    assert "unmatched" not in by_name["requests"].get("extra", {})
    assert any(f["package"]["name"] == "requests" for f in report["findings"])
