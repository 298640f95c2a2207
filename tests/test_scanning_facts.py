"""Facts before verdicts: the inventory, package ownership and environment of a target
are gathered once per scan (the inventory's per-file parse cached per layer) and every
analyzer reads that one fact set; a fact that cannot be gathered makes the scan
incomplete."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import ClassVar

import pytest

import seawall
from fs_image_builders import E, image_config, layer_tar, write_docker_archive
from seawall.analyzers.catalog import ANALYZERS, register_analyzer
from seawall.analyzers.interface import Analyzer, AnalyzerResult, FileInput
from seawall.analyzers.packages.package_format import FORMATS, PackageFormat, register_format
from seawall.fs.interface import FileInfo
from seawall.model.package import Package
from seawall.scanning import ScanDriver, ScanOptions

PACKAGE_FIXTURES = Path(__file__).parent / "fixtures" / "packages"
PROBE_PATH = "/opt/facts-probe/probe.lock"
PROBE_PARSES: list[str] = []


def _probe_matches(path: str, info: FileInfo) -> bool:
    return path == PROBE_PATH


def _probe_parse(file: FileInput) -> AnalyzerResult:
    PROBE_PARSES.append(file.layer or "")
    return AnalyzerResult(packages=[Package(name="facts-probe", version="1.0", type="npm",
                                            path=file.path, layer=file.layer)])


if "facts-probe" not in FORMATS:
    # A real package format like any other, registered for one path only no other
    # test's target has: it counts how often the inventory parses its file.
    register_format(PackageFormat("facts-probe", _probe_matches, _probe_parse,
                                  suffixes=("/probe.lock",)))


def test_inventory_is_parsed_once_per_scan_and_cached_per_layer(tmp_path: Path) -> None:
    layers = [layer_tar([E("opt", "dir", mode=0o755), E("opt/facts-probe", "dir", mode=0o755),
                         E(PROBE_PATH.lstrip("/"), data=b"{}\n")])]
    archive = write_docker_archive(tmp_path / "img.tar", layers)
    options = ScanOptions(scanners=("packages", "vuln", "secret", "backdoor"),
                          cache_dir=str(tmp_path / "cache"),
                          analyzer_options={"vuln.db_dir": str(tmp_path / "no-db")})
    PROBE_PARSES.clear()
    with seawall.open_image(f"docker-archive:{archive}") as image:
        report = ScanDriver(options).scan(image).report
    # packages and vuln both read the inventory; secret and backdoor the ownership
    # built from it: one parse for the lot.
    assert len(PROBE_PARSES) == 1, PROBE_PARSES
    assert [p.name for p in report.packages if p.name == "facts-probe"] == ["facts-probe"]
    with seawall.open_image(f"docker-archive:{archive}") as image:
        outcome = ScanDriver(options).scan(image)
    assert len(PROBE_PARSES) == 1, "the second scan must come from the per-layer cache"
    assert outcome.cache_hits >= 1
    assert [p.name for p in outcome.report.packages if p.name == "facts-probe"] == ["facts-probe"]


def test_ownership_fact_is_the_package_database() -> None:
    """The ownership built from the inventory's per-file results equals reading the
    dpkg database directly."""
    from seawall.analyzers.facts.inventory import extract_inventory_files
    from seawall.analyzers.package_ownership import (
        load_package_ownership,
        ownership_from_inventory_files,
    )

    target = seawall.open_rootfs(str(PACKAGE_FIXTURES / "rootfs-debian"))
    from_facts = ownership_from_inventory_files(extract_inventory_files(target), target.fs)
    direct = load_package_ownership(target.fs)
    assert from_facts.known and direct.known
    assert from_facts.owned == direct.owned
    assert from_facts.owned, "the fixture's dpkg lists own files"


def test_unparseable_os_package_database_makes_the_scan_incomplete(tmp_path: Path) -> None:
    root = tmp_path / "rootfs"
    (root / "etc").mkdir(parents=True)
    (root / "etc" / "os-release").write_text('ID=rhel\nVERSION_ID="9.3"\n')
    (root / "var/lib/rpm").mkdir(parents=True)
    (root / "var/lib/rpm/rpmdb.sqlite").write_bytes(b"\x07garbage, not a database\n" * 300)
    options = ScanOptions(scanners=("packages",), use_cache=False)
    outcome = ScanDriver(options).scan(seawall.open_rootfs(str(root)))
    assert not outcome.complete
    assert "facts:inventory" in outcome.failures
    assert any("rpmdb.sqlite" in e.message for e in outcome.report.errors)

    env = {**os.environ, "SEAWALL_CACHE_DIR": str(tmp_path / "cache")}
    proc = subprocess.run(
        [sys.executable, "-c", "from seawall.cli import main; main()", "rootfs", str(root),
         "--scanners", "packages", "--format", "json"],
        capture_output=True, text=True, env=env, timeout=120, check=False)
    assert proc.returncode == 4, (proc.returncode, proc.stderr)
    assert "facts:inventory" in proc.stderr


@pytest.fixture()
def image_with_environment(tmp_path: Path) -> str:
    layers = [layer_tar([
        E("opt", "dir", mode=0o755), E("opt/tools", "dir", mode=0o755),
        E("opt/tools/bin", "dir", mode=0o755),
        E("opt/tools/bin/helper", data=b"#!/bin/sh\n", mode=0o777),
    ])]
    config = json.loads(image_config(layers))
    config["config"]["Env"] = [
        "PATH=/opt/tools/bin:/usr/bin:/bin",
        "LD_PRELOAD=/usr/lib/libhook.so",
        "MYSQL_ALLOW_EMPTY_PASSWORD=yes",
        "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEZ",
    ]
    config["config"]["Labels"] = {"maintainer": "ops"}
    archive = write_docker_archive(tmp_path / "env.tar", layers,
                                   config=json.dumps(config).encode())
    return f"docker-archive:{archive}"


def test_every_analyzer_reads_the_one_environment_fact(
    image_with_environment: str, tmp_path: Path
) -> None:
    options = ScanOptions(scanners=("secret", "privesc", "backdoor", "weakpass"),
                          cache_dir=str(tmp_path / "cache"))
    with seawall.open_image(image_with_environment) as image:
        report = ScanDriver(options).scan(image).report
    by_rule = {f.rule_id: f for f in report.findings}
    # privesc: the world-writable file is in a PATH directory the image config sets
    assert "SW-PE-PATH-001" in by_rule, sorted(by_rule)
    # backdoor: LD_PRELOAD in the image Env
    assert "SW-BD-005" in by_rule, sorted(by_rule)
    # weakpass: a variable that turns the password off, located in the image Env
    assert by_rule["SW-WP-001"].location.resource == "image:Env/MYSQL_ALLOW_EMPTY_PASSWORD"
    # secret: the AWS secret key in Env, located as image config metadata
    aws = [f for f in report.findings if f.rule_id.startswith("SW-SEC-AWS")]
    assert aws and all(f.location.resource == "Env:AWS_SECRET_ACCESS_KEY" for f in aws), aws


class _UnknownFactAnalyzer(Analyzer):
    """Asks for a fact nobody gathers (a third-party analyzer's mistake)."""

    name: ClassVar[str] = "test-facts-unknown"
    default_enabled: ClassVar[bool] = False
    facts: ClassVar[frozenset[str]] = frozenset({"horoscope"})


if _UnknownFactAnalyzer.name not in ANALYZERS:
    register_analyzer(_UnknownFactAnalyzer)


def test_an_unknown_fact_fails_only_the_analyzer_that_asked(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "app").mkdir(parents=True)
    token = "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789"
    (root / "app" / "token.env").write_text(f"GITHUB_TOKEN={token}\n")
    options = ScanOptions(scanners=("test-facts-unknown", "secret"), use_cache=False)
    outcome = ScanDriver(options).scan(seawall.open_rootfs(str(root)))
    assert outcome.failures == ["analyzer:test-facts-unknown"]
    assert any("horoscope" in e.message for e in outcome.report.errors)
    assert [f.rule_id for f in outcome.report.findings] == ["SW-SEC-GITHUB-001"]
