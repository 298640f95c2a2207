"""PostgreSQL: role passwords in ``pg_authid`` and ``trust`` lines in pg_hba.conf.

``pg_authid`` is the shared catalog with OID 1260, stored as the heap file
``$PGDATA/global/1260``. Its tuples hold ``rolname`` (a 64-byte NUL-padded NAME)
before ``rolpassword`` (text): ``md5`` + md5(password || rolname), or
``SCRAM-SHA-256$<iter>:<salt>$<StoredKey>:<ServerKey>``. We scan the bytes for
both shapes and take role names from the identifiers before them (the md5 check
tries each, since the role name is part of the hash).
"""

from __future__ import annotations

import re

from seawall.analyzers.weakpass.credentials import Credential, DirectIssue, ParseOutcome
from seawall.analyzers.weakpass.service_parser import ServiceParser, register_service, text_lines
from seawall.analyzers.weakpass.services.binary_records import names_before

_MD5 = re.compile(rb"md5[0-9a-f]{32}(?![0-9a-f])")
_SCRAM = re.compile(rb"SCRAM-SHA-256\$[0-9]{1,8}:[A-Za-z0-9+/=]{4,64}\$[A-Za-z0-9+/=]{44}"
                    rb":[A-Za-z0-9+/=]{44}")


@register_service
class PostgresAuthidParser(ServiceParser):
    """``global/1260`` heap files."""

    name = "postgresql"
    max_bytes = 64 * 1024 * 1024

    def wants(self, path: str) -> bool:
        """The pg_authid relation file of any data directory."""
        return path.endswith("/global/1260")

    def parse(self, path: str, data: bytes) -> ParseOutcome:
        """Every verifier in the heap (dead tuples included: they were valid once)."""
        out = ParseOutcome()
        seen: set[bytes] = set()
        for pattern, scheme in ((_SCRAM, "scram-sha-256"), (_MD5, "postgres-md5")):
            for m in pattern.finditer(data):
                value = m.group()
                if value in seen:
                    continue
                seen.add(value)
                names = names_before(data, m.start(), window=200)
                account = names[0] if names else ""
                out.context_words += names[:1]
                out.credentials.append(Credential(
                    self.name, account, scheme, value.decode("ascii"), path,
                    privileged=account == "postgres", extra_users=tuple(names[1:])))
        return out


@register_service
class PgHbaParser(ServiceParser):
    """``pg_hba.conf`` lines whose method is ``trust``."""

    name = "postgresql-hba"

    def wants(self, path: str) -> bool:
        """Any pg_hba.conf."""
        return path.endswith("/pg_hba.conf")

    def parse(self, path: str, data: bytes) -> ParseOutcome:
        """``TYPE DATABASE USER [ADDRESS] METHOD [OPTIONS]``."""
        out = ParseOutcome()
        for n, raw in enumerate(text_lines(data), 1):
            line = raw.split("#", 1)[0].split()
            if len(line) < 4:
                continue
            kind = line[0]
            method = line[3] if kind == "local" else (line[4] if len(line) > 4 else "")
            if method == "trust":
                where = "local socket" if kind == "local" else f"network {line[3]}"
                out.issues.append(DirectIssue(
                    "SW-WP-002", "postgresql", line[2], path, n,
                    f"pg_hba.conf 'trust' for {where}: database {line[1]}, user {line[2]} "
                    "connect without any password", privileged=kind != "local"))
        return out
