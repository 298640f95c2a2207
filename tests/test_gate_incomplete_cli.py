"""The gate's failure paths end to end through the CLI: a scan that could not look
where it was asked to (no or a corrupt vulnerability DB, an unreadable file or
directory, a refused configuration file) is *incomplete*: exit 4 unless
``--allow-incomplete``, said first in the table and carried by every format; a
tripped gate still wins. With ``--jobs 2`` and several targets too.

Unreadability is real, not simulated: the CLI runs under ``setpriv`` without
CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH (tests/unprivileged.py), which makes root obey
permission bits (mode 000 then means "cannot read", as for anybody else).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from unprivileged import without_dac_override

AWS_KEY_LINE = "aws_access_key_id = AKIAZ7QX3VN5T2RW6YKP\n"
CLI = [sys.executable, "-c", "from seawall.cli import main; main()"]


def seawall(*args: str, unprivileged: bool = False, cwd: Path | None = None
            ) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "SEAWALL_DB_DIR")}
    prefix = without_dac_override() if unprivileged else []
    return subprocess.run([*prefix, *CLI, *args], capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=300, check=False)


def rootfs(base: Path, name: str, files: dict[str, str]) -> Path:
    root = base / name
    (root / "etc").mkdir(parents=True)
    (root / "etc/os-release").write_text('ID=debian\nVERSION_ID="12"\n')
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def python_package_rootfs(base: Path) -> Path:
    return rootfs(base, "pyroot", {
        "usr/lib/python3/dist-packages/requests-2.19.1.dist-info/METADATA":
            "Metadata-Version: 2.1\nName: requests\nVersion: 2.19.1\n",
    })


def locked_rootfs(base: Path, name: str = "locked") -> Path:
    """A rootfs with an unreadable file and an unreadable directory, both holding keys."""
    root = rootfs(base, name, {"app/readme.txt": "nothing here\n",
                               "app/creds.txt": AWS_KEY_LINE,
                               "private/key.txt": AWS_KEY_LINE})
    (root / "app/creds.txt").chmod(0)
    (root / "private").chmod(0)
    return root


@pytest.fixture
def no_db(tmp_path: Path) -> Path:
    path = tmp_path / "empty-db-dir"
    path.mkdir()
    return path


def test_no_vulnerability_db_is_incomplete_not_clean(tmp_path: Path, no_db: Path) -> None:
    root = python_package_rootfs(tmp_path)
    args = ("rootfs", str(root), "--scanners", "vuln", "--fail-on", "low", "--no-cache",
            "--db-dir", str(no_db))
    proc = seawall(*args)
    assert proc.returncode == 4, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("WARNING: the scan is INCOMPLETE: 1 error")
    assert "no vulnerability database" in proc.stdout
    assert "no findings in what could be read" in proc.stdout
    assert lines[-1].startswith("INCOMPLETE scan, 1 target: 0 findings")
    warning = proc.stderr.strip()
    assert warning.count("\n") == 0 and warning.startswith("seawall: warning: scan incomplete")
    allowed = seawall(*args, "--allow-incomplete", "-f", "json")
    assert allowed.returncode == 0, allowed.stderr
    assert json.loads(allowed.stdout)["complete"] is False
    # a CI job that scans once and gates later (seawall convert) decides the same way
    saved = tmp_path / "saved.json"
    saved.write_text(allowed.stdout)
    converted = seawall("convert", str(saved), "-f", "sarif")
    assert converted.returncode == 4, converted.stderr
    assert json.loads(converted.stdout)["runs"][0]["invocations"][0][
        "executionSuccessful"] is False
    assert seawall("convert", str(saved), "--allow-incomplete").returncode == 0


def test_corrupt_vulnerability_db_is_incomplete(tmp_path: Path, no_db: Path) -> None:
    (no_db / "vuln.db").write_bytes(b"not a database at all " * 200)
    root = python_package_rootfs(tmp_path)
    proc = seawall("rootfs", str(root), "--scanners", "vuln", "--fail-on", "low", "--no-cache",
                   "--db-dir", str(no_db), "-f", "json")
    assert proc.returncode == 4, proc.stderr
    report = json.loads(proc.stdout)
    assert report["complete"] is False and report["findings"] == []
    assert [e["scope"] for e in report["errors"]] == ["analyzer:vuln"]
    assert "corrupt" in report["errors"][0]["message"]


def test_unreadable_file_and_directory_in_every_format(tmp_path: Path) -> None:
    root = locked_rootfs(tmp_path)
    out = tmp_path / "out"
    formats = ["json", "sarif", "junit", "markdown", "html", "cyclonedx", "spdx"]
    proc = seawall("rootfs", str(root), "--scanners", "secret", "--fail-on", "low",
                   "--no-cache", "--cache-dir", str(tmp_path / "cache"),
                   *[a for f in formats for a in ("-f", f"{f}={out}/r.{f}")], "-f", "table",
                   unprivileged=True)
    assert proc.returncode == 4, proc.stderr
    # table: said first, then the target and what could not be read
    assert proc.stdout.startswith("WARNING: the scan is INCOMPLETE: 2 errors")
    assert "/app/creds.txt: cannot read: Permission denied" in proc.stdout
    assert "/private: cannot read: Permission denied" in proc.stdout
    report = json.loads((out / "r.json").read_text())
    assert report["complete"] is False and report["findings"] == []
    messages = sorted(e["message"] for e in report["errors"])
    assert any(m.startswith("/app/creds.txt: cannot read") for m in messages), messages
    assert "/private: cannot read: Permission denied" in messages
    sarif = json.loads((out / "r.sarif").read_text())
    [invocation] = sarif["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    notes = [n["message"]["text"] for n in invocation["toolExecutionNotifications"]]
    assert any("/private: cannot read" in n for n in notes)
    assert sarif["runs"][0]["properties"]["complete"] is False
    junit = ET.parse(out / "r.junit").getroot()
    assert junit.get("complete") == "false" and int(junit.get("errors", "0")) == 2
    assert "/private: cannot read" in (out / "r.junit").read_text()
    markdown = (out / "r.markdown").read_text().splitlines()
    assert markdown[2].startswith("> **Warning: the scan is incomplete** (2 error(s))")
    html_page = (out / "r.html").read_text()
    top = html_page.split('<div class="cards"', 1)[0]
    assert 'id="incomplete"' in top and "/private: cannot read" in top
    cyclonedx = json.loads((out / "r.cyclonedx").read_text())
    props = {(p["name"], p["value"]) for p in cyclonedx["metadata"]["component"]["properties"]}
    assert ("seawall:scan:complete", "false") in props
    spdx = json.loads((out / "r.spdx").read_text())
    assert spdx["creationInfo"]["comment"].startswith("INCOMPLETE scan (2 errors)")
    # the same tree readable: complete, and the two keys are found
    allowed = seawall("rootfs", str(root), "--scanners", "secret", "--no-cache", "-f", "json")
    assert allowed.returncode == 0, allowed.stderr
    found = json.loads(allowed.stdout)
    assert found["complete"] is True
    assert {f["location"]["path"] for f in found["findings"]} == {"/app/creds.txt",
                                                                  "/private/key.txt"}


@pytest.mark.parametrize("round_", range(2))
def test_jobs_2_several_targets(tmp_path: Path, round_: int) -> None:
    clean_a = rootfs(tmp_path, "clean-a", {"srv/app.py": "print('hello')\n"})
    clean_b = rootfs(tmp_path, "clean-b", {"srv/app.py": "print('bye')\n"})
    dirty = rootfs(tmp_path, "dirty", {"srv/.env": AWS_KEY_LINE})
    locked = locked_rootfs(tmp_path)
    common = ("--scanners", "secret", "--no-cache", "--jobs", "2", "--fail-on", "low",
              "-f", "json")
    # one target could not be read, the others are clean: incomplete
    proc = seawall("rootfs", str(clean_a), str(locked), str(clean_b), *common,
                   unprivileged=True)
    assert proc.returncode == 4, proc.stderr
    docs = json.loads(proc.stdout)
    assert [d["target"]["ref"] for d in docs] == [str(clean_a), str(locked), str(clean_b)]
    assert [d["complete"] for d in docs] == [True, False, True]
    # a tripped gate wins over an incomplete scan
    proc = seawall("rootfs", str(clean_a), str(locked), str(dirty), str(clean_b), *common,
                   unprivileged=True)
    assert proc.returncode == 1, proc.stderr
    docs = json.loads(proc.stdout)
    assert [len(d["findings"]) for d in docs] == [0, 0, 1, 0]
    assert [d["complete"] for d in docs] == [True, False, True, True]
    # all readable and clean: 0
    proc = seawall("rootfs", str(clean_a), str(clean_b), *common, unprivileged=True)
    assert proc.returncode == 0, proc.stderr


def test_config_refused_file_changes_the_exit_code(tmp_path: Path) -> None:
    good = tmp_path / "pod.yaml"
    good.write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: x}\nspec:\n"
                    "  containers: [{name: c, image: nginx:1.25, securityContext: "
                    "{privileged: true}}]\n")
    broken = tmp_path / "broken.yaml"
    broken.write_text("apiVersion: v1\nkind: Pod\nmetadata: [unclosed\n")
    proc = seawall("config", str(good), str(broken), "-f", "json")
    assert proc.returncode == 4, proc.stderr
    report = json.loads(proc.stdout)
    assert report["complete"] is False
    assert [e["message"].split(":")[0] for e in report["errors"]] == [str(broken)]
    assert any(f["rule_id"] == "SW-K8S-001" for f in report["findings"])
    assert seawall("config", str(good), str(broken), "--fail-on", "critical").returncode == 1
    assert seawall("config", str(good), str(broken), "--allow-incomplete").returncode == 0
    table = seawall("config", str(good), str(broken))
    assert table.stdout.startswith("WARNING: the scan is INCOMPLETE: 1 error")
    # an unreadable file is refused the same way
    secret = tmp_path / "Dockerfile"
    secret.write_text("FROM alpine:3.19\n")
    secret.chmod(0)
    proc = seawall("config", str(good), str(secret), "-f", "json", unprivileged=True)
    assert proc.returncode == 4, proc.stderr
    assert json.loads(proc.stdout)["errors"][0]["message"].startswith(str(secret))
    # nothing readable at all is bad input, not an incomplete scan: one line
    nothing = seawall("config", str(broken))
    assert nothing.returncode == 2
    assert nothing.stderr.startswith("seawall: nothing could be read (")
    assert nothing.stderr.count("\n") == 1


def test_config_goes_through_the_suppression_flags(tmp_path: Path) -> None:
    pod = tmp_path / "pod.yaml"
    pod.write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: x}\nspec:\n"
                   "  containers: [{name: c, image: nginx:1.25, securityContext: "
                   "{privileged: true}}]\n")
    first = seawall("config", str(pod), "-f", "json")
    assert first.returncode == 0, first.stderr
    baseline = tmp_path / "baseline.json"
    baseline.write_text(first.stdout)
    rules = {f["rule_id"] for f in json.loads(first.stdout)["findings"]}
    assert "SW-K8S-001" in rules
    ignore = tmp_path / ".seawallignore"
    ignore.write_text("SW-K8S-001\n")
    ignored = seawall("config", str(pod), "-f", "json", "--fail-on", "critical",
                      "--ignorefile", str(ignore))
    doc = json.loads(ignored.stdout)
    assert "SW-K8S-001" not in {f["rule_id"] for f in doc["findings"]}
    assert "SW-K8S-001" in {f["rule_id"] for f in doc["suppressed"]}
    again = seawall("config", str(pod), "-f", "json", "--baseline", str(baseline),
                    "--fail-on", "low")
    assert again.returncode == 0 and json.loads(again.stdout)["findings"] == []


def test_many_unreadable_directories_are_counted_not_listed(tmp_path: Path) -> None:
    root = rootfs(tmp_path, "many", {f"d{i:02d}/x.txt": "x\n" for i in range(15)})
    for i in range(15):
        (root / f"d{i:02d}").chmod(0)
    proc = seawall("rootfs", str(root), "--scanners", "secret", "--no-cache", "-f", "json",
                   unprivileged=True)
    assert proc.returncode == 4, proc.stderr
    messages = [e["message"] for e in json.loads(proc.stdout)["errors"]]
    assert messages[:10] == [f"/d{i:02d}: cannot read: Permission denied" for i in range(10)]
    assert messages[10:] == ["5 more unreadable entries"]
