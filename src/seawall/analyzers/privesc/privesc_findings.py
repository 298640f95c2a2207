"""Building privesc findings (rule id SW-PE-…, why, remediation, exploit hint)."""

from __future__ import annotations

from seawall.model.finding import SUBJECT_KEY, Category, Finding, Location, Severity

REFERENCES = ["https://gtfobins.github.io/",
              "https://attack.mitre.org/techniques/T1548/"]
_ATTACK = {"SUID": ["T1548.001"], "SUDO": ["T1548.003"], "CAP": ["T1548"], "FILE": ["T1548"],
           "PATH": ["T1574.007"], "GROUP": ["T1611"]}


def privesc_finding(rule_id: str, severity: str, title: str, why: str, remediation: str,
                    path: str, layer: str | None, evidence: str | None, line: int | None = None,
                    hint: str | None = None, subject: str | None = None) -> Finding:
    """One privesc finding; the fingerprint is rule + path (+ the line's text for sudo)."""
    family = rule_id.split("-")[2]
    extra: dict[str, object] = {}
    if hint:
        extra["hint"] = hint
    if subject:
        extra[SUBJECT_KEY] = subject
    return Finding(
        rule_id=rule_id, category=Category.PRIVESC, severity=Severity(severity), title=title,
        description=why, remediation=remediation,
        location=Location(path=path, layer=layer, line=line), evidence=evidence,
        references=list(REFERENCES), tags={"attack": _ATTACK.get(family, ["T1548"])},
        extra=extra, fingerprint_key=(evidence or "") if family in ("SUDO", "GROUP") else "")
