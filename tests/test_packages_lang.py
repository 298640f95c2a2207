"""Language package metadata: Python, npm (installed + lock files), Ruby, PHP, .NET,
Rust Cargo.lock."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from seawall.analyzers.facts.inventory import InventoryExtractor
from seawall.analyzers.interface import AnalysisContext, AnalyzerResult, FileInput
from seawall.analyzers.packages.node_lockfiles import (
    package_lock_entries,
    pnpm_lock_entries,
    yarn_lock_entries,
)
from seawall.analyzers.packages.php_composer import composer_entries
from seawall.analyzers.packages.python_dist import parse_core_metadata
from seawall.analyzers.packages.ruby_gems import gemfile_lock_entries, parse_gemspec
from seawall.fs.directory import DirectoryFileSystem

FIXTURES = Path(__file__).parent / "fixtures" / "packages"
ROOTFS = FIXTURES / "rootfs-debian"
LOCKS = FIXTURES / "lockfiles"


def analyze(root: Path, path: str) -> AnalyzerResult:
    fs = DirectoryFileSystem(str(root))
    info = fs.lstat(path)
    analyzer = InventoryExtractor()
    assert analyzer.required(path, info), path
    result = analyzer.analyze_file(FileInput(path, info, fs), AnalysisContext())
    assert not result.errors, result.errors
    return result


def nv(result: AnalyzerResult) -> list[tuple[str, str]]:
    return sorted((p.name, p.version) for p in result.packages)


def test_python_dist_info_and_eggs() -> None:
    site = "/usr/local/lib/python3.11/site-packages"
    requests = analyze(ROOTFS, f"{site}/requests-2.19.1.dist-info/METADATA").packages[0]
    assert (requests.name, requests.version, requests.type) == ("requests", "2.19.1", "pypi")
    assert requests.licenses == ["Apache-2.0"]
    jinja = analyze(ROOTFS, f"{site}/Jinja2-2.10.egg-info/PKG-INFO").packages[0]
    assert (jinja.name, jinja.version, jinja.licenses) == ("Jinja2", "2.10", ["BSD"])
    legacy = analyze(ROOTFS, f"{site}/legacy_tool-0.3-py3.11.egg-info").packages[0]
    assert (legacy.name, legacy.version, legacy.licenses) == ("legacy-tool", "0.3", [])


def test_executable_metadata_file_is_still_metadata(tmp_path: Path) -> None:
    # pip installs some wheels' METADATA with mode 0755; size over the ELF probe's floor
    dist = tmp_path / "usr/local/lib/python3.11/dist-packages/idna-2.7.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: idna\nVersion: 2.7\n\n"
                                   + "x" * 8000)
    (dist / "METADATA").chmod(0o755)
    path = "/usr/local/lib/python3.11/dist-packages/idna-2.7.dist-info/METADATA"
    result = analyze(tmp_path, path)
    assert nv(result) == [("idna", "2.7")]


def test_python_license_precedence() -> None:
    name, version, licenses = parse_core_metadata(
        "Metadata-Version: 2.4\nName: x\nVersion: 1\nLicense-Expression: MIT OR Apache-2.0\n"
        "License: ignored\n")
    assert (name, version, licenses) == ("x", "1", ["MIT OR Apache-2.0"])
    _, _, from_classifier = parse_core_metadata(
        "Name: y\nVersion: 2\nLicense: UNKNOWN\n"
        "Classifier: License :: OSI Approved :: MIT License\n")
    assert from_classifier == ["MIT"]
    with pytest.raises(ValueError):
        parse_core_metadata("Metadata-Version: 2.1\nSummary: no name\n")


def test_npm_installed_package_json() -> None:
    lodash = analyze(ROOTFS, "/srv/web/node_modules/lodash/package.json").packages[0]
    assert (lodash.name, lodash.version, lodash.licenses) == ("lodash", "4.17.21", ["MIT"])
    scoped = analyze(ROOTFS, "/srv/web/node_modules/@babel/code-frame/package.json").packages
    assert nv(AnalyzerResult(packages=scoped)) == [("@babel/code-frame", "7.22.13")]
    fs = DirectoryFileSystem(str(ROOTFS))
    nested = "/srv/web/node_modules/lodash/fp/package.json"
    assert not InventoryExtractor().required(nested, fs.lstat(nested))
    # the app's own package.json (outside node_modules) is a package too
    project = analyze(ROOTFS, "/srv/web/package.json").packages
    doc = json.loads((ROOTFS / "srv/web/package.json").read_text())
    assert [(p.name, p.version, p.extra) for p in project] == [
        (doc["name"], doc["version"], {"project": True})]


def test_package_lock_v3() -> None:
    result = analyze(ROOTFS, "/srv/web/package-lock.json")
    assert nv(result) == [("@babel/code-frame", "7.22.13"), ("left-pad", "1.3.0"),
                          ("lodash", "4.17.21"), ("minimist", "1.2.5")]
    assert [p.extra for p in result.packages if p.name == "left-pad"] == [{"dev": True}]
    assert result.data["lockfile"] is True


def test_package_lock_v1_nested_and_non_registry() -> None:
    doc = json.loads((LOCKS / "package-lock-v1.json").read_text())
    entries = sorted(package_lock_entries(doc))
    assert entries == [("debug", "2.6.9", False), ("mocha", "5.2.0", True),
                       ("ms", "2.0.0", False), ("ms", "2.1.3", False)]


def test_yarn_classic_and_berry() -> None:
    classic = sorted(yarn_lock_entries((LOCKS / "yarn-v1.lock").read_text()))
    assert classic == [("@babel/helper-validator-identifier", "7.22.20", False),
                       ("js-tokens", "4.0.0", False), ("loose-envify", "1.4.0", False)]
    berry = sorted(yarn_lock_entries((LOCKS / "yarn-berry.lock").read_text()))
    assert berry == [("@types/node", "18.19.3", False), ("lodash", "4.17.21", False)]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("pnpm-v5.yaml", [("@jest/core", "27.5.1", True), ("js-tokens", "4.0.0", False),
                          ("react", "17.0.2", False)]),
        ("pnpm-v6.yaml", [("@babel/runtime", "7.23.2", True), ("loose-envify", "1.4.0", False),
                          ("react-dom", "18.2.0", False)]),
        ("pnpm-v9.yaml", [("@types/node", "20.10.0", False), ("express", "4.18.2", False)]),
    ],
)
def test_pnpm_lock_versions(name: str, expected: list[tuple[str, str, bool]]) -> None:
    assert sorted(pnpm_lock_entries((LOCKS / name).read_text())) == expected


def test_ruby_gemspec_and_gemfile_lock() -> None:
    spec = (ROOTFS / "usr/local/bundle/specifications/rack-2.2.3.gemspec").read_text()
    assert parse_gemspec(spec) == ("rack", "2.2.3", ["MIT"])
    lock = (ROOTFS / "srv/rubyapp/Gemfile.lock").read_text()
    assert gemfile_lock_entries(lock) == [("mini_portile2", "2.8.0"), ("nokogiri", "1.13.3"),
                                          ("rack", "2.2.3"), ("racc", "1.6.0")]
    gem = analyze(ROOTFS, "/usr/local/bundle/specifications/rack-2.2.3.gemspec").packages[0]
    assert gem.type == "gem"


def test_composer_installed_v1_v2_and_lock() -> None:
    v2 = analyze(ROOTFS, "/srv/php/vendor/composer/installed.json")
    assert nv(v2) == [("guzzlehttp/psr7", "1.8.2"), ("symfony/http-foundation", "v5.4.20")]
    assert "lockfile" not in v2.data
    v1 = composer_entries(json.loads((LOCKS / "installed-v1.json").read_text()))
    assert [(n, v, lic) for n, v, lic, _dev in v1] == [("monolog/monolog", "1.27.1", ["MIT"]),
                                                       ("psr/log", "1.1.4", ["MIT"])]
    lock = analyze(ROOTFS, "/srv/php/composer.lock")
    assert [p.extra for p in lock.packages if p.name == "phpunit/phpunit"] == [{"dev": True}]


def test_dotnet_deps_json_skips_project() -> None:
    result = analyze(ROOTFS, "/srv/dotnet/WebApp.deps.json")
    assert nv(result) == [("Newtonsoft.Json", "12.0.3"), ("System.Text.Encodings.Web", "4.7.1")]
    assert {p.type for p in result.packages} == {"nuget"}


def test_cargo_lock_skips_workspace_crate() -> None:
    result = analyze(ROOTFS, "/srv/rust/Cargo.lock")
    assert nv(result) == [("smallvec", "1.6.0"), ("time", "0.1.43")]


@pytest.mark.parametrize(
    ("path", "content"),
    [
        ("/srv/web/package-lock.json", b"{not json"),
        ("/srv/rust/Cargo.lock", b"[[package]\nname="),
        ("/srv/php/composer.lock", b"[1, 2"),
        ("/srv/dotnet/app.deps.json", b"\xff\xfe"),
        ("/srv/web/pnpm-lock.yaml", b"packages: [unclosed"),
        ("/usr/lib/python3/dist-packages/x-1.dist-info/METADATA", b"Summary: nothing\n"),
    ],
)
def test_malformed_files_become_errors(tmp_path: Path, path: str, content: bytes) -> None:
    host = tmp_path / path.lstrip("/")
    host.parent.mkdir(parents=True)
    host.write_bytes(content)
    fs = DirectoryFileSystem(str(tmp_path))
    result = InventoryExtractor().analyze_file(FileInput(path, fs.lstat(path), fs),
                                             AnalysisContext())
    assert not result.packages
    assert len(result.errors) == 1 and path in result.errors[0].message
