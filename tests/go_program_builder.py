"""Build a real Go program (the ``go`` toolchain the lab installs) whose *main* module
is a given path, from a git checkout, the way release builds stamp their version."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest


def build_go_program(work: Path, module: str, ldflags: str | None) -> Path:
    """``go build`` of a one-file program whose module is ``module``, from a git
    checkout (so the toolchain stamps vcs.revision), optionally with ``-ldflags``;
    the binary lands at ``work/rootfs/usr/local/bin/tool``."""
    go = shutil.which("go")
    if go is None:
        pytest.skip("Debian's golang-go is not installed")
    app = work / "src"
    app.mkdir(parents=True)
    (app / "go.mod").write_text(f"module {module}\n\ngo 1.19\n")
    (app / "cmd").mkdir()
    (app / "cmd" / "main.go").write_text(
        'package main\n\nimport "fmt"\n\nvar version = "dev"\n\n'
        "func main() { fmt.Println(version) }\n")
    git = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q"], cwd=app, check=True)
    subprocess.run([*git, "add", "."], cwd=app, check=True)
    subprocess.run([*git, "commit", "-qm", "x"], cwd=app, check=True)
    env = dict(os.environ, GOPATH=str(work / "gopath"), GOCACHE=str(work / "cache"),
               GOTOOLCHAIN="local", CGO_ENABLED="0", GOFLAGS="-buildvcs=true")
    out = work / "rootfs/usr/local/bin/tool"
    out.parent.mkdir(parents=True)
    cmd = [go, "build", "-o", str(out)]
    if ldflags:
        cmd += ["-ldflags", ldflags]
    subprocess.run([*cmd, "./cmd"], cwd=app, env=env, check=True, capture_output=True,
                   timeout=300)
    return out
