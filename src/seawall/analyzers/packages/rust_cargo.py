"""Rust crates: ``Cargo.lock`` files and binaries built with cargo-auditable (a
zlib-compressed JSON dependency list in the ELF section ``.dep-v0``)."""

from __future__ import annotations

import json
import tomllib
import zlib
from typing import Any

from seawall.analyzers.interface import AnalyzerResult, FileInput
from seawall.analyzers.packages.elf_sections import ElfImage, ReadAt
from seawall.analyzers.packages.package_format import (
    DATA_LOCKFILE,
    PackageFormat,
    read_capped,
    register_format,
)
from seawall.fs.interface import FileInfo
from seawall.model.package import Package

AUDITABLE_SECTION = ".dep-v0"
_MAX_COMPRESSED = 8 * 1024 * 1024
_MAX_JSON = 32 * 1024 * 1024


def cargo_lock_entries(text: str) -> list[tuple[str, str, str | None]]:
    """``(name, version, source)`` of every ``[[package]]`` in a Cargo.lock."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"malformed Cargo.lock: {exc}") from None
    out: list[tuple[str, str, str | None]] = []
    for entry in doc.get("package") or []:
        if isinstance(entry, dict) and entry.get("name") and entry.get("version"):
            source = entry.get("source")
            out.append((str(entry["name"]), str(entry["version"]),
                        str(source) if source else None))
    return out


def _matches_lock(path: str, info: FileInfo) -> bool:
    return path.endswith("/Cargo.lock")


def _parse_lock(file: FileInput) -> AnalyzerResult:
    text = read_capped(file).decode("utf-8", "replace")
    packages = []
    for name, version, source in cargo_lock_entries(text):
        if source is None:
            continue  # workspace members: the project itself, not a dependency
        packages.append(Package(name=name, version=version, type="cargo", layer=file.layer,
                                path=file.path, extra={"source": source}))
    return AnalyzerResult(packages=packages, data={DATA_LOCKFILE: True})


def read_auditable_deps(read_at: ReadAt, elf: ElfImage) -> list[dict[str, Any]] | None:
    """The cargo-auditable package list of a binary, or None when it has none."""
    section = elf.section(AUDITABLE_SECTION)
    if section is None:
        return None
    if section.size > _MAX_COMPRESSED:
        raise ValueError(f"{AUDITABLE_SECTION} section of {section.size} bytes")
    inflater = zlib.decompressobj()
    try:
        raw = inflater.decompress(read_at(section.offset, section.size), _MAX_JSON)
    except zlib.error as exc:
        raise ValueError(f"{AUDITABLE_SECTION}: bad zlib data ({exc})") from None
    if inflater.unconsumed_tail:
        raise ValueError(f"{AUDITABLE_SECTION}: inflates beyond {_MAX_JSON} bytes")
    try:
        doc = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{AUDITABLE_SECTION}: bad JSON ({exc})") from None
    packages = doc.get("packages") if isinstance(doc, dict) else None
    return [p for p in packages if isinstance(p, dict)] if isinstance(packages, list) else []


def packages_from_auditable(entries: list[dict[str, Any]], path: str,
                            layer: str | None) -> list[Package]:
    """Runtime crates of a cargo-auditable list (build-only dependencies are not in
    the binary; ``local`` crates are the project's own)."""
    out: list[Package] = []
    for entry in entries:
        name, version = entry.get("name"), entry.get("version")
        if not isinstance(name, str) or not isinstance(version, str):
            continue
        if entry.get("kind", "runtime") != "runtime" or entry.get("source") == "local":
            continue
        out.append(Package(name=name, version=version, type="cargo", layer=layer, path=path,
                           extra={"source": str(entry.get("source", "crates.io"))}))
    return out


register_format(PackageFormat("cargo-lock", _matches_lock, _parse_lock,
                              suffixes=("/cargo.lock",)))
