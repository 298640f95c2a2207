"""The lab script itself: build ordering, loud build failures, lab.env round trip,
references per transport, and ``up`` being cheap when nothing changed."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest
from lab.commands import LabError
from lab.labenv import write_lab_env
from lab.paths import LabPaths

from conftest import LAB_SCRIPT, TRANSPORTS, Lab, read_lab_env
from lab import exports, fixture_images


def write_dockerfile(root: Path, name: str, text: str) -> None:
    (root / name).mkdir(parents=True)
    (root / name / "Dockerfile").write_text(text)


def test_dependencies_are_built_first(tmp_path: Path) -> None:
    write_dockerfile(tmp_path, "a-top", "# lab-depends: m-middle\nFROM seawall-lab/m-middle\n")
    write_dockerfile(tmp_path, "m-middle", "FROM seawall-lab/z-bottom:latest\n")
    write_dockerfile(tmp_path, "z-bottom", "FROM seawall-lab/bookworm:base\n")
    write_dockerfile(tmp_path, "b-alone", "FROM seawall-lab/bookworm:base\n")
    order = [i.name for i in fixture_images.discover(tmp_path)]
    assert order.index("z-bottom") < order.index("m-middle") < order.index("a-top")
    assert set(order) == {"a-top", "m-middle", "z-bottom", "b-alone"}


def test_lab_exports_limits_the_steps_to_what_they_need(tmp_path: Path) -> None:
    write_dockerfile(tmp_path, "big", "# lab-exports: docker, containerd\n"
                                      "FROM seawall-lab/bookworm:base\n")
    write_dockerfile(tmp_path, "small", "FROM seawall-lab/bookworm:base\n")
    images = {i.name: i for i in fixture_images.discover(tmp_path)}
    assert images["big"].transports == ("docker", "containerd")
    assert images["small"].transports is None
    assert exports.steps_for(images["big"].transports) == {
        "registry", "oci-archive", "oci", "docker-archive", "containerd"}
    assert exports.steps_for(("docker-save",)) == {"docker-save"}
    assert exports.steps_for(None) >= {"docker-save", "podman", "auth-registry"}


def test_unknown_lab_exports_transport_names_the_dockerfile(tmp_path: Path) -> None:
    write_dockerfile(tmp_path, "x", "# lab-exports: docker-archive ftp\nFROM a\n")
    with pytest.raises(LabError, match=r"x/Dockerfile: unknown lab-exports transport\(s\) ftp"):
        fixture_images.discover(tmp_path)


def test_unknown_dependency_names_the_dockerfile(tmp_path: Path) -> None:
    write_dockerfile(tmp_path, "x", "# lab-depends: nowhere\nFROM seawall-lab/bookworm:base\n")
    with pytest.raises(LabError, match=r"x/Dockerfile depends on 'nowhere'"):
        fixture_images.discover(tmp_path)


def test_dependency_cycle_is_refused(tmp_path: Path) -> None:
    write_dockerfile(tmp_path, "p", "FROM seawall-lab/q\n")
    write_dockerfile(tmp_path, "q", "FROM seawall-lab/p\n")
    with pytest.raises(LabError, match="cycle"):
        fixture_images.discover(tmp_path)


def test_lab_env_round_trips_through_conftest(tmp_path: Path) -> None:
    paths = LabPaths(root=tmp_path / "lab dir", cache=tmp_path / "cache")
    paths.make_dirs()
    write_lab_env(paths, images=["base-debian", "app-python", "big"], failed=[],
                  podman_problem=None, podman_images=["base-debian"],
                  docker_save_format="legacy", multiarch=True,
                  restricted={"big": ("docker-archive", "oci")})
    env = read_lab_env(paths.env_file)
    assert env["SEAWALL_LAB_DIR"] == str(paths.root)
    assert env["LAB_IMAGES"] == "base-debian app-python big"
    lab = Lab.from_env_file(paths.env_file)
    assert lab.images == ("base-debian", "app-python", "big")
    assert lab.exports == {"big": ("docker-archive", "oci")}
    assert lab.ref("big", "oci").startswith("oci:")
    assert lab.ref("big", "docker-daemon") == "docker-daemon:seawall-lab/big:latest"
    with pytest.raises(pytest.fail.Exception, match="published only to docker-archive, oci"):
        lab.ref("big", "containerd")
    assert lab.podman_images == ("base-debian",)
    refs = {t: lab.ref("base-debian", t) for t in TRANSPORTS}
    assert refs["docker-daemon"] == "docker-daemon:seawall-lab/base-debian:latest"
    assert refs["docker"] == f"docker://{lab.registry}/seawall-lab/base-debian:latest"
    assert refs["docker-auth"] == f"docker://{lab.auth_registry}/seawall-lab/base-debian:latest"
    assert refs["docker-archive"] == (
        f"docker-archive:{paths.root}/archives/base-debian.docker.tar")
    assert refs["docker-save"] == (
        f"docker-archive:{paths.root}/archives/base-debian.docker-save.tar")
    assert refs["oci"] == f"oci:{paths.root}/oci/base-debian:latest"
    assert refs["oci-archive"] == f"oci-archive:{paths.root}/archives/base-debian.oci.tar"
    assert refs["containerd"] == "containerd:docker.io/seawall-lab/base-debian:latest"
    assert refs["podman"] == "podman:docker.io/seawall-lab/base-debian:latest"
    with pytest.raises(pytest.fail.Exception, match="no lab image 'nope'"):
        lab.ref("nope", "oci")
    with pytest.raises(pytest.fail.Exception, match="podman has no lab image"):
        lab.ref("app-python", "podman")


def test_podman_problem_is_recorded_not_faked(tmp_path: Path) -> None:
    paths = LabPaths(root=tmp_path, cache=tmp_path / "cache")
    paths.make_dirs()
    write_lab_env(paths, images=["base-debian"], failed=[], podman_problem="no cgroups\nhere",
                  podman_images=[], docker_save_format=None, multiarch=False)
    text = paths.env_file.read_text()
    assert "# podman unavailable: no cgroups here" in text
    assert Lab.from_env_file(paths.env_file).podman_socket is None


@pytest.mark.lab
def test_broken_fixture_build_fails_naming_its_dockerfile(lab: Lab, tmp_path: Path) -> None:
    write_dockerfile(tmp_path, "selftest-broken",
                     "FROM seawall-lab/bookworm:base\nRUN echo about to fail && exit 3\n")
    (image,) = fixture_images.discover(tmp_path)
    paths = LabPaths(root=tmp_path / "lab", cache=tmp_path / "cache")
    with pytest.raises(LabError) as failure:
        fixture_images.build(paths, image)
    message = str(failure.value)
    assert f"build of {tmp_path}/selftest-broken/Dockerfile failed" in message
    assert "about to fail" in message  # the tail of the build log is in the error


@pytest.mark.lab
def test_up_is_idempotent_and_fast_when_up(lab: Lab) -> None:
    subprocess.run([str(LAB_SCRIPT), "up"], capture_output=True, check=False)
    started = time.monotonic()
    again = subprocess.run([str(LAB_SCRIPT), "up"], capture_output=True, text=True,
                           check=False)
    elapsed = time.monotonic() - started
    assert "docker build" not in again.stderr
    assert "exported" not in again.stderr
    assert "starting" not in again.stderr
    assert elapsed < 15, again.stderr
    status = subprocess.run([str(LAB_SCRIPT), "status"], capture_output=True, text=True,
                            check=True).stdout
    assert "DOWN" not in status, status
