"""Normalised advisory data as importers hand it to the database writer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class AffectedRecord:
    """One package an advisory affects, in one ecosystem."""

    ecosystem: str
    """OSV ecosystem string (``PyPI``, ``Debian:12``, ``Alpine:v3.19``)."""
    name: str
    """Package name, already normalised for the ecosystem."""
    ranges: list[dict[str, Any]] = field(default_factory=list)
    """OSV ``ranges`` (``type`` + ``events``), kept as published."""
    versions: list[str] = field(default_factory=list)
    """OSV ``versions``: explicitly affected versions."""
    severity: str | None = None
    """Per-package severity label (``ecosystem_specific.severity``), when given."""


@dataclass
class AdvisoryRecord:
    """One advisory (an OSV record or a distro-tracker entry)."""

    id: str
    source: str
    """Importer-level source name (``osv:PyPI``, ``debian-tracker``)."""
    summary: str = ""
    details: str = ""
    published: str | None = None
    modified: str | None = None
    withdrawn: str | None = None
    vendor_severity: str | None = None
    """Severity label from the publisher (GHSA ``database_specific.severity`` ...)."""
    aliases: list[str] = field(default_factory=list)
    severities: list[tuple[str, str]] = field(default_factory=list)
    """(type, vector-or-label) pairs such as ``("CVSS_V3", "CVSS:3.1/AV:N/...")``."""
    references: list[tuple[str, str]] = field(default_factory=list)
    """(type, url) pairs."""
    affected: list[AffectedRecord] = field(default_factory=list)
