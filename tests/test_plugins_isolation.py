"""Misbehaving plugins (tests/fixtures/plugins) are boxed: each failure becomes an
``errors`` entry, the other plugins' findings still arrive, the scan completes."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

import seawall
from seawall.plugins.discovery import DiscoveredPlugin, discover_plugins
from seawall.scanning import ScanDriver, ScanOptions, ScanOutcome

FIXTURES = Path(__file__).parent / "fixtures" / "plugins"
EXAMPLES = Path(__file__).parent.parent / "examples" / "plugins"


@pytest.fixture(scope="module")
def fixture_plugins(tmp_path_factory: pytest.TempPathFactory) -> dict[str, DiscoveredPlugin]:
    warnings: list[str] = []
    found = discover_plugins(
        [str(FIXTURES), str(EXAMPLES)],
        cache_dir=str(tmp_path_factory.mktemp("cache")),
        warn=warnings.append,
    )
    # The one fixture with a broken manifest is skipped, with a warning naming it.
    assert len(warnings) == 1 and "bad_manifest.sh" in warnings[0]
    assert "manifestVersion 7 is not 1" in warnings[0]
    return {p.name: p for p in found}


@pytest.fixture()
def rootfs(tmp_path: Path) -> str:
    root = tmp_path / "root"
    (root / "etc").mkdir(parents=True)
    (root / "etc" / "passwd").write_text("root:x:0:0::/root:/bin/sh\ntoor:x:0:0::/:/bin/sh\n")
    (root / "etc" / "shadow").write_text("root:*:1::::::\nbob::1::::::\n")
    return str(root)


def _scan(
    rootfs: str, plugins: list[DiscoveredPlugin], tmp_path: Path, **kw: object
) -> ScanOutcome:
    opts = ScanOptions(scanners=(), cache_dir=str(tmp_path / "cache"), **kw)  # type: ignore[arg-type]
    with seawall.open_rootfs(rootfs) as target:
        return ScanDriver(opts, plugins).scan(target)


def _errors(outcome: ScanOutcome, plugin: str) -> list[str]:
    return [e.message for e in outcome.report.errors if e.scope == f"plugin:{plugin}"]


def test_crashing_plugin_is_an_error_and_others_still_report(
    fixture_plugins: dict[str, DiscoveredPlugin], rootfs: str, tmp_path: Path
) -> None:
    outcome = _scan(
        rootfs, [fixture_plugins["fx-crash"], fixture_plugins["uid0-accounts"]], tmp_path
    )
    (message,) = _errors(outcome, "fx-crash")
    assert "crashed before answering (killed by signal SIGSEGV)" in message
    assert "about to crash" in message  # the stderr tail says why
    assert [f.rule_id for f in outcome.report.findings] == ["SWX-PY-001"]
    assert outcome.failures == ["plugin:fx-crash"]


def test_hanging_plugin_is_killed_at_its_timeout_with_its_children(
    fixture_plugins: dict[str, DiscoveredPlugin], rootfs: str, tmp_path: Path
) -> None:
    pidfile = tmp_path / "sleep.pid"
    os.environ["FX_HANG_PIDFILE"] = str(pidfile)
    try:
        started = time.monotonic()
        outcome = _scan(rootfs, [fixture_plugins["fx-hang"]], tmp_path)
        elapsed = time.monotonic() - started
    finally:
        del os.environ["FX_HANG_PIDFILE"]
    assert _errors(outcome, "fx-hang") == ["timed out after 2s (killed)"]  # manifest timeout
    assert 1.9 < elapsed < 10
    child = int(pidfile.read_text())
    deadline = time.monotonic() + 5
    while Path(f"/proc/{child}").exists() and time.monotonic() < deadline:
        time.sleep(0.05)  # the kernel reaps the orphan asynchronously
    state = (
        Path(f"/proc/{child}/stat").read_text().split()[2]
        if Path(f"/proc/{child}").exists()
        else "gone"
    )
    assert state in ("gone", "Z")


def test_user_timeout_overrides_the_manifest(
    fixture_plugins: dict[str, DiscoveredPlugin], rootfs: str, tmp_path: Path
) -> None:
    outcome = _scan(rootfs, [fixture_plugins["fx-hang"]], tmp_path, plugin_timeout=0.5)
    assert _errors(outcome, "fx-hang") == ["timed out after 0.5s (killed)"]


def test_garbage_on_stdout_stops_the_plugin(
    fixture_plugins: dict[str, DiscoveredPlugin], rootfs: str, tmp_path: Path
) -> None:
    outcome = _scan(rootfs, [fixture_plugins["fx-garbage"]], tmp_path)
    messages = _errors(outcome, "fx-garbage")
    assert any("not JSON: b'Hello! I am not JSON { at all'" in m for m in messages)
    assert any(m.startswith("stopped after 20 malformed messages, first: ") for m in messages)
    assert outcome.failures == ["plugin:fx-garbage"]


def test_log_flood_is_dropped_and_reported_but_findings_arrive(
    fixture_plugins: dict[str, DiscoveredPlugin], rootfs: str, tmp_path: Path
) -> None:
    outcome = _scan(rootfs, [fixture_plugins["fx-flood"]], tmp_path)
    (message,) = _errors(outcome, "fx-flood")
    assert message.startswith("flooded its log: 1000 log message(s) and ")
    assert [f.rule_id for f in outcome.report.findings] == ["FX-FLOOD"]
    assert outcome.failures == ["plugin:fx-flood"]


def test_invalid_finding_is_rejected_valid_one_kept(
    fixture_plugins: dict[str, DiscoveredPlugin], rootfs: str, tmp_path: Path
) -> None:
    outcome = _scan(rootfs, [fixture_plugins["fx-invalid"]], tmp_path)
    assert [f.rule_id for f in outcome.report.findings] == ["FX-OK"]
    assert outcome.report.findings[0].extra == {"plugin": "fx-invalid"}
    assert _errors(outcome, "fx-invalid") == [
        "invalid finding: severity 'apocalyptic' is not one of critical, high, medium, low, info"
    ]
    # a rejected finding is the plugin's bug, but what it found is not in the report:
    # the scan is incomplete (every returned error is), so the gate cannot pass on it
    assert not outcome.complete


def test_memory_limit_applies(
    fixture_plugins: dict[str, DiscoveredPlugin], rootfs: str, tmp_path: Path
) -> None:
    outcome = _scan(rootfs, [fixture_plugins["fx-memory"]], tmp_path)
    assert _errors(outcome, "fx-memory") == ["command failed: MemoryError"]


def test_all_misbehaving_plugins_in_parallel(
    fixture_plugins: dict[str, DiscoveredPlugin], rootfs: str, tmp_path: Path
) -> None:
    names = ["fx-crash", "fx-hang", "fx-garbage", "fx-flood", "empty-password"]
    started = time.monotonic()
    outcome = _scan(rootfs, [fixture_plugins[n] for n in names], tmp_path, jobs=5)
    assert time.monotonic() - started < 6  # in parallel: bounded by the 2s hang
    assert sorted(f.rule_id for f in outcome.report.findings) == ["FX-FLOOD", "SWX-SH-001"]
    assert outcome.failures == [
        "plugin:fx-crash",
        "plugin:fx-flood",
        "plugin:fx-garbage",
        "plugin:fx-hang",
    ]
