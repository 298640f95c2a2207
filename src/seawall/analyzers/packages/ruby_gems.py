"""Ruby gems: installed ``specifications/*.gemspec`` and ``Gemfile.lock``.

Installed gemspecs are Ruby code that RubyGems writes in a fixed style
(``s.name = "rake".freeze``); they are read with patterns, never evaluated.
"""

from __future__ import annotations

import re

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

_GEMSPEC_LIMIT = 1024 * 1024
_NAME = re.compile(r"""^\s*\w+\.name\s*=\s*["']([^"']+)["']""", re.MULTILINE)
_VERSION = re.compile(
    r"""^\s*\w+\.version\s*=\s*(?:Gem::Version\.new\()?\s*["']([^"']+)["']""", re.MULTILINE
)
_LICENSES = re.compile(r"""^\s*\w+\.licenses?\s*=\s*(.+)$""", re.MULTILINE)
_QUOTED = re.compile(r"""["']([^"']+)["']""")
_LOCK_SPEC = re.compile(r"^    (?P<name>[^\s(]+) \((?P<version>[^)]+)\)$")


def parse_gemspec(text: str) -> tuple[str, str, list[str]] | None:
    """``(name, version, licenses)`` of an installed gemspec, None when incomplete."""
    name, version = _NAME.search(text), _VERSION.search(text)
    if not name or not version:
        return None
    licenses: list[str] = []
    for match in _LICENSES.finditer(text):
        for value in _QUOTED.findall(match.group(1)):
            license_id = normalize_license(value)
            if license_id and license_id not in licenses:
                licenses.append(license_id)
    return name.group(1), version.group(1), licenses


def gemfile_lock_entries(text: str) -> list[tuple[str, str]]:
    """``(name, version)`` of the gems in the ``GEM`` sections of a Gemfile.lock (the
    platform suffix of native gems is dropped: ``1.13.3-x86_64-linux`` -> ``1.13.3``)."""
    out: list[tuple[str, str]] = []
    section = ""
    for line in text.splitlines():
        if line and not line[0].isspace():
            section = line.strip()
            continue
        if section != "GEM":
            continue
        match = _LOCK_SPEC.match(line)
        if match:
            out.append((match.group("name"), match.group("version").split("-", 1)[0]))
    return out


def _matches_gemspec(path: str, info: FileInfo) -> bool:
    return path.endswith(".gemspec") and "/specifications/" in path


def _parse_gemspec(file: FileInput) -> AnalyzerResult:
    parsed = parse_gemspec(file.read(_GEMSPEC_LIMIT).decode("utf-8", "replace"))
    if parsed is None:
        raise ValueError("gemspec without name or version")
    name, version, licenses = parsed
    return AnalyzerResult(packages=[Package(name=name, version=version, type="gem",
                                            licenses=licenses, layer=file.layer,
                                            path=file.path)])


def _matches_lock(path: str, info: FileInfo) -> bool:
    return path.endswith("/Gemfile.lock")


def _parse_lock(file: FileInput) -> AnalyzerResult:
    text = read_capped(file).decode("utf-8", "replace")
    packages = [Package(name=n, version=v, type="gem", layer=file.layer, path=file.path)
                for n, v in gemfile_lock_entries(text)]
    return AnalyzerResult(packages=packages, data={DATA_LOCKFILE: True})


register_format(PackageFormat("gemspec", _matches_gemspec, _parse_gemspec,
                              suffixes=(".gemspec",)))
register_format(PackageFormat("gemfile-lock", _matches_lock, _parse_lock,
                              suffixes=("/gemfile.lock",)))
