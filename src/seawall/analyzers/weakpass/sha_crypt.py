"""SHA-256-crypt (Drepper's algorithm) with any salt length, for MySQL's
``caching_sha2_password``.

MySQL stores ``$A$<rounds/1000 as 3 digits>$<20-byte salt><43-char digest>``
(``i_sha2_password.h``: ITERATION_MULTIPLIER 1000, CRYPT_SALT_LENGTH 20,
STORED_SHA256_DIGEST_LENGTH 43). The digest is sha256crypt over a 20-byte salt, which
libcrypt refuses (its ``$5$`` caps the salt at 16), so this is the reference algorithm
in Python. The tests check it against libcrypt's ``$5$`` for ordinary salts.
"""

from __future__ import annotations

import hashlib

from seawall.analyzers.weakpass.md5_crypt import CRYPT_ALPHABET

# sha256crypt's byte permutation for the final base-64 encoding (3 bytes -> 4 chars).
_ORDER_256 = (
    (0, 10, 20), (21, 1, 11), (12, 22, 2), (3, 13, 23), (24, 4, 14),
    (15, 25, 5), (6, 16, 26), (27, 7, 17), (18, 28, 8), (9, 19, 29),
)


def _b64(b2: int, b1: int, b0: int, n: int) -> str:
    value = (b2 << 16) | (b1 << 8) | b0
    out = []
    for _ in range(n):
        out.append(CRYPT_ALPHABET[value & 0x3F])
        value >>= 6
    return "".join(out)


def _repeat(block: bytes, length: int) -> bytes:
    return (block * (length // len(block) + 1))[:length]


def sha256_crypt_digest(password: bytes, salt: bytes, rounds: int) -> str:
    """The 43-character digest part of sha256crypt(password, salt, rounds)."""
    sha = hashlib.sha256
    b = sha(password + salt + password).digest()
    a = sha(password + salt + _repeat(b, len(password)))
    n = len(password)
    while n:
        a.update(b if n & 1 else password)
        n >>= 1
    a_digest = a.digest()
    p_bytes = _repeat(sha(password * len(password)).digest(), len(password))
    s_bytes = _repeat(sha(salt * (16 + a_digest[0])).digest(), len(salt))
    c = a_digest
    # Precomputed concatenations: the loop only ever hashes these eight shapes.
    for i in range(rounds):
        data = p_bytes if i & 1 else c
        if i % 3:
            data += s_bytes
        if i % 7:
            data += p_bytes
        data += c if i & 1 else p_bytes
        c = sha(data).digest()
    out = "".join(_b64(c[x], c[y], c[z], 4) for x, y, z in _ORDER_256)
    return out + _b64(0, c[31], c[30], 3)


def mysql_caching_sha2_matches(password: str, stored: bytes) -> bool:
    """Does ``password`` match MySQL's ``$A$005$<salt20><digest43>`` value?"""
    rounds = int(stored[3:6]) * 1000
    salt = stored[7:27]
    digest = stored[27:70].decode("ascii", "replace")
    return sha256_crypt_digest(password.encode("utf-8"), salt, rounds) == digest
