"""NuGet versions (NuGet.Versioning): up to four numeric parts (missing ones are 0),
SemVer 2 pre-release labels compared case-insensitively, metadata ignored."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from seawall.analyzers.vuln.versions.interface import (
    ComparableVersion,
    InvalidVersionError,
    VersionScheme,
)

_NUGET = re.compile(
    r"^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.(\d+))?"
    r"(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z.-]+)?$"
)


class NuGetVersion(ComparableVersion):
    """A parsed NuGet version."""

    __slots__ = ("numbers", "release")

    def __init__(self, numbers: tuple[int, int, int, int], release: tuple[str, ...]) -> None:
        self.numbers = numbers
        self.release = release

    def _cmp(self, other: Any) -> int:
        if self.numbers != other.numbers:
            return -1 if self.numbers < other.numbers else 1
        a, b = self.release, other.release
        if a == b:
            return 0
        if not a or not b:
            return 1 if not a else -1
        for x, y in zip(a, b, strict=False):
            xd, yd = x.isdigit(), y.isdigit()
            if xd and yd:
                if int(x) != int(y):
                    return -1 if int(x) < int(y) else 1
            elif xd != yd:
                return -1 if xd else 1
            elif x != y:
                return -1 if x < y else 1
        return (len(a) > len(b)) - (len(a) < len(b))


class NuGetScheme(VersionScheme):
    """NuGet packages."""

    name: ClassVar[str] = "nuget"

    def parse(self, version: str) -> NuGetVersion:
        """Parse a NuGet version."""
        m = _NUGET.match(version.strip())
        if not m:
            raise InvalidVersionError("nuget", version)
        nums = tuple(int(g or 0) for g in m.groups()[:4])
        release = tuple(p.lower() for p in m.group(5).split(".")) if m.group(5) else ()
        return NuGetVersion((nums[0], nums[1], nums[2], nums[3]), release)
