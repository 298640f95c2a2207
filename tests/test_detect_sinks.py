"""Alert sinks against real local receivers on 127.0.0.1: each checks the payload
format (and DingTalk/Feishu signatures); failing and dead receivers are retried,
counted, and never hold up detection."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import threading
import time
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from seawall.detect.alert import Alert
from seawall.detect.alert_sink import RetryPolicy
from seawall.detect.engine import DetectionEngine
from seawall.detect.k8s_audit_reader import AuditEventDecoder
from seawall.detect.rule_examples import example_event
from seawall.detect.rule_loader import load_rule_set
from seawall.detect.sink_spec import open_sinks, parse_sink
from seawall.errors import InputError

FAST = RetryPolicy(attempts=3, first_delay=0.01, factor=2.0)
RULES = load_rule_set()


class Receiver:
    """A local HTTP server recording requests; answers from a script of status codes."""

    def __init__(self, statuses: list[int] | None = None, body: dict[str, Any] | None = None,
                 delay: float = 0.0) -> None:
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self.statuses = list(statuses or [])
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                data = json.loads(self.rfile.read(length))
                time.sleep(delay)
                receiver.requests.append((self.path, data))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                payload = json.dumps(body or {}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def _alert(index: int = 0, user: str = "mallory") -> Alert:
    engine = DetectionEngine(RULES)
    raw = example_event({"user": {"username": user}, "verb": "get", "requestURI": "/api/v1/x",
                         "objectRef": {"resource": "pods", "namespace": "apps"}}, index)
    alerts = [a for ev in AuditEventDecoder().events(raw, "t") for a in engine.process(ev)]
    return next(a for a in alerts if a.rule.id == "SW-K8SA-001")


def test_generic_webhook_posts_the_finding(receiver: Receiver) -> None:
    sinks = open_sinks([f"webhook:{receiver.url}"], retry=FAST)
    sinks.send(_alert())
    sinks.close()
    (path, doc), = receiver.requests
    assert path == "/hook" and doc["rule_id"] == "SW-K8SA-001" and doc["category"] == "audit"
    assert doc["extra"]["fields"]["ka.user.name"] == "mallory"
    assert sinks.summary() == []


def test_slack_format(receiver: Receiver) -> None:
    sinks = open_sinks([f"slack:{receiver.url}"], retry=FAST)
    sinks.send(_alert())
    sinks.close()
    (_, doc), = receiver.requests
    assert "SW-K8SA-001" in doc["text"] and "user=mallory" in doc["text"]
    assert doc["blocks"][0]["type"] == "section" and doc["blocks"][0]["text"]["type"] == "mrkdwn"


def test_dingtalk_markdown_and_signature() -> None:
    r = Receiver(body={"errcode": 0, "errmsg": "ok"})
    try:
        sinks = open_sinks([f"dingtalk:{r.url}?access_token=abc#SECxyz"], retry=FAST)
        sinks.send(_alert())
        sinks.close()
        (path, doc), = r.requests
    finally:
        r.close()
    assert doc["msgtype"] == "markdown" and "SW-K8SA-001" in doc["markdown"]["title"]
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)
    assert query["access_token"] == ["abc"]
    stamp = query["timestamp"][0]
    assert abs(int(stamp) / 1000 - time.time()) < 60
    expected = base64.b64encode(hmac.new(b"SECxyz", f"{stamp}\nSECxyz".encode(),
                                         hashlib.sha256).digest()).decode()
    assert query["sign"] == [expected]


def test_dingtalk_refusal_errcode_is_a_failure() -> None:
    r = Receiver(body={"errcode": 310000, "errmsg": "sign not match"})
    try:
        sinks = open_sinks([f"dingtalk:{r.url}#bad"], retry=FAST)
        sinks.send(_alert())
        sinks.close()
    finally:
        r.close()
    assert len(r.requests) == 3
    (entry,) = sinks.summary()
    assert "1 alert(s) undeliverable" in entry.message and "310000" in entry.message


def test_feishu_text_and_signature() -> None:
    r = Receiver(body={"code": 0, "msg": "success"})
    try:
        sinks = open_sinks([f"feishu:{r.url}#s3cret"], retry=FAST)
        sinks.send(_alert())
        sinks.close()
        (_, doc), = r.requests
    finally:
        r.close()
    assert doc["msg_type"] == "text" and "SW-K8SA-001" in doc["content"]["text"]
    key = f"{doc['timestamp']}\ns3cret".encode()
    assert doc["sign"] == base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


def test_retry_with_backoff_then_success() -> None:
    r = Receiver(statuses=[500, 503])
    try:
        sinks = open_sinks([f"webhook:{r.url}"], retry=FAST)
        sinks.send(_alert())
        sinks.close()
    finally:
        r.close()
    assert len(r.requests) == 3
    worker = sinks.workers[0]
    assert worker.counters.delivered == 1 and worker.counters.retries == 2


def test_dead_receiver_never_blocks_detection_and_drops_are_counted() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed when the block ends: nobody listens
    sinks = open_sinks([f"webhook:http://127.0.0.1:{port}/x"], capacity=5,
                       retry=RetryPolicy(attempts=2, first_delay=0.2))
    sinks.throttle.per_rule_per_minute = 10_000
    started = time.monotonic()
    for i in range(200):
        sinks.send(_alert(i % 3600, user=f"u{i}"))
    assert time.monotonic() - started < 5.0  # the loop never waited on the receiver
    sinks.close()
    counters = sinks.workers[0].counters
    assert counters.delivered == 0
    assert counters.dropped + counters.failed == 200 and counters.dropped >= 150
    (entry,) = sinks.summary()
    assert "dropped (queue full)" in entry.message and "ConnectError" in entry.message


def test_throttle_and_dedup(tmp_path: Path) -> None:
    out = tmp_path / "alerts.jsonl"
    sinks = open_sinks([f"file:{out}"])
    sinks.throttle.per_rule_per_minute = 3
    same = _alert(0)
    sinks.send(same)
    sinks.send(same)  # same rule and text within the dedup window
    for i in range(1, 6):
        sinks.send(_alert(i, user=f"user{i}"))
    sinks.close()
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(lines) == 3
    assert sinks.throttle.deduplicated == 1 and sinks.throttle.throttled == 3


def test_syslog_rfc5424_over_udp() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as server:
        server.bind(("127.0.0.1", 0))
        server.settimeout(5)
        sinks = open_sinks([f"syslog:127.0.0.1:{server.getsockname()[1]}"])
        sinks.send(_alert())
        sinks.close()
        data = server.recv(65536).decode()
    # local0 (16) * 8 + warning (4) for a medium alert
    assert data.startswith("<132>1 ") and " seawall - SW-K8SA-001 " in data
    assert 'rule="SW-K8SA-001"' in data and "user=mallory" in data


@pytest.mark.parametrize("spec", ["nope:x", "webhook:ftp://x", "file:", "stdout:xml",
                                  "syslog:host:notaport"])
def test_bad_sink_specs(spec: str) -> None:
    with pytest.raises(InputError):
        parse_sink(spec)
