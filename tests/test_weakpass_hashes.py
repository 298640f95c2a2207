"""weakpass hash verifiers and the cracker, against real libcrypt/openssl outputs."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import subprocess

import pytest

from seawall.analyzers.weakpass.cracker import DictionaryCracker
from seawall.analyzers.weakpass.credentials import Credential
from seawall.analyzers.weakpass.dictionary import common_passwords, context_words, variants
from seawall.analyzers.weakpass.findings import mask
from seawall.analyzers.weakpass.libcrypt import SystemCrypt
from seawall.analyzers.weakpass.md5_crypt import md5_crypt
from seawall.analyzers.weakpass.sha_crypt import sha256_crypt_digest
from seawall.analyzers.weakpass.verifiers import UnsupportedHash, make_verifier

CRYPT = SystemCrypt()


def cred(scheme: str, secret: str, account: str = "u", **kw: object) -> Credential:
    return Credential("t", account, scheme, secret, "/x", **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize("prefix", ["$1$", "$5$", "$6$", "$y$", "$2b$", ""])
def test_libcrypt_methods_verify(prefix: str) -> None:
    setting = CRYPT.gensalt(prefix) if prefix else "Zx"
    stored = CRYPT.hash("sunshine", setting)
    assert stored is not None
    verify = make_verifier(cred("crypt", stored))
    assert verify("sunshine")
    assert not verify("sunshinE")


def test_apr1_matches_openssl() -> None:
    out = subprocess.run(["openssl", "passwd", "-apr1", "-salt", "s4ltS4lt", "letmein"],
                         capture_output=True, text=True, check=True).stdout.strip()
    assert md5_crypt(b"letmein", b"s4ltS4lt") == out
    assert make_verifier(cred("crypt", out))("letmein")


def test_md5crypt_and_sha256crypt_match_libcrypt() -> None:
    for pw in (b"", b"a", b"password", b"x" * 70):
        stored = CRYPT.hash(pw.decode(), CRYPT.gensalt("$1$"))
        assert stored is not None
        assert md5_crypt(pw, stored.split("$")[2].encode(), b"$1$") == stored
        stored = CRYPT.hash(pw.decode(), CRYPT.gensalt("$5$"))
        assert stored is not None
        _, _, salt, digest = stored.split("$")
        assert sha256_crypt_digest(pw, salt.encode(), 5000) == digest


def test_database_and_service_schemes() -> None:
    native = "*" + hashlib.sha1(hashlib.sha1(b"qwerty").digest()).hexdigest().upper()
    assert make_verifier(cred("mysql-native", native))("qwerty")
    salt = b"abcdefghij0123456789"
    caching = b"$A$005$" + salt + sha256_crypt_digest(b"dragon", salt, 5000).encode()
    assert make_verifier(cred("mysql-caching-sha2", caching.decode("latin-1")))("dragon")
    pg_md5 = "md5" + hashlib.md5(b"monkeyapp").hexdigest()
    assert make_verifier(cred("postgres-md5", pg_md5, "x", extra_users=("app",)))("monkey")
    pg_salt = os.urandom(16)
    salted = hashlib.pbkdf2_hmac("sha256", b"master", pg_salt, 4096)
    stored_key = hashlib.sha256(hmac.new(salted, b"Client Key", "sha256").digest()).digest()
    server_key = hmac.new(salted, b"Server Key", "sha256").digest()
    scram = "SCRAM-SHA-256$4096:{}${}:{}".format(*(base64.b64encode(v).decode() for v in
                                                   (pg_salt, stored_key, server_key)))
    assert make_verifier(cred("scram-sha-256", scram))("master")
    r_salt = os.urandom(4)
    rabbit = base64.b64encode(r_salt + hashlib.sha256(r_salt + b"guest").digest()).decode()
    assert make_verifier(cred("rabbitmq-sha256", rabbit))("guest")
    graf = hashlib.pbkdf2_hmac("sha256", b"admin", b"Xy12Ab34Cd", 10000, 50).hex()
    assert make_verifier(cred("grafana-pbkdf2", f"Xy12Ab34Cd${graf}"))("admin")
    sha = "{SHA}" + base64.b64encode(hashlib.sha1(b"secret").digest()).decode()
    assert make_verifier(cred("ldap-digest", sha))("secret")
    assert make_verifier(cred("hex-digest", hashlib.sha256(b"abc123").hexdigest()))("abc123")


@pytest.mark.parametrize("scheme,secret", [
    ("crypt", "$9$nope$x"), ("crypt", "plain text"), ("crypt", "$2b$99$abcdefghijklmnopqrstuu"),
    ("mysql-native", "*XYZ"), ("scram-sha-256", "SCRAM-SHA-256$x"),
    ("ldap-digest", "{SHA}!!notbase64"), ("ldap-digest", "{CRYPT}abc"),
    ("grafana-pbkdf2", "short"), ("no-such-scheme", "x"), ("rabbitmq-sha256", "AAAA"),
])
def test_unknown_or_malformed_hashes_are_unsupported(scheme: str, secret: str) -> None:
    with pytest.raises(UnsupportedHash):
        make_verifier(cred(scheme, secret))


def test_cracker_finds_weak_skips_strong_and_reports_unsupported() -> None:
    base = list(common_passwords()[:500])
    creds = [
        cred("crypt", CRYPT.hash(base[400], CRYPT.gensalt("$6$")) or "", "a"),
        cred("crypt", CRYPT.hash("alice2024", CRYPT.gensalt("$1$")) or "", "alice"),
        cred("crypt", CRYPT.hash(os.urandom(10).hex(), CRYPT.gensalt("$1$")) or "", "b"),
        cred("crypt", "$zz$what", "c"),
    ]
    prefixes = [variants(c.account) for c in creds]
    for jobs in (1, 2):
        out = DictionaryCracker(base, jobs=jobs, seconds_per_account=None).crack(creds, prefixes)
        assert out[0].password == base[400]
        assert out[1].password == "alice2024"
        assert out[2].password is None and out[2].tried == out[2].total
        assert out[3].error and "unknown hash format" in out[3].error


def test_time_budget_cuts_slow_hashes_and_says_so() -> None:
    stored = CRYPT.hash(os.urandom(8).hex(), CRYPT.gensalt("$y$")) or ""
    out = DictionaryCracker(common_passwords(), jobs=1, seconds_per_account=0.01,
                            min_candidates=20).crack([cred("crypt", stored)])
    assert out[0].password is None
    assert out[0].limit == 20 < out[0].total and out[0].tried == 20


def test_scan_budget_is_shared_by_the_uncracked_hashes() -> None:
    base = common_passwords()
    creds = [cred("crypt", CRYPT.hash(os.urandom(8).hex(), CRYPT.gensalt("$6$")) or "", u)
             for u in ("a", "b", "c")]
    creds.append(cred("crypt", CRYPT.hash(base[3], CRYPT.gensalt("$6$")) or "", "d"))
    out = DictionaryCracker(base, jobs=1, seconds_per_account=20, min_candidates=50,
                            seconds_total=0.06).crack(creds)
    assert out[3].password == base[3]  # found among the first candidates, budget untouched
    for o in out[:3]:  # three uncracked hashes share 0.06 s instead of 20 s each
        assert o.password is None and 50 <= o.limit < o.total and o.tried == o.limit
    alone = DictionaryCracker(base, jobs=1, seconds_per_account=20, min_candidates=50,
                              seconds_total=1.0).crack(creds[:1])
    assert alone[0].limit > max(o.limit for o in out[:3])  # 1 s to itself: more candidates


def test_dictionary_size_variants_and_masking() -> None:
    assert len(common_passwords()) >= 10_000
    v = variants("acme")
    assert {"acme", "Acme", "acme123", "Acme@2024", "emca", "@cm3", "ACME"} <= set(v)
    assert context_words(["registry.local/acme-api:1.2", "www-data"])[:3] == [
        "acme-api", "acme", "api"]
    assert mask("password") == "pa****" and mask("abc") == "a****" and mask("ab") == "****"
