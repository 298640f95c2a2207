"""Composer (Packagist) versions: Composer's normalisation (``v`` prefix dropped, four
numeric parts, stability suffixes) then PHP's ``version_compare`` ordering
(dev < alpha < beta < RC < release < patch)."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from seawall.analyzers.vuln.versions.interface import (
    ComparableVersion,
    InvalidVersionError,
    VersionScheme,
)

_COMPOSER = re.compile(
    r"^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.(\d+))?"
    r"(?:[._-]?(stable|beta|b|rc|alpha|a|patch|pl|p|dev)(?:[.-]?(\d+))?)?$",
    re.IGNORECASE,
)
# PHP version_compare's special forms; any other word ranks below "dev".
_SPECIAL = {"dev": 0, "alpha": 1, "a": 1, "beta": 2, "b": 2, "rc": 3, "#": 4, "pl": 5, "p": 5}


def _canonical(version: str) -> list[str]:
    """PHP's ``php_canonicalize_version`` split into parts."""
    out: list[str] = []
    buf = ""
    prev = ""
    for c in version:
        kind = "d" if c.isdigit() else ("s" if c in "-_+." else "a")
        if kind == "s":
            if buf:
                out.append(buf)
            buf = ""
        elif prev and prev != "s" and kind != prev and buf:
            out.append(buf)
            buf = c
        else:
            buf += c
        prev = kind
    if buf:
        out.append(buf)
    return out


def _part_cmp(a: str, b: str) -> int:
    if a.isdigit() and b.isdigit():
        return (int(a) > int(b)) - (int(a) < int(b))
    wa = _SPECIAL["#"] if a.isdigit() else _SPECIAL.get(a.lower(), -1)
    wb = _SPECIAL["#"] if b.isdigit() else _SPECIAL.get(b.lower(), -1)
    return (wa > wb) - (wa < wb)


def php_version_compare(a: str, b: str) -> int:
    """PHP's ``version_compare($a, $b)``: -1, 0 or 1."""
    pa, pb = _canonical(a), _canonical(b)
    for x, y in zip(pa, pb, strict=False):
        r = _part_cmp(x, y)
        if r:
            return r
    if len(pa) == len(pb):
        return 0
    # the longer one wins, unless its next part is a pre-release word
    longer, sign_ = (pa, 1) if len(pa) > len(pb) else (pb, -1)
    nxt = longer[min(len(pa), len(pb))]
    return sign_ * (1 if nxt.isdigit() or _part_cmp(nxt, "#") > 0 else -1)


class ComposerVersion(ComparableVersion):
    """A normalised Composer version (``1.2.3.0-beta1``)."""

    __slots__ = ("normalized",)

    def __init__(self, normalized: str) -> None:
        self.normalized = normalized

    def _cmp(self, other: Any) -> int:
        return php_version_compare(self.normalized, other.normalized)

    def __repr__(self) -> str:
        return f"ComposerVersion({self.normalized})"


class ComposerScheme(VersionScheme):
    """Packagist packages."""

    name: ClassVar[str] = "composer"

    def parse(self, version: str) -> ComposerVersion:
        """Normalise like Composer's ``VersionParser::normalize``."""
        m = _COMPOSER.match(version.strip())
        if not m:
            raise InvalidVersionError("composer", version)
        nums = ".".join(g or "0" for g in m.groups()[:4])
        stability, number = m.group(5), m.group(6)
        if stability:
            word = stability.lower()
            word = {"a": "alpha", "b": "beta", "p": "patch", "pl": "patch"}.get(word, word)
            if word == "stable":
                return ComposerVersion(nums)
            word = "pl" if word == "patch" else word
            return ComposerVersion(f"{nums}-{word}{number or ''}")
        return ComposerVersion(nums)
