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
    "yoursecret", "yourtoken", "xxxx", "****", "....", "----", "____",
    "notreal", "not_real", "not-real", "fake", "mock", "foobar", "todo", "fixme",
    "secret_here", "password_here", "token_here", "key_here", "enter_", "put_",
    "lorem", "ipsum", "none", "null", "undefined", "nil", "true", "false", "string",
    "********", "hidden", "masked", "invalid", "wrong", "incorrect", "bad-", "bad_",
    "anonymous",
)
"""Substrings (lower-case) that mark a value as a documentation or test placeholder."""


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


PLACEHOLDER_STEMS: tuple[str, ...] = ("password", "passwd", "secret", "token", "test")
"""A generic value containing one of these names itself rather than being a secret."""

COMMON_WORDS = _word_set(
    """
    a an the my your our some any new old other different default sample demo dev local
    prod production staging test tests testing fake dummy mock example value values name
    names key keys secret secrets token tokens password passwords pass passwd pwd user
    users username admin administrator root guest login logout auth oauth cert certs
    certificate private public priv pub id uuid ca rsa ecdsa ed25519 ssh ssl tls api app
    application client server service db database data credential credentials method
    field string str int bool none null nil empty blank foo bar baz qux hello world abc
    xyz good bad ignored unknown invalid valid wrong right correct incorrect one two
    three here there this that it is not no yes ok true false on off enabled disabled
    read write access refresh bearer basic session cookie config configuration setting
    settings env environment file path url host port store trust keystore truststore
    encrypted decrypted hash salt signature sign signing verify my-app
    option options flag flags arg args argument arguments parameter parameters switch
    define undef defined
    """
)
"""Words whose combinations (``some-value``, ``my_login_method``) are names, not secrets."""

WEAK_DEFAULTS = _word_set(
    """
    admin root guest user pass test demo default secret password letmein welcome qwerty
    master changeit postgres mysql redis
    """
)
"""Whole values that are default or example passwords (weak-password territory, not
leaked secrets)."""

_NON_SECRET_KEY_PARTS = _word_set(
    """
    hash hashed sha sha1 sha2 sha256 sha512 md5 crypt crypted digest scheme method
    field column type name label policy length size count min max minimum maximum regex
    pattern format file path dir url uri placeholder prompt hint message error expiry
    expires expiration ttl timeout header param mode enabled required reset endpoint
    provider strategy version rotation id ids kind algorithm algo ref env var uuid
    parameters params passed passes passing passthrough passthru passive bypass
    """
)
"""Key name parts that mark a setting about a secret, not the secret itself."""
_KEY_PARTS = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")

_TEMPLATE = re.compile(
    r"\$\{|\$\(|\{\{|\}\}|%\(|%[sd]\b|#\{|@\{|\$[A-Za-z_]|^\$|^%|%$|^@.{0,80}@$|\[\[|^\{.{0,200}\}$"
    r"|^<.{0,200}>$|^\[.{0,200}\]$|<%|%>"
)
_VERSION = re.compile(r"^[\^~<>=v]{0,2}\d{1,6}(?:\.(?:\d{1,6}|x|\*)){1,3}(?:[-+][\w.\-]{1,40})?$")
_HEADER_NAME = re.compile(r"^[A-Z][a-z]+(?:-[A-Z][a-z]+)+$")
_SEQUENCES = ("0123456789", "abcdefghijklmnopqrstuvwxyz", "qwertyuiop", "asdfghjkl")
_IDENTIFIER = re.compile(
    r"^(?:[a-z][a-z0-9]{0,40}(?:[._][a-z][a-z0-9]{0,40}){1,6}|[a-z]{1,30}[A-Z][a-zA-Z]{0,40})$"
)
_WORDY = re.compile(r"^[A-Za-z]{1,40}$")
_QUOTE_OR_SPACE = " \t'\"`"
_LIST_BEFORE = re.compile(r"[\"'`]\s{0,20},\s{0,20}$")
_TRAILING_COMMENT = re.compile(r"^[ \t]*[^\s#][^#\n]*[ \t](?:#|//)[ \t]*$")
_CALLED_CREDENTIAL = re.compile(r"(?i)passw|passphrase|secret|token")
_LIST_AFTER = re.compile(r"^\s{0,20},\s{0,20}[\"'`]")


def shannon_entropy(data: bytes | str) -> float:
    """Shannon entropy in bits per symbol (0 for empty input)."""
    if not data:
        return 0.0
    counts = Counter(data)
    n = len(data)
    return -sum((c / n) * math.log2(c / n) for c in counts.values())


DOCUMENTED_EXAMPLES: tuple[str, ...] = (
    "AKIAIOSFODNN7EXAMPLE",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
    # jwt.io's sample token: its payload {"sub":"1234567890","name":"John Doe",...} and
    # the HS256 signature made with "your-256-bit-secret".
    "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwi",
    "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
    # RFC 7617 / RFC 2617's Basic credentials "Aladdin:open sesame".
    "QWxhZGRpbjpvcGVuIHNlc2FtZQ",
)
"""Values published in vendors' documentation as examples (AWS's key pair, jwt.io's
token, the RFCs' Basic credentials): a file quoting them holds no credential."""
_EXAMPLE_SUFFIX = re.compile(r"EXAMPLE(?:KEY)?$")


def is_documented_example(secret: str) -> bool:
    """A vendor's documentation example (see :data:`DOCUMENTED_EXAMPLES`), or a key
    ending in ``EXAMPLE``/``EXAMPLEKEY`` the way AWS marks its examples."""
    return bool(_EXAMPLE_SUFFIX.search(secret)) or any(
        sample in secret for sample in DOCUMENTED_EXAMPLES)


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
    if any(stem in low for stem in PLACEHOLDER_STEMS) or low in WEAK_DEFAULTS:
        return True
    if _HEADER_NAME.match(v) or _VERSION.match(v):
        return True
    parts = [p for p in re.split(r"[-_. :]", low) if p]
    if parts and all(p in COMMON_WORDS or p.isdigit() for p in parts):
        return True
    if any(low in seq or seq in low for seq in _SEQUENCES if len(low) >= 4):
        return True
    return v.isdigit() and len(v) < 12


def is_setting_key(key: str) -> bool:
    """``password_hash``, ``token_ttl``, ``secret_name``: the key describes a secret."""
    parts = {p.lower() for p in _KEY_PARTS.findall(key)}
    return bool(parts & _NON_SECRET_KEY_PARTS)


def looks_like_identifier(value: str) -> bool:
    """A code reference (``config.db.password``, ``userPassword``) rather than a literal."""
    return bool(_IDENTIFIER.match(value))


_REFERENCE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,60}(?:\.[A-Za-z_][A-Za-z0-9_]{0,60}){1,8}$")


def looks_like_reference(value: str) -> bool:
    """A dotted name (``settings.db.password``, ``vault.secrets.DB``): what a config
    value looks like when it points at a secret instead of holding it."""
    return bool(_REFERENCE.match(value))


_CLASSES = (str.islower, str.isupper, str.isdigit)
_CODE_NAME = re.compile(
    r"^(?:[a-z]{2,}\d*(?:[A-Z][a-z]{2,}\d*)+|[A-Z][a-z]{2,}\d*(?:[A-Z][a-z]{2,}\d*)+"
    r"|(?:[A-Za-z][a-z]+|[A-Z]{2,})\d*(?:[_-](?:[A-Za-z][a-z]+|[A-Z]{2,})\d*)+)$"
)
"""camelCase / PascalCase / snake_case / UPPER_SNAKE names whose humps are words (two
lower-case letters or more) with at most trailing digits (``ec256Priv``,
``sha256_digest``, ``AWS4-HMAC-SHA256``)."""


def looks_generated(value: str) -> bool:
    """A value that a generator made rather than a person named: at least 8 characters,
    letters and digits mixed (or, without digits, both cases over 12+ characters with
    no 6-letter lower-case run), not an identifier, a code name (``ec256Priv``) or a
    word with a number appended (``version2``)."""
    v = value.strip("'\"`")
    if (len(v) < 8 or looks_like_identifier(v) or looks_like_reference(v)
            or _CODE_NAME.match(v)):
        return False
    classes = sum(1 for test in _CLASSES if any(test(c) for c in v))
    digits = sum(c.isdigit() for c in v)
    letters = sum(c.isalpha() for c in v)
    if digits and letters:
        if re.fullmatch(r"[A-Za-z_\-]+\d{1,4}", v) or re.fullmatch(r"\d{1,4}[A-Za-z_\-]+", v):
            return False  # a word and a number: name2, v1beta, 2fa-enabled
        return min(digits, letters) >= 2 or len(v) >= 16 or classes == 3
    if classes >= 2 and len(v) >= 12:
        # no digits: random letters rarely hold a 6-letter lower-case word or few capitals
        if re.fullmatch(r"[a-z]*(?:[A-Z][a-z]+)+", v):
            return False  # camelCase / PascalCase: NoClientCert
        longest_lower = max((len(r) for r in re.findall(r"[a-z]+", v)), default=0)
        return longest_lower <= 5 and sum(c.isupper() for c in v) >= 3
    return False


def is_keyword_echo(value: str, key: str) -> bool:
    """``password = "password"``, ``token: my_token``: the value repeats the key name."""
    low = value.lower().replace("-", "_")
    k = key.lower().replace("-", "_")
    stems = ("password", "passwd", "secret", "token", "apikey", "api_key", "key", "pass", "pwd")
    if low in stems or (k and (low in k or k in low)):
        return True
    return any(low.startswith(s) or low.endswith(s) for s in stems if len(low) <= len(s) + 6)


def is_code_shape_credential(key: str, before: str, between: str, after: str) -> bool:
    """False when the code around a generic ``key ... value`` match shows it is not an
    assignment of a credential:

    * the keyword starts inside another word (``OPpASSIGN_COMMON`` -> ``pASS``);
    * a call or macro whose name ends in ``pass``/``pwd`` rather than naming a password
      (LLVM's ``FUNCTION_PASS("loop-unroll", ...)``): a value in parentheses counts only
      after ``password``/``passphrase``/``secret``/``token`` (``setPassword("...")``);
    * the key is a branch of a ternary (``ok ? "PASS" : "FAIL"``);
    * the key opens the trailing comment of another line (``secret = $x # pass:insta``):
      such comments explain syntax (a whole commented-out line still counts);
    * the key sits where a value goes (``secret = pass:insta``, ``x: pass=1``): it is
      the value of another assignment, not a key;
    * key and value are two items of a list of strings (``"md5", "password",
      "scram-sha-256"``, ``MovedAttribute("HTTPPasswordMgr", "urllib2", ...)``): with a
      comma (no ``=``/``:``) between them, a string before the key or after the value
      makes them list members rather than a (name, value) pair.
    """
    if len(key) >= 2 and key[0].islower() and key[1].isupper():
        return False
    if "(" in between and not _CALLED_CREDENTIAL.search(key):
        return False  # FUNCTION_PASS("name", ...), pwd("x"): a call named pass/pwd
    head = before.rstrip(_QUOTE_OR_SPACE[2:])  # one quote of the key itself
    stripped = head.rstrip(" \t")
    if _TRAILING_COMMENT.match(head.rsplit("\n", 1)[-1]):
        return False
    if stripped.endswith("?") and len(stripped) < len(before):
        return False  # a quote or a space after "?": not "?token=" of a URL query
    if stripped.endswith("=") and not stripped.endswith(("==", "!=", "<=", ">=")):
        return False
    if stripped.endswith(":") and len(stripped) < len(head) and not stripped.endswith("::"):
        return False
    pair = "," in between and not any(c in between for c in "=:")
    return not (pair and (_LIST_BEFORE.search(head) or _LIST_AFTER.search(after)))


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
