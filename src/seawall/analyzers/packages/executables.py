"""Packages compiled into executables: Go build info (modules + the Go standard
library as package ``stdlib``) and cargo-auditable crate lists.

Every executable regular file is a candidate; only its ELF header and section
table are read unless one of the two sections is present.
"""

from __future__ import annotations

from seawall.analyzers.interface import AnalyzerResult, FileInput
from seawall.analyzers.packages.elf_sections import ElfImage, ReadAt, read_elf
from seawall.analyzers.packages.golang_buildinfo import (
    main_module_version,
    read_go_buildinfo,
    stdlib_version,
)
from seawall.analyzers.packages.package_format import PackageFormat, register_format
from seawall.analyzers.packages.rust_cargo import packages_from_auditable, read_auditable_deps
from seawall.fs.interface import FileInfo
from seawall.model.package import Package

_MIN_SIZE = 4096
_SCRIPT_SUFFIXES = (".sh", ".py", ".pl", ".rb", ".js", ".txt", ".conf", ".json", ".so")


def _matches(path: str, info: FileInfo) -> bool:
    # .so files are skipped: Go and cargo-auditable metadata live in executables.
    return info.is_executable() and info.size >= _MIN_SIZE and not path.endswith(_SCRIPT_SUFFIXES)


def go_packages(read_at: ReadAt, elf: ElfImage, path: str, layer: str | None) -> list[Package]:
    """Go modules and stdlib of a Go binary (empty for anything else)."""
    info = read_go_buildinfo(read_at, elf)
    if info is None:
        return []
    out: list[Package] = []
    std = stdlib_version(info.go_version)
    if std:
        out.append(Package(name="stdlib", version=std, type="golang", layer=layer, path=path,
                           extra={"go_version": info.go_version}))
    if info.main and info.main.path:
        # the main module is the program itself: its own advisories (a CVE in syft
        # for the syft binary) are the ones a user most expects to see
        version, source = main_module_version(info)
        extra: dict[str, object] = {"main": True, "version_source": source}
        if info.settings.get("vcs.revision"):
            extra["vcs_revision"] = info.settings["vcs.revision"]
        out.append(Package(name=info.main.path, version=version, type="golang",
                           layer=layer, path=path, extra=extra))
    for dep in info.deps:
        if dep.version:
            out.append(Package(name=dep.path, version=dep.version, type="golang", layer=layer,
                               path=path))
    return out


def _parse(file: FileInput) -> AnalyzerResult:
    def read_at(offset: int, length: int) -> bytes:
        return file.fs.read_bytes(file.path, offset, length)

    elf = read_elf(read_at)
    if elf is None:
        return AnalyzerResult()
    packages = go_packages(read_at, elf, file.path, file.layer)
    auditable = read_auditable_deps(read_at, elf)
    if auditable:
        packages.extend(packages_from_auditable(auditable, file.path, file.layer))
    return AnalyzerResult(packages=packages)


register_format(PackageFormat("executable", _matches, _parse, catch_all=True))
