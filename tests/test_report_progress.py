"""Progress bars: drawn on stderr only when it is a terminal, never in CI or with -q,
and never on stdout (a JSON report on stdout stays parseable while a bar is drawn)."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
from pathlib import Path

import pytest

from seawall.report.progress import progress_wanted


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
    env = {k: v for k, v in os.environ.items()
           if k not in ("CI", "GITHUB_ACTIONS", "GITLAB_CI", "JENKINS_URL", "BUILDKITE",
                        "TF_BUILD", "FORCE_COLOR")}
    env.update(SEAWALL_CACHE_DIR=str(tmp_path / "cache"), TERM="xterm-256color",
               COLUMNS="100")
    proc = subprocess.Popen(
        [sys.executable, "-c", "from seawall.cli import main; main()", "rootfs", *roots,
         "--scanners", "secret", "--format", "json"],
        stdout=subprocess.PIPE, stderr=slave, stdin=subprocess.DEVNULL, env=env)
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0
    drawn = _read_all(master).decode(errors="replace")
    docs = json.loads(out)  # not one progress byte leaked into stdout
    assert [d["target"]["ref"] for d in docs] == roots
    assert "\x1b[" in drawn and "scann" in drawn  # rich drew on the terminal
    assert "\x1b[" not in out.decode()
