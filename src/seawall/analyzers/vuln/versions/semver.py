"""Semantic Versioning 2.0.0 precedence (crates.io, Hex, Pub, OSV ``SEMVER`` ranges)
and npm's range grammar (``^1.2``, ``~1.2.3``, ``>=1 <2 || 3.x``, ``1.0 - 2.0``)."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from seawall.analyzers.vuln.versions.interface import (
    ComparableVersion,
    InvalidVersionError,
    VersionScheme,
)

_SEMVER = re.compile(
    r"^[=v\s]*(0|[1-9]\d*)(?:\.(0|[1-9]\d*))?(?:\.(0|[1-9]\d*))?"
    r"(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$"
)


def _cmp_prerelease(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    if a == b:
        return 0
    if not a:
        return 1  # a release ranks above its pre-releases
    if not b:
        return -1
    for x, y in zip(a, b, strict=False):
        if x == y:
            continue
        xd, yd = x.isdigit(), y.isdigit()
        if xd and yd:
            return -1 if int(x) < int(y) else 1
        if xd != yd:
            return -1 if xd else 1  # numeric identifiers rank below alphanumeric ones
        return -1 if x < y else 1
    return -1 if len(a) < len(b) else (1 if len(a) > len(b) else 0)


class SemVer(ComparableVersion):
    """A semantic version; build metadata is kept but never affects ordering."""

    __slots__ = ("build", "major", "minor", "patch", "prerelease")

    def __init__(
        self, major: int, minor: int, patch: int, prerelease: tuple[str, ...] = (), build: str = ""
    ) -> None:
        self.major = major
        self.minor = minor
        self.patch = patch
        self.prerelease = prerelease
        self.build = build

    def _cmp(self, other: Any) -> int:
        a = (self.major, self.minor, self.patch)
        b = (other.major, other.minor, other.patch)
        if a != b:
            return -1 if a < b else 1
        return _cmp_prerelease(self.prerelease, other.prerelease)

    def __str__(self) -> str:
        pre = "-" + ".".join(self.prerelease) if self.prerelease else ""
        return f"{self.major}.{self.minor}.{self.patch}{pre}"

    def __repr__(self) -> str:
        return f"SemVer({self})"


def parse_semver(version: str, *, scheme: str = "semver", loose: bool = True) -> SemVer:
    """Parse ``[v]MAJOR[.MINOR[.PATCH]][-pre][+build]``; missing parts are 0 when
    ``loose`` (npm and OSV data often write ``1.2``)."""
    m = _SEMVER.match(version.strip())
    if not m or (not loose and (m.group(2) is None or m.group(3) is None)):
        raise InvalidVersionError(scheme, version)
    major, minor, patch, pre, build = m.groups()
    prerelease = tuple(pre.split(".")) if pre else ()
    if any(p.isdigit() and len(p) > 1 and p[0] == "0" for p in prerelease) and not loose:
        raise InvalidVersionError(scheme, version, "numeric pre-release with leading zero")
    return SemVer(int(major), int(minor or 0), int(patch or 0), prerelease, build or "")


class SemVerScheme(VersionScheme):
    """Plain SemVer 2.0.0 ordering."""

    name: ClassVar[str] = "semver"

    def parse(self, version: str) -> SemVer:
        """Parse a semantic version (leading ``v`` allowed, missing parts are 0)."""
        return parse_semver(version)


class NpmScheme(SemVerScheme):
    """npm package versions: SemVer ordering plus :class:`NpmRange` for ranges."""

    name: ClassVar[str] = "npm"


_X = {"x", "X", "*", ""}
_PARTIAL = re.compile(
    r"^[v=\s]*([0-9]+|[xX*])?(?:\.([0-9]+|[xX*]))?(?:\.([0-9]+|[xX*]))?"
    r"(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$"
)
_COMPARATOR = re.compile(r"^(<=|>=|<|>|=|\^|~>|~)?\s*(.*)$")
_Bound = tuple[str, SemVer]


def _partial(text: str) -> tuple[list[int | None], tuple[str, ...]]:
    m = _PARTIAL.match(text)
    if not m:
        raise InvalidVersionError("npm", text, "not a version or range")
    nums: list[int | None] = [None if g is None or g in _X else int(g) for g in m.groups()[:3]]
    for k in (1, 2):  # "1.x.3" means 1.x
        if nums[k - 1] is None:
            nums[k] = None
    pre = tuple(m.group(4).split(".")) if m.group(4) else ()
    return nums, pre


def _desugar(op: str, text: str) -> list[_Bound]:
    """Turn one npm comparator into plain ``(op, SemVer)`` bounds."""
    (ma, mi, pa), pre = _partial(text)
    if ma is None:
        if op in ("", "=", ">=", "<=", "^", "~", "~>"):
            return []  # "*": anything
        return [("<", SemVer(0, 0, 0, ("0",)))]  # "<*" / ">*": nothing
    lo = SemVer(ma, mi or 0, pa or 0, pre)
    if op in ("", "="):
        if mi is None:
            return [(">=", lo), ("<", SemVer(ma + 1, 0, 0, ("0",)))]
        if pa is None:
            return [(">=", lo), ("<", SemVer(ma, mi + 1, 0, ("0",)))]
        return [("=", lo)]
    if op in ("~", "~>"):
        hi = SemVer(ma + 1, 0, 0, ("0",)) if mi is None else SemVer(ma, mi + 1, 0, ("0",))
        return [(">=", lo), ("<", hi)]
    if op == "^":
        if ma != 0 or mi is None:
            hi = SemVer(ma + 1, 0, 0, ("0",))
        elif mi != 0 or pa is None:
            hi = SemVer(0, mi + 1, 0, ("0",))
        else:
            hi = SemVer(0, 0, (pa or 0) + 1, ("0",))
        return [(">=", lo), ("<", hi)]
    if op == ">" and (mi is None or pa is None):
        nxt = SemVer(ma + 1, 0, 0, ("0",)) if mi is None else SemVer(ma, mi + 1, 0, ("0",))
        return [(">=", nxt)]
    if op == "<=" and (mi is None or pa is None):
        nxt = SemVer(ma + 1, 0, 0, ("0",)) if mi is None else SemVer(ma, mi + 1, 0, ("0",))
        return [("<", nxt)]
    return [(op, lo)]


def _holds(op: str, v: SemVer, bound: SemVer) -> bool:
    if op == "<":
        return v < bound
    if op == "<=":
        return v <= bound
    if op == ">":
        return v > bound
    if op == ">=":
        return v >= bound
    return v == bound


class NpmRange:
    """An npm version range (node-semver grammar, ``includePrerelease`` semantics:
    pre-releases are ordered like any version, which is what advisory data needs)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._sets: list[list[_Bound]] = []
        for alternative in text.split("||"):
            alternative = alternative.strip()
            bounds: list[_Bound] = []
            hyphen = re.match(r"^(\S+)\s+-\s+(\S+)$", alternative)
            if hyphen:
                bounds += _desugar(">=", hyphen.group(1))
                bounds += _desugar("<=", hyphen.group(2))
            else:
                # "> = 1.2" style spacing: glue operators to their operand first
                glued = re.sub(r"(<=|>=|<|>|=|\^|~>|~)\s+", r"\1", alternative)
                for token in glued.split():
                    m = _COMPARATOR.match(token)
                    assert m is not None  # the pattern matches any string
                    bounds += _desugar(m.group(1) or "", m.group(2))
            self._sets.append(bounds)

    def __contains__(self, version: object) -> bool:
        v = version if isinstance(version, SemVer) else parse_semver(str(version), scheme="npm")
        return any(all(_holds(op, v, b) for op, b in bounds) for bounds in self._sets)

    def __repr__(self) -> str:
        return f"NpmRange({self.text!r})"
