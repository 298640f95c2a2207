"""Turning ``--scanners a,b`` into configured analyzer instances for one target."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import seawall.analyzers.all  # noqa: F401 - every analyzer registered before any scan
from seawall.analyzers.catalog import ANALYZERS
from seawall.analyzers.interface import Analyzer
from seawall.errors import InputError


def known_analyzers() -> list[type[Analyzer]]:
    """Every registered analyzer class, in registration order."""
    return [cls for _, cls in ANALYZERS.items()]


def check_scanner_names(names: Sequence[str]) -> None:
    """Raise :class:`InputError` naming the first unknown scanner."""
    table = ANALYZERS
    for name in names:
        if name not in table:
            known = ", ".join(sorted(table)) or "none"
            raise InputError(f"unknown scanner {name!r} (known: {known})")


def select_analyzer_classes(names: Sequence[str] | None, target_kind: str) -> list[type[Analyzer]]:
    """The classes to run on a target of ``target_kind``: the named ones (unknown
    names are an input error), or every ``default_enabled`` one when ``names`` is
    None; analyzers that do not accept the kind are left out."""
    table = ANALYZERS
    if names is None:
        classes = [cls for _, cls in table.items() if cls.default_enabled]
    else:
        check_scanner_names(names)
        wanted = dict.fromkeys(names)
        classes = [table.get(name) for name in wanted]
    return [cls for cls in classes if target_kind in cls.target_kinds]


def instantiate(
    classes: Sequence[type[Analyzer]], options: Mapping[str, Any]
) -> tuple[list[Analyzer], list[tuple[str, str]]]:
    """Create and configure one instance per class (fresh per target, so analyzers
    may keep per-scan state). Returns the instances and (name, reason) for each
    analyzer whose construction or ``configure`` failed."""
    out: list[Analyzer] = []
    failed: list[tuple[str, str]] = []
    for cls in classes:
        try:
            inst = cls()
            inst.configure(options)
        except InputError:  # a bad option file or rule: exit 2 naming it, not "incomplete"
            raise
        except Exception as exc:  # an analyzer bug must not stop the scan
            failed.append((cls.name, f"configure failed: {type(exc).__name__}: {exc}"))
            continue
        out.append(inst)
    return out, failed


def walks_files(analyzer: Analyzer) -> bool:
    """Does the analyzer do per-file work? (It overrides ``required``.)"""
    return type(analyzer).required is not Analyzer.required
