"""Judging a candidate secret value: entropy, placeholders, masking.

Generic rules (``password = "..."``) match far more than secrets: templates
(``${DB_PASSWORD}``), documentation values (``<your-token>``, ``changeme``), variable
names and obvious test values. These checks decide which candidates survive, the way
detect-secrets' heuristic filters and gitleaks' stopwords do, but they run only on the
few windows the keyword prefilter let through.
"""

from __future__ import annotations

import math
import re
from collections import Counter

PLACEHOLDER_WORDS: tuple[str, ...] = (
    "changeme", "change_me", "change-me", "changeit", "example", "sample", "dummy",
    "placeholder", "redacted", "replace", "insert", "your_", "your-", "yourpass",
    "yoursecret", "yourtoken", "xxxx", "****", "....", "----", "____", "<", ">",
    "notreal", "not_real", "not-real", "fake", "mock", "foobar", "todo", "fixme",
    "secret_here", "password_here", "token_here", "key_here", "enter_", "put_",
    "lorem", "ipsum", "none", "null", "undefined", "nil", "true", "false", "string",
    "********", "hidden", "masked", "invalid", "wrong", "incorrect", "bad-", "bad_",
)
"""Substrings (lower-case) that mark a value as a documentation or test placeholder."""

_TEMPLATE = re.compile(
    r"\$\{|\$\(|\{\{|\}\}|%\(|%[sd]\b|#\{|@\{|\$[A-Za-z_]|^\$|^%|%$|^@.{0,80}@$|\[\[|^\{.{0,200}\}$"
)
_SEQUENCES = ("0123456789", "abcdefghijklmnopqrstuvwxyz", "qwertyuiop", "asdfghjkl")
_IDENTIFIER = re.compile(
    r"^(?:[a-z][a-z0-9]{0,40}(?:[._][a-z][a-z0-9]{0,40}){1,6}|[a-z]{1,30}[A-Z][a-zA-Z]{0,40})$"
)
_WORDY = re.compile(r"^[A-Za-z]{1,40}$")


def shannon_entropy(data: bytes | str) -> float:
    """Shannon entropy in bits per symbol (0 for empty input)."""
    if not data:
        return 0.0
    counts = Counter(data)
    n = len(data)
    return -sum((c / n) * math.log2(c / n) for c in counts.values())


def is_placeholder(value: str) -> bool:
    """True for values that are templates, documentation or test placeholders, variable
    references, repeated or sequential characters; never a credential worth reporting."""
    v = value.strip().strip("'\"`")
    if not v:
        return True
    low = v.lower()
    if any(w in low for w in PLACEHOLDER_WORDS):
        return True
    if _TEMPLATE.search(v):
        return True
    if v.startswith(("/", "./", "../", "~/", "file:", "http://", "https://")):
        return True
    if len(set(low)) <= 2:
        return True
    if any(low in seq or seq in low for seq in _SEQUENCES if len(low) >= 4):
        return True
    return v.isdigit() and len(v) < 12


def looks_like_identifier(value: str) -> bool:
    """A code reference (``config.db.password``, ``userPassword``) rather than a literal."""
    return bool(_IDENTIFIER.match(value))


def is_keyword_echo(value: str, key: str) -> bool:
    """``password = "password"``, ``token: my_token``: the value repeats the key name."""
    low = value.lower().replace("-", "_")
    k = key.lower().replace("-", "_")
    stems = ("password", "passwd", "secret", "token", "apikey", "api_key", "key", "pass", "pwd")
    if low in stems or (k and (low in k or k in low)):
        return True
    return any(low.startswith(s) or low.endswith(s) for s in stems if len(low) <= len(s) + 6)


def mask(secret: str) -> str:
    """The masked form used in every output: at most the first 4 characters (fewer for
    short secrets, never more than a quarter of it) followed by ``*****``."""
    keep = 4 if len(secret) >= 16 else len(secret) // 4
    return secret[:keep] + "*****"


def masked_evidence(match_text: str, secret: str, limit: int = 160) -> str:
    """The matched text with every occurrence of the secret masked, whitespace folded
    to one line and cut at ``limit`` characters."""
    text = match_text.replace(secret, mask(secret)) if secret else match_text
    text = " ".join(text.split())
    text = "".join(ch if ch.isprintable() else "?" for ch in text)
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return text


def word_shaped(value: str) -> bool:
    """Only letters (a dictionary-looking word), used with entropy for generic rules."""
    return bool(_WORDY.match(value))
