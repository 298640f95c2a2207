"""The merged inventory of a target: OS-owned dedup, lock-file dedup, licenses, purls,
and per-layer attribution on a real (docker-archive) layered image."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import seawall
from fs_image_builders import E, layer_tar, sha256, write_docker_archive
from seawall.analyzers.all import BUILTIN_ANALYZERS
from seawall.analyzers.facts.inventory import collect_packages, run_inventory
from seawall.analyzers.packages.purls import build_purl, package_from_purl
from seawall.model.package import Package
from seawall.model.report import OSInfo

FIXTURES = Path(__file__).parent / "fixtures" / "packages"
ROOTFS = FIXTURES / "rootfs-debian"


@pytest.fixture(scope="module")
def inventory() -> dict[tuple[str, str], Package]:
    packages = collect_packages(seawall.open_rootfs(str(ROOTFS)))
    by_key: dict[tuple[str, str], Package] = {}
    for pkg in packages:
        assert (pkg.type, pkg.name) not in by_key or pkg.type in ("npm",), pkg
        by_key[(pkg.type, pkg.name)] = pkg
    return by_key


def test_registered_as_analyzer() -> None:
    assert "packages" in {cls.name for cls in BUILTIN_ANALYZERS}


def test_rootfs_inventory_package_set(inventory: dict[tuple[str, str], Package]) -> None:
    assert set(inventory) == {
        ("deb", "base-files"), ("deb", "bash"), ("deb", "libc6"), ("deb", "zlib1g"),
        ("deb", "libssl3"), ("deb", "python3-six"), ("deb", "python3-yaml"),
        ("pypi", "requests"), ("pypi", "Jinja2"), ("pypi", "legacy-tool"),
        ("npm", "lodash"), ("npm", "@babel/code-frame"), ("npm", "minimist"),
        ("npm", "left-pad"), ("npm", "seawall-fixture-web"),  # the app at /srv/web
        ("gem", "rack"), ("gem", "mini_portile2"), ("gem", "nokogiri"), ("gem", "racc"),
        ("composer", "guzzlehttp/psr7"), ("composer", "symfony/http-foundation"),
        ("composer", "phpunit/phpunit"),
        ("nuget", "Newtonsoft.Json"), ("nuget", "System.Text.Encodings.Web"),
        ("cargo", "smallvec"), ("cargo", "time"),
    }


def test_dpkg_owned_python_metadata_is_not_a_pypi_package(
        inventory: dict[tuple[str, str], Package]) -> None:
    # six's dist-info and PyYAML's egg-info are in python3-six.list / python3-yaml.list
    assert ("pypi", "six") not in inventory and ("pypi", "PyYAML") not in inventory
    assert inventory[("pypi", "requests")].path == \
        "/usr/local/lib/python3.11/site-packages/requests-2.19.1.dist-info/METADATA"


def test_lockfile_entries_yield_to_installed_packages(
        inventory: dict[tuple[str, str], Package]) -> None:
    assert inventory[("npm", "lodash")].path == "/srv/web/node_modules/lodash/package.json"
    assert inventory[("npm", "minimist")].path == "/srv/web/package-lock.json"
    assert inventory[("npm", "left-pad")].extra == {"dev": True}
    # rack is both installed (gemspec) and locked: the installed one wins
    assert inventory[("gem", "rack")].path.endswith("/specifications/rack-2.2.3.gemspec")
    # composer: installed.json wins over composer.lock except for what is not installed
    assert inventory[("composer", "guzzlehttp/psr7")].path.endswith("installed.json")
    assert inventory[("composer", "phpunit/phpunit")].path.endswith("composer.lock")


def test_deb_licenses_from_copyright(inventory: dict[tuple[str, str], Package]) -> None:
    assert inventory[("deb", "zlib1g")].licenses == ["Zlib"]
    assert inventory[("deb", "bash")].licenses[0] == "GPL-3.0-or-later"
    assert inventory[("deb", "libc6")].licenses == []


def test_every_package_has_a_parseable_purl(inventory: dict[tuple[str, str], Package]) -> None:
    expected = {
        ("deb", "zlib1g"):
            "pkg:deb/debian/zlib1g@1.2.13.dfsg-1?arch=amd64&distro=debian-12&epoch=1&upstream=zlib",
        ("deb", "bash"):
            "pkg:deb/debian/bash@5.2.15-2%2Bb7?arch=amd64&distro=debian-12"
            "&upstream=bash%405.2.15-2",
        ("pypi", "Jinja2"): "pkg:pypi/jinja2@2.10",
        ("npm", "@babel/code-frame"): "pkg:npm/%40babel/code-frame@7.22.13",
        ("composer", "symfony/http-foundation"): "pkg:composer/symfony/http-foundation@v5.4.20",
        ("nuget", "Newtonsoft.Json"): "pkg:nuget/Newtonsoft.Json@12.0.3",
        ("gem", "rack"): "pkg:gem/rack@2.2.3",
        ("cargo", "time"): "pkg:cargo/time@0.1.43",
    }
    for key, purl in expected.items():
        assert inventory[key].purl == purl
    for pkg in inventory.values():
        back = package_from_purl(pkg.purl)
        assert back.type == pkg.type
        assert back.version == pkg.version
        if pkg.type == "deb":
            assert (back.name, back.source_name, back.source_version) == \
                (pkg.name, pkg.source_name, pkg.source_version)


@pytest.mark.parametrize(
    ("pkg", "purl"),
    [
        (Package("org.apache.logging.log4j:log4j-core", "2.14.1", "maven"),
         "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"),
        (Package("github.com/gin-gonic/gin", "v1.9.0", "golang"),
         "pkg:golang/github.com/gin-gonic/gin@v1.9.0"),
        (Package("stdlib", "v1.19.8", "golang"), "pkg:golang/stdlib@v1.19.8"),
        (Package("Django_Rest", "3.0", "pypi"), "pkg:pypi/django-rest@3.0"),
        (Package("openssl-libs", "1:3.0.7-27.el9", "rpm", arch="x86_64",
                 source_name="openssl", source_version="1:3.0.7-27.el9"),
         "pkg:rpm/rocky/openssl-libs@3.0.7-27.el9?arch=x86_64&distro=rocky-9.3&epoch=1"
         "&upstream=openssl"),
    ],
)
def test_purl_forms(pkg: Package, purl: str) -> None:
    assert build_purl(pkg, OSInfo(family="rocky", version="9.3")) == purl
    back = package_from_purl(purl)
    assert (back.name, back.version) == (pkg.name if pkg.type != "pypi" else "django-rest",
                                         pkg.version)


def _status(*stanzas: tuple[str, str]) -> bytes:
    return "".join(
        f"Package: {name}\nStatus: install ok installed\nArchitecture: amd64\n"
        f"Version: {version}\nDescription: x\n\n" for name, version in stanzas).encode()


def test_layered_image_attribution_and_whiteouts(tmp_path: Path) -> None:
    os_release = (ROOTFS / "etc/os-release").read_bytes()
    metadata = b"Metadata-Version: 2.1\nName: requests\nVersion: 2.19.1\n"
    site = "usr/local/lib/python3.11/site-packages"
    layers = [
        layer_tar([E("etc/os-release", data=os_release),
                   E("var/lib/dpkg/status", data=_status(("libc6", "2.36-9"),
                                                         ("zlib1g", "1:1.2.13.dfsg-1")))]),
        layer_tar([E("var/lib/dpkg/status", data=_status(
            ("libc6", "2.36-9"), ("zlib1g", "1:1.2.13.dfsg-1"), ("curl", "7.88.1-10"))),
            E(f"{site}/requests-2.19.1.dist-info/METADATA", data=metadata),
            E(f"{site}/urllib3-1.24.1.dist-info/METADATA",
              data=b"Name: urllib3\nVersion: 1.24.1\n")]),
        layer_tar([E("var/lib/dpkg/status", data=_status(
            ("libc6", "2.36-9+deb12u7"), ("zlib1g", "1:1.2.13.dfsg-1"), ("curl", "7.88.1-10"))),
            E(f"{site}/.wh.urllib3-1.24.1.dist-info")]),
    ]
    archive = write_docker_archive(tmp_path / "img.tar", layers)
    diff_ids = [sha256(t) for t in layers]
    with seawall.open_image(f"docker-archive:{archive}") as image:
        result = run_inventory(image)
    layer_of = {p.name: p.layer for p in result.packages}
    assert layer_of == {"zlib1g": diff_ids[0], "curl": diff_ids[1], "libc6": diff_ids[2],
                        "requests": diff_ids[1]}
    assert not result.errors


@pytest.mark.skipif(shutil.which("dpkg-query") is None, reason="needs dpkg-query")
def test_dpkg_status_of_this_machine_matches_dpkg_query(tmp_path: Path) -> None:
    import subprocess

    (tmp_path / "var/lib/dpkg").mkdir(parents=True)
    shutil.copy("/var/lib/dpkg/status", tmp_path / "var/lib/dpkg/status")
    want = subprocess.run(
        ["dpkg-query", "--admindir", str(tmp_path / "var/lib/dpkg"), "-W", "-f",
         "${db:Status-Abbrev}|${Package}|${Version}|${Architecture}|${source:Package}|"
         "${source:Version}\n"], capture_output=True, text=True, check=True).stdout
    expected = sorted(tuple(line.split("|")[1:]) for line in want.splitlines()
                      if line[1] in "iUFWt" and line[:2] != "ic")
    packages = collect_packages(seawall.open_rootfs(str(tmp_path)))
    got = sorted((p.name, p.version, p.arch, p.source_name, p.source_version) for p in packages)
    assert got == expected


def test_third_party_debs_do_not_hide_bundled_packages(tmp_path: Path) -> None:
    (tmp_path / "var/lib/dpkg/info").mkdir(parents=True)
    (tmp_path / "var/lib/dpkg/status").write_text(
        "Package: nodejs\nStatus: install ok installed\nArchitecture: amd64\n"
        "Maintainer: Chris Lea <chris@nodesource.com>\nVersion: 18.19.0-1nodesource1\n"
        "Description: x\n\n"
        "Package: python3-six\nStatus: install ok installed\nArchitecture: all\n"
        "Maintainer: Debian Python Team <team+python@tracker.debian.org>\nVersion: 1.16.0-4\n"
        "Description: y\n\n")
    npm = "/usr/lib/node_modules/npm/package.json"
    six = "/usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA"
    (tmp_path / "var/lib/dpkg/info/nodejs.list").write_text(f"/usr/lib/node_modules/npm\n{npm}\n")
    (tmp_path / "var/lib/dpkg/info/python3-six.list").write_text(f"{six}\n")
    (tmp_path / npm.lstrip("/")).parent.mkdir(parents=True)
    (tmp_path / npm.lstrip("/")).write_text('{"name": "npm", "version": "10.2.3"}')
    (tmp_path / six.lstrip("/")).parent.mkdir(parents=True)
    (tmp_path / six.lstrip("/")).write_text("Name: six\nVersion: 1.16.0\n")
    packages = collect_packages(seawall.open_rootfs(str(tmp_path)))
    assert sorted((p.type, p.name) for p in packages) == [
        ("deb", "nodejs"), ("deb", "python3-six"), ("npm", "npm")]
