"""``seawall audit serve``'s webhook backend over real TLS (certificates made with
cryptography), fed by a client that posts like kube-apiserver's batching webhook
backend: EventList batches, retried with backoff until accepted."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from seawall.detect.audit_webhook_server import AuditWebhookServer, server_tls_context
from seawall.detect.k8s_audit_detector import AuditDetection
from seawall.detect.rule_loader import load_rule_set
from seawall.detect.sink_spec import open_sinks

SCENARIOS = Path(__file__).parent / "fixtures" / "detect" / "scenarios"
RULES = load_rule_set()


@dataclass
class Pki:
    ca: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path


def _issue(path: Path, name: str, key: ec.EllipticCurvePrivateKey, issuer: x509.Name,
           issuer_key: ec.EllipticCurvePrivateKey, ca: bool, server: bool) -> Path:
    now = dt.datetime.now(dt.UTC)
    builder = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(
        NameOID.COMMON_NAME, name)])).issuer_name(issuer).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(1))
        .not_valid_after(now + dt.timedelta(1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if server:
        builder = builder.add_extension(x509.SubjectAlternativeName(
            [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
    cert = builder.sign(issuer_key, hashes.SHA256())
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return path


def _key(path: Path) -> tuple[ec.EllipticCurvePrivateKey, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                       serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    return key, path


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    d = tmp_path_factory.mktemp("pki")
    ca_key, _ = _key(d / "ca.key")
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test-ca")])
    ca = _issue(d / "ca.pem", "test-ca", ca_key, ca_name, ca_key, ca=True, server=False)
    s_key, s_key_path = _key(d / "server.key")
    server = _issue(d / "server.pem", "audit-backend", s_key, ca_name, ca_key, False, True)
    c_key, c_key_path = _key(d / "client.key")
    client = _issue(d / "client.pem", "kube-apiserver", c_key, ca_name, ca_key, False, False)
    return Pki(ca, server, s_key_path, client, c_key_path)


class ApiserverLikeClient:
    """Posts like kube-apiserver's batching webhook backend: buffered events go out as
    EventList batches of at most ``batch_size``; a failed POST is retried with
    exponential backoff (the apiserver's initial backoff is 10 s; shorter here)."""

    def __init__(self, url: str, pki: Pki, batch_size: int = 3, attempts: int = 8,
                 backoff: float = 0.05) -> None:
        self.url = url
        self.batch_size = batch_size
        self.attempts = attempts
        self.backoff = backoff
        context = ssl.create_default_context(cafile=str(pki.ca))
        context.load_cert_chain(str(pki.client_cert), str(pki.client_key))
        self.client = httpx.Client(verify=context, timeout=5)
        self.retries = 0

    def post_batch(self, events: list[dict[str, Any]]) -> httpx.Response:
        body = {"kind": "EventList", "apiVersion": "audit.k8s.io/v1", "metadata": {},
                "items": events}
        delay = self.backoff
        for attempt in range(self.attempts):
            try:
                response = self.client.post(self.url, json=body)
                if response.status_code < 500:
                    return response
            except httpx.TransportError:
                if attempt == self.attempts - 1:
                    raise
            self.retries += 1
            time.sleep(delay)
            delay *= 2
        raise AssertionError("never accepted")

    def send(self, events: list[dict[str, Any]]) -> list[httpx.Response]:
        return [self.post_batch(events[i:i + self.batch_size])
                for i in range(0, len(events), self.batch_size)]


def _scenario(name: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (SCENARIOS / f"{name}.jsonl").read_text().splitlines()]


@pytest.fixture
def served(pki: Pki, tmp_path: Path) -> Iterator[tuple[AuditWebhookServer, Path]]:
    alerts = tmp_path / "alerts.jsonl"
    sinks = open_sinks([f"file:{alerts}"])
    detection = AuditDetection(RULES, on_alert=[sinks.send], keep_alerts=False)
    tls = server_tls_context(str(pki.server_cert), str(pki.server_key), str(pki.ca))
    server = AuditWebhookServer(detection, "127.0.0.1", 0, tls, max_body=256 * 1024)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, alerts
    server.shutdown()
    sinks.close()


def test_batches_over_tls_raise_alerts(served: tuple[AuditWebhookServer, Path],
                                       pki: Pki) -> None:
    server, alerts = served
    client = ApiserverLikeClient(f"https://127.0.0.1:{server.port}/", pki)
    events = _scenario("token_theft") + _scenario("privesc_chain")
    responses = client.send(events)
    assert [r.status_code for r in responses] == [200] * 3
    assert sum(r.json()["events"] for r in responses) == len(events)
    stats = client.client.get(f"https://127.0.0.1:{server.port}/stats").json()
    assert stats["events"] == len(events) and stats["batches"] == 3 and stats["rejected"] == 0
    server.detection.on_alert[0].__self__.close()  # type: ignore[attr-defined]
    raised = {json.loads(line)["rule_id"] for line in alerts.read_text().splitlines()}
    assert {"SW-K8SA-120", "SW-K8SA-102", "SW-K8SA-018", "SW-K8SA-107"} <= raised


def test_bad_posts_are_rejected_and_counted(served: tuple[AuditWebhookServer, Path],
                                            pki: Pki) -> None:
    server, _ = served
    client = ApiserverLikeClient(f"https://127.0.0.1:{server.port}/", pki)
    url = client.url
    post = client.client.post
    assert post(url, content=b"{not json").status_code == 400
    assert post(url, json={"kind": "Pod", "apiVersion": "v1"}).status_code == 400
    assert post(url, json=[1, 2]).status_code == 400
    assert post(url, content=b"x" * (300 * 1024)).status_code == 413
    assert post(url + "other", json={"kind": "EventList", "items": []}).status_code == 404
    mixed = post(url, json={"kind": "EventList", "items": [{"kind": "Event"}, 5,
                                                          _scenario("token_theft")[1]]})
    # The bare Event is kept (and counted: it has no timestamp); 5 is not an event.
    assert mixed.status_code == 200
    answer = mixed.json()
    assert answer["events"] == 2 and answer["skipped"] == 2 and answer["alerts"] >= 3
    stats = client.client.get(f"https://127.0.0.1:{server.port}/stats").json()
    assert stats["rejected"] == 5 and stats["events"] == 2 and stats["skipped_records"] == 2


def test_client_retries_until_the_backend_is_up(pki: Pki, tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    detection = AuditDetection(RULES)
    tls = server_tls_context(str(pki.server_cert), str(pki.server_key))
    holder: list[AuditWebhookServer] = []

    def start_late() -> None:
        time.sleep(0.3)
        holder.append(AuditWebhookServer(detection, "127.0.0.1", port, tls))
        holder[0].serve_forever()

    threading.Thread(target=start_late, daemon=True).start()
    client = ApiserverLikeClient(f"https://127.0.0.1:{port}/", pki, batch_size=100)
    try:
        (response,) = client.send(_scenario("secrets_harvest"))
    finally:
        while not holder:
            time.sleep(0.05)
        holder[0].shutdown()
    assert response.status_code == 200 and client.retries >= 1
    assert "SW-K8SA-121" in {a.rule.id for a in detection.alerts}


def test_client_certificate_is_required_when_configured(
        served: tuple[AuditWebhookServer, Path], pki: Pki) -> None:
    server, _ = served
    anonymous = httpx.Client(verify=ssl.create_default_context(cafile=str(pki.ca)), timeout=5)
    with pytest.raises((httpx.TransportError, ssl.SSLError)):
        anonymous.post(f"https://127.0.0.1:{server.port}/", json={"kind": "EventList",
                                                                 "items": []}).raise_for_status()
    assert server.counters.batches == 0
    deadline = time.monotonic() + 5
    while server.counters.connection_errors == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.counters.connection_errors == 1


def test_serve_command_end_to_end(pki: Pki, tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    alerts = tmp_path / "alerts.jsonl"
    proc = subprocess.Popen(
        [sys.executable, "-c", "from seawall.cli import main; main()", "audit", "serve",
         "--listen", f"127.0.0.1:{port}", "--tls-cert", str(pki.server_cert),
         "--tls-key", str(pki.server_key), "--client-ca", str(pki.ca),
         "--sink", f"file:{alerts}", "--sink", "stdout"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ})
    try:
        client = ApiserverLikeClient(f"https://127.0.0.1:{port}/", pki, batch_size=50,
                                     attempts=12, backoff=0.1)
        (response,) = client.send(_scenario("token_theft"))
        assert response.status_code == 200 and response.json()["events"] == 4
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    assert b"1 batches, 4 events" in err, err
    assert b"SW-K8SA-120" in out
    assert "SW-K8SA-102" in {json.loads(line)["rule_id"] for line in
                             alerts.read_text().splitlines()}
