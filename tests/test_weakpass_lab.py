"""weakpass on the lab's fixture images (tests/lab/images/weakpass-*): every planted
weak account is found, the strong ones are not, through a real image transport."""

from __future__ import annotations

import pytest

from conftest import Lab
from seawall import open_image
from seawall.model.report import Report
from seawall.scanning import ScanOptions
from seawall.scanning.driver import scan_target

OPTIONS = ScanOptions(use_cache=False, analyzer_options={"weakpass.seconds_per_account": 3})


def scan(lab: Lab, image: str) -> Report:
    with open_image(lab.ref(image, "oci-archive"), lab.source_options()) as target:
        return scan_target(target, ["weakpass"], options=OPTIONS)


def accounts(report: Report) -> set[tuple[str, str]]:
    return {(f.extra.get("service", f.extra.get("variable", "")), f.extra.get("account", ""))
            for f in report.findings}


@pytest.mark.lab
def test_system_image_weak_accounts(lab: Lab) -> None:
    report = scan(lab, "weakpass-system")
    found = accounts(report)
    weak = {("system", "root"), ("system", "alice"), ("system", "bob"), ("system", "carol"),
            ("system", "nopw"), ("redis", "default"), ("redis", "app"), ("htpasswd", "web"),
            ("tomcat", "tomcat"), ("grafana", "admin"), ("rabbitmq", "mq"), ("ssh", "root"),
            ("MYSQL_ROOT_PASSWORD", "")}
    assert weak <= found, weak - found
    strong = {"strong1", "strong2", "vault", "ops", "deploy", "alice-key"}
    assert not {a for _, a in found} & strong
    assert not any(f.extra.get("variable") == "API_SECRET" for f in report.findings)
    assert not any(f.location.path == "/home/alice/.ssh/id_ed25519" for f in report.findings)
    assert all(f.evidence is None or f.evidence.endswith("****") or "=" in f.evidence
               for f in report.findings)


@pytest.mark.lab
def test_postgres_image_scram_md5_and_trust(lab: Lab) -> None:
    report = scan(lab, "weakpass-postgres")
    by = {(f.rule_id, f.extra.get("account")): f for f in report.findings}
    assert ("SW-WP-003", "postgres") in by
    assert by[("SW-WP-003", "postgres")].extra["hash"] == "scram-sha-256"
    assert ("SW-WP-003", "webapp") in by
    assert by[("SW-WP-003", "webapp")].extra["hash"] == "postgres-md5"
    assert ("SW-WP-002", "all") in by
    assert not {a for _, a in by} & {"vault", "dbadmin"}


@pytest.mark.lab
def test_mariadb_image_native_passwords(lab: Lab) -> None:
    report = scan(lab, "weakpass-mariadb")
    cracked = {f.evidence for f in report.findings if f.rule_id == "SW-WP-003"}
    assert {"r****", "pa****"} <= cracked
    assert all(f.extra.get("hash") == "mysql-native" for f in report.findings)
    assert {f.extra.get("account") for f in report.findings} == {"root", "app"}
    assert len(cracked) == 2  # vault stays uncracked
