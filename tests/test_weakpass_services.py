"""weakpass over real files in a temporary rootfs: every service format, malformed
input reported (never a crash), passwords masked unless asked."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from seawall import open_rootfs
from seawall.analyzers.weakpass.libcrypt import SystemCrypt
from seawall.analyzers.weakpass.services.mysql import MysqlDataParser
from seawall.analyzers.weakpass.services.postgres import PostgresAuthidParser
from seawall.analyzers.weakpass.sha_crypt import sha256_crypt_digest
from seawall.model.report import Report
from seawall.scanning import ScanOptions
from seawall.scanning.driver import scan_target

CRYPT = SystemCrypt()
STRONG = "Vq7#nR2!pLx9@Kt4mZw8"


def write(root: Path, path: str, data: str | bytes) -> None:
    p = root / path.lstrip("/")
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data.encode() if isinstance(data, str) else data)


def scan(root: Path, **options: object) -> Report:
    # 2 s per hash and no scan-wide budget: these tests are about what each store's
    # parser and verifier can find, not about the default budget
    opts = ScanOptions(use_cache=False, analyzer_options={
        "weakpass.seconds_per_account": 2, "weakpass.seconds_total": 0, "weakpass.jobs": 2,
        **options})
    with open_rootfs(str(root)) as target:
        return scan_target(target, ["weakpass"], options=opts)


def found(report: Report) -> dict[tuple[str, str], str]:
    """(service, account) -> evidence of each weakpass finding."""
    return {(f.extra.get("service", ""), f.extra.get("account", "")): f.evidence or ""
            for f in report.findings}


@pytest.fixture(scope="module")
def rootfs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("rootfs")
    shadow = [
        f"root:{CRYPT.hash('toor', CRYPT.gensalt('$6$'))}:19000:0:99999:7:::",
        f"alice:{CRYPT.hash('alice123', CRYPT.gensalt('$y$'))}:19000::::::",
        f"dbus:{CRYPT.hash('iloveyou', CRYPT.gensalt('$2b$'))}:19000::::::",
        f"old:{CRYPT.hash('monkey', 'ab')}:19000::::::",
        f"strong:{CRYPT.hash(STRONG, CRYPT.gensalt('$1$'))}:19000::::::",
        "nopw::19000::::::",
        "locked:!$6$abc$def:19000::::::",
        "daemon:*:19000::::::",
        "garbage-line-without-fields",
        "weird:$9$unknown$format:19000::::::",
    ]
    write(root, "/etc/shadow", "\n".join(shadow) + "\n")
    apr1 = subprocess.run(["openssl", "passwd", "-apr1", "qwerty"], capture_output=True,
                          text=True, check=True).stdout.strip()
    sha = "{SHA}" + base64.b64encode(hashlib.sha1(b"princess").digest()).decode()
    write(root, "/etc/nginx/.htpasswd",
          f"web:{apr1}\nbasic:{sha}\nbc:{CRYPT.hash('dragon', CRYPT.gensalt('$2y$'))}\n"
          f"safe:{CRYPT.hash(STRONG, CRYPT.gensalt('$2y$'))}\nno-colon-line\n")
    write(root, "/etc/redis/redis.conf",
          'bind 0.0.0.0\nrequirepass "foobared"\nuser app on >letmein ~* +@all\n'
          f"user ro on nopass ~* +get\nuser h on #{hashlib.sha256(b'abc123').hexdigest()} ~*\n"
          f"user s on >{STRONG} ~*\nrequirepass 'unterminated\n")
    write(root, "/usr/local/tomcat/conf/tomcat-users.xml",
          '<tomcat-users>\n<!-- <user username="ex" password="password" roles="x"/> -->\n'
          '<user username="tomcat" password="s3cret" roles="manager-gui"/>\n'
          f'<user username="ops" password="{STRONG}" roles="manager-gui"/>\n'
          '<user username="nopw" roles="x"/>\n</tomcat-users>\n')
    write(root, "/etc/proftpd/ftpd.passwd",
          f"ftpuser:{CRYPT.hash('sunshine', CRYPT.gensalt('$5$'))}:2001:2001::/srv:/bin/false\n")
    write(root, "/etc/vsftpd/virtual_users.txt", "virt\nbaseball\nlonely\n")
    write(root, "/etc/grafana/grafana.ini",
          "[server]\nadmin_password = nothere\n[security]\nadmin_user = boss\n"
          "admin_password = admin\n")
    db = root / "var/lib/grafana/grafana.db"
    db.parent.mkdir(parents=True)
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE user (login TEXT, password TEXT, salt TEXT, is_admin INT)")
    for login, pw, salt in (("gadmin", "password1", "AbCdEfGhIj"), ("gsafe", STRONG, "k9k9k9k9k9")):
        digest = hashlib.pbkdf2_hmac("sha256", pw.encode(), salt.encode(), 10000, 50).hex()
        con.execute("INSERT INTO user VALUES (?, ?, ?, 1)", (login, digest, salt))
    con.commit()
    con.close()
    write(root, "/var/lib/grafana/broken/grafana.db", b"SQLite format 3\0" + b"\xff" * 100)
    salt4 = os.urandom(4)
    write(root, "/etc/rabbitmq/definitions.json", json.dumps({"users": [
        {"name": "mq", "password_hash": base64.b64encode(
            salt4 + hashlib.sha256(salt4 + b"guest").digest()).decode(),
         "hashing_algorithm": "rabbit_password_hashing_sha256", "tags": ["administrator"]},
        {"name": "odd", "password_hash": "AAAA", "hashing_algorithm": "rabbit_bogus"}]}))
    write(root, "/etc/rabbitmq/rabbitmq.conf", "default_user = mqadmin\ndefault_pass = changeme\n")
    write(root, "/etc/mongod.conf", "net:\n  bindIp: 0.0.0.0\n")
    write(root, "/etc/postgresql/15/main/pg_hba.conf",
          "local all postgres peer\nhost all all 0.0.0.0/0 trust\n")
    (root / "root/.ssh").mkdir(parents=True)
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f",
                    str(root / "root/.ssh/id_ed25519")], check=True, capture_output=True)
    (root / "home/bob/.ssh").mkdir(parents=True)
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "a passphrase", "-f",
                    str(root / "home/bob/.ssh/id_ed25519")], check=True, capture_output=True)
    write(root, "/home/bob/.ssh/id_rsa", "-----BEGIN RSA PRIVATE KEY-----\nnot base64!\n"
          "-----END RSA PRIVATE KEY-----\n")
    return root


@pytest.fixture(scope="module")
def report(rootfs: Path) -> Report:
    return scan(rootfs)


def test_every_weak_account_is_found(report: Report) -> None:
    hits = found(report)
    expected = {("system", "root"), ("system", "alice"), ("system", "dbus"), ("system", "old"),
                ("system", "nopw"), ("htpasswd", "web"), ("htpasswd", "basic"),
                ("htpasswd", "bc"), ("redis", "default"), ("redis", "app"), ("redis", "ro"),
                ("redis", "h"), ("tomcat", "tomcat"), ("proftpd", "ftpuser"),
                ("vsftpd", "virt"), ("grafana", "boss"), ("grafana", "gadmin"),
                ("rabbitmq", "mq"), ("rabbitmq", "mqadmin"), ("mongodb", "*"),
                ("postgresql", "all"), ("ssh", "root")}
    assert expected <= set(hits), expected - set(hits)


def test_strong_and_locked_accounts_are_not_found(report: Report) -> None:
    accounts = {a for _, a in found(report)}
    assert not accounts & {"strong", "safe", "s", "ops", "gsafe", "locked", "daemon", "bob"}
    assert all(STRONG[:2] + "****" != f.evidence for f in report.findings)


def test_passwords_are_masked_and_rules_set(report: Report) -> None:
    by_account = {f.extra.get("account"): f for f in report.findings}
    assert by_account["root"].evidence == "t****"
    assert by_account["root"].rule_id == "SW-WP-003"
    assert by_account["root"].severity.value == "critical"
    assert by_account["nopw"].rule_id == "SW-WP-001"
    assert by_account["app"].rule_id == "SW-WP-005"
    assert by_account["all"].rule_id == "SW-WP-002"
    assert by_account["root"].location.line == 1


def test_malformed_input_becomes_error_entries(report: Report) -> None:
    messages = "\n".join(e.message for e in report.errors)
    assert "/etc/shadow:9: malformed line" in messages
    assert "weird" in messages and "unknown hash format" in messages
    assert "/etc/nginx/.htpasswd:5: malformed htpasswd line" in messages
    assert "unbalanced quotes" in messages
    assert "broken/grafana.db: not a readable Grafana database" in messages
    assert "unsupported hashing rabbit_bogus" in messages
    assert "<user> without username/password" in messages
    assert "id_rsa: unreadable private key" in messages


def test_show_secrets_and_wordlist(tmp_path: Path) -> None:
    write(tmp_path, "/etc/shadow",
          f"svc:{CRYPT.hash(STRONG, CRYPT.gensalt('$1$'))}:1::::::\n"
          f"root:{CRYPT.hash('toor', CRYPT.gensalt('$1$'))}:1::::::\n")
    wordlist = tmp_path / "words.txt"
    wordlist.write_text(f"zzz\n{STRONG}\n")
    report = scan(tmp_path, **{"weakpass.wordlist": str(wordlist), "show_secrets": True,
                               "weakpass.seconds_per_account": 0})
    assert found(report) == {("system", "svc"): STRONG, ("system", "root"): "toor"}


def test_env_variables_in_image_config_need_a_target_with_env(tmp_path: Path) -> None:
    from seawall.analyzers.weakpass.environment import (
        env_pairs,
        password_variables,
        passwordless_switches,
    )

    pairs = env_pairs(["MYSQL_ROOT_PASSWORD=secret", "PATH=/bin", "DB_PASS_FILE=/run/x",
                       "MYSQL_ALLOW_EMPTY_PASSWORD=yes", "junk", "REDIS_PASSWORD="])
    assert password_variables(pairs) == [("MYSQL_ROOT_PASSWORD", "secret")]
    assert passwordless_switches(pairs) == [("MYSQL_ALLOW_EMPTY_PASSWORD", "yes")]


def test_binary_database_scans_and_truncation() -> None:
    native = "*" + hashlib.sha1(hashlib.sha1(b"x").digest()).hexdigest().upper()
    salt = b"0123456789abcdefghij"
    caching = b"$A$005$" + salt + sha256_crypt_digest(b"y", salt, 5000).encode()
    blob = (b"\0\0localhost\0root\0" + b'{"access":0,"plugin":"mysql_native_password",'
            b'"authentication_string":"' + native.encode() + b'"}' + b"\0" * 40 +
            b"%\0app\0\x07" + caching + b"\0")
    out = MysqlDataParser().parse("/var/lib/mysql/mysql/global_priv.MAD", blob)
    assert [(c.account, c.scheme) for c in out.credentials] == [
        ("root", "mysql-native"), ("app", "mysql-caching-sha2")]
    half = MysqlDataParser().parse("/var/lib/mysql/mysql.ibd", blob[: len(blob) - 30])
    assert [c.account for c in half.credentials] == ["root"]
    pg = PostgresAuthidParser().parse(
        "/var/lib/postgresql/15/main/global/1260",
        b"\0" * 8 + b"webapp" + b"\0" * 58 + b"\x01\x01" + b"md5" + b"a" * 32 + b"\0md5zz")
    assert [(c.account, c.scheme) for c in pg.credentials] == [("webapp", "postgres-md5")]


def test_budget_cut_is_a_note_not_an_incomplete_scan(tmp_path: Path) -> None:
    """A strong password is never in the dictionary: with the default budget the check
    stops early. That is how far a bounded check went, not a place the scan could not
    look: exit 0 (complete), and the JSON report and the table carry a note."""
    root = tmp_path / "root"
    (root / "etc").mkdir(parents=True)
    (root / "etc" / "passwd").write_text("root:x:0:0:root:/root:/bin/bash\n"
                                         "alice:x:1000:1000::/home/alice:/bin/bash\n")
    (root / "etc" / "shadow").write_text(
        "root:*:19000:0:99999:7:::\n"
        "alice:$6$abcdefgh$I5d1SNz.BVFKMrdJMVGieNL/bufIoL0xgTVkIGI/UbFfOanUwSf2o51DLWveIw14"
        "OCGNL3tSbtOBn9fGCwPhz.:19000:0:99999:7:::\n")
    env = {**os.environ, "SEAWALL_CACHE_DIR": str(tmp_path / "cache")}
    cmd = [sys.executable, "-c", "from seawall.cli import main; main()", "rootfs", str(root),
           "--scanners", "weakpass", "--weakpass-budget", "0.2", "--fail-on", "low"]
    out = subprocess.run([*cmd, "-f", "json"], capture_output=True, text=True, env=env,
                         timeout=300, check=False)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["complete"] is True and report["errors"] == []
    assert report["findings"] == []
    [note] = report["notes"]
    assert note["scope"] == "analyzer:weakpass" and "'alice'" in note["message"]
    assert "stopped after" in note["message"]
    table = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300,
                           check=False)
    assert table.returncode == 0 and "notes (1" in table.stdout
