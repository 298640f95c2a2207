"""Low-confidence secret findings in package-installed files (dpkg/apk lists, language
package directories) are dropped and counted; high-confidence ones stay; a package file
edited after installation and the ``secret.include_package_files`` option bring them
back. Real root filesystems in tmp dirs, scanned by the real analyzer and driver."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from seawall import open_rootfs
from seawall.analyzers.interface import AnalysisContext, FileInput, FileResult
from seawall.analyzers.package_ownership import load_package_ownership
from seawall.analyzers.secret.analyzer import SecretAnalyzer
from seawall.analyzers.secret.rules import load_builtin_rules
from seawall.model.finding import Finding
from seawall.scanning.driver import scan_target
from seawall.scanning.options import ScanOptions

# Built from pieces so this file does not itself look like it holds a secret.
AWS_ID = "AKIA" + "Q3EGRHXZ7JN5LKWD"
PASSWORD = "Xq7vLm2" + "pRt9zKw"
GENERIC_LINE = f'DB_PASSWORD = "{PASSWORD}"\n'
OWNED = "/usr/lib/python3/dist-tools/settings.py"


def _write(root: Path, path: str, text: str) -> Path:
    target = root / path.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)
    return target


def _rootfs(tmp_path: Path, listed: list[str], content: str = GENERIC_LINE) -> Path:
    root = tmp_path / "rootfs"
    _write(root, OWNED, content)
    _write(root, "/var/lib/dpkg/info/python3-tools.list", "/.\n/usr\n" + "".join(
        f"{p}\n" for p in listed))
    return root


def _scan(
    root: Path, options: dict[str, Any] | None = None
) -> tuple[list[Finding], dict[str, Any]]:
    """Walk the rootfs through the analyzer and finalize, as the driver does; return
    the findings and the finalize data."""
    target = open_rootfs(str(root))
    analyzer = SecretAnalyzer()
    analyzer.configure(options or {})
    ctx = AnalysisContext()
    files = []
    for info in target.fs.walk("/"):
        if analyzer.required(info.path, info):
            result = analyzer.analyze_file(FileInput(info.path, info, target.fs), ctx)
            files.append(FileResult(info.path, None, True, result))
    out = analyzer.finalize(target, files, ctx)
    return out.findings, out.data


def _rules(findings: list[Finding], path: str = OWNED) -> set[str]:
    return {f.rule_id for f in findings if f.location.path == path}


def test_rules_carry_a_confidence() -> None:
    rules = {r.id: r for r in load_builtin_rules().content}
    assert rules["SW-SEC-GEN-001"].confidence == "low"
    assert rules["SW-SEC-CMD-001"].confidence == "low"
    assert rules["SW-SEC-AWS-001"].confidence == "high"
    assert rules["SW-SEC-KEY-001"].confidence == "high"


def test_generic_hit_in_a_dpkg_owned_file_is_dropped_and_counted(tmp_path: Path) -> None:
    findings, data = _scan(_rootfs(tmp_path, [OWNED]))
    assert _rules(findings) == set()
    summary = data["package_files"]
    assert summary["dropped"] == 1
    assert summary["by_reason"] == {"os-package": 1}
    assert summary["by_rule"] == {"SW-SEC-GEN-001": 1}
    assert summary["package_database"] is True


def test_same_file_unowned_is_reported(tmp_path: Path) -> None:
    findings, data = _scan(_rootfs(tmp_path, ["/usr/lib/python3/dist-tools/other.py"]))
    assert _rules(findings) == {"SW-SEC-GEN-001"}
    assert findings[0].extra["confidence"] == "low"
    assert data["package_files"]["dropped"] == 0


def test_aws_key_in_an_owned_file_is_reported(tmp_path: Path) -> None:
    content = f"aws_access_key_id = {AWS_ID}\n" + GENERIC_LINE
    findings, data = _scan(_rootfs(tmp_path, [OWNED], content))
    assert "SW-SEC-AWS-001" in _rules(findings)
    assert "SW-SEC-GEN-001" not in _rules(findings)
    assert data["package_files"]["dropped"] == 1


def test_option_turns_the_filter_off(tmp_path: Path) -> None:
    findings, data = _scan(_rootfs(tmp_path, [OWNED]), {"secret.include_package_files": True})
    assert _rules(findings) == {"SW-SEC-GEN-001"}
    assert "package_files" not in data


def test_usrmerge_spelling_of_an_owned_path(tmp_path: Path) -> None:
    # dpkg lists /lib/..., the file is found at /usr/lib/... (same file after usrmerge)
    findings, _ = _scan(_rootfs(tmp_path, [OWNED.removeprefix("/usr")]))
    assert _rules(findings) == set()


def test_package_file_edited_after_install_is_reported(tmp_path: Path) -> None:
    root = _rootfs(tmp_path, [OWNED])
    shipped = "DB_HOST = 'db'\n"
    digest = hashlib.md5(shipped.encode(), usedforsecurity=False).hexdigest()
    _write(root, "/var/lib/dpkg/info/python3-tools.md5sums", f"{digest}  {OWNED[1:]}\n")
    findings, data = _scan(root)
    assert _rules(findings) == {"SW-SEC-GEN-001"}
    assert data["package_files"]["kept_modified_package_files"] == 1

    # the md5 of the content as installed: untouched, so dropped again
    same = hashlib.md5(GENERIC_LINE.encode(), usedforsecurity=False).hexdigest()
    _write(root, "/var/lib/dpkg/info/python3-tools.md5sums", f"{same}  {OWNED[1:]}\n")
    findings, _ = _scan(root)
    assert _rules(findings) == set()


def test_edited_dpkg_conffile_is_reported(tmp_path: Path) -> None:
    root = tmp_path / "rootfs"
    conf = "/etc/tools/tools.conf"
    _write(root, conf, f"password = {PASSWORD}\n")
    _write(root, "/var/lib/dpkg/info/tools.list", f"/etc/tools\n{conf}\n")
    _write(root, "/var/lib/dpkg/status", (
        "Package: tools\nStatus: install ok installed\nVersion: 1.0\n"
        f"Conffiles:\n {conf} {'0' * 32}\n\n"))
    findings, _ = _scan(root)
    assert _rules(findings, conf) == {"SW-SEC-GEN-002"}
    ownership = load_package_ownership(open_rootfs(str(root)).fs, digests=True)
    assert ownership.owns(conf)
    assert ownership.digests[conf] == "0" * 32


def test_apk_owned_file_is_dropped(tmp_path: Path) -> None:
    root = tmp_path / "rootfs"
    _write(root, "/usr/lib/tools/settings.py", GENERIC_LINE)
    _write(root, "/lib/apk/db/installed",
           "P:tools\nV:1.0-r0\nA:x86_64\nF:usr/lib/tools\nR:settings.py\n\n")
    findings, data = _scan(root)
    assert _rules(findings, "/usr/lib/tools/settings.py") == set()
    assert data["package_files"]["by_reason"] == {"os-package": 1}


@pytest.mark.parametrize("path", [
    "/usr/local/lib/python3.11/site-packages/lib/conf.py",
    "/app/node_modules/lib/index.js",
    "/srv/app/vendor/acme/lib/Client.php",
])
def test_language_package_dirs_without_any_package_database(tmp_path: Path, path: str) -> None:
    root = tmp_path / "rootfs"
    _write(root, path, GENERIC_LINE + f"key_id = '{AWS_ID}'\n")
    _write(root, "/app/settings.py", GENERIC_LINE)
    findings, data = _scan(root)
    assert _rules(findings, path) == {"SW-SEC-AWS-001"}
    assert _rules(findings, "/app/settings.py") == {"SW-SEC-GEN-001"}
    assert data["package_files"]["by_reason"] == {"language-package-dir": 1}
    assert data["package_files"]["package_database"] is False


def test_driver_scan_of_a_rootfs(tmp_path: Path) -> None:
    root = _rootfs(tmp_path, [OWNED])
    _write(root, "/srv/app.env", f"API_PASSWORD={PASSWORD}\n")
    options = ScanOptions(cache_dir=str(tmp_path / "cache"))
    report = scan_target(open_rootfs(str(root)), scanners=["secret"], options=options)
    paths = {f.location.path for f in report.findings}
    assert paths == {"/srv/app.env"}


def test_config_file_turns_the_filter_off(tmp_path: Path) -> None:
    config = tmp_path / "seawall-secret.yaml"
    config.write_text("include_package_files: true\n")
    findings, data = _scan(_rootfs(tmp_path, [OWNED]), {"secret.config": str(config)})
    assert _rules(findings) == {"SW-SEC-GEN-001"}
    assert "package_files" not in data


PEM_KEY = ("-----BEGIN EC PRIVATE KEY-----\n"
           "MHcCAQEEIIrYSSNQFaA2Hwf1duRSxKtLYX5CB04fSeQ6tF1aY/PuoAoGCCqGSM49\n"
           "AwEHoUQDQgAEPR3tU2Fta9ktY+6P9G0cWO+0kETA6SFs38GecTyudlHz6xvCdz8q\n"
           "EKTcWGekdmdDPsHloRNtsiCa697B2O9IFA==\n"
           "-----END EC PRIVATE KEY-----\n")
"""The EC key of Go's crypto/tls example_test.go, public since it was committed."""


def test_toolchain_test_fixtures_and_package_indexes_are_not_findings(tmp_path: Path) -> None:
    """Keys in a toolchain's test data (the golang image's /usr/local/go, a dpkg-owned
    Go tree) and apt's package lists are not the image owner's secrets, whatever the
    rule; the same key in the application's own test data is reported."""
    root = tmp_path / "rootfs"
    go_tree = "/usr/local/go/src/crypto/tls/testdata/example-key.pem"
    owned = "/usr/share/go-1.19/src/crypto/tls/example_test.go"
    app = "/srv/app/testdata/key.pem"
    apt = "/var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_i18n_Translation-en"
    for path in (go_tree, app):
        _write(root, path, PEM_KEY)
    owned_file = _write(root, owned, f"const key = `{PEM_KEY}`\n")
    digest = hashlib.md5(owned_file.read_bytes()).hexdigest()  # dpkg's md5sums format
    _write(root, "/var/lib/dpkg/info/golang-1.19-src.list", f"/usr\n{owned}\n")
    _write(root, "/var/lib/dpkg/info/golang-1.19-src.md5sums", f"{digest}  {owned[1:]}\n")
    _write(root, apt, " Use mysql --password Si7xQ2pLk9 to log in.\n")
    findings, data = _scan(root)
    assert {f.location.path for f in findings} == {app}
    assert set(data["package_files"]["by_reason"]) == {"package-test-fixture"}
    assert data["package_files"]["by_rule"]["SW-SEC-KEY-001"] == 2
    assert data["skipped_counts"] == {"package manager index": 1}
    # with the package-file filter off, the toolchain's keys are there to see
    findings, _ = _scan(root, {"secret.include_package_files": True})
    assert {f.location.path for f in findings} == {app, go_tree, owned}
