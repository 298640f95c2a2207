"""Inventory of the lab's real images, checked against the real tools run inside them
(dpkg-query, the image's wheels.txt, ``go version -m`` recorded at build time)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

import seawall
from conftest import Lab
from seawall.analyzers.facts.inventory import run_inventory
from seawall.analyzers.packages.golang_buildinfo import stdlib_version
from seawall.model.package import Package

WHEELS = Path(__file__).parent / "lab" / "images" / "app-python" / "wheels.txt"
DPKG_FORMAT = "${db:Status-Abbrev}|${Package}|${Version}|${Architecture}\n"


def dpkg_query(lab: Lab, image: str) -> list[tuple[str, str, str]]:
    """(package, version, arch) of installed packages, as dpkg-query in the image says."""
    out = subprocess.run(
        ["docker", "run", "--rm", "--network", "none", "--entrypoint", "dpkg-query",
         lab.image_name(image), "-W", "-f", DPKG_FORMAT],
        capture_output=True, text=True, check=True, timeout=120).stdout
    rows = []
    for line in out.splitlines():
        abbrev, name, version, arch = line.split("|")
        if abbrev[1] not in "nc":  # not-installed / config-files: nothing on disk
            rows.append((name, version, arch))
    return sorted(rows)


def inventory(lab: Lab, image: str, transport: str) -> tuple[list[Package], list[str]]:
    with seawall.open_image(lab.ref(image, transport), lab.source_options()) as img:
        result = run_inventory(img)
        layers = [layer.diff_id for layer in img.layers]
    assert not result.errors, result.errors
    return result.packages, layers


@pytest.mark.lab
@pytest.mark.parametrize("transport", ["docker-archive", "oci"])
def test_base_debian_dpkg_set_matches_dpkg_query(lab: Lab, transport: str) -> None:
    packages, layers = inventory(lab, "base-debian", transport)
    got = sorted((p.name, p.version, p.arch or "") for p in packages if p.type == "deb")
    assert got == dpkg_query(lab, "base-debian")
    assert all(p.layer in layers for p in packages)
    by_name = {p.name: p for p in packages}
    # libc6 came with the bookworm base layer, libcap2-bin with the image's apt step
    assert by_name["libc6"].layer == layers[0]
    assert by_name["libcap2-bin"].layer != layers[0]
    assert by_name["libc6"].source_name == "glibc"
    assert by_name["libc6"].purl.startswith("pkg:deb/debian/libc6@")
    assert "distro=debian-12" in by_name["libc6"].purl


def _wheel_pins() -> dict[str, str]:
    pins = {}
    for line in WHEELS.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            pins[re.sub(r"[-_.]+", "-", name).lower()] = version
    return pins


@pytest.mark.lab
def test_app_python_lists_exactly_the_pip_wheels(lab: Lab) -> None:
    packages, layers = inventory(lab, "app-python", "docker-archive")
    pypi = {re.sub(r"[-_.]+", "-", p.name).lower(): p for p in packages if p.type == "pypi"}
    # pip/setuptools/wheel are Debian's python3-* packages: their dist-info is in the
    # dpkg file lists, so they are deb packages only, never PyPI ones.
    assert {k: p.version for k, p in pypi.items()} == _wheel_pins()
    deb_names = {p.name for p in packages if p.type == "deb"}
    assert "python3-pip" in deb_names
    requests = pypi["requests"]
    assert requests.purl == "pkg:pypi/requests@2.19.1"
    assert requests.layer not in (layers[0], None)
    assert requests.path is not None and requests.path.endswith("/METADATA")


@pytest.mark.lab
def test_pkgs_go_binary_matches_go_version_m(lab: Lab) -> None:
    with seawall.open_image(lab.ref("pkgs-go", "docker-archive"), lab.source_options()) as img:
        result = run_inventory(img)
        recorded = img.fs.read_bytes("/usr/local/share/seawall-lab/hello.buildinfo").decode()
    go_version = recorded.splitlines()[0].split(": ", 1)[1].strip()
    deps = {(line.split("\t")[2], line.split("\t")[3]) for line in recorded.splitlines()
            if line.startswith("\tdep\t")}
    # the main module (the program itself) too: built from a checkout, "(devel)"
    main = {(line.split("\t")[2], line.split("\t")[3]) for line in recorded.splitlines()
            if line.startswith("\tmod\t")}
    assert [v for _, v in main] == ["(devel)"]
    golang = {(p.name, p.version) for p in result.packages if p.type == "golang"}
    assert golang == {("stdlib", stdlib_version(go_version)), *deps, *main}
    stdlib = next(p for p in result.packages if p.name == "stdlib")
    assert stdlib.path == "/usr/local/bin/hello"
    assert stdlib.purl == f"pkg:golang/stdlib@{stdlib_version(go_version)}"


@pytest.mark.lab
@pytest.mark.parametrize("image", ["base-debian", "app-python"])
def test_lab_image_sboms_validate(lab: Lab, image: str, tmp_path: Path) -> None:
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator
    from spdx_tools.spdx.parser.parse_anything import parse_file
    from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

    from seawall.cli.sbom import inventory_report, render_sbom

    with seawall.open_image(lab.ref(image, "oci-archive"), lab.source_options()) as img:
        report = inventory_report(img)
    cdx = render_sbom(report, "cyclonedx")
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(cdx) is None
    spdx_path = tmp_path / "sbom.spdx.json"
    spdx_path.write_text(render_sbom(report, "spdx"))
    assert validate_full_spdx_document(parse_file(str(spdx_path)), "SPDX-2.3") == []
