"""The contract of a weakpass service module: which files it wants, and what it
extracts from one of them. Modules in :mod:`seawall.analyzers.weakpass.services`
register themselves; adding a service is adding a file."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

from seawall.analyzers.weakpass.credentials import ParseOutcome
from seawall.component_registry import ComponentRegistry


class ServiceParser(ABC):
    """Reads one kind of password store."""

    name: ClassVar[str]
    """Service name used in findings (``system``, ``redis``...)."""
    max_bytes: ClassVar[int] = 4 * 1024 * 1024
    """Larger files are skipped with a reason (hostile input must not cost memory)."""

    @abstractmethod
    def wants(self, path: str) -> bool:
        """Is ``path`` a file of this service? Must be cheap (called for every file)."""

    @abstractmethod
    def parse(self, path: str, data: bytes) -> ParseOutcome:
        """Extract credentials and direct issues; never raise on malformed content
        (report it in ``skipped``)."""


SERVICE_PARSERS: ComponentRegistry[type[ServiceParser]] = ComponentRegistry("weakpass service")


def register_service(cls: type[ServiceParser]) -> type[ServiceParser]:
    """Class decorator for service modules."""
    SERVICE_PARSERS.add(cls.name, cls)
    return cls


def text_lines(data: bytes) -> list[str]:
    """Decode a config file leniently into lines."""
    return data.decode("utf-8", "replace").splitlines()
