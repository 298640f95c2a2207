"""RPM versions, ordered like rpm's ``rpmvercmp``/``rpm.vercmp`` (rpm 4.18): epochs,
``~`` (pre-release, before everything) and ``^`` (post-release snapshot, after the end
but before anything else)."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from seawall.analyzers.vuln.versions.interface import (
    ComparableVersion,
    InvalidVersionError,
    VersionScheme,
)

_ALNUM = re.compile(r"[A-Za-z0-9]")


def _isalnum(c: str) -> bool:
    return c.isascii() and c.isalnum()


def rpmvercmp(a: str, b: str) -> int:
    """Port of rpm's ``rpmvercmp`` segment comparison; returns -1, 0 or 1."""
    if a == b:
        return 0
    i = j = 0
    la, lb = len(a), len(b)
    while i < la or j < lb:
        while i < la and not _isalnum(a[i]) and a[i] not in "~^":
            i += 1
        while j < lb and not _isalnum(b[j]) and b[j] not in "~^":
            j += 1
        ca = a[i] if i < la else ""
        cb = b[j] if j < lb else ""
        if ca == "~" or cb == "~":
            if ca != "~":
                return 1
            if cb != "~":
                return -1
            i += 1
            j += 1
            continue
        if ca == "^" or cb == "^":
            if not ca:
                return -1
            if not cb:
                return 1
            if ca != "^":
                return 1
            if cb != "^":
                return -1
            i += 1
            j += 1
            continue
        if not (ca and cb):
            break
        si, sj = i, j
        if ca.isdigit():
            while si < la and a[si].isascii() and a[si].isdigit():
                si += 1
            while sj < lb and b[sj].isascii() and b[sj].isdigit():
                sj += 1
            isnum = True
        else:
            while si < la and a[si].isascii() and a[si].isalpha():
                si += 1
            while sj < lb and b[sj].isascii() and b[sj].isalpha():
                sj += 1
            isnum = False
        seg_a, seg_b = a[i:si], b[j:sj]
        if not seg_a:
            return -1
        if not seg_b:
            return 1 if isnum else -1
        if isnum:
            seg_a = seg_a.lstrip("0")
            seg_b = seg_b.lstrip("0")
            if len(seg_a) != len(seg_b):
                return 1 if len(seg_a) > len(seg_b) else -1
        if seg_a != seg_b:
            return 1 if seg_a > seg_b else -1
        i, j = si, sj
    if i >= la and j >= lb:
        return 0
    return -1 if i >= la else 1


class RpmVersion(ComparableVersion):
    """``[epoch:]version[-release]``; a missing epoch is 0, a missing release is None."""

    __slots__ = ("epoch", "release", "version")

    def __init__(self, epoch: str, version: str, release: str | None) -> None:
        self.epoch = epoch
        self.version = version
        self.release = release

    def _cmp(self, other: Any) -> int:
        rc = rpmvercmp(self.epoch, other.epoch) or rpmvercmp(self.version, other.version)
        if rc or (self.release is None and other.release is None):
            return rc
        # rpm.vercmp (4.18) ranks any release, even an empty one, above no release
        if self.release is None or other.release is None:
            return -1 if self.release is None else 1
        return rpmvercmp(self.release, other.release)

    def __repr__(self) -> str:
        return f"RpmVersion({self.epoch}:{self.version}-{self.release})"


def parse_rpm(evr: str) -> RpmVersion:
    """Split an EVR string the way ``rpmverParse`` does."""
    text = evr.strip()
    if not text or not _ALNUM.search(text):
        raise InvalidVersionError("rpm", evr, "no version digits or letters")
    epoch = "0"
    digits = len(text) - len(text.lstrip("0123456789"))
    if text[digits : digits + 1] == ":":
        # like rpmverParse: only a run of digits before the first ':' is an epoch
        epoch, text = text[:digits] or "0", text[digits + 1 :]
    version, sep, release = text.rpartition("-")
    if not sep:
        return RpmVersion(epoch, release, None)
    return RpmVersion(epoch, version, release)


class RpmScheme(VersionScheme):
    """Red Hat, SUSE, Amazon, Alma, Rocky, Oracle, Photon, Azure Linux ..."""

    name: ClassVar[str] = "rpm"

    def parse(self, version: str) -> RpmVersion:
        """Parse an RPM EVR."""
        return parse_rpm(version)
