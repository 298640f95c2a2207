"""Table-driven: every control in the catalogue has an input that trips it and one
that does not (tests/misconfig_cases.py), checked through the real engine."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

import seawall
from fs_image_builders import E, layer_tar, sha256, write_docker_archive
from misconfig_cases import ALL_CASES, Case
from seawall.analyzers.misconfig.checks_image import ImageView
from seawall.analyzers.misconfig.controls import load_controls
from seawall.analyzers.misconfig.engine import ConfigScanner, ConfigScanOptions
from seawall.analyzers.misconfig.imageconfig_analyzer import image_findings


def _write_input(case_kind: str, data: object, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    if case_kind == "k8s":
        path = folder / "manifests.yaml"
        path.write_text(yaml.safe_dump_all(data, sort_keys=False))
    elif case_kind == "compose":
        path = folder / "docker-compose.yml"
        path.write_text(yaml.safe_dump(data, sort_keys=False))
    else:
        path = folder / "Dockerfile"
        path.write_text(str(data))
    return path


def _image_rule_ids(data: tuple[dict, list[str], dict], folder: Path) -> set[str]:
    config, history, files = data
    dirs = sorted({"/".join(p.split("/")[:i]) for p in files for i in range(1, p.count("/") + 1)})
    entries = [E(d, kind="dir", mode=0o755) for d in dirs]
    entries += [E(p, data=text.encode(), mode=mode) for p, (text, mode) in sorted(files.items())]
    layer = layer_tar(entries)
    doc = {
        "architecture": "amd64",
        "os": "linux",
        "config": config,
        "rootfs": {"type": "layers", "diff_ids": [sha256(layer)]},
        "history": [{"created_by": h} for h in history],
    }
    folder.mkdir(parents=True, exist_ok=True)
    archive = write_docker_archive(folder / "image.tar", [layer], config=json.dumps(doc).encode())
    with seawall.open_image(f"docker-archive:{archive}") as img:
        return {f.rule_id for f in image_findings(ImageView(img.config, img.fs))}


def _rule_ids(case: Case, data: object, folder: Path) -> set[str]:
    if case.kind == "image":
        return _image_rule_ids(data, folder)  # type: ignore[arg-type]
    path = _write_input(case.kind, data, folder)
    report = ConfigScanner(ConfigScanOptions(trusted_registries=case.trusted)).scan([str(path)])
    assert not report.errors, report.errors
    return {f.rule_id for f in report.findings}


def test_every_control_has_a_case() -> None:
    controls = set(load_controls())
    assert len(controls) >= 120
    assert sorted(controls - set(ALL_CASES)) == []
    assert sorted(set(ALL_CASES) - controls) == []


@pytest.mark.parametrize("control_id", sorted(ALL_CASES))
def test_control_fails_and_passes(control_id: str, tmp_path: Path) -> None:
    case = ALL_CASES[control_id]
    assert control_id in _rule_ids(case, case.fail, tmp_path / "fail"), "fail input did not trip"
    assert control_id not in _rule_ids(case, case.passing, tmp_path / "pass"), "pass input tripped"


def test_imageconfig_scanner_through_seawall_image(tmp_path: Path) -> None:
    """The registered ``imageconfig`` analyzer runs in ``seawall image``."""
    import subprocess
    import sys

    from misconfig_cases import IMAGE_CASES

    config, history, files = IMAGE_CASES["SW-IMG-010"].fail
    config = {**config, "User": ""}
    layer = layer_tar(
        [
            E("etc", kind="dir", mode=0o755),
            E("usr", kind="dir", mode=0o755),
            E("usr/bin", kind="dir", mode=0o755),
        ]
        + [
            E(p, data=t.encode(), mode=m)
            for p, (t, m) in sorted(files.items())
            if p.startswith(("etc/", "usr/"))
        ]
    )
    doc = {
        "architecture": "amd64",
        "os": "linux",
        "config": config,
        "rootfs": {"type": "layers", "diff_ids": [sha256(layer)]},
        "history": [{"created_by": h} for h in history],
    }
    archive = write_docker_archive(tmp_path / "img.tar", [layer], config=json.dumps(doc).encode())
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "from seawall.cli import main; main()",
            "image",
            f"docker-archive:{archive}",
            "--scanners",
            "imageconfig",
            "-f",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    found = {(f["rule_id"], f["location"].get("path")) for f in json.loads(proc.stdout)["findings"]}
    assert ("SW-IMG-010", "/usr/bin/su") in found and ("SW-IMG-001", None) in found
