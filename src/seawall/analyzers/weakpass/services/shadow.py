"""``/etc/shadow`` (and legacy hashes left in ``/etc/passwd``): crypt(3) hashes of
system accounts; an empty field means login without any password."""

from __future__ import annotations

from seawall.analyzers.weakpass.credentials import Credential, DirectIssue, ParseOutcome
from seawall.analyzers.weakpass.service_parser import ServiceParser, register_service, text_lines

LOCK_MARKS = ("!", "*", "x")


def shadow_entries(path: str, lines: list[str], field_count: int, service: str,
                   uid_field: int | None) -> ParseOutcome:
    """Parse passwd-like ``name:hash:…`` lines (shadow, passwd, ftpasswd files)."""
    out = ParseOutcome()
    for n, line in enumerate(lines, 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split(":")
        if len(parts) < field_count or not parts[0]:
            out.skipped.append(f"{path}:{n}: malformed line ({len(parts)} fields)")
            continue
        user, stored = parts[0], parts[1]
        privileged = user == "root" or (
            uid_field is not None and len(parts) > uid_field and parts[uid_field] == "0")
        out.context_words.append(user)
        if stored == "":
            out.issues.append(DirectIssue(
                "SW-WP-001", service, user, path, n,
                "the password field is empty: the account logs in without a password",
                privileged))
            continue
        if stored.startswith(LOCK_MARKS):
            continue  # locked or shadowed: nothing to crack
        out.credentials.append(Credential(service, user, "crypt", stored, path, n, privileged))
    return out


@register_service
class ShadowParser(ServiceParser):
    """System accounts."""

    name = "system"

    def wants(self, path: str) -> bool:
        """/etc/shadow and /etc/passwd."""
        return path in ("/etc/shadow", "/etc/passwd")

    def parse(self, path: str, data: bytes) -> ParseOutcome:
        """shadow has 9 fields; passwd 7 (hashes there are the pre-shadow layout)."""
        if path == "/etc/passwd":
            return shadow_entries(path, text_lines(data), 7, self.name, uid_field=2)
        return shadow_entries(path, text_lines(data), 2, self.name, uid_field=None)
