"""The weakpass rules and how their findings look. Passwords are masked
(``pa****``) unless ``--show-secrets``; the fingerprint never contains them."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from seawall.analyzers.weakpass.credentials import Credential, DirectIssue
from seawall.model.finding import (
    SUBJECT_KEY,
    Category,
    Finding,
    Location,
    Severity,
    empty_password_subject,
)


@dataclass(frozen=True)
class WeakpassRule:
    """A stable rule id with its texts."""

    rule_id: str
    title: str
    remediation: str
    attack: tuple[str, ...] = ("T1110.002",)


RULES = {
    "SW-WP-001": WeakpassRule(
        "SW-WP-001", "Account usable without a password",
        "Set a strong password or lock the account (passwd -l / ACL off / enable auth).",
        ("T1078.001",)),
    "SW-WP-002": WeakpassRule(
        "SW-WP-002", "PostgreSQL trust authentication",
        "Use scram-sha-256 (or peer for the local socket) instead of trust in pg_hba.conf.",
        ("T1078.001",)),
    "SW-WP-003": WeakpassRule(
        "SW-WP-003", "Password hash cracked with a common-password dictionary",
        "Set a long random password (or lock the account) and rebuild the image; do not bake "
        "credentials into images, inject them at run time."),
    "SW-WP-004": WeakpassRule(
        "SW-WP-004", "Private key without a passphrase",
        "Do not ship private keys in images; mount them at run time, or encrypt them "
        "(ssh-keygen -p).", ("T1552.004",)),
    "SW-WP-005": WeakpassRule(
        "SW-WP-005", "Common password in a configuration file",
        "Replace it with a long random secret injected at run time."),
    "SW-WP-006": WeakpassRule(
        "SW-WP-006", "Common password in an environment variable",
        "Pass secrets at run time (secrets files, orchestrator secrets), never in image ENV.",
        ("T1552.001",)),
}
REFERENCES = ["https://attack.mitre.org/techniques/T1110/002/",
              "https://cwe.mitre.org/data/definitions/521.html"]


def mask(password: str, show: bool = False) -> str:
    """``pa****``: at most two leading characters, never the length."""
    if show:
        return password
    keep = 2 if len(password) >= 6 else (1 if len(password) >= 3 else 0)
    return password[:keep] + "****"


def _finding(rule_id: str, severity: Severity, title: str, description: str,
             location: Location, evidence: str | None, identity: str,
             extra: dict[str, object]) -> Finding:
    rule = RULES[rule_id]
    return Finding(
        rule_id=rule_id, category=Category.WEAKPASS, severity=severity, title=title,
        description=description, remediation=rule.remediation, location=location,
        evidence=evidence, references=list(REFERENCES), tags={"attack": list(rule.attack)},
        extra=extra, fingerprint_key=hashlib.sha256(identity.encode()).hexdigest()[:16])


def _who(service: str, account: str) -> str:
    return f"{service} account {account!r}" if account else f"{service} password"


def issue_finding(issue: DirectIssue, layer: str | None) -> Finding:
    """A weakness found without cracking."""
    rule = RULES[issue.rule_id]
    high = issue.privileged or issue.rule_id in ("SW-WP-001",)
    severity = Severity.CRITICAL if issue.privileged and issue.rule_id == "SW-WP-001" else (
        Severity.HIGH if high else Severity.MEDIUM)
    extra: dict[str, object] = {"service": issue.service, "account": issue.account}
    if issue.rule_id == "SW-WP-001" and issue.service == "system":
        # The backdoor scanner reports the same passwordless account (SW-BD-028).
        extra[SUBJECT_KEY] = empty_password_subject(issue.path, issue.account)
    return _finding(
        issue.rule_id, severity, f"{rule.title}: {_who(issue.service, issue.account)}",
        issue.detail, Location(path=issue.path, layer=layer, line=issue.line), None,
        f"{issue.service}\x1f{issue.account}", extra)


def cracked_finding(cred: Credential, password: str, method: str, layer: str | None,
                    show: bool) -> Finding:
    """A stored hash or plaintext that is in the dictionary."""
    rule_id = "SW-WP-005" if cred.scheme == "plain" else "SW-WP-003"
    rule = RULES[rule_id]
    how = ("is stored in plain text and is a common password" if cred.scheme == "plain"
           else f"({method}) was cracked with the common-password dictionary")
    return _finding(
        rule_id, Severity.CRITICAL if cred.privileged else Severity.HIGH,
        f"{rule.title}: {_who(cred.service, cred.account)}",
        f"The password of {_who(cred.service, cred.account)} {how}.",
        Location(path=cred.path, layer=layer, line=cred.line), mask(password, show),
        f"{cred.service}\x1f{cred.account}\x1f{cred.secret}",
        {"service": cred.service, "account": cred.account, "hash": method})


def env_finding(name: str, value: str, where: str, show: bool) -> Finding:
    """A dictionary password in image/container Env."""
    rule = RULES["SW-WP-006"]
    return _finding(
        "SW-WP-006", Severity.HIGH, f"{rule.title}: {name}",
        f"{name} in the {where} environment holds a common password; everyone who can pull "
        "the image can read it.", Location(resource=f"{where}:Env/{name}"), mask(value, show),
        name, {"variable": name})


def env_empty_finding(name: str, value: str, where: str) -> Finding:
    """``*_ALLOW_EMPTY_PASSWORD=yes`` / ``*_HOST_AUTH_METHOD=trust`` in Env."""
    rule = RULES["SW-WP-001"]
    return _finding(
        "SW-WP-001", Severity.HIGH, f"{rule.title}: {name}={value}",
        f"{name}={value} in the {where} environment makes the service accept logins "
        "without a password.", Location(resource=f"{where}:Env/{name}"), f"{name}={value}",
        name, {"variable": name})
