"""One verifier per stored-password scheme: ``make_verifier(cred)`` returns a
function candidate -> bool, or raises :class:`UnsupportedHash` with the reason.

Verifiers are built inside the cracking worker (they hold a ctypes buffer), so
credentials travel between processes as plain data.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from collections.abc import Callable

from seawall.analyzers.weakpass.credentials import Credential
from seawall.analyzers.weakpass.libcrypt import LibcryptUnavailable, SystemCrypt, setting_supported
from seawall.analyzers.weakpass.md5_crypt import apr1_matches
from seawall.analyzers.weakpass.sha_crypt import mysql_caching_sha2_matches

Verifier = Callable[[str], bool]


class UnsupportedHash(ValueError):
    """The stored value is in a format we cannot (or may not) verify."""


_DES = re.compile(r"^[./0-9A-Za-z]{13}$")
_CRYPT_PREFIXES = ("$1$", "$5$", "$6$", "$y$", "$gy$", "$7$", "$2a$", "$2b$", "$2y$", "$2x$",
                   "$sha1$", "$md5", "_")


def crypt_family(stored: str) -> str:
    """Short name of a crypt(3) hash's method (for messages and cost classes)."""
    for prefix, name in (("$1$", "md5crypt"), ("$5$", "sha256crypt"), ("$6$", "sha512crypt"),
                         ("$y$", "yescrypt"), ("$gy$", "gost-yescrypt"), ("$7$", "scrypt"),
                         ("$2", "bcrypt"), ("$apr1$", "apr1"), ("$sha1$", "sha1crypt"),
                         ("_", "bsdicrypt")):
        if stored.startswith(prefix):
            return name
    return "descrypt" if _DES.match(stored) else "unknown"


def _crypt(cred: Credential) -> Verifier:
    stored = cred.secret
    if stored.startswith("$apr1$"):
        return lambda pw: apr1_matches(pw, stored)
    if not (stored.startswith(_CRYPT_PREFIXES) or _DES.match(stored)):
        raise UnsupportedHash(f"unknown hash format {stored[:6]!r}…")
    try:
        if not setting_supported(stored):
            raise UnsupportedHash(f"{crypt_family(stored)} not supported by the system libcrypt")
        engine = SystemCrypt()
    except LibcryptUnavailable as exc:
        raise UnsupportedHash(str(exc)) from None
    raw = stored.encode("utf-8", "surrogateescape")
    hash_bytes = engine.hash_bytes
    return lambda pw: hash_bytes(pw.encode("utf-8", "surrogateescape"), raw) == raw


def _plain(cred: Credential) -> Verifier:
    stored = cred.secret
    return lambda pw: pw == stored


def _ldap_sha(cred: Credential) -> Verifier:
    """``{SHA}base64(sha1)`` (htpasswd -s, Tomcat) and ``{SSHA}`` (salted)."""
    tag, _, body = cred.secret[1:].partition("}")
    try:
        raw = base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        raise UnsupportedHash(f"{{{tag}}} value is not base64") from None
    algo = {"SHA": "sha1", "SSHA": "sha1", "MD5": "md5", "SMD5": "md5", "SHA256": "sha256",
            "SSHA256": "sha256", "SHA512": "sha512", "SSHA512": "sha512"}.get(tag.upper())
    if algo is None:
        raise UnsupportedHash(f"unknown scheme {{{tag}}}")
    size = hashlib.new(algo).digest_size
    digest, salt = raw[:size], raw[size:]
    if len(digest) != size:
        raise UnsupportedHash(f"{{{tag}}} digest too short")
    return lambda pw: hashlib.new(algo, pw.encode() + salt).digest() == digest


def _hex_digest(cred: Credential) -> Verifier:
    """Unsalted hex digest; the algorithm follows from the length (Tomcat, Redis ACL)."""
    stored = cred.secret.lower()
    algo = {32: "md5", 40: "sha1", 64: "sha256", 128: "sha512"}.get(len(stored))
    if algo is None or not re.fullmatch(r"[0-9a-f]+", stored):
        raise UnsupportedHash("not a hex md5/sha1/sha256/sha512 digest")
    return lambda pw: hashlib.new(algo, pw.encode()).hexdigest() == stored


def _mysql_native(cred: Credential) -> Verifier:
    stored = cred.secret.upper()
    if not re.fullmatch(r"\*[0-9A-F]{40}", stored):
        raise UnsupportedHash("not a mysql_native_password hash")
    target = bytes.fromhex(stored[1:])
    sha1 = hashlib.sha1
    return lambda pw: sha1(sha1(pw.encode()).digest()).digest() == target


def _mysql_caching_sha2(cred: Credential) -> Verifier:
    stored = cred.secret.encode("latin-1")
    if len(stored) != 70 or not re.fullmatch(rb"\$A\$\d{3}\$", stored[:7]):
        raise UnsupportedHash("not a caching_sha2_password value ($A$NNN$ + 63 bytes)")
    return lambda pw: mysql_caching_sha2_matches(pw, stored)


def _postgres_md5(cred: Credential) -> Verifier:
    stored = cred.secret.lower()
    users = [u for u in (cred.account, *cred.extra_users) if u]
    if not users:
        raise UnsupportedHash("md5 password without a role name")
    md5 = hashlib.md5

    def check(pw: str) -> bool:
        return any("md5" + md5((pw + u).encode()).hexdigest() == stored for u in users)

    return check


def _scram_sha256(cred: Credential) -> Verifier:
    """RFC 5803 ``SCRAM-SHA-256$<iter>:<salt>$<StoredKey>:<ServerKey>``."""
    m = re.fullmatch(r"SCRAM-SHA-256\$(\d+):([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)",
                     cred.secret)
    if not m:
        raise UnsupportedHash("malformed SCRAM-SHA-256 verifier")
    iterations = int(m.group(1))
    if not 1 <= iterations <= 10_000_000:
        raise UnsupportedHash(f"implausible SCRAM iteration count {iterations}")
    salt = base64.b64decode(m.group(2))
    stored_key = base64.b64decode(m.group(3))

    def check(pw: str) -> bool:
        salted = hashlib.pbkdf2_hmac("sha256", pw.encode(), salt, iterations)
        client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
        return hashlib.sha256(client_key).digest() == stored_key

    return check


def _rabbitmq(cred: Credential) -> Verifier:
    """``base64(salt4 || H(salt4 || password))``; the hash function from the
    definitions' ``hashing_algorithm`` is carried in the scheme suffix."""
    algo = cred.scheme.rpartition("-")[2]
    try:
        raw = base64.b64decode(cred.secret, validate=True)
    except (binascii.Error, ValueError):
        raise UnsupportedHash("RabbitMQ password_hash is not base64") from None
    if len(raw) != 4 + hashlib.new(algo).digest_size:
        raise UnsupportedHash(f"RabbitMQ {algo} hash has the wrong length")
    salt, digest = raw[:4], raw[4:]
    return lambda pw: hashlib.new(algo, salt + pw.encode()).digest() == digest


def _grafana(cred: Credential) -> Verifier:
    """Grafana ``EncodePassword``: hex(PBKDF2-HMAC-SHA256(pw, salt, 10000, 50));
    stored here as ``salt$hex``."""
    salt, _, hexdigest = cred.secret.rpartition("$")
    if len(hexdigest) != 100 or not salt:
        raise UnsupportedHash("Grafana password is not salt + 100 hex chars")
    target = hexdigest.lower()
    return lambda pw: hashlib.pbkdf2_hmac(
        "sha256", pw.encode(), salt.encode(), 10000, 50).hex() == target


SCHEMES: dict[str, Callable[[Credential], Verifier]] = {
    "crypt": _crypt,
    "plain": _plain,
    "ldap-digest": _ldap_sha,
    "hex-digest": _hex_digest,
    "mysql-native": _mysql_native,
    "mysql-caching-sha2": _mysql_caching_sha2,
    "postgres-md5": _postgres_md5,
    "scram-sha-256": _scram_sha256,
    "rabbitmq-sha256": _rabbitmq,
    "rabbitmq-sha512": _rabbitmq,
    "rabbitmq-md5": _rabbitmq,
    "grafana-pbkdf2": _grafana,
}


def make_verifier(cred: Credential) -> Verifier:
    """The verifier for ``cred``; :class:`UnsupportedHash` says why there is none."""
    factory = SCHEMES.get(cred.scheme)
    if factory is None:
        raise UnsupportedHash(f"unknown scheme {cred.scheme!r}")
    return factory(cred)


def scheme_label(cred: Credential) -> str:
    """Human name of the hash method (``sha512crypt``, ``SCRAM-SHA-256``...)."""
    if cred.scheme == "crypt":
        return crypt_family(cred.secret)
    return cred.scheme
