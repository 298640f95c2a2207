"""The candidate passwords: a common-password list plus context words and their
usual variants.

The base list is zxcvbn's ``passwords`` frequency list (30,000 entries, ranked, MIT
licence; see NOTICE), loaded from the installed ``zxcvbn`` package at run time so
nothing is copied into seawall. ``--wordlist FILE`` appends more. Context words
(image name, user names, service names) come first for each account, because a
password derived from the account or the product is the commonest weak password
in images after the top of the list.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

from seawall.errors import InputError

#: Defaults of container and appliance images that the web-derived list ranks low.
IMAGE_DEFAULTS = (
    "root", "toor", "changeme", "admin", "administrator", "guest", "test", "default",
    "raspberry", "alpine", "dietpi", "docker", "ubuntu", "debian", "vagrant", "secret",
    "pass", "password", "P@ssw0rd", "Passw0rd", "passw0rd", "letmein", "welcome",
    "foobared", "tomcat", "s3cret", "manager", "postgres", "mysql", "redis", "rabbitmq",
)
_YEARS = ("2020", "2021", "2022", "2023", "2024", "2025", "2026")
_SUFFIXES = ("1", "12", "123", "1234", "12345", "123456", "!", "01", "1!", "123!", "@123",
             "#123", "_123", "2", "007", "99")
_LEET = str.maketrans({"a": "@", "e": "3", "i": "1", "o": "0", "s": "$"})
MAX_WORDLIST_BYTES = 512 * 1024 * 1024


@lru_cache(maxsize=1)
def common_passwords() -> tuple[str, ...]:
    """:data:`IMAGE_DEFAULTS`, then zxcvbn's ranked ``passwords`` list."""
    try:
        from zxcvbn.frequency_lists import FREQUENCY_LISTS
    except ImportError as exc:  # a broken install; the analyzer reports it
        raise InputError("weakpass: the 'zxcvbn' package (password list) is not installed") \
            from exc
    words = list(FREQUENCY_LISTS["passwords"])
    return tuple(dedupe([*IMAGE_DEFAULTS, *words]))


def dedupe(words: Iterable[str]) -> list[str]:
    """Order-preserving unique, dropping empty strings."""
    seen: set[str] = set()
    out = []
    for w in words:
        if w and w not in seen:
            seen.add(w)
            out.append(w)
    return out


def read_wordlist(path: str) -> list[str]:
    """One candidate per line (UTF-8, undecodable bytes kept as surrogates)."""
    p = Path(path)
    try:
        if p.stat().st_size > MAX_WORDLIST_BYTES:
            raise InputError(f"--wordlist {path}: larger than {MAX_WORDLIST_BYTES >> 20} MiB")
        raw = p.read_bytes()
    except OSError as exc:
        raise InputError(f"--wordlist {path}: {exc.strerror or exc}") from None
    text = raw.decode("utf-8", "surrogateescape")
    return dedupe(line.rstrip("\r") for line in text.split("\n"))


def variants(word: str) -> list[str]:
    """``word`` and what people make of it: ``name123``, ``Name@2024``, reversed,
    capitalised, upper-case, leet."""
    w = word.strip()
    if not w or len(w) > 64:
        return []
    cap = w[:1].upper() + w[1:]
    bases = dedupe([w, w.lower(), cap, w.upper()])
    out = [*bases, w[::-1], w.lower().translate(_LEET), cap.translate(_LEET)]
    for base in (w.lower(), cap):
        out += [base + s for s in _SUFFIXES]
        out += [base + y for y in _YEARS]
        out += [f"{base}@{y}" for y in _YEARS]
        out += [f"{base}{y}!" for y in _YEARS[-3:]]
    out += [w + w, f"{w.lower()}pass", f"{w.lower()}pw", f"{w.lower()}password",
            f"{w.lower()}admin", f"admin{w.lower()}"]
    return dedupe(out)


_WORD_SPLIT = re.compile(r"[^A-Za-z0-9]+")


def context_words(raw: Iterable[str]) -> list[str]:
    """Words worth varying from names such as ``registry/acme-api:1.2`` or
    ``www-data``: the whole name and its alphabetic parts (3+ chars)."""
    out: list[str] = []
    for item in raw:
        item = item.strip()
        if not item:
            continue
        name = item.rsplit("/", 1)[-1].split("@", 1)[0].split(":", 1)[0]
        out.append(name)
        out += [p for p in _WORD_SPLIT.split(name) if len(p) >= 3 and not p.isdigit()]
    return dedupe(out)


def candidates_for(words: Sequence[str], cap: int = 4000) -> list[str]:
    """All variants of ``words``, at most ``cap`` (the first words matter most)."""
    out: list[str] = []
    for w in words:
        out += variants(w)
        if len(out) >= cap:
            break
    return dedupe(out)[:cap]
