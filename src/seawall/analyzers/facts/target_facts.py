"""The fact set of one scan: gathered once, read by every analyzer.

Analyzers declare the facts they read (:attr:`Analyzer.facts`); the scan driver runs
the extractors those facts need during its one walk per layer (their per-file results
are cached per layer like any walker's), builds one :class:`TargetFacts` and hands it
to every ``finalize`` as ``ctx.facts``. The environment and the OS are always there;
the inventory and package ownership only when asked for. A fact that could not be
gathered is listed in :attr:`TargetFacts.missing` with an error entry: the scan is
incomplete, never "no findings".
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from seawall.analyzers.facts.environment import TargetEnvironment, target_environment
from seawall.analyzers.facts.inventory import Inventory, build_inventory, extract_inventory_files
from seawall.analyzers.interface import AnalysisContext, FileResult
from seawall.analyzers.package_ownership import PackageOwnership, ownership_from_inventory_files
from seawall.model.report import ErrorEntry, OSInfo

if TYPE_CHECKING:
    from seawall.sources.interface import Target

FACT_INVENTORY = "inventory"
"""The merged package inventory (:class:`~.inventory.Inventory`)."""
FACT_OWNERSHIP = "ownership"
"""Which paths the OS packages installed (:class:`PackageOwnership`)."""
KNOWN_FACTS = frozenset({FACT_INVENTORY, FACT_OWNERSHIP})
"""Facts an analyzer may ask for (the environment and OS are always gathered)."""
NEEDS_INVENTORY_WALK = frozenset({FACT_INVENTORY, FACT_OWNERSHIP})
"""Facts built from the inventory extractor's per-file results."""


class MissingFactError(RuntimeError):
    """An analyzer read a fact nobody gathered (a bug: declare it in ``facts``)."""


@dataclass
class TargetFacts:
    """What one target is, gathered once per scan."""

    os: OSInfo | None = None
    """Detected OS."""
    environment: TargetEnvironment = field(default_factory=TargetEnvironment)
    """``Env``, ``Labels`` and history of an image or container."""
    gathered_inventory: Inventory | None = None
    gathered_ownership: PackageOwnership | None = None
    errors: list[ErrorEntry] = field(default_factory=list)
    """Why facts could not be gathered (completely)."""
    missing: set[str] = field(default_factory=set)
    """Facts that could not be gathered completely: the scan is incomplete."""

    @property
    def inventory(self) -> Inventory:
        """The merged package inventory; raises when it was not gathered."""
        if self.gathered_inventory is None:
            raise MissingFactError("the inventory fact was not gathered")
        return self.gathered_inventory

    @property
    def ownership(self) -> PackageOwnership:
        """Package-owned paths; raises when they were not gathered."""
        if self.gathered_ownership is None:
            raise MissingFactError("the package ownership fact was not gathered")
        return self.gathered_ownership


def gather_facts(target: Target, needed: Collection[str],
                 inventory_files: Iterable[FileResult] = ()) -> TargetFacts:
    """Build the facts ``needed`` of ``target``; ``inventory_files`` are the inventory
    extractor's per-file results (every layer's, tagged visible or not) when the
    inventory or ownership is needed. Nothing raises: a fact that fails is recorded in
    ``errors`` and ``missing``."""
    unknown = set(needed) - KNOWN_FACTS
    if unknown:
        raise ValueError(f"unknown facts: {', '.join(sorted(unknown))}")
    facts = TargetFacts()
    try:
        facts.os = target.os
    except Exception as exc:  # a hostile os-release must not stop the scan
        facts.errors.append(ErrorEntry("facts:os", f"{type(exc).__name__}: {exc}"))
        facts.missing.add("os")
    try:
        facts.environment = target_environment(target)
    except Exception as exc:
        facts.errors.append(ErrorEntry("facts:environment", f"{type(exc).__name__}: {exc}"))
        facts.missing.add("environment")
    files = list(inventory_files)
    if FACT_INVENTORY in needed:
        try:
            facts.gathered_inventory = build_inventory(target, files)
        except Exception as exc:
            facts.gathered_inventory = Inventory()
            facts.gathered_inventory.incomplete = True
            facts.errors.append(ErrorEntry("facts:inventory", f"{type(exc).__name__}: {exc}"))
        facts.errors.extend(facts.gathered_inventory.errors)
        if facts.gathered_inventory.incomplete:
            facts.missing.add(FACT_INVENTORY)
    if FACT_OWNERSHIP in needed:
        try:
            facts.gathered_ownership = ownership_from_inventory_files(files, target.fs)
        except Exception as exc:
            facts.gathered_ownership = PackageOwnership(fs=target.fs)
            facts.errors.append(ErrorEntry("facts:ownership", f"{type(exc).__name__}: {exc}"))
            facts.missing.add(FACT_OWNERSHIP)
    return facts


def facts_for(target: Target, ctx: AnalysisContext, needed: Collection[str]) -> TargetFacts:
    """``ctx.facts`` (set by the scan driver), or -- for an analyzer run on its own
    (SDK, tests) -- the facts gathered now with one walk of the target, kept in
    ``ctx.facts`` for the next analyzer."""
    facts = ctx.facts
    have = set()
    if facts is not None:
        have = {n for n, v in ((FACT_INVENTORY, facts.gathered_inventory),
                               (FACT_OWNERSHIP, facts.gathered_ownership)) if v is not None}
    if facts is None or not set(needed) <= have:
        wanted = set(needed) | have
        files = extract_inventory_files(target, ctx) if wanted & NEEDS_INVENTORY_WALK else []
        facts = gather_facts(target, wanted, files)
        ctx.facts = facts
        for error in facts.errors:
            ctx.error(error.scope, error.message)
    return facts
