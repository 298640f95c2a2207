"""Maven versions with the semantics of Maven's ``ComparableVersion`` (3.x): items split
on ``.``/``-`` and digit/letter transitions, trailing zeros and release qualifiers
dropped, qualifiers ordered alpha < beta < milestone < rc = cr < snapshot < release =
ga = final < sp < anything else (alphabetically)."""

from __future__ import annotations

from typing import Any, ClassVar

from seawall.analyzers.vuln.versions.interface import (
    ComparableVersion,
    InvalidVersionError,
    VersionScheme,
)

_QUALIFIERS = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"]
_ALIASES = {"ga": "", "final": "", "release": "", "cr": "rc"}
_RELEASE_INDEX = str(_QUALIFIERS.index(""))


def _comparable_qualifier(q: str) -> str:
    if q in _QUALIFIERS:
        return str(_QUALIFIERS.index(q))
    return f"{len(_QUALIFIERS)}-{q}"


class _Str:
    __slots__ = ("value",)

    def __init__(self, value: str, followed_by_digit: bool) -> None:
        if followed_by_digit and len(value) == 1:
            value = {"a": "alpha", "b": "beta", "m": "milestone"}.get(value, value)
        self.value = _ALIASES.get(value, value)

    def is_null(self) -> bool:
        return _comparable_qualifier(self.value) == _RELEASE_INDEX


class _List(list[Any]):
    def is_null(self) -> bool:
        return len(self) == 0

    def normalize(self) -> None:
        for i in range(len(self) - 1, -1, -1):
            item = self[i]
            if _is_null(item):
                del self[i]  # trailing 0, "" and empty lists do not count
            elif not isinstance(item, _List):
                break


def _is_null(item: Any) -> bool:
    if isinstance(item, int):
        return item == 0
    return bool(item.is_null())


def _cmp(a: Any, b: Any) -> int:
    """``a.compareTo(b)``; ``b`` may be None (absent item)."""
    if isinstance(a, int):
        if b is None:
            return 0 if a == 0 else 1
        if isinstance(b, int):
            return (a > b) - (a < b)
        return 1
    if isinstance(a, _Str):
        if b is None:
            qa = _comparable_qualifier(a.value)
            return (qa > _RELEASE_INDEX) - (qa < _RELEASE_INDEX)
        if isinstance(b, (int, _List)):
            return -1
        qa, qb = _comparable_qualifier(a.value), _comparable_qualifier(b.value)
        return (qa > qb) - (qa < qb)
    # a is a list
    if b is None:
        return 0 if not a else _cmp(a[0], None)
    if isinstance(b, int):
        return -1
    if isinstance(b, _Str):
        return 1
    for i in range(max(len(a), len(b))):
        left = a[i] if i < len(a) else None
        right = b[i] if i < len(b) else None
        result = -_cmp(right, None) if left is None else _cmp(left, right)
        if result:
            return result
    return 0


def _item(is_digit: bool, buf: str) -> Any:
    return int(buf) if is_digit else _Str(buf, False)


def parse_items(version: str) -> _List:
    """Port of ``ComparableVersion.parseVersion``."""
    version = version.lower()
    root = current = _List()
    stack = [root]
    is_digit = False
    start = 0
    for i, c in enumerate(version):
        if c in ".-":
            current.append(0 if i == start else _item(is_digit, version[start:i]))
            start = i + 1
            if c == "-":
                nxt = _List()
                current.append(nxt)
                current = nxt
                stack.append(current)
        elif c.isdigit():
            if not is_digit and i > start:
                # 1.0.0.X1 < 1.0.0-X2: a qualifier glued to digits opens a sub-list
                if current:
                    nxt = _List()
                    current.append(nxt)
                    current = nxt
                    stack.append(current)
                current.append(_Str(version[start:i], True))
                start = i
                nxt = _List()
                current.append(nxt)
                current = nxt
                stack.append(current)
            is_digit = True
        else:
            if is_digit and i > start:
                current.append(int(version[start:i]))
                start = i
                nxt = _List()
                current.append(nxt)
                current = nxt
                stack.append(current)
            is_digit = False
    if len(version) > start:
        if not is_digit and current:
            nxt = _List()
            current.append(nxt)
            current = nxt
            stack.append(current)
        current.append(_item(is_digit, version[start:]))
    while stack:
        stack.pop().normalize()
    return root


class MavenVersion(ComparableVersion):
    """A parsed Maven version."""

    __slots__ = ("items", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.items = parse_items(text)

    def _cmp(self, other: Any) -> int:
        return _cmp(self.items, other.items)

    def __repr__(self) -> str:
        return f"MavenVersion({self.text})"


class MavenScheme(VersionScheme):
    """Maven (and Gradle/sbt artifacts from Maven repositories)."""

    name: ClassVar[str] = "maven"

    def parse(self, version: str) -> MavenVersion:
        """Any non-empty string without whitespace is a Maven version."""
        text = version.strip()
        if not text or any(c.isspace() for c in text):
            raise InvalidVersionError("maven", version)
        return MavenVersion(text)
