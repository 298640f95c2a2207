"""Installed npm packages: the ``package.json`` at the top of every
``node_modules/<name>/`` and ``node_modules/@scope/<name>/`` directory, and the
project's own ``package.json`` (an app at ``/app/package.json``, outside any
``node_modules``), which is a package too: Trivy and Syft list it, and its own
advisories apply when the app is a published package."""

from __future__ import annotations

import json
from typing import Any

from seawall.analyzers.interface import AnalyzerResult, FileInput
from seawall.analyzers.packages.license_names import normalize_license
from seawall.analyzers.packages.package_format import PackageFormat, register_format
from seawall.fs.interface import FileInfo
from seawall.model.package import Package

_PACKAGE_JSON_LIMIT = 4 * 1024 * 1024


def _is_project(parts: list[str]) -> bool:
    return "node_modules" not in parts and len(parts) >= 3


def _matches(path: str, info: FileInfo) -> bool:
    if not path.endswith("/package.json"):
        return False
    parts = path.split("/")
    if len(parts) >= 4 and parts[-3] == "node_modules":
        return not parts[-2].startswith((".", "@"))
    if len(parts) >= 5 and parts[-4] == "node_modules" and parts[-3].startswith("@"):
        return True
    return _is_project(parts)


def npm_licenses(doc: dict[str, Any]) -> list[str]:
    """``license`` (string or legacy ``{"type": ...}``) or legacy ``licenses`` list."""
    value = doc.get("license")
    raw: list[Any] = [value] if value else list(doc.get("licenses") or [])
    out: list[str] = []
    for item in raw:
        name = item.get("type") if isinstance(item, dict) else item
        if isinstance(name, str) and name.strip():
            out.append(normalize_license(name))
    return out


def _parse(file: FileInput) -> AnalyzerResult:
    try:
        doc = json.loads(file.read(_PACKAGE_JSON_LIMIT))
    except json.JSONDecodeError as exc:
        raise ValueError(f"invalid JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise ValueError("package.json is not an object")
    name, version = doc.get("name"), doc.get("version")
    if not isinstance(name, str) or not isinstance(version, str) or not name or not version:
        return AnalyzerResult()  # placeholder package.json files (test fixtures, stubs)
    extra = {"project": True} if _is_project(file.path.split("/")) else {}
    return AnalyzerResult(
        packages=[Package(name=name, version=version, type="npm", licenses=npm_licenses(doc),
                          layer=file.layer, path=file.path, extra=extra)]
    )


register_format(PackageFormat("npm", _matches, _parse, suffixes=("/package.json",)))
