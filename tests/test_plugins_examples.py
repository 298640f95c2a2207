"""The example plugins (examples/plugins: Python SDK and POSIX shell) scan real
images and directories through the CLI, hosted and standalone."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from conftest import Lab

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples" / "plugins"
SEAWALL = [sys.executable, "-c", "from seawall.cli import main; main()"]
LAB_IMAGE = "plugins-accounts"


def _seawall(*args: str, cache: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SEAWALL_CACHE_DIR": str(cache)}
    return subprocess.run(
        [*SEAWALL, *args], capture_output=True, text=True, env=env, timeout=300, check=False
    )


@pytest.fixture(scope="module")
def accounts_archive(lab: Lab, tmp_path_factory: pytest.TempPathFactory) -> str:
    """docker-archive ref of tests/lab/images/plugins-accounts: from the lab when it
    has the image, else built here the lab's way (FROM the lab's base image)."""
    if LAB_IMAGE in lab.images:
        return lab.ref(LAB_IMAGE, "docker-archive")
    out = tmp_path_factory.mktemp("lab") / f"{LAB_IMAGE}.tar"
    tag = f"seawall-lab/{LAB_IMAGE}:latest"
    subprocess.run(
        ["docker", "build", "-q", "-t", tag, str(REPO / "tests" / "lab" / "images" / LAB_IMAGE)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    subprocess.run(["docker", "save", "-o", str(out), tag], check=True, timeout=300)
    return f"docker-archive:{out}"


def _by_rule(doc: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for f in doc["findings"]:
        out.setdefault(f["rule_id"], []).append(f)
    return out


@pytest.mark.lab
def test_python_and_shell_plugins_report_on_a_lab_image(
    accounts_archive: str, tmp_path: Path
) -> None:
    proc = _seawall(
        "image",
        accounts_archive,
        "--scanners",
        "none",
        "--plugin-dir",
        str(EXAMPLES),
        "--plugin",
        "uid0-accounts",
        "--plugin",
        "empty-password",
        "--format",
        "json",
        cache=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)  # stdout is the report and nothing else
    assert doc["errors"] == []
    rules = _by_rule(doc)
    (uid0,) = rules["SWX-PY-001"]
    assert uid0["title"] == "Account 'toor' has UID 0"
    assert uid0["location"]["path"] == "/etc/passwd"
    # The host fills in the layer that provides the file in the merged view.
    layers = doc["target"].get("layers")
    assert uid0["location"]["layer"].startswith("sha256:")
    if layers:
        assert uid0["location"]["layer"] == layers[-1]["diff_id"]
    (empty,) = rules["SWX-SH-001"]
    assert empty["title"] == "Account bob has an empty password"
    assert (
        empty["location"]["path"] == "/etc/shadow" and empty["extra"]["plugin"] == "empty-password"
    )
    assert [f["location"]["path"] for f in rules["SWX-PY-002"]] == ["/etc/motd.local"]


@pytest.mark.lab
def test_python_plugin_standalone_prints_a_report(accounts_archive: str, tmp_path: Path) -> None:
    env = {**os.environ, "SEAWALL_CACHE_DIR": str(tmp_path)}
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env["PATH"]
    proc = subprocess.run(
        [str(EXAMPLES / "uid0_accounts.py"), "scan", "image", accounts_archive, "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["target"]["kind"] == "image" and doc["target"]["ref"] == accounts_archive
    assert sorted(_by_rule(doc)) == ["SWX-PY-001", "SWX-PY-002"]


def test_plugins_on_a_rootfs_with_table_output_and_gate(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "etc").mkdir(parents=True)
    (root / "etc" / "passwd").write_text("root:x:0:0::/root:/bin/sh\nadm2:x:0:0::/:/bin/sh\n")
    (root / "etc" / "shadow").write_text("root:*:1::::::\nadm2::1::::::\n")
    args = [
        "rootfs",
        str(root),
        "--scanners",
        "none",
        "--plugin-dir",
        str(EXAMPLES),
        "--plugin",
        "all",
    ]
    table = _seawall(*args, cache=tmp_path)
    assert table.returncode == 0, table.stderr
    assert "SWX-PY-001" in table.stdout and "SWX-SH-001" in table.stdout
    assert "\x1b[" not in table.stdout  # no colours when stdout is not a terminal
    assert table.stdout.rstrip().splitlines()[-1].startswith("1 target: 2 findings (2 high)")
    gated = _seawall(*args, "--fail-on", "high", "-f", "json", cache=tmp_path)
    assert gated.returncode == 1
    assert len(json.loads(gated.stdout)["findings"]) == 2
    custom = _seawall(
        *args, "--exit-code", "9", "--severity", "critical", "-f", "json", cache=tmp_path
    )
    assert custom.returncode == 0 and json.loads(custom.stdout)["findings"] == []


def test_plugin_list_and_info(tmp_path: Path) -> None:
    listed = _seawall(
        "plugin", "list", "--plugin-dir", str(EXAMPLES), "--format", "json", cache=tmp_path
    )
    assert listed.returncode == 0, listed.stderr
    rows = {r["name"]: r for r in json.loads(listed.stdout)}
    assert rows["empty-password"]["kind"] == "external"
    assert rows["uid0-accounts"]["targets"] == ["container", "image", "rootfs"]
    assert any(r["kind"] == "builtin" for r in rows.values())
    info = _seawall(
        "plugin", "info", "empty-password", "--plugin-dir", str(EXAMPLES), cache=tmp_path
    )
    manifest = json.loads(info.stdout)
    assert manifest["manifestVersion"] == 1 and manifest["timeout"] == 30
    assert manifest["path"] == str(EXAMPLES / "empty_password.sh")
    missing = _seawall("plugin", "info", "nope", cache=tmp_path)
    assert missing.returncode == 2
    assert missing.stderr.strip() == (
        "seawall: no analyzer or plugin named 'nope' (see 'seawall plugin list')"
    )
