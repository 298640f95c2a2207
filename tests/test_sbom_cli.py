"""``seawall sbom`` and ``seawall sbom-scan`` end to end (real CLI processes)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import yaml
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from packaging.version import Version

from fs_image_builders import E, layer_tar, write_docker_archive
from shared_data import shared_marker, shared_path
from unprivileged import without_dac_override

FIXTURES = Path(__file__).parent / "fixtures" / "packages"
ROOTFS = FIXTURES / "rootfs-debian"
PYPA_REQUESTS = shared_path("vulndata/pypa-advisory-database/vulns/requests")


def seawall(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "import sys; from seawall.cli import main; main(sys.argv[1:])",
         *args], capture_output=True, text=True, timeout=300, env=env, check=False)


def test_sbom_rootfs_cyclonedx_to_file(tmp_path: Path) -> None:
    out = tmp_path / "sbom.cdx.json"
    proc = seawall("sbom", str(ROOTFS), "--format", "cyclonedx", "--output", str(out))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    text = out.read_text()
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None
    names = {c["name"] for c in json.loads(text)["components"]}
    assert {"zlib1g", "requests", "lodash", "Newtonsoft.Json"} <= names


def test_sbom_spdx_to_stdout() -> None:
    proc = seawall("sbom", f"rootfs:{FIXTURES / 'distroless'}", "-f", "spdx")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["spdxVersion"] == "SPDX-2.3"
    assert {p["name"] for p in doc["packages"]} >= {"libssl3", "tzdata", "debian"}


def test_sbom_of_docker_archive_image(tmp_path: Path) -> None:
    status = (b"Package: curl\nStatus: install ok installed\nArchitecture: amd64\n"
              b"Source: curl\nVersion: 7.88.1-10+deb12u5\nDescription: x\n\n")
    layers = [layer_tar([E("etc/os-release", data=(ROOTFS / "etc/os-release").read_bytes()),
                         E("var/lib/dpkg/status", data=status)])]
    archive = write_docker_archive(tmp_path / "img.tar", layers)
    proc = seawall("sbom", f"docker-archive:{archive}", "-f", "json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert [(p["name"], p["purl"]) for p in report["packages"]] == [
        ("curl", "pkg:deb/debian/curl@7.88.1-10%2Bdeb12u5?arch=amd64&distro=debian-12")]
    assert report["target"]["kind"] == "image"


def test_sbom_that_could_not_read_everything_exits_4(tmp_path: Path) -> None:
    root = tmp_path / "rootfs"
    shutil.copytree(ROOTFS, root)
    status = root / "var/lib/dpkg/status"
    status.chmod(0)
    out = tmp_path / "sbom.cdx.json"
    proc = subprocess.run(
        [*without_dac_override(), sys.executable, "-c",
         "import sys; from seawall.cli import main; main(sys.argv[1:])", "sbom", str(root),
         "-o", str(out)], capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 4, proc.stderr
    assert "/var/lib/dpkg/status" in proc.stderr
    doc = json.loads(out.read_text())
    props = {(p["name"], p["value"]) for p in doc["metadata"]["component"]["properties"]}
    assert ("seawall:scan:complete", "false") in props
    assert "zlib1g" not in {c["name"] for c in doc["components"]}


def test_sbom_bad_reference_is_one_line_exit_2(tmp_path: Path) -> None:
    proc = seawall("sbom", f"docker-archive:{tmp_path / 'missing.tar'}")
    assert proc.returncode == 2
    assert proc.stderr.startswith("seawall: ") and proc.stderr.count("\n") == 1


def _affected_requests_ids(version: str) -> tuple[set[frozenset[str]], set[frozenset[str]]]:
    """(advisories affecting ``version``, advisories not affecting it) as id+alias sets,
    computed from the PyPA advisory files themselves."""
    hit: set[frozenset[str]] = set()
    miss: set[frozenset[str]] = set()
    installed = Version(version)
    for path in sorted(PYPA_REQUESTS.glob("*.yaml")):
        adv = yaml.safe_load(path.read_text())
        ids = frozenset([adv["id"], *adv.get("aliases", [])])
        affected = False
        for entry in adv.get("affected", []):
            if entry["package"]["name"].lower() != "requests":
                continue
            if version in [str(v) for v in entry.get("versions", [])]:
                affected = True
            for rng in entry.get("ranges", []):
                if rng["type"] != "ECOSYSTEM":
                    continue
                low, high = None, None
                for event in rng["events"]:
                    if "introduced" in event:
                        low = Version(str(event["introduced"]))
                    if "fixed" in event:
                        high = Version(str(event["fixed"]))
                if low is not None and installed >= low and (high is None or installed < high):
                    affected = True
        (hit if affected else miss).add(ids)
    return hit, miss


@shared_marker("vulndata/pypa-advisory-database/vulns/requests")
def test_sbom_scan_matches_pypa_advisories(tmp_path: Path) -> None:
    sbom = tmp_path / "sbom.spdx.json"
    assert seawall("sbom", str(ROOTFS), "-f", "spdx", "-o", str(sbom)).returncode == 0
    db_dir = tmp_path / "db"
    imported = seawall("db", "import", "--db-dir", str(db_dir), str(PYPA_REQUESTS))
    assert imported.returncode == 0, imported.stderr
    proc = seawall("sbom-scan", str(sbom), "--db-dir", str(db_dir), "-f", "json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    found = {(f["rule_id"], f["package"]["name"]) for f in report["findings"]}
    rule_ids = {rule for rule, name in found if name == "requests"}
    hit, miss = _affected_requests_ids("2.19.1")
    assert hit, "fixture advisories should affect requests 2.19.1"
    for ids in hit:
        assert ids & rule_ids, f"missing finding for {sorted(ids)}"
    for ids in miss:
        assert not ids & rule_ids, f"unexpected finding for {sorted(ids)}"
    gated = seawall("sbom-scan", str(sbom), "--db-dir", str(db_dir), "-f", "json",
                    "--exit-code", "3")
    assert gated.returncode == 3
    # the same suppressions as every scan: an ignore file hides what it lists
    ignore = tmp_path / ".seawallignore"
    ignore.write_text("".join(f"{rule}\n" for rule in sorted(rule_ids)))
    ignored = seawall("sbom-scan", str(sbom), "--db-dir", str(db_dir), "-f", "json",
                      "--exit-code", "3", "--ignorefile", str(ignore))
    assert ignored.returncode == 0, ignored.stderr
    doc = json.loads(ignored.stdout)
    assert not [f for f in doc["findings"] if f["package"]["name"] == "requests"]
    assert {f["rule_id"] for f in doc["suppressed"]} >= rule_ids


def test_sbom_scan_without_db_is_incomplete_not_clean(tmp_path: Path) -> None:
    """No DB means nothing was matched: exit 4 (not 0 with "no findings"), the
    report says so, and --allow-incomplete is the explicit way to accept it."""
    sbom = tmp_path / "sbom.cdx.json"
    assert seawall("sbom", str(ROOTFS), "-o", str(sbom)).returncode == 0
    nodb = str(tmp_path / "nodb")
    proc = seawall("sbom-scan", str(sbom), "--db-dir", nodb, "-f", "json", "--fail-on", "low")
    assert proc.returncode == 4, proc.stderr
    report = json.loads(proc.stdout)
    assert len(report["packages"]) > 20 and report["findings"] == []
    assert report["complete"] is False
    assert any("no vulnerability database" in e["message"] for e in report["errors"])
    assert "scan incomplete" in proc.stderr and "no vulnerability database" in proc.stderr
    allowed = seawall("sbom-scan", str(sbom), "--db-dir", nodb, "-f", "json",
                      "--allow-incomplete")
    assert allowed.returncode == 0, allowed.stderr
    assert json.loads(allowed.stdout)["complete"] is False


def test_sbom_scan_rejects_non_sbom(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.json"
    bogus.write_text('{"hello": "world"}')
    proc = seawall("sbom-scan", str(bogus))
    assert proc.returncode == 2
    assert proc.stderr.strip() == \
        f"seawall: {bogus}: not a CycloneDX or SPDX 2.x JSON document"
