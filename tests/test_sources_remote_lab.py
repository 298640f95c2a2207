"""``docker://`` against the lab's real registries (open :5000, htpasswd :5001)."""

from __future__ import annotations

import base64
import hashlib
import json
import socket
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

import seawall
from conftest import Lab
from seawall.errors import NotFoundError, SourceUnavailableError
from seawall.sources.distribution import DistributionSource
from seawall.sources.interface import ImageParts, SourceOptions

pytestmark = pytest.mark.lab

IMAGE = "base-debian"


def _archive_config(lab: Lab) -> dict:
    """Config of the skopeo docker-archive: the same OCI-converted config the
    registries hold (the engine's own config differs by Docker-only fields)."""
    with tarfile.open(lab.archive(IMAGE, "docker")) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))  # type: ignore[arg-type]
        return json.load(tar.extractfile(manifest[0]["Config"]))  # type: ignore[arg-type]


def _resolve(ref: str, options: SourceOptions) -> ImageParts:
    return DistributionSource().resolve(ref.removeprefix("docker:"), options)


def _close(parts: ImageParts) -> None:
    for close in parts.closers:
        close()


def test_open_registry_parts(lab: Lab) -> None:
    parts = _resolve(lab.ref(IMAGE, "docker"), SourceOptions())
    try:
        config = json.loads(parts.config_bytes)
        assert config["rootfs"]["diff_ids"] == _archive_config(lab)["rootfs"]["diff_ids"]
        assert parts.manifest_bytes is not None
        assert parts.manifest_digest == "sha256:" + hashlib.sha256(parts.manifest_bytes).hexdigest()
        smallest = min(parts.layers, key=lambda layer: layer.size or 0)
        with smallest.open_blob() as blob:  # type: ignore[union-attr]
            data = blob.read()
        assert "sha256:" + hashlib.sha256(data).hexdigest() == smallest.digest
    finally:
        _close(parts)


def test_auth_registry_with_options_and_with_docker_config(
    lab: Lab, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_parts = _resolve(lab.ref(IMAGE, "docker"), SourceOptions())
    _close(open_parts)
    with_options = _resolve(
        lab.ref(IMAGE, "docker-auth"),
        SourceOptions(username=lab.auth_user, password=lab.auth_password),
    )
    _close(with_options)
    assert with_options.config_bytes == open_parts.config_bytes
    auth = base64.b64encode(f"{lab.auth_user}:{lab.auth_password}".encode()).decode()
    (tmp_path / "config.json").write_text(
        json.dumps({"auths": {lab.auth_registry: {"auth": auth}}})
    )
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    from_config = _resolve(lab.ref(IMAGE, "docker-auth"), SourceOptions())
    _close(from_config)
    assert from_config.config_bytes == open_parts.config_bytes


def test_same_image_as_the_archive_end_to_end(lab: Lab, tmp_path: Path) -> None:
    options = SourceOptions(
        username=lab.auth_user, password=lab.auth_password, cache_dir=str(tmp_path / "cache")
    )
    with seawall.open_image(lab.ref(IMAGE, "docker-auth"), options) as image:
        config = _archive_config(lab)
        assert [layer.diff_id for layer in image.layers] == config["rootfs"]["diff_ids"]
        assert image.os is not None and (image.os.family, image.os.version) == ("debian", "12")
        with tarfile.open(lab.archive(IMAGE, "docker")) as tar:
            manifest = json.load(tar.extractfile("manifest.json"))  # type: ignore[arg-type]
            raw_config = tar.extractfile(manifest[0]["Config"]).read()  # type: ignore[union-attr]
        assert image.digest == "sha256:" + hashlib.sha256(raw_config).hexdigest()
        assert image.fs.read_bytes("/etc/os-release").startswith(b"PRETTY_NAME=")


def test_multiarch_index_by_platform(lab: Lab) -> None:
    assert lab.multiarch_image, "lab has no multiarch image"
    seen = {}
    for platform in ("linux/amd64", "linux/arm64/v8", "linux/arm64"):
        parts = _resolve(f"//{lab.multiarch_image}", SourceOptions(platform=platform))
        _close(parts)
        config = json.loads(parts.config_bytes)
        seen[platform] = (config["architecture"], parts.manifest_digest)
    assert seen["linux/amd64"][0] == "amd64"
    assert seen["linux/arm64/v8"][0] == "arm64"
    assert seen["linux/arm64"] == seen["linux/arm64/v8"]
    assert seen["linux/amd64"][1] != seen["linux/arm64"][1]
    with pytest.raises(NotFoundError, match=r"available: linux/amd64, linux/arm64/v8"):
        _resolve(f"//{lab.multiarch_image}", SourceOptions(platform="linux/s390x"))


def test_multiarch_files_follow_the_platform(lab: Lab, tmp_path: Path) -> None:
    options = SourceOptions(platform="linux/arm64", cache_dir=str(tmp_path))
    with seawall.open_image(f"docker://{lab.multiarch_image}", options) as image:
        assert b"arm64" in image.fs.read_bytes("/etc/seawall-lab-platform")


def test_registry_errors(lab: Lab) -> None:
    auth_ref = lab.ref(IMAGE, "docker-auth")
    with pytest.raises(SourceUnavailableError, match="credentials rejected") as err:
        _resolve(auth_ref, SourceOptions(username=lab.auth_user, password="wrong"))
    assert lab.auth_registry in str(err.value) and "seawall-lab/base-debian" in str(err.value)
    with pytest.raises(SourceUnavailableError, match="authentication required"):
        _resolve(auth_ref, SourceOptions())
    with pytest.raises(NotFoundError, match="nosuchtag"):
        _resolve(f"//{lab.registry}/seawall-lab/base-debian:nosuchtag", SourceOptions())
    with pytest.raises(NotFoundError, match="seawall-lab/nosuchrepo"):
        _resolve(f"//{lab.registry}/seawall-lab/nosuchrepo:latest", SourceOptions())


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    seawall_script = Path(sys.executable).parent / "seawall"
    return subprocess.run(
        [str(seawall_script), *args], capture_output=True, text=True, check=False, timeout=120
    )


def test_unreachable_registry(lab: Lab) -> None:
    port = _closed_port()
    with pytest.raises(SourceUnavailableError, match=f"registry 127.0.0.1:{port} unreachable"):
        _resolve(f"//127.0.0.1:{port}/x/y:1", SourceOptions(retries=1))


def test_cli_errors_are_one_line_exit_2(lab: Lab) -> None:
    port = _closed_port()
    auth_ref = f"docker://{lab.auth_registry}/seawall-lab/base-debian:latest"
    cases = [
        ([f"docker://127.0.0.1:{port}/x/y:1"], "unreachable"),
        ([f"docker://{lab.registry}/seawall-lab/base-debian:nosuchtag"], "manifest unknown"),
        ([auth_ref], "authentication required"),
        ([auth_ref, "--username", lab.auth_user, "--password", "wrong"], "credentials rejected"),
    ]
    for args, reason in cases:
        proc = _cli("inspect", *args)
        assert proc.returncode == 2, (args, proc.stdout, proc.stderr)
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("seawall: ") and reason in lines[0], lines
