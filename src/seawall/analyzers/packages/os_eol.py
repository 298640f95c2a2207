"""End-of-life status of the detected OS release, from ``seawall/rules/os-eol.yaml``,
and the ``SW-OS-EOL`` finding emitted when the release is past it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from seawall.model.finding import Category, Finding, Location, Severity
from seawall.model.report import OSInfo

RULE_ID = "SW-OS-EOL"


@dataclass(frozen=True)
class EolStatus:
    """What the EOL table says about one OS release."""

    cycle: str
    """The release cycle the version maps to (``12``, ``3.19``, ``22.04``)."""
    eol_date: dt.date | None
    """Listed end-of-life date (None when the cycle is only known to be older than
    every listed one)."""
    eol: bool
    """Past end of life on the day asked about."""


@lru_cache(maxsize=1)
def load_eol_table() -> dict[str, Any]:
    """The parsed ``os-eol.yaml`` (cached)."""
    text = resources.files("seawall").joinpath("rules/os-eol.yaml").read_text("utf-8")
    doc = yaml.safe_load(text)
    if not isinstance(doc, dict) or doc.get("schema") != 1:
        raise ValueError("os-eol.yaml: unknown schema")
    families = doc.get("families")
    return families if isinstance(families, dict) else {}


def _cycle(version: str, how: str) -> str | None:
    parts = version.split(".")
    if not parts[0].isdigit():
        return None
    if how == "major":
        return parts[0]
    if len(parts) < 2 or not parts[1].isdigit():
        return None
    return f"{parts[0]}.{parts[1]}"


def _numeric(cycle: str) -> tuple[int, ...]:
    return tuple(int(p) for p in cycle.split("."))


def eol_status(os_info: OSInfo, today: dt.date | None = None) -> EolStatus | None:
    """EOL status of ``os_info`` on ``today`` (default: the current date); None when the
    family or release is not in the table (rolling distros, unknown versions)."""
    entry = load_eol_table().get(os_info.family)
    if not isinstance(entry, dict) or not os_info.version:
        return None
    cycle = _cycle(os_info.version, str(entry.get("cycle", "major")))
    if cycle is None:
        return None
    today = today or dt.date.today()
    releases: dict[str, Any] = {str(k): v for k, v in (entry.get("releases") or {}).items()}
    date = releases.get(cycle)
    if isinstance(date, dt.date):
        return EolStatus(cycle=cycle, eol_date=date, eol=today > date)
    if entry.get("older_eol") and releases:
        oldest = min(releases, key=_numeric)
        if _numeric(cycle) < _numeric(oldest):
            return EolStatus(cycle=cycle, eol_date=None, eol=True)
    return None


def eol_finding(os_info: OSInfo, status: EolStatus) -> Finding:
    """The ``SW-OS-EOL`` finding for a release past its end of life."""
    label = os_info.name or f"{os_info.family} {os_info.version}"
    when = f" on {status.eol_date.isoformat()}" if status.eol_date else ""
    return Finding(
        rule_id=RULE_ID,
        category=Category.MISCONFIG,
        severity=Severity.HIGH,
        title=f"{label} reached end of life{when}",
        description=(
            f"The base operating system ({os_info.family} {status.cycle}) no longer receives "
            "security updates from its vendor: new vulnerabilities in its packages stay "
            "unfixed and vulnerability data for it may be incomplete."
        ),
        remediation="Rebuild the image on a supported release of the distribution.",
        location=Location(path="/etc/os-release"),
        references=["https://endoflife.date/"],
        extra={"family": os_info.family, "version": os_info.version, "cycle": status.cycle,
               "eol_date": status.eol_date.isoformat() if status.eol_date else None},
    )
