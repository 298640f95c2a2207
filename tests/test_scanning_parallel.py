"""``--jobs N`` with several targets, end to end through the CLI: every analyzer runs on
every target, every time.

The component tables (analyzers, sources, report formats, misconfig checks ...) used to
be filled on first use behind a flag set *before* the imports finished, so a second
thread saw a half-filled table: ``seawall rootfs CLEAN DIRTY --jobs 2 --fail-on low``
exited 0 in 5 of 6 runs. The race needs a fresh process each time (the tables fill
once per process), hence one ``seawall`` process per run, many runs per test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from fs_image_builders import E, image_config, layer_tar, write_docker_archive

RUNS = 10
"""Runs per test: the old race lost analyzers in ~5 of 6 runs."""

AWS_KEY_FILE = (
    "[default]\n"
    "aws_access_key_id = AKIAIOSFODNN7EXAMPLQ\n"
    "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEZ\n"
)
GITHUB_TOKEN_LINE = "export GITHUB_TOKEN=ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789\n"


def run_seawall(*args: str, cache: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SEAWALL_CACHE_DIR": str(cache), "SEAWALL_DB_DIR": str(cache / "db")}
    env.pop("FORCE_COLOR", None)
    return subprocess.run([sys.executable, "-c", "from seawall.cli import main; main()", *args],
                          capture_output=True, text=True, env=env, timeout=300, check=False)


def findings_by_target(path: Path) -> dict[str, list[str]]:
    reports: list[dict[str, Any]] = json.loads(path.read_text())
    return {r["target"]["ref"]: sorted(f["rule_id"] for f in r["findings"]) for r in reports}


@pytest.fixture(scope="module")
def rootfs_targets(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("parallel-rootfs")
    clean = base / "clean"
    (clean / "etc").mkdir(parents=True)
    (clean / "etc" / "hostname").write_text("clean\n")
    aws = base / "dirty-aws"
    (aws / "app").mkdir(parents=True)
    (aws / "app" / "credentials").write_text(AWS_KEY_FILE)
    github = base / "dirty-github"
    (github / "home" / "dev").mkdir(parents=True)
    (github / "home" / "dev" / ".bashrc").write_text(GITHUB_TOKEN_LINE)
    return {"clean": clean, "aws": aws, "github": github}


def test_rootfs_jobs_every_run_reports_every_target(
    rootfs_targets: dict[str, Path], tmp_path: Path
) -> None:
    refs = [str(rootfs_targets[k]) for k in ("clean", "aws", "github")]
    # Default scanners (no --scanners): the analyzer table is first read inside the
    # worker threads, which is where the old race struck.
    for run in range(RUNS):
        out = tmp_path / f"run{run}.json"
        proc = run_seawall("rootfs", *refs, "--jobs", "3", "--fail-on", "low",
                           "--allow-incomplete", "--format", "json", "-o", str(out),
                           cache=tmp_path / "cache")
        assert proc.returncode == 1, (run, proc.returncode, proc.stderr)
        found = findings_by_target(out)
        assert set(found) == set(refs), run
        assert found[refs[0]] == [], (run, found)
        assert {"SW-SEC-AWS-001", "SW-SEC-AWS-002"} <= set(found[refs[1]]), (run, found)
        assert "SW-SEC-GITHUB-001" in found[refs[2]], (run, found)


@pytest.fixture(scope="module")
def image_targets(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Two images: one clean, one with an AWS key in a file and a GitHub token in
    its config Env (the environment fact)."""
    base = tmp_path_factory.mktemp("parallel-images")
    clean_layers = [layer_tar([])]
    clean = write_docker_archive(base / "clean.tar", clean_layers, tag="test/clean:1")
    dirty_layers = [layer_tar([E("app", "dir", mode=0o755),
                               E("app/credentials", data=AWS_KEY_FILE.encode())])]
    config = json.loads(image_config(dirty_layers))
    config["config"]["Env"].append(GITHUB_TOKEN_LINE.strip().removeprefix("export "))
    dirty = write_docker_archive(base / "dirty.tar", dirty_layers, tag="test/dirty:1",
                                 config=json.dumps(config).encode())
    return [clean, dirty]


def test_image_jobs_match_a_sequential_scan_every_run(
    image_targets: list[Path], tmp_path: Path
) -> None:
    """Bare transports and the image checks are looked up inside the worker threads
    too: every parallel run must give exactly what a one-job run gives."""
    refs = [f"docker-archive:{p}" for p in image_targets]
    common = ("--fail-on", "low", "--allow-incomplete", "--no-cache", "--format", "json")
    sequential = tmp_path / "sequential.json"
    proc = run_seawall("image", *refs, *common, "-o", str(sequential), cache=tmp_path / "c")
    assert proc.returncode == 1, proc.stderr
    expected = findings_by_target(sequential)
    assert {"SW-SEC-AWS-001", "SW-SEC-GITHUB-001"} <= set(expected[refs[1]]), expected
    assert any(r.startswith("SW-IMG") for r in expected[refs[0]]), expected
    for run in range(RUNS // 2):
        out = tmp_path / f"run{run}.json"
        proc = run_seawall("image", *refs, "--jobs", "2", *common, "-o", str(out),
                           cache=tmp_path / "c")
        assert proc.returncode == 1, (run, proc.returncode, proc.stderr)
        assert findings_by_target(out) == expected, run


def test_tables_are_complete_for_threads_started_right_after_import() -> None:
    """Eight threads read every table at once in a fresh interpreter; each must see
    what a single thread sees after everything is imported."""
    script = textwrap.dedent("""
        import threading
        from seawall.scanning.selection import known_analyzers
        from seawall.report.output import parse_output_specs
        from seawall.sources.transports import split_reference

        barrier = threading.Barrier(8)
        seen = []

        def look():
            barrier.wait()
            analyzers = tuple(sorted(c.name for c in known_analyzers()))
            specs = parse_output_specs(["sarif=out.sarif", "cyclonedx=out.cdx.json"], None)
            transport = split_reference("oci-archive:/x.tar")[0]
            seen.append((analyzers, len(specs), transport))

        threads = [threading.Thread(target=look) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        print(len(set(seen)), seen[0])
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    distinct, first = proc.stdout.split(" ", 1)
    assert distinct == "1", proc.stdout
    for name in ("backdoor", "imageconfig", "malware", "packages", "privesc", "secret",
                 "vuln", "weakpass"):
        assert f"'{name}'" in first, first
    assert "'oci-archive')" in first, first
