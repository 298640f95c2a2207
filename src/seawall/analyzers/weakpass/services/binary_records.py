"""Heuristics shared by the database-file scanners: find hash strings in raw table
pages and guess the account name from the printable runs just before them.

We do not parse InnoDB/Aria/MyISAM/PostgreSQL heap pages: a row stores the user
name a few bytes before its password column in every one of these formats, so the
nearest identifier-like strings before a hash are the candidates. Truncated or
corrupt files simply yield fewer matches.
"""

from __future__ import annotations

import re

_RUN = re.compile(rb"[A-Za-z0-9_.@-]{1,64}")
_HASHLIKE = re.compile(r"md5[0-9a-f]{32}|SCRAM-SHA|[0-9A-Fa-f]{32}")
_HOSTLIKE = re.compile(r"^(localhost|%|::1|127\.0\.0\.1|[0-9.]+|[0-9a-f]{12})$")
#: Words of record formats and JSON keys that are never user names.
_NOISE = frozenset({
    "access", "plugin", "authentication_string", "password_last_changed", "version_id",
    "mysql_native_password", "caching_sha2_password", "unix_socket", "ed25519",
    "auth_or", "password_lifetime", "account_locked", "N", "Y", "md5", "infimum",
    "supremum", "default_role", "max_connections",
})


def names_before(data: bytes, pos: int, window: int = 160, limit: int = 4) -> list[str]:
    """Plausible account names in the ``window`` bytes before ``pos``, nearest first."""
    chunk = data[max(0, pos - window):pos]
    out: list[str] = []
    for m in reversed(list(_RUN.finditer(chunk))):
        word = m.group().decode("ascii")
        # Aria/MyISAM fixed-width rows put Host and User side by side: 'localhostroot'.
        if word.startswith("localhost") and len(word) > len("localhost"):
            word = word[len("localhost"):]
        # One-byte runs are length headers (PostgreSQL's short varlena 'I', ...).
        if len(word) < 2 or word in _NOISE or _HOSTLIKE.match(word) or word.isdigit() or \
                _HASHLIKE.search(word):
            continue
        if word not in out:
            out.append(word)
        if len(out) >= limit:
            break
    return out
