"""RubyGems versions, ordered like ``Gem::Version#<=>``: segments are runs of digits or
letters, ``-`` means ``.pre.``, a letter segment marks a pre-release (it sorts before
any number), trailing zeros do not count (1.0 == 1)."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from seawall.analyzers.vuln.versions.interface import (
    ComparableVersion,
    InvalidVersionError,
    VersionScheme,
)

_VALID = re.compile(r"^\s*([0-9]+(?:\.[0-9a-zA-Z]+)*(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?)?\s*$")
_SEGMENT = re.compile(r"[0-9]+|[a-z]+", re.IGNORECASE)


def _drop_trailing_zeros(segments: list[int | str]) -> list[int | str]:
    while segments and segments[-1] == 0:
        segments.pop()
    return segments


class GemVersion(ComparableVersion):
    """A parsed gem version (``canonical_segments``)."""

    __slots__ = ("segments", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        spelled = text.strip().replace("-", ".pre.")
        raw: list[int | str] = [int(s) if s.isdigit() else s for s in _SEGMENT.findall(spelled)]
        split = next((i for i, s in enumerate(raw) if isinstance(s, str)), len(raw))
        self.segments = _drop_trailing_zeros(raw[:split]) + _drop_trailing_zeros(raw[split:])

    def _cmp(self, other: Any) -> int:
        lhs, rhs = self.segments, other.segments
        for i in range(max(len(lhs), len(rhs))):
            a = lhs[i] if i < len(lhs) else 0
            b = rhs[i] if i < len(rhs) else 0
            if a == b:
                continue
            if isinstance(a, str) and isinstance(b, int):
                return -1
            if isinstance(a, int) and isinstance(b, str):
                return 1
            return -1 if a < b else 1  # type: ignore[operator]
        return 0

    def __repr__(self) -> str:
        return f"GemVersion({self.text})"


class RubyGemsScheme(VersionScheme):
    """RubyGems."""

    name: ClassVar[str] = "rubygems"

    def parse(self, version: str) -> GemVersion:
        """Validate with ``Gem::Version::ANCHORED_VERSION_PATTERN`` and parse."""
        if not version.strip() or not _VALID.match(version):
            raise InvalidVersionError("rubygems", version)
        return GemVersion(version)
