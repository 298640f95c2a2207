"""Packages inside binaries and archives: Go build info (real binaries built with
Debian's Go, and the pre-1.18 pointer format), cargo-auditable sections, Java archives."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import struct
import subprocess
import zipfile
import zlib
from pathlib import Path

import pytest

from go_program_builder import build_go_program
from seawall.analyzers.facts.inventory import InventoryExtractor
from seawall.analyzers.interface import AnalysisContext, AnalyzerResult, FileInput
from seawall.analyzers.packages.golang_buildinfo import stdlib_version
from seawall.analyzers.packages.java_archive import MAX_DEPTH
from seawall.fs.directory import DirectoryFileSystem

GO = shutil.which("go")


def analyze(root: Path, path: str) -> AnalyzerResult:
    fs = DirectoryFileSystem(str(root))
    info = fs.lstat(path)
    analyzer = InventoryExtractor()
    assert analyzer.required(path, info), path
    return analyzer.analyze_file(FileInput(path, info, fs, "sha256:" + "b" * 64),
                                 AnalysisContext())


def _write_module_proxy(proxy: Path, module: str, version: str, files: dict[str, str]) -> None:
    base = proxy / module / "@v"
    base.mkdir(parents=True)
    (base / "list").write_text(version + "\n")
    (base / f"{version}.info").write_text(json.dumps({"Version": version,
                                                       "Time": "2023-01-02T03:04:05Z"}))
    (base / f"{version}.mod").write_text(files["go.mod"])
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, content in files.items():
            zf.writestr(f"{module}@{version}/{name}", content)
    (base / f"{version}.zip").write_bytes(buf.getvalue())


@pytest.fixture(scope="module")
def go_binary(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real Go binary with one module dependency, served by a file:// module proxy."""
    if GO is None:
        pytest.skip("Debian's golang-go is not installed")
    work = tmp_path_factory.mktemp("go")
    _write_module_proxy(work / "proxy", "example.com/greet", "v1.2.3", {
        "go.mod": "module example.com/greet\n\ngo 1.19\n",
        "greet.go": 'package greet\n\nfunc Hello() string { return "hello" }\n',
    })
    app = work / "app"
    app.mkdir()
    (app / "go.mod").write_text("module example.com/app\n\ngo 1.19\n\n"
                                "require example.com/greet v1.2.3\n")
    (app / "main.go").write_text('package main\n\nimport (\n\t"fmt"\n\t"example.com/greet"\n)\n\n'
                                 "func main() { fmt.Println(greet.Hello()) }\n")
    env = dict(os.environ, GOPROXY=f"file://{work / 'proxy'}", GOFLAGS="-mod=mod",
               GOSUMDB="off", GOPATH=str(work / "gopath"), GOTOOLCHAIN="local", CGO_ENABLED="0")
    out = work / "rootfs/usr/local/bin/app"
    out.parent.mkdir(parents=True)
    subprocess.run([GO, "build", "-o", str(out), "."], cwd=app, env=env, check=True,
                   capture_output=True, timeout=300)
    return out


def _go_version_m(binary: Path) -> tuple[str, list[tuple[str, str]]]:
    """What the Go toolchain itself reads from the binary: version and dep lines."""
    text = subprocess.run([str(GO), "version", "-m", str(binary)], capture_output=True,
                          text=True, check=True).stdout
    lines = text.splitlines()
    go_version = lines[0].split(": ", 1)[1].strip()
    deps = [tuple(line.split("\t")[2:4]) for line in lines[1:] if line.startswith("\tdep\t")]
    return go_version, [(d[0], d[1]) for d in deps]


def test_go_binary_matches_go_version_m(go_binary: Path) -> None:
    root = go_binary.parents[3]
    result = analyze(root, "/usr/local/bin/app")
    go_version, deps = _go_version_m(go_binary)
    assert deps == [("example.com/greet", "v1.2.3")]
    got = {(p.name, p.version) for p in result.packages}
    # the main module (the program itself) is listed too, built from a checkout: (devel)
    assert got == {("stdlib", stdlib_version(go_version)), ("example.com/app", "(devel)"),
                   *deps}
    assert all(p.type == "golang" and p.path == "/usr/local/bin/app" for p in result.packages)
    main = next(p for p in result.packages if p.extra.get("main"))
    assert main.extra["version_source"] == "none"


@pytest.mark.parametrize("ldflags, version, source", [
    ("-s -w -X main.version=1.18.1 -X main.gitCommit=5e16e50", "v1.18.1", "ldflags"),
    ("-X 'github.com/acme/tool/internal/version.Version=v2.0.0-rc.1'", "v2.0.0-rc.1",
     "ldflags"),
    ("-X main.version=not-a-release", "(devel)", "none"),
    (None, "(devel)", "none"),
])
def test_go_main_module_version_from_ldflags_or_devel(tmp_path: Path, ldflags: str | None,
                                                      version: str, source: str) -> None:
    if GO is None:
        pytest.skip("Debian's golang-go is not installed")
    binary = build_go_program(tmp_path, "github.com/acme/tool", ldflags)
    text = subprocess.run([str(GO), "version", "-m", str(binary)], capture_output=True,
                          text=True, check=True).stdout
    assert "\tmod\tgithub.com/acme/tool\t(devel)" in text and "vcs.revision=" in text
    result = analyze(tmp_path / "rootfs", "/usr/local/bin/tool")
    main = [p for p in result.packages if p.extra.get("main")]
    assert [(p.name, p.version) for p in main] == [("github.com/acme/tool", version)]
    assert main[0].extra["version_source"] == source
    revision = re.search(r"vcs\.revision=(\w+)", text)
    assert revision and main[0].extra["vcs_revision"] == revision.group(1)


def test_go_toolchain_binary_from_debian() -> None:
    binary = Path("/usr/lib/go-1.19/bin/go")
    if GO is None or not binary.exists():
        pytest.skip("Debian's golang-1.19-go is not installed")
    result = analyze(Path("/"), str(binary))
    go_version, deps = _go_version_m(binary)
    assert {(p.name, p.version) for p in result.packages} == \
        {("stdlib", stdlib_version(go_version)), *deps}


def _elf64(sections: list[tuple[str, int, bytes]]) -> bytes:
    """A minimal little-endian ELF64 file with the given (name, address, content)
    sections plus .shstrtab (the layout ``readelf`` and Go's debug/elf accept)."""
    names = b"\0" + b"".join(n.encode() + b"\0" for n, _, _ in sections) + b".shstrtab\0"
    body = bytearray(b"\0" * 64)
    placed = []
    for name, addr, content in sections:
        body += b"\0" * (-len(body) % 16)
        placed.append((name, addr, len(body), content))
        body += content
    strtab_off = len(body)
    body += names
    body += b"\0" * (-len(body) % 8)
    shoff = len(body)
    entries = [bytes(64)]
    name_off = 1
    for name, addr, offset, content in placed:
        entries.append(struct.pack("<IIQQQQIIQQ", name_off, 1, 3, addr, offset, len(content),
                                   0, 0, 16, 0))
        name_off += len(name) + 1
    entries.append(struct.pack("<IIQQQQIIQQ", name_off, 3, 0, 0, strtab_off, len(names),
                               0, 0, 1, 0))
    body += b"".join(entries)
    header = struct.pack("<4sBBBBB7xHHIQQQIHHHHHH", b"\x7fELF", 2, 1, 1, 0, 0, 2, 62, 1, 0,
                         0, shoff, 0, 64, 0, 0, 64, len(entries), len(entries) - 1)
    body[:64] = header
    return bytes(body)


def test_go_buildinfo_pre_118_pointer_format(tmp_path: Path) -> None:
    # Go <= 1.17 layout: the header holds two pointers to Go string headers in .data.
    version = b"go1.16.15"
    sentinel = b"0w\xaf\x0c\x92t\x08\x02A\xe1\xc1\x07\xe6\xd6\x18\xe6"
    modinfo = (sentinel + b"path\texample.com/old\nmod\texample.com/old\t(devel)\t\n"
               b"dep\tgolang.org/x/text\tv0.3.6\th1:aRYxNxv6iGQlyVaZmk6ZgYEDa+Jg18DxebPSrd6bg1M=\n"
               b"dep\tgithub.com/old/dep\tv1.0.0\t\n=>\tgithub.com/new/dep\tv1.1.0\th1:x=\n"
               + b"\xf92C1\x86\x18 r\x00\x82B\x10A\x16\xd8\xf2")
    data_addr = 0x402000
    version_at, mod_at = data_addr + 32, data_addr + 32 + len(version)
    data = struct.pack("<QQQQ", version_at, len(version), mod_at, len(modinfo)) + version + modinfo
    header = b"\xff Go buildinf:" + bytes([8, 0]) + struct.pack("<QQ", data_addr, data_addr + 16)
    elf = _elf64([(".go.buildinfo", 0x401000, header), (".data", data_addr, data)])
    binary = tmp_path / "bin/old"
    binary.parent.mkdir()
    binary.write_bytes(elf + b"\0" * 4096)
    binary.chmod(0o755)
    result = analyze(tmp_path, "/bin/old")
    assert sorted((p.name, p.version) for p in result.packages) == [
        ("example.com/old", "(devel)"), ("github.com/new/dep", "v1.1.0"),
        ("golang.org/x/text", "v0.3.6"), ("stdlib", "v1.16.15")]


def test_stdlib_version_forms() -> None:
    assert stdlib_version("go1.19.8") == "v1.19.8"
    assert stdlib_version("go1.21") == "v1.21.0"
    assert stdlib_version("go1.21rc2") == "v1.21.0-rc.2"
    assert stdlib_version("go1.20.3 X:boringcrypto") == "v1.20.3"
    assert stdlib_version("devel go1.22-abcdef") is None


@pytest.mark.skipif(shutil.which("objcopy") is None, reason="binutils not installed")
def test_cargo_auditable_section(tmp_path: Path) -> None:
    deps = {"packages": [
        {"name": "fixture-cli", "version": "0.1.0", "source": "local", "dependencies": [1, 2],
         "root": True},
        {"name": "smallvec", "version": "1.6.0", "source": "crates.io"},
        {"name": "cc", "version": "1.0.79", "source": "crates.io", "kind": "build"},
        {"name": "time", "version": "0.1.43", "source": "crates.io", "kind": "runtime"},
    ]}
    section = tmp_path / "deps.zlib"
    section.write_bytes(zlib.compress(json.dumps(deps).encode()))
    binary = tmp_path / "usr/bin/fixture-cli"
    binary.parent.mkdir(parents=True)
    subprocess.run(["objcopy", "--add-section", f".dep-v0={section}", "/bin/true", str(binary)],
                   check=True)
    binary.chmod(0o755)
    result = analyze(tmp_path, "/usr/bin/fixture-cli")
    assert sorted((p.name, p.version, p.type) for p in result.packages) == [
        ("smallvec", "1.6.0", "cargo"), ("time", "0.1.43", "cargo")]


def test_plain_elf_and_non_elf_executables(tmp_path: Path) -> None:
    shutil.copy("/bin/true", tmp_path / "true")
    (tmp_path / "script").write_bytes(b"#!/bin/sh\n" + b"#" * 5000)
    (tmp_path / "script").chmod(0o755)
    assert analyze(tmp_path, "/true").is_empty()
    assert analyze(tmp_path, "/script").is_empty()


def _jar(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in entries.items():
            zf.writestr(name, content)
    return buf.getvalue()


def test_java_war_with_nested_jars(tmp_path: Path) -> None:
    log4j = _jar({
        "META-INF/MANIFEST.MF": b"Manifest-Version: 1.0\r\nImplementation-Title: Apache Log4j Core"
                                b"\r\nImplementation-Version: 2.14.1\r\n\r\n",
        "META-INF/maven/org.apache.logging.log4j/log4j-core/pom.properties":
            b"#Created by Apache Maven 3.6.3\nversion=2.14.1\ngroupId=org.apache.logging.log4j\n"
            b"artifactId=log4j-core\n",
    })
    commons = _jar({"META-INF/MANIFEST.MF":
                    b"Manifest-Version: 1.0\nBundle-SymbolicName: org.apache.commons.commons-te\n"
                    b" xt\nBundle-Version: 1.9\nImplementation-Version: 1.9\n\n"})
    guava = _jar({"com/google/common/base/Strings.class": b"\xca\xfe\xba\xbe"})
    war = _jar({"WEB-INF/web.xml": b"<web-app/>", "WEB-INF/lib/log4j-core-2.14.1.jar": log4j,
                "WEB-INF/lib/commons-text-1.9.jar": commons,
                "WEB-INF/lib/guava-31.1-jre.jar": guava})
    (tmp_path / "app.war").write_bytes(war)
    result = analyze(tmp_path, "/app.war")
    assert not result.errors
    assert sorted((p.name, p.version) for p in result.packages) == [
        ("guava", "31.1-jre"), ("org.apache.commons:commons-text", "1.9"),
        ("org.apache.logging.log4j:log4j-core", "2.14.1")]
    log4j_pkg = next(p for p in result.packages if "log4j" in p.name)
    assert log4j_pkg.path == "/app.war"
    assert log4j_pkg.extra["archive_path"].startswith("!WEB-INF/lib/log4j-core-2.14.1.jar!")


def test_java_nesting_depth_and_bomb_entries_are_capped(tmp_path: Path) -> None:
    inner = _jar({"META-INF/maven/g/deep/pom.properties": b"groupId=g\nartifactId=deep\n"
                  b"version=1\n"})
    for level in range(MAX_DEPTH + 3):
        inner = _jar({f"lib/level-{level}.jar": inner})
    bomb = _jar({"META-INF/maven/g/bomb/pom.properties": b"version=1\n" + b"#" * (4 << 20),
                 "lib/nested.jar": inner})
    (tmp_path / "bomb.jar").write_bytes(bomb)
    result = analyze(tmp_path, "/bomb.jar")
    names = [p.name for p in result.packages]
    assert "g:deep" not in names and "g:bomb" not in names  # too deep / oversized entry
    (tmp_path / "broken.jar").write_bytes(b"PK\x03\x04 not really a zip")
    broken = analyze(tmp_path, "/broken.jar")
    assert broken.errors and not broken.packages
