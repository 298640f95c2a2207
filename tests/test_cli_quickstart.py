"""What a new user (often a Trivy user) does first, end to end through the CLI: flags
after the subcommand, a tar file given as a bare path, several images where one is bad,
whole paths off a terminal, directory help without registry flags, host scan scope."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from fs_image_builders import (
    E,
    layer_tar,
    oci_layout_members,
    write_docker_archive,
    write_oci_archive,
)
from seawall.sources.host_scope import default_host_skips, parse_mountinfo
from seawall.sources.rootfs import open_rootfs

# A GitHub token shape with real entropy (never a live token).
TOKEN = "ghp_" + "Zq8vT3mW9xKp2LrN7bYc4HdJ6sFg1QaE5uVo"


def seawall(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None
            ) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from seawall.cli import main; main()", *args],
        capture_output=True, text=True, cwd=cwd, env={**os.environ, **(env or {})},
        timeout=300, check=False,
    )


def _secret_layer() -> bytes:
    return layer_tar([E("app", "dir", mode=0o755),
                      E("app/settings.py", data=f'GITHUB_TOKEN = "{TOKEN}"\n'.encode())])


@pytest.fixture()
def cache_env(tmp_path: Path) -> dict[str, str]:
    return {"SEAWALL_CACHE_DIR": str(tmp_path / "cache"), "HOME": str(tmp_path / "home")}


def test_quiet_and_debug_after_the_subcommand(tmp_path: Path, cache_env: dict[str, str]) -> None:
    root = tmp_path / "root"
    root.mkdir()
    for flags in (["-q"], ["--quiet"], ["--debug"], ["-q", "--debug"]):
        out = seawall("rootfs", str(root), "--scanners", "secret", *flags, env=cache_env)
        assert out.returncode == 0, (flags, out.stderr)
        assert "no such option" not in out.stderr
    # -q after the subcommand really is quiet: an incomplete-scan warning is not printed.
    loud = seawall("rootfs", str(root), "--scanners", "vuln", "--allow-incomplete",
                   "--db-dir", str(tmp_path / "nodb"), env=cache_env)
    quiet = seawall("rootfs", str(root), "--scanners", "vuln", "--allow-incomplete",
                    "--db-dir", str(tmp_path / "nodb"), "-q", env=cache_env)
    assert "warning" in loud.stderr
    assert "warning" not in quiet.stderr
    # Subcommands of groups get them too.
    assert seawall("controls", "list", "-q").returncode == 0


def test_directory_help_has_no_registry_flags() -> None:
    for command in ("rootfs", "fs"):
        text = seawall(command, "--help").stdout
        for flag in ("--username", "--password", "--platform", "--insecure", "--docker-host",
                     "--containerd-address", "--max-image-size"):
            assert flag not in text, (command, flag)
        assert "--skip-dirs" in text
    assert "--username" in seawall("image", "--help").stdout


def test_bare_tar_paths_are_recognised(tmp_path: Path, cache_env: dict[str, str]) -> None:
    docker_tar = write_docker_archive(tmp_path / "app.tar", [_secret_layer()])
    oci_tar = write_oci_archive(tmp_path / "app-oci.tar", oci_layout_members([_secret_layer()]))
    for path in (docker_tar, oci_tar):
        out = seawall("image", path.name, "--scanners", "secret", "-f", "json",
                      cwd=tmp_path, env=cache_env)
        assert out.returncode == 0, out.stderr
        report = json.loads(out.stdout)
        assert report["target"]["ref"] == path.name
        assert [f["location"]["path"] for f in report["findings"]] == ["/app/settings.py"]
    junk = tmp_path / "notes.txt"
    junk.write_text("hello\n")
    out = seawall("image", str(junk), env=cache_env)
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1
    assert "neither a docker-archive nor an oci-archive" in out.stderr
    out = seawall("image", str(tmp_path), env=cache_env)
    assert out.returncode == 2 and "seawall rootfs" in out.stderr


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_one_bad_image_does_not_hide_the_good_one(
    tmp_path: Path, cache_env: dict[str, str], jobs: str
) -> None:
    good = write_docker_archive(tmp_path / "good.tar", [_secret_layer()])
    bad = tmp_path / "bad.tar"
    bad.write_bytes(b"not a tar at all")
    out = seawall("image", f"docker-archive:{good}", f"docker-archive:{bad}",
                  "--scanners", "secret", "-f", "json", "--jobs", jobs, "-q", env=cache_env)
    assert out.returncode == 2
    reports = json.loads(out.stdout)
    reports = reports if isinstance(reports, list) else [reports]
    assert [r["target"]["ref"] for r in reports] == [f"docker-archive:{good}"]
    assert reports[0]["findings"], "the good image's finding is reported"
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "bad.tar" in lines[0]


def test_table_off_a_terminal_keeps_whole_paths(tmp_path: Path, cache_env: dict[str, str]) -> None:
    deep = tmp_path / "root" / "srv" / ("a-rather-long-directory-name-" * 3) / "config"
    deep.mkdir(parents=True)
    (deep / "settings.py").write_text(f'GITHUB_TOKEN = "{TOKEN}"\n')
    out = seawall("rootfs", str(tmp_path / "root"), "--scanners", "secret", env=cache_env)
    shown = "/" + str((deep / "settings.py").relative_to(tmp_path / "root"))
    assert shown in out.stdout, out.stdout
    assert "…" not in out.stdout


def test_mountinfo_parsing_and_host_skips(tmp_path: Path) -> None:
    sample = (
        "22 1 0:21 / /proc rw,nosuid - proc proc rw\n"
        "23 1 0:22 / /sys rw - sysfs sysfs rw\n"
        "24 1 253:1 / / rw - ext4 /dev/vda1 rw\n"
        "25 24 0:40 / /mnt/my\\040share rw - nfs4 srv:/x rw\n"
        "26 24 0:41 / /var/lib/docker/overlay2/abc/merged rw - overlay overlay rw\n"
        "27 24 0:42 / /home rw - ext4 /dev/vda2 rw\n"
        "garbage line\n"
    )
    entries = parse_mountinfo(sample)
    assert [(e.mount_point, e.fs_type) for e in entries][3] == ("/mnt/my share", "nfs4")
    info = tmp_path / "mountinfo"
    info.write_text(sample)
    skips = {s.path: s.reason for s in default_host_skips(str(info))}
    assert skips["/proc"].startswith("pseudo filesystem")
    assert "network" in skips["/mnt/my share"]
    assert "/home" not in skips and "/" not in skips  # local disks are scanned
    if os.path.isdir("/var/lib/docker"):
        # The overlay mount lies inside engine storage, which is skipped as a whole.
        assert skips["/var/lib/docker"] == "container engine storage"
        assert "/var/lib/docker/overlay2/abc/merged" not in skips


def test_host_target_lists_its_skips_and_rootfs_honours_skip_dirs(
    tmp_path: Path, cache_env: dict[str, str]
) -> None:
    host = open_rootfs("/")
    paths = {s["path"] for s in host.target_info().to_dict()["skipped"]}
    assert {"/proc", "/sys", "/dev"} <= paths
    everything = open_rootfs("/", default_skips=False)
    assert {s.path for s in everything.skipped} == {"/proc", "/sys", "/dev"}

    root = tmp_path / "root"
    (root / "vendor").mkdir(parents=True)
    (root / "vendor" / "settings.py").write_text(f'GITHUB_TOKEN = "{TOKEN}"\n')
    found = seawall("rootfs", str(root), "--scanners", "secret", "-f", "json", env=cache_env)
    assert json.loads(found.stdout)["findings"]
    skipped = seawall("rootfs", str(root), "--scanners", "secret", "-f", "json",
                      "--skip-dirs", "vendor", env=cache_env)
    report = json.loads(skipped.stdout)
    assert report["findings"] == []
    assert report["target"]["skipped"] == [{"path": "/vendor", "reason": "user --skip-dirs"}]
