"""PHP Composer packages: ``vendor/composer/installed.json`` (Composer 1: a list;
Composer 2: ``{"packages": [...]}``) and ``composer.lock``."""

from __future__ import annotations

import json
from typing import Any

from seawall.analyzers.interface import AnalyzerResult, FileInput
from seawall.analyzers.packages.license_names import normalize_license
from seawall.analyzers.packages.package_format import (
    DATA_LOCKFILE,
    PackageFormat,
    read_capped,
    register_format,
)
from seawall.fs.interface import FileInfo
from seawall.model.package import Package


def composer_entries(doc: Any) -> list[tuple[str, str, list[str], bool]]:
    """``(name, version, licenses, dev)`` of an installed.json or composer.lock."""
    if isinstance(doc, list):
        groups: list[tuple[Any, bool]] = [(doc, False)]
    elif isinstance(doc, dict):
        groups = [(doc.get("packages") or [], False), (doc.get("packages-dev") or [], True)]
        dev_names = set(doc.get("dev-package-names") or [])  # installed.json v2
    else:
        raise ValueError("not a Composer document")
    out: list[tuple[str, str, list[str], bool]] = []
    for entries, dev in groups:
        for entry in entries if isinstance(entries, list) else []:
            if not isinstance(entry, dict):
                continue
            name, version = entry.get("name"), entry.get("version")
            if not isinstance(name, str) or not isinstance(version, str):
                continue
            raw = entry.get("license") or []
            licenses = [normalize_license(x) for x in (raw if isinstance(raw, list) else [raw])
                        if isinstance(x, str)]
            is_dev = dev or (isinstance(doc, dict) and name in dev_names)
            out.append((name, version, licenses, is_dev))
    return out


def _matches(path: str, info: FileInfo) -> bool:
    return path.endswith("/vendor/composer/installed.json") or path.endswith("/composer.lock")


def _parse(file: FileInput) -> AnalyzerResult:
    try:
        doc = json.loads(read_capped(file))
    except json.JSONDecodeError as exc:
        raise ValueError(f"invalid JSON: {exc}") from None
    packages = []
    for name, version, licenses, dev in composer_entries(doc):
        packages.append(Package(name=name, version=version, type="composer", licenses=licenses,
                                layer=file.layer, path=file.path,
                                extra={"dev": True} if dev else {}))
    is_lock = file.path.endswith("/composer.lock")
    return AnalyzerResult(packages=packages, data={DATA_LOCKFILE: True} if is_lock else {})


register_format(PackageFormat("composer", _matches, _parse,
                              suffixes=("/vendor/composer/installed.json", "/composer.lock")))
