"""The ``secret`` analyzer over real directory trees (DirectoryFileSystem), its config
files (YAML and gitleaks TOML), and the deleted-in-a-later-layer rule in finalize."""

from __future__ import annotations

from pathlib import Path

import pytest

from seawall.analyzers.all import BUILTIN_ANALYZERS
from seawall.analyzers.interface import AnalysisContext, AnalyzerResult, FileInput, FileResult
from seawall.analyzers.secret.analyzer import SecretAnalyzer
from seawall.analyzers.secret.secret_config import SecretConfigError
from seawall.fs.directory import DirectoryFileSystem
from seawall.model.finding import Finding
from seawall.sources.rootfs import open_rootfs

AWS_ID = "AKIA" + "Q3EGRHXZ7JN5LKWD"
AWS_SECRET = "k9Xq2Lw7Rz4Tb8Vn1Mc6" + "Hs3Jd5Fg0Pa2Qe7Wr4Ty"
GH_TOKEN = "ghp_" + "Zk3Lq9Vx2Rt7Bw4Nm8Hs1Pd6Fg0Jc5Ye2Ua9"
PEM_BODY = "\n".join(["MIIEow" + "Ab3dEf9Hi2KlMn4PqRsT7uVwXyZ0aB1cD" * 2] * 6)


def _write(root: Path, rel: str, content: str | bytes) -> None:
    p = root / rel.lstrip("/")
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(content.encode() if isinstance(content, str) else content)


def _scan(root: Path, analyzer: SecretAnalyzer | None = None) -> tuple[list[Finding], dict]:
    fs = DirectoryFileSystem(str(root))
    an = analyzer or SecretAnalyzer()
    ctx = AnalysisContext()
    findings: list[Finding] = []
    data: dict = {}
    for info in fs.walk("/"):
        if an.required(info.path, info):
            res = an.analyze_file(FileInput(info.path, info, fs), ctx)
            findings += res.findings
            if res.data.get("skipped"):
                data[info.path] = res.data["skipped"]
    return findings, data


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "rootfs"
    _write(root, "/app/.env", f"DB_PASSWORD=Tq8Lm2Vz9Kx4Wp7R\nGITHUB_TOKEN={GH_TOKEN}\n")
    _write(root, "/app/.env.example", "DB_PASSWORD=changeme\n")
    _write(root, "/root/.ssh/id_rsa",
           f"-----BEGIN OPENSSH PRIVATE KEY-----\n{PEM_BODY}\n-----END OPENSSH PRIVATE KEY-----\n")
    _write(root, "/root/.git-credentials", "https://deploy:Hx7Qm2Rv9Lt4Wz8N@git.example.com\n")
    _write(root, "/root/.netrc", "machine api.example.com login bot password Rb4Nw8Kp3Ys6\n")
    npm = "npm_" + "Ab3dEf9Hi2KlMn4PqRsT7uVwXyZ0aB1cD2eF"
    _write(root, "/home/u/.npmrc", f"//registry.npmjs.org/:_authToken={npm}\n")
    _write(root, "/home/u/.pypirc", "[pypi]\nusername = __token__\npassword = pypi-tokenvalue\n")
    _write(root, "/root/.docker/config.json",
           '{"auths": {"registry.example.com": {"auth": "ZGVwbG95Okh4N1FtMlJ2OUx0NFd6OE4="}}}\n')
    _write(root, "/root/.kube/config",
           "users:\n- name: admin\n  user:\n    token: Zx9Lq2Vt7Rb4Nw8Kp3Ys6Hd1\n")
    _write(root, "/root/.aws/credentials",
           f"[default]\naws_access_key_id = {AWS_ID}\naws_secret_access_key = {AWS_SECRET}\n")
    _write(root, "/srv/infra/terraform.tfstate", '{"version": 4, "resources": []}\n')
    _write(root, "/srv/repo/.git/config", "[core]\n\trepositoryformatversion = 0\n")
    _write(root, "/root/.bash_history", "ls\nmysql -u root -pTq8Lm2Vz9Kx4 app\n")
    _write(root, "/usr/bin/tool", b"\x7fELF\x02\x01\x01" + b"\x00" * 64 + AWS_ID.encode())
    _write(root, "/app/empty.txt", b"")
    return root


def test_registered_in_catalog() -> None:
    assert SecretAnalyzer in BUILTIN_ANALYZERS


def test_sensitive_files_and_content(tree: Path) -> None:
    findings, skipped = _scan(tree)
    by_rule = {(f.rule_id, f.location.path) for f in findings}
    expected = {
        ("SW-SEC-FILE-001", "/app/.env"),
        ("SW-SEC-GITHUB-001", "/app/.env"),
        ("SW-SEC-GEN-002", "/app/.env"),
        ("SW-SEC-KEY-002", "/root/.ssh/id_rsa"),
        ("SW-SEC-FILE-003", "/root/.git-credentials"),
        ("SW-SEC-CONN-003", "/root/.git-credentials"),
        ("SW-SEC-FILE-004", "/root/.netrc"),
        ("SW-SEC-FILE-005", "/home/u/.npmrc"),
        ("SW-SEC-NPM-001", "/home/u/.npmrc"),
        ("SW-SEC-FILE-006", "/home/u/.pypirc"),
        ("SW-SEC-FILE-007", "/root/.docker/config.json"),
        ("SW-SEC-DOCKERHUB-002", "/root/.docker/config.json"),
        ("SW-SEC-FILE-008", "/root/.kube/config"),
        ("SW-SEC-FILE-009", "/root/.aws/credentials"),
        ("SW-SEC-AWS-001", "/root/.aws/credentials"),
        ("SW-SEC-AWS-002", "/root/.aws/credentials"),
        ("SW-SEC-FILE-010", "/srv/infra/terraform.tfstate"),
        ("SW-SEC-FILE-011", "/srv/repo/.git/config"),
        ("SW-SEC-FILE-012", "/root/.bash_history"),
        ("SW-SEC-CMD-001", "/root/.bash_history"),
    }
    assert expected <= by_rule, sorted(expected - by_rule)
    # the SSH key is one finding (the key with its line), not also "SSH key file"
    assert [r for r, p in by_rule if p == "/root/.ssh/id_rsa"] == ["SW-SEC-KEY-002"]
    # .env.example is documentation; the ELF is skipped by content with a reason
    assert not any(p == "/app/.env.example" for _, p in by_rule)
    assert "ELF" in skipped["/usr/bin/tool"]
    for f in findings:
        assert f.category.value == "secret"
        assert f.location.line or f.extra.get("kind") == "sensitive-file"
        for secret in (AWS_SECRET, GH_TOKEN, "Tq8Lm2Vz9Kx4Wp7R", "Hx7Qm2Rv9Lt4Wz8N"):
            assert secret not in str(f.to_dict())


def test_yaml_config_custom_disabled_allow_skip(tree: Path, tmp_path: Path) -> None:
    cfg = tmp_path / "secret.yaml"
    cfg.write_text(
        "disable_rules: [SW-SEC-GITHUB-001]\n"
        "skip_paths: ['^/root/\\.ssh/']\n"
        f"allow: ['^{AWS_ID}$']\n"
        "rules:\n"
        "  - id: ACME-SEC-001\n"
        "    title: ACME internal token\n"
        "    severity: critical\n"
        "    keywords: [acme_]\n"
        "    regex: '\\b(acme_[a-z0-9]{24})\\b'\n"
    )
    _write(tree, "/app/acme.conf", "token = acme_q3egrhxz7jn5lkwdz7jn5lkw\n")
    an = SecretAnalyzer()
    an.configure({"secret.config": str(cfg)})
    findings, skipped = _scan(tree, an)
    rules = {f.rule_id for f in findings}
    assert "ACME-SEC-001" in rules
    assert "SW-SEC-GITHUB-001" not in rules
    assert "SW-SEC-AWS-001" not in rules
    assert not any(f.location.path == "/root/.ssh/id_rsa" for f in findings)
    assert skipped["/root/.ssh/id_rsa"] == "path matches skip_paths"
    assert an.options_key() != SecretAnalyzer().options_key()


def test_gitleaks_toml_config(tree: Path, tmp_path: Path) -> None:
    cfg = tmp_path / ".gitleaks.toml"
    cfg.write_text(
        "[extend]\nuseDefault = true\ndisabledRules = ['SW-SEC-FILE-012']\n\n"
        "[[rules]]\nid = 'acme-token'\ndescription = 'ACME token'\n"
        "regex = '''(?i)acme_[a-z0-9]+'''\nkeywords = ['acme_']\n\n"
        "[allowlist]\npaths = ['''^/srv/''']\n"
    )
    _write(tree, "/app/acme.conf", "token = acme_q3egrhxz7jn5lkwd\n")
    an = SecretAnalyzer()
    an.configure({"secret.config": str(cfg)})
    findings, _ = _scan(tree, an)
    rules = {f.rule_id for f in findings}
    assert "acme-token" in rules  # unbounded '+' runs on RE2
    assert "SW-SEC-FILE-012" not in rules
    assert not any((f.location.path or "").startswith("/srv/") for f in findings)


@pytest.mark.parametrize(
    "content,message",
    [
        ("rules: [{id: X-1, regex: 'a'}]", "keyword"),
        ("bogus_key: 1", "unknown keys"),
        ("disable_rules: [NOPE-1]", "unknown rule ids"),
        ("rules: [{id: X-1, keywords: [a], regex: '(unclosed'}]", "regex"),
    ],
)
def test_bad_config_is_a_one_line_error(tmp_path: Path, content: str, message: str) -> None:
    cfg = tmp_path / "bad.yaml"
    cfg.write_text(content)
    with pytest.raises(SecretConfigError, match=message):
        SecretAnalyzer().configure({"secret.config": str(cfg)})
    with pytest.raises(SecretConfigError, match=r"missing\.yaml"):
        SecretAnalyzer().configure({"secret.config": str(tmp_path / "missing.yaml")})


def test_finalize_keeps_deleted_layer_secrets(tree: Path) -> None:
    """A per-file result whose file a later layer removed is kept and flagged."""
    an = SecretAnalyzer()
    fs = DirectoryFileSystem(str(tree))
    info = fs.lstat("/root/.aws/credentials")
    res = an.analyze_file(FileInput(info.path, info, fs, layer="sha256:aaa"), AnalysisContext())
    visible_env = an.analyze_file(FileInput("/app/.env", fs.lstat("/app/.env"), fs,
                                            layer="sha256:bbb"), AnalysisContext())
    files = [
        FileResult("/root/.aws/credentials", "sha256:aaa", False, res),
        FileResult("/app/.env", "sha256:bbb", True, visible_env),
        FileResult("/app/.env", "sha256:aaa", False, visible_env),  # same secret, replaced
    ]
    out = an.finalize(open_rootfs(str(tree)), files, AnalysisContext())
    deleted = [f for f in out.findings if f.extra.get("deleted_in_final_fs")]
    assert {f.location.path for f in deleted} == {"/root/.aws/credentials"}
    assert all(f.location.layer == "sha256:aaa" for f in deleted)
    assert all("deleted or replaced in the final filesystem" in f.description for f in deleted)
    assert any(f.location.path == "/app/.env" and not f.extra.get("deleted_in_final_fs")
               for f in out.findings)
    assert isinstance(out, AnalyzerResult)


def test_planted_files_in_other_encodings_are_found_through_the_driver(tmp_path: Path) -> None:
    """Files a Windows tool or an editor wrote (UTF-16 with and without a BOM), a config
    with NUL bytes near its start, and a data file of mostly binary bytes: each holds a
    planted key that the whole scan (driver, walk, analyzer) must report."""
    from seawall.scanning.driver import scan_target

    root = tmp_path / "rootfs"
    text = f"$env:AWS_ACCESS_KEY_ID = '{AWS_ID}'\r\n$token = '{GH_TOKEN}'\r\n"
    _write(root, "/app/deploy.ps1", "\ufeff".encode("utf-16-le") + text.encode("utf-16-le"))
    _write(root, "/app/export.reg", text.encode("utf-16-be"))
    _write(root, "/app/config.py", b"\x00\x00\x00\x00cfg\x00\n" + b"debug = True\n" * 20
           + f'db_password = "Tq8Lm2Vz9Kx4Wp7R"\naws_key = "{AWS_ID}"\n'.encode())
    _write(root, "/app/cache.bin", bytes(range(1, 30)) * 40 + GH_TOKEN.encode() + b"\x00" * 64)
    _write(root, "/usr/bin/tool", b"\x7fELF\x02\x01\x01" + b"\x00" * 64 + AWS_ID.encode())
    report = scan_target(open_rootfs(str(root)), scanners=["secret"])
    got = {(f.rule_id, f.location.path) for f in report.findings}
    assert {
        ("SW-SEC-AWS-001", "/app/deploy.ps1"), ("SW-SEC-GITHUB-001", "/app/deploy.ps1"),
        ("SW-SEC-AWS-001", "/app/export.reg"), ("SW-SEC-GITHUB-001", "/app/export.reg"),
        ("SW-SEC-AWS-001", "/app/config.py"), ("SW-SEC-GEN-001", "/app/config.py"),
        ("SW-SEC-GITHUB-001", "/app/cache.bin"),
    } <= got, sorted(got)
    lines = {(f.rule_id, f.location.path): f.location.line for f in report.findings}
    assert lines[("SW-SEC-GITHUB-001", "/app/deploy.ps1")] == 2
    # An ELF executable is skipped, as Trivy and gitleaks do (its strings are vendor data).
    assert not any(p == "/usr/bin/tool" for _, p in got)
