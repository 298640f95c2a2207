"""Facts before verdicts (Trivy's fanal/scanner split): what a target *is* -- its OS,
package inventory, package ownership and environment -- gathered once per scan into
a :class:`~seawall.analyzers.facts.target_facts.TargetFacts` that every analyzer reads
(``ctx.facts``) instead of extracting it again. See :mod:`.target_facts`."""
