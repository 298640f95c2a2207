"""Apache's ``$apr1$`` hash: Poul-Henning Kamp's md5crypt with another magic.

libxcrypt does not implement apr1 (htpasswd's default), so this is the algorithm from
FreeBSD ``crypt-md5.c`` / APR ``apr_md5.c``, parameterised by the magic. It is checked
against libcrypt's ``$1$`` in the tests (same code path, other magic).
"""

from __future__ import annotations

import hashlib

CRYPT_ALPHABET = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

# Byte order of the final 16-byte digest as md5crypt encodes it, 3 bytes per 4 chars.
_FINAL_ORDER = ((0, 6, 12), (1, 7, 13), (2, 8, 14), (3, 9, 15), (4, 10, 5))


def _b64_triplet(b2: int, b1: int, b0: int, n: int) -> str:
    value = (b2 << 16) | (b1 << 8) | b0
    out = []
    for _ in range(n):
        out.append(CRYPT_ALPHABET[value & 0x3F])
        value >>= 6
    return "".join(out)


def md5_crypt(password: bytes, salt: bytes, magic: bytes = b"$apr1$") -> str:
    """The full ``magic salt $ digest`` string (salt cut at 8 bytes and at ``$``)."""
    salt = salt.split(b"$", 1)[0][:8]
    alt = hashlib.md5(password + salt + password).digest()
    ctx = hashlib.md5(password + magic + salt)
    n = len(password)
    while n > 0:
        ctx.update(alt[: min(16, n)])
        n -= 16
    n = len(password)
    while n:
        ctx.update(b"\0" if n & 1 else password[:1])
        n >>= 1
    final = ctx.digest()
    for i in range(1000):
        parts = []
        parts.append(password if i & 1 else final)
        if i % 3:
            parts.append(salt)
        if i % 7:
            parts.append(password)
        parts.append(final if i & 1 else password)
        final = hashlib.md5(b"".join(parts)).digest()
    encoded = "".join(_b64_triplet(final[a], final[b], final[c], 4) for a, b, c in _FINAL_ORDER)
    encoded += _b64_triplet(0, 0, final[11], 2)
    return f"{magic.decode()}{salt.decode('latin-1')}${encoded}"


def apr1_matches(password: str, stored: str) -> bool:
    """Does ``password`` hash to the ``$apr1$salt$digest`` string ``stored``?"""
    rest = stored[len("$apr1$"):]
    salt = rest.split("$", 1)[0]
    computed = md5_crypt(password.encode("utf-8"), salt.encode("latin-1"))
    return computed == stored
