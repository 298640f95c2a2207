"""Which severity a vulnerability finding gets: the distro's or vendor's label first,
else the base score of the published CVSS vectors (v3.x, then v4, then v2), else the
same through advisories that alias the id (a GHSA for a PYSEC or a tracker CVE)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from seawall.analyzers.vuln.cvss import CvssVectorError, base_score, rating
from seawall.analyzers.vuln.db.store import AdvisoryInfo, VulnStore
from seawall.model.finding import Severity

_DEBIAN_URGENCY = {"unimportant": Severity.LOW, "low": Severity.LOW,
                   "medium": Severity.MEDIUM, "high": Severity.HIGH}
_LABELS = {"low": Severity.LOW, "moderate": Severity.MEDIUM, "medium": Severity.MEDIUM,
           "high": Severity.HIGH, "important": Severity.HIGH, "critical": Severity.CRITICAL}
_CVSS_ORDER = ("CVSS_V3", "CVSS_V4", "CVSS_V2")


@dataclass(frozen=True)
class SeverityChoice:
    """The chosen severity and where it came from."""

    severity: Severity
    source: str
    """``debian``, ``vendor``, ``cvss_v3`` ..., or ``none`` when nothing said anything
    (the severity is then ``unknown``)."""
    score: float | None = None
    vector: str | None = None


def debian_urgency(urgency: str | None) -> Severity | None:
    """Tracker urgency (``low``, ``medium**``, ``unimportant``) to a severity."""
    if not urgency:
        return None
    return _DEBIAN_URGENCY.get(urgency.split()[0].rstrip("*"))


def _label(label: str | None) -> Severity | None:
    return _LABELS.get(label.strip().lower()) if label else None


def _from_cvss(adv: AdvisoryInfo) -> SeverityChoice | None:
    for kind in _CVSS_ORDER:
        for t, vector in adv.severities:
            if t != kind:
                continue
            try:
                score = base_score(vector)
            except CvssVectorError:
                continue
            return SeverityChoice(rating(score), kind.lower(), score, vector)
    return None


def choose_severity(
    store: VulnStore,
    advisories: Iterable[AdvisoryInfo],
    *,
    distro_urgency: str | None = None,
    package_label: str | None = None,
    alias_ids: Iterable[str] = (),
) -> SeverityChoice:
    """Pick the severity for a finding backed by ``advisories``."""
    advs = [a for a in advisories if a is not None]
    sev = debian_urgency(distro_urgency)
    if sev is not None:
        return SeverityChoice(sev, "debian")
    sev = _label(package_label)
    if sev is not None:
        return SeverityChoice(sev, "vendor")
    for adv in advs:
        sev = _label(adv.vendor_severity)
        if sev is not None:
            return SeverityChoice(sev, "vendor")
    for adv in advs:
        choice = _from_cvss(adv)
        if choice is not None:
            return choice
    seen = {a.id for a in advs}
    for alias in alias_ids:
        for other_id in [alias, *store.advisories_aliasing(alias)]:
            if other_id in seen:
                continue
            seen.add(other_id)
            other = store.advisory(other_id)
            if other is None:
                continue
            sev = _label(other.vendor_severity)
            if sev is not None:
                return SeverityChoice(sev, f"vendor:{other_id}")
            choice = _from_cvss(other)
            if choice is not None:
                return SeverityChoice(choice.severity, f"{choice.source}:{other_id}",
                                      choice.score, choice.vector)
    return SeverityChoice(Severity.UNKNOWN, "none")
