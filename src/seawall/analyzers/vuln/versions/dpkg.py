"""Debian package versions, ordered exactly like ``dpkg --compare-versions``
(a port of dpkg's ``verrevcmp``: ``~`` sorts before everything, even the end)."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from seawall.analyzers.vuln.versions.interface import (
    ComparableVersion,
    InvalidVersionError,
    VersionScheme,
    sign,
)

_UPSTREAM_OK = re.compile(r"^[0-9][A-Za-z0-9.+~:-]*$")
_REVISION_OK = re.compile(r"^[A-Za-z0-9.+~]*$")


def _order(c: str) -> int:
    """dpkg's character weight: digits 0, letters by code, ``~`` -1, others after letters."""
    if not c or c.isdigit():
        return 0
    if c.isalpha():
        return ord(c)
    if c == "~":
        return -1
    return ord(c) + 256


def verrevcmp(a: str, b: str) -> int:
    """dpkg's comparison of one version part (upstream or revision)."""
    i = j = 0
    la, lb = len(a), len(b)
    while i < la or j < lb:
        first_diff = 0
        while (i < la and not a[i].isdigit()) or (j < lb and not b[j].isdigit()):
            ac = _order(a[i]) if i < la else 0
            bc = _order(b[j]) if j < lb else 0
            if ac != bc:
                return ac - bc
            i += 1
            j += 1
        while i < la and a[i] == "0":
            i += 1
        while j < lb and b[j] == "0":
            j += 1
        while i < la and j < lb and a[i].isdigit() and b[j].isdigit():
            if not first_diff:
                first_diff = ord(a[i]) - ord(b[j])
            i += 1
            j += 1
        if i < la and a[i].isdigit():
            return 1
        if j < lb and b[j].isdigit():
            return -1
        if first_diff:
            return first_diff
    return 0


class DpkgVersion(ComparableVersion):
    """``[epoch:]upstream[-revision]``."""

    __slots__ = ("epoch", "revision", "upstream")

    def __init__(self, epoch: int, upstream: str, revision: str) -> None:
        self.epoch = epoch
        self.upstream = upstream
        self.revision = revision

    def _cmp(self, other: Any) -> int:
        if self.epoch != other.epoch:
            return sign(self.epoch - other.epoch)
        r = verrevcmp(self.upstream, other.upstream)
        if r:
            return sign(r)
        return sign(verrevcmp(self.revision, other.revision))

    def __repr__(self) -> str:
        return f"DpkgVersion({self.epoch}:{self.upstream}-{self.revision})"


def parse_dpkg(version: str) -> DpkgVersion:
    """Split and validate a Debian version the way dpkg's ``parseversion`` does."""
    text = version.strip()
    if not text or any(c.isspace() for c in text):
        raise InvalidVersionError("dpkg", version, "empty or contains whitespace")
    epoch = 0
    if ":" in text:
        head, text = text.split(":", 1)
        if not head.isdigit():
            raise InvalidVersionError("dpkg", version, "epoch is not a number")
        epoch = int(head)
    upstream, _, revision = text.rpartition("-")
    if not upstream:
        upstream, revision = revision, ""
    if not upstream or not _UPSTREAM_OK.match(upstream):
        raise InvalidVersionError("dpkg", version, "upstream must start with a digit")
    if not _REVISION_OK.match(revision):
        raise InvalidVersionError("dpkg", version, "bad character in revision")
    return DpkgVersion(epoch, upstream, revision)


class DpkgScheme(VersionScheme):
    """Debian and Ubuntu package versions."""

    name: ClassVar[str] = "dpkg"

    def parse(self, version: str) -> DpkgVersion:
        """Parse a Debian version."""
        return parse_dpkg(version)
