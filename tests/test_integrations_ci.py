"""CI integrations exercised for real: the GitHub Action's scan and gate scripts, the
GitLab template's job script, the Jenkins pipeline's ``sh`` steps and the pre-commit
hook are each run as written (their YAML/Groovy parsed, variables set as the CI system
would) against real targets, and their outputs checked."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from junitparser import JUnitXml

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SARIF_SCHEMA = REPO / "tests" / "fixtures" / "sarif" / "sarif-schema-2.1.0.json"


def ci_env(tmp_path: Path, **values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SEAWALL_", "INPUT_"))}
    env.update(PATH=f"{BIN}:{env.get('PATH', '')}", CI="true", HOME=str(tmp_path),
               SEAWALL_CACHE_DIR=str(tmp_path / "cache"), SEAWALL_DB_DIR=str(tmp_path / "db"))
    env.update(values)
    return env


def bash(script: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", "-c", script], capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=600, check=False, stdin=subprocess.DEVNULL)


@pytest.fixture()
def leaky_rootfs(tmp_path: Path) -> Path:
    root = tmp_path / "rootfs"
    (root / "etc").mkdir(parents=True)
    (root / "etc" / "os-release").write_text('ID=debian\nVERSION_ID="12"\n')
    (root / "root" / ".aws").mkdir(parents=True)
    (root / "root" / ".aws" / "credentials").write_text(
        "[default]\naws_access_key_id = AKIAQ3EGRTJ5UDT6MBVZ\n"
        "aws_secret_access_key = 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\n")
    return root


def action() -> dict[str, Any]:
    return yaml.safe_load((REPO / "action.yml").read_text())


def action_step(name: str) -> dict[str, Any]:
    return next(s for s in action()["runs"]["steps"] if s.get("name") == name)


def action_env(step: dict[str, Any], inputs: dict[str, str]) -> dict[str, str]:
    """The step's env with ``${{ inputs.x }}`` resolved as GitHub would."""
    defaults = {k: str(v.get("default", "")) for k, v in action()["inputs"].items()}
    values = {**defaults, **inputs}
    out = {}
    for key, expr in step.get("env", {}).items():
        m = re.fullmatch(r"\$\{\{\s*inputs\.([\w-]+)\s*\}\}", str(expr))
        assert m, f"{key}: {expr}"
        out[key] = values[m.group(1)]
    return out


def test_action_is_a_composite_action_uploading_sarif() -> None:
    doc = action()
    assert doc["runs"]["using"] == "composite"
    assert {"scan-type", "ref", "format", "severity", "exit-code", "upload-sarif"} <= set(
        doc["inputs"])
    assert doc["inputs"]["ref"]["required"] is True
    upload = action_step("Upload SARIF")
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    assert "always()" in upload["if"]
    # inputs only ever reach scripts through env, never spliced into the script text
    for step in doc["runs"]["steps"]:
        assert "${{" not in step.get("run", "")


def test_action_scan_then_gate_on_a_rootfs(tmp_path: Path, leaky_rootfs: Path) -> None:
    scan = action_step("Scan")
    out_file = tmp_path / "github_output"
    inputs = {"scan-type": "rootfs", "ref": str(leaky_rootfs),
              "extra-args": "--scanners secret"}
    env = ci_env(tmp_path, GITHUB_OUTPUT=str(out_file), **action_env(scan, inputs))
    proc = bash(scan["run"], env, tmp_path)
    assert proc.returncode == 0, proc.stderr  # the gate waits for the upload
    assert out_file.read_text().strip() == "exit-code=1"
    sarif = json.loads((tmp_path / "seawall.sarif").read_text())
    jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text())).validate(sarif)
    results = sarif["runs"][0]["results"]
    assert results and {r["level"] for r in results} == {"error"}  # critical,high only
    assert "AWS access key ID" in proc.stdout  # the table for the job log
    gate = action_step("Gate")
    failed = bash(gate["run"], ci_env(tmp_path, STATUS="1"), tmp_path)
    assert failed.returncode == 1 and "::error::seawall: exit status 1" in failed.stdout
    assert bash(gate["run"], ci_env(tmp_path, STATUS="0"), tmp_path).returncode == 0


def test_action_rejects_a_bad_scan_type(tmp_path: Path) -> None:
    scan = action_step("Scan")
    env = ci_env(tmp_path, GITHUB_OUTPUT=str(tmp_path / "o"),
                 **action_env(scan, {"scan-type": "rm -rf", "ref": "x"}))
    proc = bash(scan["run"], env, tmp_path)
    assert proc.returncode == 2 and "scan-type must be" in proc.stdout


def gitlab_script(variables: dict[str, str]) -> tuple[list[str], dict[str, str], dict[str, Any]]:
    doc = yaml.safe_load((REPO / "ci" / "gitlab" / "seawall.gitlab-ci.yml").read_text())
    job = doc[".seawall"]
    assert doc["seawall"]["extends"] == ".seawall"
    env = {**{k: str(v) for k, v in doc["variables"].items()},
           **{k: str(v) for k, v in job["variables"].items()}, **variables}
    return job["script"], env, job


@pytest.mark.lab
def test_gitlab_template_scans_an_image_saves_reports_and_gates(lab: Any, tmp_path: Path) -> None:
    ref = lab.ref("secret-layers", "docker-archive")
    lines, variables, job = gitlab_script({"SEAWALL_REF": ref, "CI_PROJECT_DIR": str(tmp_path),
                                           "SEAWALL_ARGS": "--scanners secret"})
    env = ci_env(tmp_path, **variables)
    env["SEAWALL_CACHE_DIR"] = variables["SEAWALL_CACHE_DIR"].replace(
        "$CI_PROJECT_DIR", str(tmp_path))
    scan = bash(lines[0], env, tmp_path)
    assert scan.returncode == 0, scan.stderr
    for path in job["artifacts"]["paths"]:
        if path != "seawall-summary.md":
            assert (tmp_path / path).stat().st_size > 0, path
    junit = JUnitXml.fromfile(str(tmp_path / job["artifacts"]["reports"]["junit"]))
    assert junit.failures > 0
    gate = bash(lines[1], env, tmp_path)
    assert gate.returncode == 1, gate.stderr  # AWS keys are critical
    assert (tmp_path / "seawall-summary.md").read_text().startswith("## seawall:")
    assert "critical" in gate.stdout


def test_jenkins_pipeline_steps_run_as_written(tmp_path: Path, leaky_rootfs: Path) -> None:
    text = (REPO / "ci" / "jenkins" / "Jenkinsfile").read_text()
    steps = re.findall(r"sh '''(.*?)'''", text, re.S)
    assert len(steps) == 2
    params = dict(re.findall(r"string\(name: '(\w+)', defaultValue: '([^']*)'", text))
    environment = dict(re.findall(r"^\s*(SEAWALL_\w+) = '([^']*)'", text, re.M))
    assert {"SEAWALL_REF", "SEAWALL_SEVERITY"} <= set(params)
    variables = {**params, **environment, "SEAWALL_COMMAND": "rootfs",
                 "SEAWALL_REF": str(leaky_rootfs), "SEAWALL_ARGS": "--scanners secret"}
    env = ci_env(tmp_path, **variables)
    scan = bash(steps[0], env, tmp_path)
    assert scan.returncode == 0, scan.stderr
    assert JUnitXml.fromfile(str(tmp_path / "seawall-junit.xml")).failures > 0
    assert "junit allowEmptyResults: true, testResults: 'seawall-junit.xml'" in text
    gate = bash(steps[1], env, tmp_path)
    assert gate.returncode == 1
    relaxed = bash(steps[1], {**env, "SEAWALL_SEVERITY": "info"}, tmp_path)
    assert relaxed.returncode == 0  # no info-level findings in this rootfs


def test_pre_commit_hook_selects_config_files_and_fails_on_high(tmp_path: Path) -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    hook = next(h for h in hooks if h["id"] == "seawall-config")
    assert hook["language"] == "python" and hook["pass_filenames"] is True
    files = re.compile(hook["files"])
    for name in ("Dockerfile", "app/Dockerfile.prod", "build/api.Dockerfile",
                 "deploy/web.yaml", "k8s/base/svc.yml", "docker-compose.yml", "compose.yaml"):
        assert files.search(name), name
    for name in ("README.md", ".pre-commit-config.yaml", "src/app.py", ".github/ci.yml"):
        assert not files.search(name), name
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM debian:12\nUSER root\nRUN curl -sSL http://get.example | sh\n")
    good = tmp_path / "good.Dockerfile"
    good.write_text("FROM debian:12@sha256:" + "ab" * 32 + "\nRUN useradd -r app\n"
                    "HEALTHCHECK CMD true\nUSER app\n")
    entry = shlex.split(hook["entry"])
    env = ci_env(tmp_path)
    failing = subprocess.run([*entry, str(bad)], capture_output=True, text=True, env=env,
                             timeout=120, check=False)
    assert failing.returncode == 1, failing.stdout + failing.stderr
    passing = subprocess.run([*entry, str(good)], capture_output=True, text=True, env=env,
                             timeout=120, check=False)
    assert passing.returncode == 0, passing.stdout
