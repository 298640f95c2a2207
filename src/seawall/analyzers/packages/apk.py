"""Alpine (and Wolfi/Chainguard) packages: ``/lib/apk/db/installed``.

The database is a list of records separated by blank lines, one ``X:value`` field a
line: ``P`` name, ``V`` version, ``A`` arch, ``o`` origin (the source package),
``L`` license, ``F`` a directory and the ``R`` files in it (file ownership).
"""

from __future__ import annotations

from seawall.analyzers.interface import AnalyzerResult, FileInput
from seawall.analyzers.packages.package_format import (
    DATA_OS_DB,
    DATA_OWNED_FILES,
    PackageFormat,
    read_capped,
    register_format,
)
from seawall.fs.interface import FileInfo
from seawall.model.package import Package

DB_PATHS = ("/lib/apk/db/installed", "/usr/lib/apk/db/installed")


def _licenses(value: str) -> list[str]:
    # apk writes SPDX expressions ("MIT AND BSD-2-Clause") or space-separated ids.
    if not value:
        return []
    if any(op in value for op in (" AND ", " OR ", " WITH ")):
        return [value]
    return value.split()


def parse_apk_installed(text: str, path: str, layer: str | None) -> tuple[list[Package], list[str]]:
    """Packages and the absolute paths they own, from an apk ``installed`` database."""
    packages: list[Package] = []
    owned: list[str] = []
    record: dict[str, str] = {}
    directory = ""

    def flush() -> None:
        name, version = record.get("P"), record.get("V")
        if name and version:
            origin = record.get("o") or name
            packages.append(
                Package(
                    name=name, version=version, type="apk", source_name=origin,
                    source_version=version, arch=record.get("A") or None,
                    licenses=_licenses(record.get("L", "")), layer=layer, path=path,
                )
            )
        record.clear()

    for line in text.splitlines():
        if not line.strip():
            flush()
            directory = ""
            continue
        key, sep, value = line.partition(":")
        if not sep or len(key) != 1:
            continue
        if key == "F":
            directory = value.strip("/")
        elif key == "R":
            owned.append(f"/{directory}/{value}" if directory else f"/{value}")
        elif key not in record:
            record[key] = value
    flush()
    return packages, owned


def _matches(path: str, info: FileInfo) -> bool:
    return path in DB_PATHS


def _parse(file: FileInput) -> AnalyzerResult:
    text = read_capped(file).decode("utf-8", "replace")
    packages, owned = parse_apk_installed(text, file.path, file.layer)
    return AnalyzerResult(packages=packages, data={DATA_OS_DB: True, DATA_OWNED_FILES: owned})


register_format(PackageFormat("apk", _matches, _parse, suffixes=("/apk/db/installed",)))
