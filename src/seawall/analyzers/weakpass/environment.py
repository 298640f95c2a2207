"""Password-like variables in image config / container Env: ``*_PASSWORD``,
``*_PASS``, ``*_PASSWD``, ``*_SECRET``..., and switches that turn passwords off
(``MYSQL_ALLOW_EMPTY_PASSWORD``, ``POSTGRES_HOST_AUTH_METHOD=trust``)."""

from __future__ import annotations

import re
from collections.abc import Iterable

_PASSWORD_NAME = re.compile(r"(^|_)(PASS|PASSWORD|PASSWD|PWD|SECRET|PASSPHRASE|ROOT_PW)$", re.I)
_EMPTY_SWITCH = re.compile(r"ALLOW_EMPTY_PASSWORD$", re.I)


def env_pairs(env: Iterable[object]) -> list[tuple[str, str]]:
    """``NAME=value`` strings into pairs (junk entries dropped)."""
    out = []
    for item in env:
        if isinstance(item, str) and "=" in item:
            name, _, value = item.partition("=")
            out.append((name, value))
    return out


def password_variables(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Variables whose name says they hold a password, with a value."""
    # Values starting with / or $ are *_FILE paths and ${REF}s, not passwords.
    return [(n, v) for n, v in pairs if _PASSWORD_NAME.search(n) and v
            and not _EMPTY_SWITCH.search(n) and not v.startswith(("/", "$"))]


def passwordless_switches(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Variables that disable password authentication."""
    out = []
    for name, value in pairs:
        v = value.strip().lower()
        if (_EMPTY_SWITCH.search(name) and v in ("yes", "true", "1")) or \
                (name.upper().endswith("HOST_AUTH_METHOD") and v == "trust"):
            out.append((name, value))
    return out
