"""What a version scheme is: parse a version string into something totally ordered.

Every ecosystem orders versions its own way (dpkg's ``~``, rpm's ``^``, Maven's
qualifiers, PEP 440's pre/post/dev releases). A :class:`VersionScheme` reproduces the
native tool's ordering exactly; matching code only ever calls :meth:`VersionScheme.parse`
and compares the results, so one parse serves many comparisons.
"""

from __future__ import annotations

import functools
from abc import ABC, abstractmethod
from typing import Any, ClassVar

from seawall.errors import InputError


class VersionError(InputError):
    """A version could not be compared; the matcher turns it into ``unmatched: reason``."""


class InvalidVersionError(VersionError):
    """The string is not a valid version in the named scheme."""

    def __init__(self, scheme: str, version: str, why: str = "") -> None:
        self.scheme = scheme
        self.version = version
        detail = f": {why}" if why else ""
        super().__init__(f"invalid {scheme} version {version!r}{detail}")


class UnknownEcosystemError(VersionError):
    """No version scheme is known for the ecosystem or package type."""

    def __init__(self, ecosystem: str) -> None:
        self.ecosystem = ecosystem
        super().__init__(f"no version ordering known for ecosystem {ecosystem!r}")


@functools.total_ordering
class ComparableVersion(ABC):
    """A parsed version. Subclasses implement :meth:`_cmp` against the same class."""

    __slots__ = ()

    @abstractmethod
    def _cmp(self, other: Any) -> int:
        """Negative, zero or positive like C's ``strcmp``."""

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._cmp(other) == 0

    def __lt__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._cmp(other) < 0

    # Spelled out instead of left to total_ordering: its derived methods add a Python
    # call per comparison, and range evaluation compares hundreds of thousands of times.
    def __le__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._cmp(other) <= 0

    def __gt__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._cmp(other) > 0

    def __ge__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._cmp(other) >= 0

    def __hash__(self) -> int:
        # Equal versions may have different spellings (1.0 == 1.0.0 in Maven), so
        # hashing is not meaningful; versions are compared, never used as keys.
        raise TypeError(f"{type(self).__name__} is not hashable")


class VersionScheme(ABC):
    """One ecosystem's version ordering."""

    name: ClassVar[str]
    """Short scheme name (``dpkg``, ``rpm``, ``pep440`` ...)."""

    @abstractmethod
    def parse(self, version: str) -> Any:
        """Parse ``version``; raise :class:`InvalidVersionError` when it is not valid.
        The result supports ``<``, ``==`` and ``>`` against other results of this scheme."""

    def compare(self, a: str, b: str) -> int:
        """-1, 0 or 1 as ``a`` sorts before, equal to or after ``b``."""
        pa, pb = self.parse(a), self.parse(b)
        return -1 if pa < pb else (1 if pa > pb else 0)


def sign(value: int) -> int:
    """Collapse a C-style comparison result to -1/0/1."""
    return (value > 0) - (value < 0)
