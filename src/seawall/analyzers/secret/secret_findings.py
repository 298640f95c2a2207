"""Turning engine matches and path-rule hits into report findings.

A secret's finding id mixes in sha256(secret) (``fingerprint_key``), so the same secret
in the same place keeps its id across runs while line numbers may move. The same secret
seen several times in one file by one rule becomes one finding listing its lines.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterable

from seawall.analyzers.secret.engine import SecretMatch
from seawall.analyzers.secret.rules import PathRule
from seawall.model.finding import Category, Finding, Location

MAX_LINES_LISTED = 20

_DEFAULT_REMEDIATION = (
    "Revoke and rotate the credential, remove it from the image (build secrets: "
    "`docker build --secret`, runtime: a secret store or mounted file), and rebuild "
    "without it in any layer."
)


def secret_fingerprint(secret: str) -> str:
    """sha256 of the secret: the identity of a secret finding, never shown."""
    return hashlib.sha256(secret.encode("utf-8", "surrogateescape")).hexdigest()


def findings_from_matches(
    matches: Iterable[SecretMatch],
    path: str | None,
    layer: str | None,
    resource: str | None = None,
    where: str = "",
) -> list[Finding]:
    """One finding per (rule, secret) in one file or metadata field."""
    grouped: dict[tuple[str, str], list[SecretMatch]] = {}
    for m in matches:
        grouped.setdefault((m.rule.id, secret_fingerprint(m.secret)), []).append(m)
    out = []
    for (_rid, fp), ms in grouped.items():
        first = ms[0]
        rule = first.rule
        place = where or path or resource or "the target"
        desc = rule.description or f"{rule.title} found in {place}."
        out.append(
            Finding(
                rule_id=rule.id,
                category=Category.SECRET,
                severity=rule.severity,
                title=rule.title,
                description=desc,
                remediation=rule.remediation or _DEFAULT_REMEDIATION,
                location=Location(path=path, layer=layer, line=first.line if path else None,
                                  resource=resource),
                evidence=first.evidence,
                references=list(rule.references),
                extra={
                    "family": rule.family,
                    "confidence": rule.confidence,
                    "lines": sorted({m.line for m in ms})[:MAX_LINES_LISTED],
                    "occurrences": len(ms),
                    "entropy": first.entropy,
                },
                fingerprint_key=fp,
            )
        )
    return out


def finding_from_path_rule(rule: PathRule, path: str, layer: str | None, size: int) -> Finding:
    """A sensitive file recognised by its path (and content condition)."""
    return Finding(
        rule_id=rule.id,
        category=Category.SECRET,
        severity=rule.severity,
        title=rule.title,
        description=rule.description or f"{rule.title}: {path}.",
        remediation=rule.remediation or _DEFAULT_REMEDIATION,
        location=Location(path=path, layer=layer),
        evidence=f"sensitive file present ({size} bytes)",
        references=list(rule.references),
        extra={"family": rule.family, "kind": "sensitive-file"},
        fingerprint_key="path",
    )


def mark_deleted(finding: Finding) -> Finding:
    """The same finding, flagged as held by a layer whose file a later layer removed."""
    layer = finding.location.layer or "an earlier layer"
    note = (
        f" The file is deleted or replaced in the final filesystem, but layer {layer} "
        "still holds it: anyone who can pull the image can extract it."
    )
    return dataclasses.replace(
        finding,
        description=finding.description + note,
        extra={**finding.extra, "deleted_in_final_fs": True},
        id=finding.id,
    )
