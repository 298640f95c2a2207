"""Image reference normalisation, platform matching and registry credential lookup."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from seawall.errors import InputError, NotFoundError, ReferenceError_
from seawall.sources.image_reference import parse_reference
from seawall.sources.platform import parse_platform, select_manifest
from seawall.sources.registry_auth import find_credentials, parse_challenge
from seawall.sources.registry_client import is_loopback_registry


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("alpine", "docker.io/library/alpine:latest"),
        ("alpine:3.19", "docker.io/library/alpine:3.19"),
        ("library/alpine", "docker.io/library/alpine:latest"),
        ("index.docker.io/library/alpine", "docker.io/library/alpine:latest"),
        ("docker.io/alpine", "docker.io/library/alpine:latest"),
        ("bitnami/redis:7", "docker.io/bitnami/redis:7"),
        ("localhost/app", "localhost/app:latest"),
        ("127.0.0.1:5000/seawall-lab/base-debian", "127.0.0.1:5000/seawall-lab/base-debian:latest"),
        ("ghcr.io/org/app:1.2", "ghcr.io/org/app:1.2"),
        ("reg:5000/app@sha256:" + "a" * 64, "reg:5000/app@sha256:" + "a" * 64),
        ("reg/app:v1@sha256:" + "b" * 64, "docker.io/reg/app:v1@sha256:" + "b" * 64),
    ],
)
def test_reference_normalisation_follows_docker(text: str, expected: str) -> None:
    assert str(parse_reference(text)) == expected


def test_reference_parts_and_api_host() -> None:
    ref = parse_reference("alpine@sha256:" + "c" * 64)
    assert (ref.registry, ref.repository, ref.tag) == ("docker.io", "library/alpine", None)
    assert ref.manifest_reference == "sha256:" + "c" * 64
    assert ref.api_host == "registry-1.docker.io"
    assert parse_reference("127.0.0.1:5000/x:1").api_host == "127.0.0.1:5000"
    assert parse_reference("docker.io/library/alpine:3").familiar == "alpine:3"


@pytest.mark.parametrize("bad", ["", "UPPER/case", "app:bad tag", "app@sha256:xyz", "a//b"])
def test_bad_references_are_one_line_errors(bad: str) -> None:
    with pytest.raises(ReferenceError_):
        parse_reference(bad)


INDEX = [
    {"digest": "sha256:" + "1" * 64, "platform": {"os": "linux", "architecture": "amd64"}},
    {
        "digest": "sha256:" + "2" * 64,
        "platform": {"os": "linux", "architecture": "arm64", "variant": "v8"},
    },
    {"digest": "sha256:" + "3" * 64, "platform": {"os": "unknown", "architecture": "unknown"}},
    {
        "digest": "sha256:" + "4" * 64,
        "platform": {"os": "linux", "architecture": "arm", "variant": "v7"},
    },
]


def test_platform_selection() -> None:
    assert select_manifest(INDEX, "linux/amd64", "x")["digest"].startswith("sha256:1")
    assert select_manifest(INDEX, "linux/arm64", "x")["digest"].startswith("sha256:2")
    assert select_manifest(INDEX, "linux/aarch64/v8", "x")["digest"].startswith("sha256:2")
    assert select_manifest(INDEX, "linux/arm/v7", "x")["digest"].startswith("sha256:4")
    with pytest.raises(NotFoundError) as err:
        select_manifest(INDEX, "linux/s390x", "reg/app:1")
    # attestation manifests (unknown/unknown) are not offered as platforms
    assert "available: linux/amd64, linux/arm64/v8, linux/arm/v7" in str(err.value)
    assert "reg/app:1" in str(err.value)


def test_platform_parsing() -> None:
    assert str(parse_platform("linux/x86_64")) == "linux/amd64"
    with pytest.raises(InputError):
        parse_platform("linux")


def test_challenge_parsing() -> None:
    challenge = parse_challenge(
        'Bearer realm="https://auth.example/token",service="registry.example",scope="a:b:pull"'
    )
    assert challenge is not None and challenge.scheme == "bearer"
    assert challenge.params == {
        "realm": "https://auth.example/token",
        "service": "registry.example",
        "scope": "a:b:pull",
    }
    basic = parse_challenge('Basic realm="Registry Realm"')
    assert basic is not None and basic.scheme == "basic"


def test_loopback_registries_may_use_plain_http() -> None:
    assert is_loopback_registry("127.0.0.1:5000")
    assert is_loopback_registry("localhost:5000")
    assert is_loopback_registry("[::1]:5000")
    assert not is_loopback_registry("registry.example:5000")
    assert not is_loopback_registry("10.0.0.1:5000")


def test_credentials_from_docker_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = {
        "auths": {
            "https://index.docker.io/v1/": {"auth": base64.b64encode(b"hubuser:hubpass").decode()},
            "http://127.0.0.1:5001": {"auth": base64.b64encode(b"lab:labpass").decode()},
            "reg.example": {"username": "u", "password": "p"},
        },
        "credHelpers": {"helper.example": "seawall-test-helper-that-does-not-exist"},
    }
    (tmp_path / "config.json").write_text(json.dumps(config))
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    hub = find_credentials("docker.io")
    assert hub is not None and (hub.username, hub.password) == ("hubuser", "hubpass")
    lab = find_credentials("127.0.0.1:5001")
    assert lab is not None and (lab.username, lab.password) == ("lab", "labpass")
    plain = find_credentials("reg.example")
    assert plain is not None and (plain.username, plain.password) == ("u", "p")
    assert find_credentials("helper.example") is None  # helper not installed: skipped
    assert find_credentials("other.example") is None
    explicit = find_credentials("127.0.0.1:5001", "me", "secret")
    assert explicit is not None and explicit.username == "me"
