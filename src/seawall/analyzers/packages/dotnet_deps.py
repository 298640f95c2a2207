""".NET NuGet packages from ``*.deps.json`` (written next to every published app):
``libraries`` maps ``Name/Version`` to ``{"type": "package" | "project" | ...}``."""

from __future__ import annotations

import json

from seawall.analyzers.interface import AnalyzerResult, FileInput
from seawall.analyzers.packages.package_format import (
    PackageFormat,
    read_capped,
    register_format,
)
from seawall.fs.interface import FileInfo
from seawall.model.package import Package


def deps_json_entries(doc: object) -> list[tuple[str, str]]:
    """``(name, version)`` of the NuGet packages a deps.json lists."""
    if not isinstance(doc, dict):
        raise ValueError("deps.json is not an object")
    libraries = doc.get("libraries") or {}
    out: list[tuple[str, str]] = []
    for key, entry in libraries.items() if isinstance(libraries, dict) else []:
        if not isinstance(entry, dict) or entry.get("type") != "package":
            continue  # "project" and "reference" entries are the app's own code
        name, sep, version = str(key).partition("/")
        if sep and name and version:
            out.append((name, version))
    return out


def _matches(path: str, info: FileInfo) -> bool:
    return path.endswith(".deps.json")


def _parse(file: FileInput) -> AnalyzerResult:
    try:
        doc = json.loads(read_capped(file))
    except json.JSONDecodeError as exc:
        raise ValueError(f"invalid JSON: {exc}") from None
    return AnalyzerResult(packages=[
        Package(name=n, version=v, type="nuget", layer=file.layer, path=file.path)
        for n, v in deps_json_entries(doc)
    ])


register_format(PackageFormat("dotnet-deps", _matches, _parse, suffixes=(".deps.json",)))
