"""The table of persistence checks: each check has a stable ID (``SW-BD-0NN``), a
title, a severity, ATT&CK techniques and a function that yields :class:`CheckHit`\\ s
(file, line and why) from a :class:`~.scan_context.BackdoorContext`.

Adding a check = adding a function decorated with :func:`backdoor_check` in a module
of this package (modules are imported by :mod:`.analyzer`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from seawall.model.finding import SUBJECT_KEY, Category, Finding, Location, Severity

if TYPE_CHECKING:
    from seawall.analyzers.backdoor.scan_context import BackdoorContext


@dataclass(frozen=True)
class CheckHit:
    """One thing a check found."""

    path: str
    why: str
    line: int | None = None
    evidence: str | None = None
    severity: Severity | None = None
    """Overrides the check's default (e.g. critical when two risky settings combine)."""
    subject: str | None = None
    """The fact another scanner may report too (``Finding.extra["same_fact"]``)."""


CheckFunction = Callable[["BackdoorContext"], Iterator[CheckHit]]


@dataclass(frozen=True)
class BackdoorCheck:
    """A registered persistence check."""

    check_id: str
    title: str
    severity: Severity
    attack: tuple[str, ...]
    remediation: str
    run: CheckFunction


CHECKS: dict[str, BackdoorCheck] = {}


def backdoor_check(
    check_id: str, title: str, severity: str, attack: tuple[str, ...], remediation: str
) -> Callable[[CheckFunction], CheckFunction]:
    """Register the decorated function as check ``check_id``."""

    def wrap(func: CheckFunction) -> CheckFunction:
        if check_id in CHECKS:
            raise ValueError(f"duplicate backdoor check id {check_id}")
        CHECKS[check_id] = BackdoorCheck(check_id, title, Severity(severity), attack,
                                         remediation, func)
        return func

    return wrap


def _evidence(text: str | None) -> str | None:
    if text is None:
        return None
    text = text.strip()
    return text if len(text) <= 200 else text[:197] + "..."


def finding_for(check: BackdoorCheck, hit: CheckHit, layer: str | None) -> Finding:
    """The report finding of one hit."""
    return Finding(
        rule_id=check.check_id,
        category=Category.BACKDOOR,
        severity=hit.severity or check.severity,
        title=check.title,
        description=hit.why,
        remediation=check.remediation,
        location=Location(path=hit.path, layer=layer, line=hit.line),
        evidence=_evidence(hit.evidence),
        references=[f"https://attack.mitre.org/techniques/{t.replace('.', '/')}/"
                    for t in check.attack],
        tags={"attack": list(check.attack)} if check.attack else {},
        fingerprint_key=_evidence(hit.evidence) or hit.why,
        extra={SUBJECT_KEY: hit.subject} if hit.subject else {},
    )
