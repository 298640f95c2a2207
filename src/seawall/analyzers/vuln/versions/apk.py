"""Alpine package versions, ordered like apk-tools 2 (``apk version -t``): letters,
``_alpha/_beta/_pre/_rc`` before the release, ``_cvs/_svn/_git/_hg/_p`` after, ``-rN``."""

from __future__ import annotations

from typing import Any, ClassVar

from seawall.analyzers.vuln.versions.interface import (
    ComparableVersion,
    InvalidVersionError,
    VersionScheme,
)

# Token kinds, in apk-tools' order (the order matters: see _next_token).
_INVALID, _DIGIT_OR_ZERO, _DIGIT, _LETTER, _SUFFIX, _SUFFIX_NO, _REVISION_NO, _END = range(-1, 7)
_PRE_SUFFIXES = ("alpha", "beta", "pre", "rc")
_POST_SUFFIXES = ("cvs", "svn", "git", "hg", "p")


def _next_token(kind: int, s: str, pos: int) -> tuple[int, int]:
    n = _INVALID
    if pos >= len(s):
        return _END, pos
    c = s[pos]
    if kind in (_DIGIT, _DIGIT_OR_ZERO) and c.islower() and c.isascii():
        n = _LETTER
    elif kind == _LETTER and c.isdigit():
        n = _DIGIT
    elif kind == _SUFFIX and c.isdigit():
        n = _SUFFIX_NO
    else:
        if c == ".":
            n = _DIGIT_OR_ZERO
        elif c == "_":
            n = _SUFFIX
        elif c == "-" and pos + 1 < len(s) and s[pos + 1] == "r":
            n = _REVISION_NO
            pos += 1
        pos += 1
    if n < kind and not (
        (n == _DIGIT_OR_ZERO and kind == _DIGIT)
        or (n == _SUFFIX and kind == _SUFFIX_NO)
        or (n == _DIGIT and kind == _LETTER)
    ):
        n = _INVALID
    return n, pos


def _get_token(kind: int, s: str, pos: int) -> tuple[int, int, int]:
    """Return (value, next kind, next position)."""
    if pos >= len(s):
        return 0, _END, pos
    i = pos
    value = 0
    forced = _INVALID
    if kind == _DIGIT_OR_ZERO and s[i] == "0" and s[i + 1 : i + 2].isdigit():
        # a component with leading zeros sorts like a decimal fraction (1.01 < 1.1)
        while i < len(s) and s[i] == "0":
            i += 1
        forced = _DIGIT
        value = -(i - pos)
    elif kind in (_DIGIT_OR_ZERO, _DIGIT, _SUFFIX_NO, _REVISION_NO):
        while i < len(s) and s[i].isdigit() and s[i].isascii():
            value = value * 10 + int(s[i])
            i += 1
    elif kind == _LETTER:
        value = ord(s[i])
        i += 1
    elif kind == _SUFFIX:
        for idx, suffix in enumerate(_PRE_SUFFIXES):
            if s.startswith(suffix, i):
                value = idx - len(_PRE_SUFFIXES)
                i += len(suffix)
                break
        else:
            for idx, suffix in enumerate(_POST_SUFFIXES):
                if s.startswith(suffix, i):
                    value = idx
                    i += len(suffix)
                    break
            else:
                return -1, _INVALID, i
    else:
        return -1, _INVALID, i
    if i >= len(s):
        return value, _END, i
    if forced != _INVALID:
        return value, forced, i
    nkind, npos = _next_token(kind, s, i)
    return value, nkind, npos


def apk_compare(a: str, b: str) -> int:
    """Compare two apk version strings; -1, 0 or 1."""
    at = bt = _DIGIT
    av = bv = 0
    ap = bp = 0
    while at == bt and at not in (_END, _INVALID) and av == bv:
        av, at, ap = _get_token(at, a, ap)
        bv, bt, bp = _get_token(bt, b, bp)
    if av < bv:
        return -1
    if av > bv:
        return 1
    if at == bt:
        return 0
    # equal so far: the longer one is newer unless what follows is a pre-release suffix
    if at == _SUFFIX and _get_token(at, a, ap)[0] < 0:
        return -1
    if bt == _SUFFIX and _get_token(bt, b, bp)[0] < 0:
        return 1
    if at > bt:
        return -1
    if bt > at:
        return 1
    return 0


def apk_is_valid(version: str) -> bool:
    """apk-tools' ``apk_version_validate``: tokenises to the end without error."""
    kind = _DIGIT
    pos = 0
    if not version:
        return False
    while kind not in (_END, _INVALID):
        _, kind, pos = _get_token(kind, version, pos)
    return kind == _END


class ApkVersion(ComparableVersion):
    """A validated apk version string."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def _cmp(self, other: Any) -> int:
        return apk_compare(self.text, other.text)

    def __repr__(self) -> str:
        return f"ApkVersion({self.text})"


class ApkScheme(VersionScheme):
    """Alpine, Wolfi and Chainguard package versions."""

    name: ClassVar[str] = "apk"

    def parse(self, version: str) -> ApkVersion:
        """Validate and wrap an apk version."""
        text = version.strip()
        if not apk_is_valid(text):
            raise InvalidVersionError("apk", version)
        return ApkVersion(text)
