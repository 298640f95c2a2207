"""The secret scanner on a real image built by the lab (tests/lab/images/secret-layers):
a credentials file added in one RUN and deleted in a later one, a token and a password
in ENV and a build ARG used by a RUN; and the clean images (Debian, Python, Go, and
Debian with Python/Node/Go/JDK/git from tests/lab/images/clean-toolchains), on which
nothing is a high or critical secret."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import Lab
from seawall import open_image
from seawall.model.finding import Finding
from seawall.scanning.driver import scan_target
from seawall.scanning.options import ScanOptions


@pytest.mark.lab
@pytest.mark.parametrize("transport", ["docker-archive", "oci"])
def test_secret_layers_image(lab: Lab, transport: str) -> None:
    with open_image(lab.ref("secret-layers", transport), lab.source_options()) as image:
        report = scan_target(image, scanners=["secret"])
        diff_ids = [layer.diff_id for layer in image.layers]
    findings = [f for f in report.findings if f.category.value == "secret"]
    by_rule: dict[str, list[Finding]] = {}
    for f in findings:
        by_rule.setdefault(f.rule_id, []).append(f)

    # the AWS credentials file: deleted by a later RUN, still in the layer that added it
    deleted = [f for f in findings if f.location.path == "/root/.aws/credentials"]
    assert {"SW-SEC-AWS-001", "SW-SEC-AWS-002", "SW-SEC-FILE-009"} <= {
        f.rule_id for f in deleted}
    for f in deleted:
        assert f.extra.get("deleted_in_final_fs") is True
        assert f.location.layer in diff_ids
        assert f.location.layer != diff_ids[-1]
        assert "deleted or replaced in the final filesystem" in f.description
    aws = by_rule["SW-SEC-AWS-001"][0]
    assert aws.location.line == 2
    assert aws.evidence is not None and aws.evidence.startswith("AKIA*****")

    # ENV token and the build argument in history created_by
    env = [f for f in findings if (f.location.resource or "").startswith("Env:SERVICE_API_TOKEN")]
    assert env, [f.location for f in findings]
    build_arg = [f for f in findings if "BuildArg:DEPLOY_PASSWORD" in (f.location.resource or "")]
    assert build_arg
    assert all(f.location.layer in diff_ids for f in build_arg)
    # the build argument's value is reported once per step, under the argument's name
    assert not [f for f in findings if f.location.resource in ("history[2]", "history[3]")]
    # a weak password in ENV is a secret finding of its own, not only a config warning;
    # DB_PASSWORD_FILE=/run/secrets/db (a path to a mounted secret) is not
    db = [f for f in findings if f.location.resource == "Env:DB_PASSWORD"]
    assert [(f.rule_id, f.severity.value) for f in db] == [("SW-SEC-GEN-009", "high")]
    assert not [f for f in findings if f.location.resource == "Env:DB_PASSWORD_FILE"]
    secret_values = ("Zx9Lq2Vt7Rb4Nw8Kp3Ys6Hd1Gm5Fj0Ce", "Hx7Qm2Rv9Lt4Wz8Nk3Pd",
                     "k9Xq2Lw7Rz4Tb8Vn1Mc6Hs3Jd5Fg0Pa2Qe7Wr4Ty", "supersecret-2024")
    # Nothing in the whole document holds a secret whole: not the findings, and not
    # the layer created_by strings the target description repeats (masked by redact).
    document = str(report.to_dict())
    for value in secret_values:
        assert value not in document
    assert any("Hx7Q*****" in (layer.get("created_by") or "")
               for layer in report.target.extra["layers"])


@pytest.mark.lab
@pytest.mark.parametrize("image", ["base-debian", "app-python", "pkgs-go"])
def test_clean_images_have_no_secret_findings(lab: Lab, image: str, tmp_path: Path) -> None:
    """Clean Debian images: nothing the distribution or pip shipped is a secret, with
    the package-file filter on (default) and, thanks to the tightened generic rules,
    even with it off."""
    for include in (False, True):
        options = ScanOptions(cache_dir=str(tmp_path / f"cache-{include}"),
                              analyzer_options={"secret.include_package_files": include})
        with open_image(lab.ref(image, "docker-archive"), lab.source_options()) as target:
            report = scan_target(target, scanners=["secret"], options=options)
        findings = [f for f in report.findings if f.category.value == "secret"]
        assert findings == [], [(f.rule_id, f.location.path, f.evidence) for f in findings]
        assert not report.errors


@pytest.mark.lab
def test_secret_layers_keeps_its_findings_with_the_package_filter(
    lab: Lab, tmp_path: Path
) -> None:
    options = ScanOptions(cache_dir=str(tmp_path / "cache"))
    with open_image(lab.ref("secret-layers", "docker-archive"), lab.source_options()) as image:
        report = scan_target(image, scanners=["secret"], options=options)
    rules = {(f.rule_id, f.location.path or f.location.resource) for f in report.findings}
    assert {
        ("SW-SEC-AWS-001", "/root/.aws/credentials"),
        ("SW-SEC-AWS-002", "/root/.aws/credentials"),
        ("SW-SEC-FILE-009", "/root/.aws/credentials"),
        ("SW-SEC-GEN-004", "Env:SERVICE_API_TOKEN"),
        ("SW-SEC-GEN-002", "history[2]:BuildArg:DEPLOY_PASSWORD"),
    } <= rules
    # nothing from the distribution's own files
    assert all(not (f.location.path or "").startswith("/usr/") for f in report.findings)


@pytest.mark.lab
def test_clean_toolchains_image_has_no_high_or_critical_secret(lab: Lab, tmp_path: Path) -> None:
    """Debian + python3, nodejs/npm, golang-go, default-jdk-headless and git, apt lists
    kept: Go's test keys (crypto/tls/testdata, example_test.go), undici's base64 wasm
    (runs of ``AAAA``), RFC example credentials in Go's net/http and the apt indexes
    were all high/critical findings before."""
    ref = lab.ref("clean-toolchains", "docker-daemon")
    options = ScanOptions(cache_dir=str(tmp_path / "cache"))
    with open_image(ref, lab.source_options()) as target:
        report = scan_target(target, scanners=["secret"], options=options)
        ships = {p: target.fs.exists(p) for p in (
            "/usr/share/go-1.19/src/crypto/tls/testdata/example-key.pem",
            "/usr/share/nodejs/undici/lib/llhttp/llhttp.wasm.js",
            "/var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_i18n_Translation-en")}
    assert all(ships.values()), ships  # the files that were noise are there
    assert not report.errors
    loud = [(f.rule_id, f.location.path, f.evidence) for f in report.findings
            if f.category.value == "secret" and f.severity.value in ("high", "critical")]
    assert loud == []

    # Without the package-file filter, only test fixtures of the Go tree remain loud:
    # nothing in undici's wasm, Go's net/http sources or minified JS, or apt lists.
    options = ScanOptions(cache_dir=str(tmp_path / "cache-all"),
                          analyzer_options={"secret.include_package_files": True})
    with open_image(ref, lab.source_options()) as target:
        report = scan_target(target, scanners=["secret"], options=options)
    loud_paths = {f.location.path or "" for f in report.findings
                  if f.category.value == "secret" and f.severity.value in ("high", "critical")}
    assert loud_paths, "the Go tree's test keys are still there to find"
    assert all("/testdata/" in p or p.endswith("_test.go") for p in loud_paths), loud_paths
    assert not [f for f in report.findings if f.rule_id == "SW-SEC-TWITTER-001"]
