"""The setuid/setgid binary list (``rules/privesc/suid.yaml``): name -> risk + hint."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml

_VERSIONED = re.compile(r"^(python|perl|ruby|php|lua|node|pypy|tclsh|wish|pip)[0-9][0-9.]*$")


@dataclass(frozen=True)
class SuidEntry:
    """What the catalog says about one binary name."""

    name: str
    risk: str
    """``high`` (gives root) or ``low`` (normal part of a distro)."""
    hint: str
    """How it is abused (or why it is expected)."""


@lru_cache(maxsize=1)
def suid_catalog() -> dict[str, SuidEntry]:
    """Load the packaged list once."""
    text = resources.files("seawall.rules").joinpath("privesc/suid.yaml").read_text()
    doc = yaml.safe_load(text)
    return {name: SuidEntry(name, str(v["risk"]), str(v["hint"]))
            for name, v in doc["binaries"].items()}


def canonical_name(basename: str) -> str:
    """``python3.11`` -> ``python``; other names unchanged."""
    m = _VERSIONED.match(basename)
    return m.group(1) if m else basename


def lookup(basename: str) -> SuidEntry | None:
    """Catalog entry for a binary file name, if any."""
    table = suid_catalog()
    return table.get(basename) or table.get(canonical_name(basename))
