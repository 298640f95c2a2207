"""Python package versions (PEP 440), through ``packaging``: the same code pip uses."""

from __future__ import annotations

from typing import ClassVar

from packaging.version import InvalidVersion, Version

from seawall.analyzers.vuln.versions.interface import InvalidVersionError, VersionScheme


class Pep440Scheme(VersionScheme):
    """PyPI versions."""

    name: ClassVar[str] = "pep440"

    def parse(self, version: str) -> Version:
        """Parse with :class:`packaging.version.Version`."""
        try:
            return Version(version)
        except InvalidVersion:
            raise InvalidVersionError("pep440", version) from None
