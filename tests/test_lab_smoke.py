"""The lab is up and every transport holds the same images."""

from __future__ import annotations

import hashlib
import json
import subprocess
import tarfile
from pathlib import Path

import httpx
import pytest

from conftest import Lab

pytestmark = pytest.mark.lab

#: Transports skopeo itself can read (containerd/podman are checked with their own CLIs).
SKOPEO_TRANSPORTS = ("docker-daemon", "docker-archive", "docker-save", "oci", "oci-archive",
                     "docker", "docker-auth")


def skopeo_argv(lab: Lab, ref: str, *options: str) -> list[str]:
    """``skopeo inspect`` of ``ref`` with the lab's credentials and engine address."""
    argv = ["skopeo", "inspect", "--tls-verify=false", *options]
    if ref.startswith(f"docker://{lab.auth_registry}/"):
        argv += ["--creds", f"{lab.auth_user}:{lab.auth_password}"]
    if ref.startswith("docker-daemon:") and lab.docker_host:
        argv += ["--daemon-host", lab.docker_host]  # skopeo ignores DOCKER_HOST
    return [*argv, ref]


def skopeo_inspect(lab: Lab, ref: str, *, raw: bool = False) -> dict:
    proc = subprocess.run(skopeo_argv(lab, ref, *(["--raw"] if raw else [])),
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, f"skopeo inspect {ref}: {proc.stderr}"
    return json.loads(proc.stdout)


def config_digest(lab: Lab, ref: str) -> str:
    """sha256 of the raw image config: the image ID, whatever the manifest format."""
    proc = subprocess.run(skopeo_argv(lab, ref, "--config", "--raw"), capture_output=True,
                          check=False)
    assert proc.returncode == 0, f"skopeo inspect --config {ref}: {proc.stderr.decode()}"
    return "sha256:" + hashlib.sha256(proc.stdout).hexdigest()


def test_lab_has_the_fixture_images(lab: Lab) -> None:
    assert {"base-debian", "app-python"} <= set(lab.images)
    assert lab.env.get("LAB_FAILED_IMAGES", "") == ""


def test_open_registry_answers_without_credentials(lab: Lab) -> None:
    response = httpx.get(f"http://{lab.registry}/v2/", timeout=5)
    assert response.status_code == 200
    catalog = httpx.get(f"http://{lab.registry}/v2/_catalog", timeout=5).json()
    assert "seawall-lab/base-debian" in catalog["repositories"]


def test_auth_registry_demands_credentials(lab: Lab) -> None:
    url = f"http://{lab.auth_registry}/v2/"
    assert httpx.get(url, timeout=5).status_code == 401
    assert httpx.get(url, auth=("lab", "wrong"), timeout=5).status_code == 401
    assert httpx.get(url, auth=(lab.auth_user, lab.auth_password), timeout=5).status_code == 200


def test_registries_store_both_manifest_formats(lab: Lab) -> None:
    v2s2 = skopeo_inspect(lab, lab.ref("base-debian", "docker"), raw=True)
    oci = skopeo_inspect(lab, lab.ref("base-debian", "docker-auth"), raw=True)
    assert v2s2["mediaType"] == "application/vnd.docker.distribution.manifest.v2+json"
    assert oci["mediaType"] == "application/vnd.oci.image.manifest.v1+json"


def test_containerd_has_every_image(lab: Lab) -> None:
    proc = subprocess.run(["ctr", "-a", lab.containerd_address, "-n", lab.containerd_namespace,
                           "images", "ls", "-q"], capture_output=True, text=True, check=True)
    names = set(proc.stdout.split())
    for image in lab.images:
        if "containerd" in lab.exports.get(image, ("containerd",)):
            assert lab.ref(image, "containerd").removeprefix("containerd:") in names


@pytest.mark.parametrize("image", ["base-debian", "app-python"])
def test_every_transport_holds_the_same_image(lab: Lab, image: str) -> None:
    for kind in ("docker", "docker-save", "oci"):
        assert lab.archive(image, kind).is_file()
    assert (lab.oci_layout(image) / "index.json").is_file()
    digests = {t: config_digest(lab, lab.ref(image, t)) for t in SKOPEO_TRANSPORTS}
    engine_id = subprocess.run(["docker", "image", "inspect", "-f", "{{.Id}}",
                                lab.image_name(image)], capture_output=True, text=True,
                               check=True).stdout.strip()
    assert set(digests.values()) == {engine_id}, digests


def test_docker_save_tar_is_the_engines_layout(lab: Lab) -> None:
    with tarfile.open(lab.archive("base-debian", "docker-save")) as tar:
        names = set(tar.getnames())
    assert "manifest.json" in names
    if lab.docker_save_format == "legacy":
        assert "repositories" in names
        assert any(n.endswith("/layer.tar") for n in names)
    else:
        assert "index.json" in names


def test_base_debian_layers_carry_the_filesystem_edge_cases(lab: Lab) -> None:
    """Whiteouts, the opaque dir, symlinks, setuid and the capability xattr survive into
    the exported layers (other tests rely on them being there)."""
    layout = lab.oci_layout("base-debian")
    index = json.loads((layout / "index.json").read_text())
    manifest = json.loads(blob(layout, index["manifests"][0]["digest"]))
    entries: dict[str, tarfile.TarInfo] = {}
    for layer in manifest["layers"]:
        with tarfile.open(layout / "blobs" / layer["digest"].replace(":", "/")) as tar:
            entries.update({m.name: m for m in tar.getmembers()})
    assert "data/sub/.wh..wh..opq" in entries
    assert "data/.wh.removed.txt" in entries
    assert "data/.wh.gone" in entries
    assert entries["link"].issym() and entries["link"].linkname == "/data"
    assert entries["data/escape"].linkname.startswith("../../")
    assert entries["data/keep.hardlink"].islnk()
    assert entries["usr/local/bin/lab-setuid"].mode & 0o4000
    assert "SCHILY.xattr.security.capability" in entries["usr/local/bin/lab-netraw"].pax_headers


def blob(layout: Path, digest: str) -> bytes:
    return (layout / "blobs" / digest.replace(":", "/")).read_bytes()


def test_multiarch_index_has_two_platforms(lab: Lab) -> None:
    assert lab.multiarch_image, "lab.env has no LAB_MULTIARCH_IMAGE"
    index = skopeo_inspect(lab, f"docker://{lab.multiarch_image}", raw=True)
    assert index["mediaType"] == "application/vnd.oci.image.index.v1+json"
    platforms = {(m["platform"]["os"], m["platform"]["architecture"])
                 for m in index["manifests"]}
    assert platforms == {("linux", "amd64"), ("linux", "arm64")}
    arm = subprocess.run(["skopeo", "--override-arch", "arm64", "inspect", "--config",
                          "--tls-verify=false", f"docker://{lab.multiarch_image}"],
                         capture_output=True, text=True, check=True)
    assert json.loads(arm.stdout)["architecture"] == "arm64"


def test_podman_serves_lab_images(lab: Lab) -> None:
    if lab.podman_socket is None:
        pytest.fail("podman unavailable in this lab: "
                    + "; ".join(line for line in (lab.dir / "lab.env").read_text().splitlines()
                                if "podman" in line and line.startswith("#")))
    transport = httpx.HTTPTransport(uds=lab.podman_socket)
    with httpx.Client(transport=transport, base_url="http://podman") as client:
        assert client.get("/_ping").status_code == 200
        images = client.get("/v1.40/images/json").json()
    tags = {tag for image in images for tag in (image.get("RepoTags") or [])}
    for image in lab.podman_images:
        assert lab.ref(image, "podman").removeprefix("podman:") in tags
