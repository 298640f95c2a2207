"""``seawall inspect`` and the shared source flags, run as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from fs_image_builders import E, env_without_cache, layer_tar, sha256, write_docker_archive
from seawall.cli.source_options import parse_size, source_options
from seawall.sources.interface import SourceOptions

SEAWALL = str(Path(sys.executable).parent / "seawall")
LAYERS = [
    layer_tar([E("etc/os-release", data=b'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n'),
               E("usr/bin/env", data=b"ELF", mode=0o755)]),
    layer_tar([E("srv/app.py", data=b"print(1)\n")]),
]


def run(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SEAWALL, *args], env=env_without_cache(tmp_path),
                          capture_output=True, text=True, check=False)


def test_inspect_json_is_the_report_document(tmp_path: Path) -> None:
    archive = write_docker_archive(tmp_path / "img.tar", LAYERS, tag="acme/app:2",
                                   history=["ADD rootfs /", "COPY app.py /srv/"])
    proc = run(["inspect", f"docker-archive:{archive}", "--format", "json"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["schema_version"] == 1 and doc["tool"]["name"] == "seawall"
    assert doc["packages"] == [] and doc["findings"] == [] and doc["errors"] == []
    target = doc["target"]
    assert target["kind"] == "image" and target["ref"] == f"docker-archive:{archive}"
    assert target["os"] == {"family": "debian", "version": "12", "codename": "bookworm"}
    assert [layer["diff_id"] for layer in target["layers"]] == [sha256(t) for t in LAYERS]
    assert [layer["created_by"] for layer in target["layers"]] == ["ADD rootfs /",
                                                                   "COPY app.py /srv/"]
    assert target["repo_tags"] == ["acme/app:2"]
    assert (tmp_path / "cache").exists() and not (tmp_path / "home").exists()


def test_inspect_table(tmp_path: Path) -> None:
    archive = write_docker_archive(tmp_path / "img.tar", LAYERS, history=["ADD rootfs /", "COPY x"])
    proc = run(["inspect", f"docker-archive:{archive}"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "debian 12 (bookworm)" in proc.stdout
    assert "COPY x" in proc.stdout and sha256(LAYERS[1])[7:19] in proc.stdout


def test_inspect_size_limit_flag_and_env(tmp_path: Path) -> None:
    archive = write_docker_archive(tmp_path / "img.tar", LAYERS)
    proc = run(["inspect", f"docker-archive:{archive}", "--max-image-size", "1kB"], tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.startswith("seawall: ") and "maximum image size" in proc.stderr
    bad = run(["inspect", f"docker-archive:{archive}", "--max-image-size", "lots"], tmp_path)
    assert bad.returncode == 2 and "not a size" in bad.stderr


def test_source_options_decorator_builds_source_options() -> None:
    seen: list[SourceOptions] = []

    @click.command()
    @source_options
    def cmd(source_options: SourceOptions) -> None:
        seen.append(source_options)

    result = CliRunner().invoke(cmd, ["--platform", "linux/arm64", "--insecure",
                                      "--max-image-size", "2GiB", "--cache-dir", "/tmp/c"],
                                env={"SEAWALL_USERNAME": "u", "SEAWALL_PASSWORD": "p"})
    assert result.exit_code == 0, result.output
    assert seen[-1] == SourceOptions(platform="linux/arm64", insecure=True, username="u",
                                     password="p", max_image_size=2 * 1024**3,
                                     cache_dir="/tmp/c")

    @click.command()
    @source_options
    @click.option("--cache-dir")
    def own_cache(source_options: SourceOptions, cache_dir: str | None) -> None:
        seen.append(source_options)
        assert cache_dir == "/x"

    result = CliRunner().invoke(own_cache, ["--cache-dir", "/x"])
    assert result.exit_code == 0, result.output
    assert seen[-1].cache_dir == "/x"


@pytest.mark.parametrize(("text", "value"), [("1048576", 1 << 20), ("20GiB", 20 << 30),
                                             ("500MB", 500_000_000), ("1.5kib", 1536)])
def test_parse_size(text: str, value: int) -> None:
    assert parse_size(text) == value
