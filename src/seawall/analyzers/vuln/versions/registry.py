"""Which version ordering an ecosystem uses.

Two vocabularies meet here: OSV ecosystem names (``PyPI``, ``Debian:12``,
``Alpine:v3.19``, ``crates.io``) and our package types (``pypi``, ``deb``, ``apk``).
Both resolve to one :class:`VersionScheme` instance.
"""

from __future__ import annotations

import functools
from typing import Any

from seawall.analyzers.vuln.versions.apk import ApkScheme
from seawall.analyzers.vuln.versions.composer import ComposerScheme
from seawall.analyzers.vuln.versions.dpkg import DpkgScheme
from seawall.analyzers.vuln.versions.golang import GoScheme
from seawall.analyzers.vuln.versions.interface import (
    InvalidVersionError,
    UnknownEcosystemError,
    VersionScheme,
)
from seawall.analyzers.vuln.versions.maven import MavenScheme
from seawall.analyzers.vuln.versions.nuget import NuGetScheme
from seawall.analyzers.vuln.versions.pep440 import Pep440Scheme
from seawall.analyzers.vuln.versions.rpm import RpmScheme
from seawall.analyzers.vuln.versions.rubygems import RubyGemsScheme
from seawall.analyzers.vuln.versions.semver import NpmScheme, SemVerScheme

_DPKG, _RPM, _APK = DpkgScheme(), RpmScheme(), ApkScheme()
_SEMVER = SemVerScheme()

OSV_ECOSYSTEM_SCHEMES: dict[str, VersionScheme] = {
    "Debian": _DPKG,
    "Ubuntu": _DPKG,
    "Alpine": _APK,
    "Wolfi": _APK,
    "Chainguard": _APK,
    "Red Hat": _RPM,
    "AlmaLinux": _RPM,
    "Rocky Linux": _RPM,
    "SUSE": _RPM,
    "openSUSE": _RPM,
    "Photon OS": _RPM,
    "Azure Linux": _RPM,
    "Mageia": _RPM,
    "openEuler": _RPM,
    "PyPI": Pep440Scheme(),
    "npm": NpmScheme(),
    "Go": GoScheme(),
    "Maven": MavenScheme(),
    "RubyGems": RubyGemsScheme(),
    "NuGet": NuGetScheme(),
    "Packagist": ComposerScheme(),
    "crates.io": _SEMVER,
    "Hex": _SEMVER,
    "Pub": _SEMVER,
}
"""Base OSV ecosystem name (before any ``:release``) -> scheme."""

PACKAGE_TYPE_ECOSYSTEMS: dict[str, str] = {
    "deb": "Debian",
    "apk": "Alpine",
    "rpm": "Red Hat",
    "pypi": "PyPI",
    "python": "PyPI",
    "npm": "npm",
    "node": "npm",
    "golang": "Go",
    "go": "Go",
    "maven": "Maven",
    "java": "Maven",
    "gem": "RubyGems",
    "ruby": "RubyGems",
    "cargo": "crates.io",
    "rust": "crates.io",
    "composer": "Packagist",
    "php": "Packagist",
    "nuget": "NuGet",
    "dotnet": "NuGet",
    "hex": "Hex",
    "pub": "Pub",
}
"""Our package ``type`` -> base OSV ecosystem (language packages match through it)."""


def scheme_for_ecosystem(ecosystem: str) -> VersionScheme:
    """Scheme for an OSV ecosystem string (``Debian:12`` uses ``Debian``'s)."""
    base = ecosystem.split(":", 1)[0].strip()
    try:
        return OSV_ECOSYSTEM_SCHEMES[base]
    except KeyError:
        raise UnknownEcosystemError(ecosystem) from None


def scheme_for_package_type(package_type: str) -> VersionScheme:
    """Scheme for one of our package types (``deb``, ``pypi`` ...)."""
    try:
        return OSV_ECOSYSTEM_SCHEMES[PACKAGE_TYPE_ECOSYSTEMS[package_type.lower()]]
    except KeyError:
        raise UnknownEcosystemError(package_type) from None


@functools.lru_cache(maxsize=65536)
def _cached_parse(scheme_name: str, version: str) -> Any:
    return _BY_NAME[scheme_name].parse(version)


_BY_NAME: dict[str, VersionScheme] = {s.name: s for s in OSV_ECOSYSTEM_SCHEMES.values()}


def parse_version(scheme: VersionScheme, version: str) -> Any:
    """``scheme.parse(version)`` with a shared cache: advisory data repeats the same
    bounds thousands of times, so matching parses each string once."""
    try:
        return _cached_parse(scheme.name, version)
    except InvalidVersionError:
        raise
    except (ValueError, IndexError, TypeError) as exc:  # a parser bug must not kill a scan
        raise InvalidVersionError(scheme.name, version, str(exc)) from None
