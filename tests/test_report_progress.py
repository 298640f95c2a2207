"""Progress: a bar with phases on stderr when it is a terminal (never in CI or with
-q); off a terminal, a line per phase that lasts over 2 s; never anything on stdout
(a JSON report on stdout stays parseable while progress is shown)."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
from pathlib import Path

import pytest

import seawall
from conftest import Lab
from seawall.report.progress import ScanProgress, progress_wanted
from seawall.scanning import ScanDriver, ScanOptions

SEAWALL = [sys.executable, "-c", "from seawall.cli import main; main()"]
FIXTURE_PLUGINS = Path(__file__).parent / "fixtures" / "plugins"
#: Scan flags that add one plugin taking 2.6 s: a phase long enough to be shown.
SLOW_PLUGIN = ["--plugin-dir", str(FIXTURE_PLUGINS), "--plugin", "fx-slow"]
CI_VARIABLES = ("CI", "GITHUB_ACTIONS", "GITLAB_CI", "JENKINS_URL", "BUILDKITE", "TF_BUILD")


@pytest.fixture()
def tty() -> tuple[int, int]:
    master, slave = os.openpty()
    yield master, slave
    os.close(master)
    os.close(slave)


def test_progress_only_on_a_terminal_outside_ci(tty: tuple[int, int],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("CI", "GITHUB_ACTIONS", "GITLAB_CI", "JENKINS_URL", "BUILDKITE", "TF_BUILD"):
        monkeypatch.delenv(name, raising=False)
    with os.fdopen(os.dup(tty[1]), "w") as terminal, open(os.devnull, "w") as devnull:
        assert progress_wanted(False, terminal)
        assert not progress_wanted(True, terminal)  # -q
        assert not progress_wanted(False, devnull)  # not a terminal
        monkeypatch.setenv("CI", "true")
        assert not progress_wanted(False, terminal)
        monkeypatch.setenv("CI", "false")
        assert progress_wanted(False, terminal)
        monkeypatch.setenv("GITLAB_CI", "true")
        assert not progress_wanted(False, terminal)


def _read_all(fd: int) -> bytes:
    chunks = []
    while select.select([fd], [], [], 0.2)[0]:
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    return b"".join(chunks)


def test_bar_goes_to_the_terminal_and_stdout_stays_json(tty: tuple[int, int],
                                                        tmp_path: Path) -> None:
    master, slave = tty
    roots = []
    for name in ("a", "b"):
        root = tmp_path / name / "etc"
        root.mkdir(parents=True)
        (root / "os-release").write_text('ID=debian\nVERSION_ID="12"\n')
        roots.append(str(root.parent))
    env = _env_outside_ci(tmp_path)
    env.update(TERM="xterm-256color", COLUMNS="160")
    proc = subprocess.Popen(
        [*SEAWALL, "rootfs", *roots, "--scanners", "secret", "--format", "json",
         *SLOW_PLUGIN],
        stdout=subprocess.PIPE, stderr=slave, stdin=subprocess.DEVNULL, env=env)
    drawn_chunks = []
    while proc.poll() is None:  # drain the terminal while drawing (a full pty blocks)
        drawn_chunks.append(_read_all(master))
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0
    drawn = (b"".join(drawn_chunks) + _read_all(master)).decode(errors="replace")
    docs = json.loads(out)  # not one progress byte leaked into stdout
    assert [d["target"]["ref"] for d in docs] == roots
    assert "\x1b[" in drawn and "scann" in drawn  # rich drew on the terminal
    assert f"{roots[0]}: running plugins" in drawn  # the phase of a target, live
    assert "0/1 plugins" in drawn
    assert "seawall: running plugins" not in drawn  # a bar, not phase lines
    assert "\x1b[" not in out.decode()


def _env_outside_ci(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in (*CI_VARIABLES, "FORCE_COLOR")}
    env["SEAWALL_CACHE_DIR"] = str(tmp_path / "cache")
    return env


def _rootfs(tmp_path: Path) -> str:
    root = tmp_path / "root" / "etc"
    root.mkdir(parents=True)
    (root / "os-release").write_text('ID=debian\nVERSION_ID="12"\n')
    return str(root.parent)


@pytest.mark.parametrize("ci", [False, True])
def test_off_a_terminal_a_long_phase_gets_lines_on_stderr(tmp_path: Path, ci: bool) -> None:
    """A pipe (or a CI log) gets a line when a phase has run 2 s and one when it ends;
    stdout stays one JSON document."""
    env = _env_outside_ci(tmp_path)
    if ci:
        env["CI"] = "true"
    proc = subprocess.run(
        [*SEAWALL, "rootfs", _rootfs(tmp_path), "--scanners", "secret", "-f", "json",
         *SLOW_PLUGIN],
        capture_output=True, text=True, env=env, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["target"]["kind"] == "directory"
    lines = [line for line in proc.stderr.splitlines() if line.startswith("seawall: ")]
    phase_lines = [line for line in lines if "running plugins" in line or "analyzing" in line]
    assert phase_lines[0] == "seawall: running plugins 0/1"
    assert phase_lines[-1].startswith("seawall: running plugins 1/1, done in 2.")
    assert not any("analyzing" in line for line in lines)  # it took well under 2 s


def test_short_scans_stay_quiet_and_q_silences_everything(tmp_path: Path) -> None:
    env = _env_outside_ci(tmp_path)
    root = _rootfs(tmp_path)
    quick = subprocess.run(
        [*SEAWALL, "rootfs", root, "--scanners", "secret", "-f", "json"],
        capture_output=True, text=True, env=env, timeout=120, check=False)
    assert quick.returncode == 0 and quick.stderr == ""
    quiet = subprocess.run(
        [*SEAWALL, "-q", "rootfs", root, "--scanners", "secret", "-f", "json", *SLOW_PLUGIN],
        capture_output=True, text=True, env=env, timeout=120, check=False)
    assert quiet.returncode == 0
    assert "seawall:" not in quiet.stderr
    assert json.loads(quiet.stdout)["target"]["kind"] == "directory"


@pytest.mark.lab
def test_image_phases_with_steps_and_bytes(lab: Lab, tmp_path: Path) -> None:
    """Pulled from the lab registry into an empty cache: the layers are pulled (with
    their sizes), then analyzed (files and bytes), each phase closed by a done line."""
    import io

    stream = io.StringIO()
    opts = ScanOptions(scanners=("secret",), cache_dir=str(tmp_path / "cache"))
    source = lab.source_options(cache_dir=str(tmp_path / "cache"))
    ref = lab.ref("base-debian", "docker")
    with ScanProgress(1, "scanning", stream=stream, mode="lines", delay=0.0,
                      interval=3600) as progress:
        phases = progress.target(ref)
        with seawall.open_image(ref, source) as image:
            layers = len(image.layers)
            size = sum(layer.info.size or 0 for layer in image.layers)
            outcome = ScanDriver(opts).scan(image, phases)
        phases.end()
    lines = stream.getvalue().splitlines()
    from rich.filesize import decimal

    pulled = [line for line in lines if line.startswith("seawall: pulling layers")]
    assert pulled[-1].startswith(f"seawall: pulling layers {layers}/{layers} ({decimal(size)})")
    assert pulled[-1].split(", ")[-1].startswith("done in ")
    analyzed = [line for line in lines if line.startswith("seawall: analyzing: ")]
    files, nbytes = outcome.report.stats.files, outcome.report.stats.bytes
    assert analyzed[-1].startswith(f"seawall: analyzing: {files:,} files ({decimal(nbytes)})")
    assert lines.index(pulled[-1]) < lines.index(analyzed[0])
