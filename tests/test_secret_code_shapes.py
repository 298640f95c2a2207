"""Generic rules against the false-positive shapes found in clean distribution images
(perl, pip, python, openssl, postgres files) and the true-positive shapes next to them
that must keep matching."""

from __future__ import annotations

import pytest

from seawall.analyzers.secret.engine import SecretEngine
from seawall.analyzers.secret.rules import load_builtin_rules

SECRET = "Xq7vLm2" + "pRt9zKw"


@pytest.fixture(scope="module")
def engine() -> SecretEngine:
    return SecretEngine(load_builtin_rules())


NOT_SECRETS = [
    # perl B::Op_private: "pASS" starts inside the word OPpASSIGN
    ("/usr/share/perl/5.36.0/B/Op_private.pm", "    OPpASSIGN_COMMON_SCALAR  => 'COM_SCALAR',"),
    # test framework labels in ternaries
    ("/usr/share/perl/5.36.0/TAP/Parser.pm",
     "    push @{ $self->{ $test->is_ok ? 'passed' : 'failed' } } =>"),
    ("/usr/share/perl/5.36.0/Test2/API/InterceptResult/Event.pm",
     '    my $out = $as->{pass} ? "PASS" : "FAIL";'),
    ("/usr/share/perl/5.36.0/Net/FTP.pm", "      $pass = '-anonymous@'"),
    ("/usr/lib/x86_64-linux-gnu/perl-base/Config_heavy.pl", "d_grpasswd='define'"),
    # string lists
    ("/usr/lib/python3.11/lib2to3/fixes/fix_urllib.py",
     '        "splithost", "splitnport",\n        "splitpasswd", "splitport", "splitquery",'),
    ("/usr/lib/python3/dist-packages/six.py",
     '    MovedAttribute("HTTPPasswordMgr", "urllib2", "urllib.request"),'),
    ("/etc/postgresql/15/main/pg_hba.conf",
     '# METHOD can be "trust", "reject", "md5", "password", "scram-sha-256",'),
    # openssl.cnf: the passphrase syntax as a value and in a trailing comment
    ("/etc/ssl/openssl.cnf", "secret = pass:insta # can be used for both client and server side"),
    ("/etc/ssl/openssl.cnf", "secret = $insta::secret # pass:insta"),
    # pip docstring prose
    ("/usr/lib/python3/dist-packages/pip/_internal/vcs/subversion.py",
     "        --username and --password options instead of via the URL."),
]


@pytest.mark.parametrize(("path", "text"), NOT_SECRETS)
def test_distribution_code_shapes_are_not_secrets(
    engine: SecretEngine, path: str, text: str
) -> None:
    matches = engine.scan_bytes(text.encode(), path).matches
    assert [(m.rule.id, m.evidence) for m in matches] == []


SECRETS = [
    ("/src/App.java", f'props.setProperty("password", "{SECRET}");', "SW-SEC-GEN-007"),
    ("/src/main.go", f'os.Setenv("DB_PASSWORD", "{SECRET}")', "SW-SEC-GEN-007"),
    ("/etc/app/app.cnf", f"password = {SECRET}", "SW-SEC-GEN-002"),
    ("/etc/app/app.yaml", f"# password: {SECRET}", "SW-SEC-GEN-002"),
    ("/etc/app/app.yaml", f"db:\n  password: {SECRET}  # rotated monthly", "SW-SEC-GEN-002"),
    ("/app/config.pl", f"my %db = ('user' => 'app', 'pass' => '{SECRET}');", "SW-SEC-GEN-001"),
    ("/app/config.rb", f'connect(:password => "{SECRET}")', "SW-SEC-GEN-001"),
    ("/app/settings.py", f'DATABASES = {{"default": {{"PASSWORD": "{SECRET}", "HOST": "db"}}}}',
     "SW-SEC-GEN-001"),
    ("/app/login.js", f'const creds = {{user: "app", passwd: "{SECRET}"}};', "SW-SEC-GEN-001"),
    ("/app/deploy.sh", f"mysql -u root --password {SECRET} app", "SW-SEC-CMD-001"),
    ("/app/client.py", f"URL = 'https://api.example.org/v1?token={SECRET}Q4'", "SW-SEC-GEN-011"),
]


@pytest.mark.parametrize(("path", "text", "rule"), SECRETS)
def test_credential_shapes_still_match(
    engine: SecretEngine, path: str, text: str, rule: str
) -> None:
    matches = engine.scan_bytes(text.encode(), path).matches
    assert rule in {m.rule.id for m in matches}, [(m.rule.id, m.evidence) for m in matches]
