"""Credential shapes the scanner missed on held-out data (unquoted values in prose and
test strings, token lists, JWK private parameters, nonces and salts, Authorization
values), and the noise users saw first (documentation examples, one finding per secret,
``FUNCTION_PASS(...)`` macros, ``ENV DB_PASSWORD=``). Each case runs the real engine
with the built-in rules on the text as it appears in such files."""

from __future__ import annotations

from pathlib import Path

import pytest

from seawall.analyzers.interface import AnalysisContext, FileInput
from seawall.analyzers.secret.analyzer import SecretAnalyzer
from seawall.analyzers.secret.engine import SecretEngine
from seawall.analyzers.secret.rules import load_builtin_rules
from seawall.analyzers.secret.target_metadata import scan_container_inspect, scan_image_config
from seawall.fs.directory import DirectoryFileSystem

ENGINE = SecretEngine(load_builtin_rules())


def _found(text: str, path: str) -> list[tuple[str, str]]:
    return [(m.rule.id, m.secret) for m in ENGINE.scan_bytes(text.encode(), path=path).matches]


@pytest.mark.parametrize(("path", "text", "secret"), [
    # a shell line inside a test string / comment of a JS file
    ("/app/test/pg.test.js", " *     SCRAM_TEST_PGPASSWORD=tnm4cvqgy7Lx npm test\n",
     "tnm4cvqgy7Lx"),
    ("/app/spec/env_spec.rb", 'system("PGPASSWORD=Qp7vX2mLk9Tz psql -U app")\n',
     "Qp7vX2mLk9Tz"),
    # documentation: `key: value` and `key=value` outside config files
    ("/srv/docs/setup.md", "access_token:AIhq5Xyb1Gga9Q33\n", "AIhq5Xyb1Gga9Q33"),
    ("/srv/docs/setup.md", "Secret Key: Wz4Lq8Vt2Rb6Nm0Kp3Ys\n", "Wz4Lq8Vt2Rb6Nm0Kp3Ys"),
    ("/srv/docs/nats.md", "  { nkey: UDXU4RCSJNZOIQHZNWXHXORDPRTGNJAHAHFRGZNEEJCPQTT2M7NLCNF4 }\n",
     "UDXU4RCSJNZOIQHZNWXHXORDPRTGNJAHAHFRGZNEEJCPQTT2M7NLCNF4"),
    # a command line
    ("/app/run.sh", 'exec java -Djavax.net.ssl.trustStorePassword=fa8cp2xqig "$@"\n',
     "fa8cp2xqig"),
    # tokens in a list
    ("/app/settings.py", 'API_TOKENS = ["k3Jd9sLq2Xv8Nw4Rt7Ym1Pz6", "b7Hc2Qm9Wx4Lk8Vn3Rs5"]\n',
     "k3Jd9sLq2Xv8Nw4Rt7Ym1Pz6"),
    # Authorization values under a JSON key
    ("/app/fixtures/req.json", '  "authorization": "aMgHAgIKhwLgGq02iQoZI1AQBuOh4cSAQ8B1qA",\n',
     "aMgHAgIKhwLgGq02iQoZI1AQBuOh4cSAQ8B1qA"),
    # nonces and salts
    ("/app/fixtures/auth.json",
     '"value": "Digest username=\\"postman\\", realm=\\"Users\\", '
     'nonce=\\"ni1ZqU5M56BXQvgjOyYCtkOnoNsA6cdz\\", uri=\\"/digest-auth\\""\n',
     "ni1ZqU5M56BXQvgjOyYCtkOnoNsA6cdz"),
    ("/app/src/app.js", "    nonce: 'F7uWhaQBavN',\n", "F7uWhaQBavN"),
    ("/app/lib/user.rb", '  salt = "3f0237fce8ed44d72e56065a9d9364a59602b8bf"\n',
     "3f0237fce8ed44d72e56065a9d9364a59602b8bf"),
    # config values that look like identifiers are literals in a .env / YAML file
    ("/srv/laradock/.env.example", "GITLAB_POSTGRES_PASSWORD=aimqiqer_ynckcw\n",
     "aimqiqer_ynckcw"),
    ("/srv/backup.yml", "- encryption_password: gchpigacpwvfyoetdkrlihmmeifwtel\n",
     "gchpigacpwvfyoetdkrlihmmeifwtel"),
    # PHP define(), .NET appSettings, positional passwords of login/connect calls
    ("/var/www/wp-config.php", "define( 'DB_PASSWORD', 'kq8Zr2vLx9' );\n", "kq8Zr2vLx9"),
    ("/app/Web.config", '<add key="Smtp.ApiToken" value="a8f3b2c9d1e47f60a8f3b2" />\n',
     "a8f3b2c9d1e47f60a8f3b2"),
    ("/app/Mailer.cs", 'var cred = new NetworkCredential("mailer", "Wq4Jx8Tz2Lp6");\n',
     "Wq4Jx8Tz2Lp6"),
    ("/app/db.php", '$link = mysqli_connect("127.0.0.1", "app", "Tz2Lp6Wq4Jx8");\n',
     "Tz2Lp6Wq4Jx8"),
    # a Firebase database address
    ("/app/collection.json", '"url": "https://vmdhty-jibi.firebaseio.com/v0/item/8863.json"\n',
     "vmdhty-jibi.firebaseio.com"),
])
def test_shapes_missed_before_are_found(path: str, text: str, secret: str) -> None:
    assert secret in {s for _, s in _found(text, path)}, _found(text, path)


JWK_D = "slaQqyHQPudOpq2mbDskum8rOu9IMkLGjINAFWwfq7rx"
JWK_P = "4x" + "Hq7Lm2Vt9Rb4Nw8Kp3Ys6Hd1Gm5Fj0CeQa" * 3


@pytest.mark.parametrize(("path", "text", "secret"), [
    ("/app/jwk.json", f'{{"kty": "EC", "crv": "P-256", "d": "{JWK_D}", "x": "abc"}}\n', JWK_D),
    ("/app/jwk.json", f'{{\n  "kty": "RSA",\n  "p": "{JWK_P}",\n  "e": "AQAB"\n}}\n', JWK_P),
    ("/app/src/test/KeyTest.java",
     f'String jwk = "{{\\"kty\\":\\"EC\\",\\"d\\":\\"{JWK_D}\\"}}";\n', JWK_D),
    ("/app/test/keys.js", f"const key = {{ kty: 'OKP', crv: 'Ed25519', d: '{JWK_D}' }};\n",
     JWK_D),
    ("/app/tests/test_jwt.py", "key = {'kty': 'oct', 'k': 'WrMwQfoNaHTgXU5fZvRG4D'}\n",
     "WrMwQfoNaHTgXU5fZvRG4D"),
])
def test_jwk_private_parameters(path: str, text: str, secret: str) -> None:
    assert ("SW-SEC-KEY-009", secret) in _found(text, path)


@pytest.mark.parametrize(("path", "text"), [
    # identifiers, versions, references and words after credential-ish keys
    ("/app/src/auth.js", "const token = getTokenFromEnv;\n"),
    ("/app/docs/api.txt", "password=v1beta2\n"),
    ("/app/docs/api.md", "token: Bearer\n"),
    ("/app/config.yml", "password: settings.database.password\n"),
    ("/app/package.json", '    "minipass": "^3.1.6",\n'),
    ("/app/src/user.py", "PASSWORD = os.environ.get('PASSWORD')\n"),
    ("/app/src/x.go", "tokens := []string{\"access_token\", \"refresh_token\"}\n"),
    # minified JS maps of element names are not JWKs
    ("/usr/share/go/src/cmd/trace/static/webcomponents.min.js",
     'ol:"HTMLOListElement",optgroup:"HTMLOptGroupElement",p:"HTMLParagraphElement",'
     'k:"HTMLKeygenElementsWithLongName"\n'),
    # LLVM's pass registry: macros named *_PASS, not passwords
    ("/usr/src/llvm/lib/Passes/PassRegistry.def",
     'FUNCTION_PASS("loop-fuse", LoopFusePass())\nMODULE_PASS("always-inline", '
     'AlwaysInlinerPass())\nCGSCC_PASS("argpromotion", ArgumentPromotionPass())\n'
     'LOOP_PASS("loop-instsimplify", LoopInstSimplifyPass())\n'),
    # Debian's package index: package names after "cloudflare"
    ("/srv/mirror/Packages", "Depends: golang-github-cloudflare-go-metrics-dev, "
     "golang-github-prometheus-client-golang-dev,\n"),
])
def test_not_credentials(path: str, text: str) -> None:
    assert _found(text, path) == []


@pytest.mark.parametrize("text", [
    "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n",
    "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
    "Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwib"
    "mFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c\n",
    'req.Header.Set("Authorization", "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==")\n',
])
def test_documentation_examples_are_not_reported(text: str) -> None:
    assert _found(text, "/app/docs/README.md") == []


def test_twitter_rule_ignores_runs_of_A_in_base64_blobs() -> None:
    """A wasm module inlined as base64 (undici's llhttp.wasm.js) is full of ``AAAA``."""
    blob = ("AGFzbQEAAAABMAhgAX8Bf2ADf39/AX9gBH9/f38Bf2AAAGADf39/AGABfwBgAn9/AGAGf39/f39/AALL"
            "AQgDZW52GHdhc21fb25faGVhZGVyc19jb21wbGV0ZQACA2VudhV3YXNtX29uX21lc3NhZ2VfYmVnaW4"
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAABAQEB"
            "AQEBAQEBAQIBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAAAAAAAAAAAAAAAAAAAA"
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
    text = f"module.exports = '{blob * 4}'\n"
    assert _found(text, "/usr/share/nodejs/undici/lib/llhttp/llhttp.wasm.js") == []
    token = ("AAAAAAAAAAAAAAAAAAAAAMLheAAAAAAA0%2BuSeid%2BULvsea4JtiGRiSDSJSI%3DEUifiRBkKG5E2X"
             "zMDjRfl76ZC9Ub0wnz4XsNiRVBChTYbJcE3F")
    assert ("SW-SEC-TWITTER-001", token) in _found(f'BEARER = "{token}"\n', "/app/x.py")


def test_one_finding_per_secret(tmp_path: Path) -> None:
    """An AWS secret line read by two AWS rules, a password read by the quoted-value and
    the unquoted-value rules, an SSH key file with its key: one finding each."""
    root = tmp_path / "rootfs"
    files = {
        "/root/.aws/credentials": "[default]\naws_secret_access_key = "
                                  "Zx9Lq2Vt7Rb4Nw8Kp3Ys6Hd1Gm5Fj0CeQ1w2E3r4\n",
        "/app/.env": "DB_PASSWORD=Hx7Qm2Rv9Lt4Wz8Nk3Pd\n",
        "/root/.ssh/id_ed25519": (
            "-----BEGIN OPENSSH PRIVATE KEY-----\n"
            "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
            "QyNTUxOQAAACDq8Hk3dZSRxbOJYpQ9b0yM7pXhR9lQyDqZz7JhVw3LtgAAAJhH1x9IR9cf\n"
            "SAAAAAtzc2gtZWQyNTUxOQAAACDq8Hk3dZSRxbOJYpQ9b0yM7pXhR9lQyDqZz7JhVw3Ltg\n"
            "-----END OPENSSH PRIVATE KEY-----\n"),
    }
    for path, text in files.items():
        target = root / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    fs = DirectoryFileSystem(str(root))
    analyzer = SecretAnalyzer()
    per_path: dict[str, list[str]] = {}
    for info in fs.walk("/"):
        if info.is_file():
            result = analyzer.analyze_file(FileInput(info.path, info, fs), AnalysisContext())
            per_path[info.path] = [f.rule_id for f in result.findings
                                   if f.extra.get("kind") != "sensitive-file"
                                   or info.path.endswith("id_ed25519")]
    assert per_path["/root/.aws/credentials"] == ["SW-SEC-AWS-002"]
    assert per_path["/app/.env"] == ["SW-SEC-GEN-002"]
    assert per_path["/root/.ssh/id_ed25519"] == ["SW-SEC-KEY-002"]


@pytest.mark.parametrize(("env", "reported"), [
    ("DB_PASSWORD=supersecret-2024", True),   # weak, still shipped to every puller
    ("MYSQL_ROOT_PASSWORD=example", True),
    ("REDIS_PASS=Hx7Qm2Rv9Lt4", True),
    ("DB_PASSWORD_FILE=/run/secrets/db", False),
    ("DB_PASSWORD=${DB_PASSWORD}", False),
    ("DB_PASSWORD=", False),
    ("PASSWORD_MIN_LENGTH=12", False),
])
def test_password_in_env_is_a_secret_finding(env: str, reported: bool) -> None:
    findings = scan_image_config(ENGINE, {"config": {"Env": ["PATH=/usr/bin", env]}})
    key = env.split("=", 1)[0]
    hits = [f for f in findings if f.location.resource == f"Env:{key}"]
    assert bool(hits) is reported, [(f.rule_id, f.evidence) for f in findings]
    for f in hits:
        assert f.category.value == "secret" and f.severity.value == "high"
        assert env.split("=", 1)[1] not in str(f.to_dict())
    inspect = scan_container_inspect(ENGINE, {"Name": "/db", "Config": {"Env": [env]}})
    assert bool(inspect) is reported
