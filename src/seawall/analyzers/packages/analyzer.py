"""The ``packages`` analyzer: the target's package inventory (its SBOM) and the OS end
of life check (``SW-OS-EOL``). The inventory itself is a fact
(:mod:`seawall.analyzers.facts.inventory`) that the ``vuln`` analyzer reads too."""

from __future__ import annotations

from typing import TYPE_CHECKING

from seawall.analyzers.facts.target_facts import FACT_INVENTORY, facts_for
from seawall.analyzers.interface import AnalysisContext, Analyzer, AnalyzerResult, FileResult
from seawall.analyzers.packages.os_eol import eol_finding, eol_status

if TYPE_CHECKING:
    from seawall.sources.interface import Target


class PackagesAnalyzer(Analyzer):
    """Inventory of installed OS and language packages (the SBOM of a target)."""

    name = "packages"
    version = "2"
    description = "Installed OS and language packages (SBOM inventory) and OS end of life"
    facts = frozenset({FACT_INVENTORY})

    def finalize(
        self, target: Target, files: list[FileResult], ctx: AnalysisContext
    ) -> AnalyzerResult:
        """The inventory's packages, and the OS end of life finding."""
        facts = facts_for(target, ctx, self.facts)
        out = AnalyzerResult(packages=list(facts.inventory.packages))
        os_info = facts.os
        if os_info is not None:
            status = eol_status(os_info)
            if status is not None:
                os_info.eol = status.eol
                if status.eol:
                    out.findings.append(eol_finding(os_info, status))
                out.data["os_eol"] = {"eol": status.eol, "cycle": status.cycle,
                                      "eol_date": str(status.eol_date or "") or None}
        return out
