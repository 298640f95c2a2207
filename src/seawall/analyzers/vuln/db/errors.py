"""Failures of the vulnerability database, reported as one line and exit 2."""

from __future__ import annotations

from pathlib import Path

from seawall.errors import NotFoundError, SeawallError


class NoDatabaseError(NotFoundError):
    """There is no vulnerability database yet."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(f"no vulnerability database at {path}: run `seawall db update`")


class CorruptDatabaseError(SeawallError):
    """The file is damaged, from an incompatible schema, or not ours at all."""

    def __init__(self, path: Path, why: str = "") -> None:
        self.path = path
        detail = f" ({why})" if why else ""
        super().__init__(
            f"vulnerability DB at {path} is corrupt or not a seawall DB{detail}: "
            "run `seawall db update`"
        )


class DatabaseBusyError(SeawallError):
    """Another process is rebuilding the database right now."""
