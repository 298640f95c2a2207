"""Installed Python distributions: ``*.dist-info/METADATA`` (wheels) and
``*.egg-info/PKG-INFO`` / ``*.egg-info`` files / ``EGG-INFO/PKG-INFO`` (eggs)."""

from __future__ import annotations

from email.parser import HeaderParser

from seawall.analyzers.interface import AnalyzerResult, FileInput
from seawall.analyzers.packages.license_names import normalize_license
from seawall.analyzers.packages.package_format import PackageFormat, register_format
from seawall.fs.interface import FileInfo
from seawall.model.package import Package

_METADATA_LIMIT = 4 * 1024 * 1024
_CLASSIFIER_PREFIX = "License :: OSI Approved :: "
_CLASSIFIER_LICENSES = {
    "MIT License": "MIT",
    "BSD License": "BSD-3-Clause",
    "Apache Software License": "Apache-2.0",
    "ISC License (ISCL)": "ISC",
    "Python Software Foundation License": "PSF-2.0",
    "Mozilla Public License 2.0 (MPL 2.0)": "MPL-2.0",
    "GNU General Public License v2 (GPLv2)": "GPL-2.0-only",
    "GNU General Public License v3 (GPLv3)": "GPL-3.0-only",
    "GNU Lesser General Public License v2 (LGPLv2)": "LGPL-2.0-only",
    "GNU Lesser General Public License v3 (LGPLv3)": "LGPL-3.0-only",
    "GNU Library or Lesser General Public License (LGPL)": "LGPL-2.0-or-later",
    "The Unlicense (Unlicense)": "Unlicense",
}


def _matches(path: str, info: FileInfo) -> bool:
    if path.endswith(".dist-info/METADATA"):
        return True
    if path.endswith(".egg-info/PKG-INFO") or path.endswith("/EGG-INFO/PKG-INFO"):
        return True
    # distutils-era installs (and many Debian python3-* packages) write the metadata as
    # a single file named like a directory.
    return path.endswith(".egg-info")


def licenses_from_metadata(headers: dict[str, list[str]]) -> list[str]:
    """Licenses in precedence order: PEP 639 License-Expression, License, classifiers."""
    expression = headers.get("License-Expression")
    if expression and expression[0].strip():
        return [expression[0].strip()]
    license_field = (headers.get("License") or [""])[0].strip()
    # Some projects paste the whole license text into License: keep only short values.
    if license_field and "\n" not in license_field and len(license_field) <= 80 and \
            license_field.upper() != "UNKNOWN":
        return [normalize_license(license_field)]
    out: list[str] = []
    for classifier in headers.get("Classifier", []):
        if classifier.startswith(_CLASSIFIER_PREFIX):
            name = classifier[len(_CLASSIFIER_PREFIX):].strip()
            value = _CLASSIFIER_LICENSES.get(name, name)
            if value not in out:
                out.append(value)
    return out


def parse_core_metadata(text: str) -> tuple[str, str, list[str]]:
    """``(name, version, licenses)`` from core metadata (RFC 822 headers); raises
    ValueError without Name/Version."""
    message = HeaderParser().parsestr(text, headersonly=True)
    headers: dict[str, list[str]] = {}
    for key, value in message.items():
        headers.setdefault(key, []).append(str(value))
    name = (headers.get("Name") or [""])[0].strip()
    version = (headers.get("Version") or [""])[0].strip()
    if not name or not version:
        raise ValueError("core metadata without Name or Version")
    return name, version, licenses_from_metadata(headers)


def _parse(file: FileInput) -> AnalyzerResult:
    text = file.read(_METADATA_LIMIT).decode("utf-8", "replace")
    name, version, licenses = parse_core_metadata(text)
    return AnalyzerResult(
        packages=[Package(name=name, version=version, type="pypi", licenses=licenses,
                          layer=file.layer, path=file.path)]
    )


register_format(PackageFormat("python", _matches, _parse,
                              suffixes=(".dist-info/metadata", "/pkg-info", ".egg-info")))
