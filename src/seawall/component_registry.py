"""A named table of implementations, filled by the modules that define them.

Every extensible concept (sources, analyzers, report formats, CLI commands, audit
rules) keeps one :class:`ComponentRegistry`. Adding an implementation means adding
one module that registers itself and one import line in its package's ``all.py``
(Trivy's ``analyzer/all/import.go``). Readers of a table import that ``all.py`` at
import time: a table filled on first use is half filled for a second thread.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")


class ComponentRegistry(Generic[T]):
    """Name -> implementation, in registration order."""

    def __init__(self, what: str) -> None:
        self._what = what
        self._items: dict[str, T] = {}

    def register(self, name: str) -> Callable[[T], T]:
        """Decorator: ``@REG.register("json")``; a second use of a name is a bug."""

        def deco(item: T) -> T:
            self.add(name, item)
            return item

        return deco

    def add(self, name: str, item: T) -> None:
        """Register ``item`` under ``name``."""
        if name in self._items and self._items[name] is not item:
            raise ValueError(f"{self._what} {name!r} registered twice")
        self._items[name] = item

    def get(self, name: str) -> T:
        """Look up by name; ``KeyError`` names the known ones."""
        try:
            return self._items[name]
        except KeyError:
            known = ", ".join(sorted(self._items)) or "none"
            raise KeyError(f"unknown {self._what} {name!r} (known: {known})") from None

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def items(self) -> list[tuple[str, T]]:
        """(name, implementation) pairs in registration order."""
        return list(self._items.items())
