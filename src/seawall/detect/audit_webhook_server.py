"""The audit webhook backend: kube-apiserver started with
``--audit-webhook-config-file`` POSTs ``audit.k8s.io/v1`` ``EventList`` batches here
over HTTPS. A batch is run through the rules before the answer goes out, so a 200
means every event in it was judged; anything else (a body that is not JSON, not an
EventList, too large) gets a 4xx, is counted, and costs nothing already received."""

from __future__ import annotations

import json
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from seawall.detect.k8s_audit_detector import AuditDetection
from seawall.detect.k8s_audit_reader import AuditEventDecoder

DEFAULT_MAX_BODY = 64 * 1024 * 1024


@dataclass
class WebhookCounters:
    """What the server has seen."""

    batches: int = 0
    events: int = 0
    alerts: int = 0
    rejected: int = 0
    """Requests answered 4xx (not JSON, not an EventList, too large, wrong method/path)."""
    connection_errors: int = 0
    """Connections that failed before a request (TLS handshake refused, reset)."""


class _QuietServer(ThreadingHTTPServer):
    """Counts failed connections instead of printing a traceback for each."""

    on_error: Callable[[], None] = staticmethod(lambda: None)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that fails the TLS handshake or drops the connection."""
        self.on_error()


class AuditWebhookServer:
    """HTTPS server feeding POSTed EventLists to a detection run."""

    def __init__(self, detection: AuditDetection, host: str, port: int,
                 tls: ssl.SSLContext | None, path: str = "/",
                 max_body: int = DEFAULT_MAX_BODY) -> None:
        self.detection = detection
        self.decoder = AuditEventDecoder()
        self.counters = WebhookCounters()
        self.path = path
        self.max_body = max_body
        self._lock = threading.Lock()
        self.httpd = _QuietServer((host, port), self._handler())
        self.httpd.on_error = self._connection_error
        self.httpd.daemon_threads = True
        if tls is not None:
            # The handshake happens in the request's thread, not in the accept loop,
            # so a client that stalls mid-handshake holds up nobody else.
            self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True,
                                                do_handshake_on_connect=False)

    @property
    def port(self) -> int:
        """The bound port (useful with port 0)."""
        return int(self.httpd.server_address[1])

    def accept(self, body: bytes) -> tuple[int, dict[str, Any]]:
        """Judge one POST body: (HTTP status, JSON answer)."""
        try:
            doc = json.loads(body)
        except ValueError:
            return self._reject("body is not JSON")
        if not isinstance(doc, dict) or doc.get("kind") != "EventList":
            return self._reject("body is not an audit.k8s.io EventList")
        with self._lock:
            errors_before = self.decoder.stats.error_count
            events = self.decoder.events(doc, f"batch {self.counters.batches + 1}")
            raised = self.detection.feed(events)
            self.counters.batches += 1
            self.counters.events += len(events)
            self.counters.alerts += raised
            skipped = self.decoder.stats.error_count - errors_before
        return 200, {"events": len(events), "alerts": raised, "skipped": skipped}

    def _connection_error(self) -> None:
        with self._lock:
            self.counters.connection_errors += 1

    def _reject(self, why: str) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.counters.rejected += 1
        return 400, {"error": why}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self, status: int, doc: dict[str, Any]) -> None:
                payload = json.dumps(doc).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_GET(self) -> None:
                if self.path in ("/healthz", "/stats"):
                    with server._lock:
                        counters = dict(server.counters.__dict__)
                        counters["skipped_records"] = server.decoder.stats.error_count
                    self._answer(200, counters)
                else:
                    self._answer(404, {"error": "POST EventLists to " + server.path})

            def do_POST(self) -> None:
                if self.path.split("?", 1)[0] != server.path:
                    server._reject("wrong path")
                    self._answer(404, {"error": "POST EventLists to " + server.path})
                    self.close_connection = True  # its body was not read
                    return
                try:
                    length = int(self.headers.get("Content-Length", ""))
                except ValueError:
                    server._reject("no Content-Length")
                    self._answer(411, {"error": "Content-Length required"})
                    self.close_connection = True
                    return
                if length < 0 or length > server.max_body:
                    server._reject("body too large")
                    self._answer(413, {"error": f"body over {server.max_body} bytes"})
                    self.close_connection = True
                    return
                body = self.rfile.read(length)
                status, doc = server.accept(body)
                self._answer(status, doc)

            def log_message(self, *args: Any) -> None:
                pass  # the counters and /stats say what happened

        return Handler

    def serve_forever(self) -> None:
        """Serve until :meth:`shutdown`."""
        self.httpd.serve_forever(poll_interval=0.2)

    def shutdown(self) -> None:
        """Stop serving and close the socket."""
        self.httpd.shutdown()
        self.httpd.server_close()


def server_tls_context(cert: str, key: str, client_ca: str | None = None) -> ssl.SSLContext:
    """TLS 1.2+ server context; with ``client_ca``, clients must present a certificate
    it signed (the apiserver's client certificate from the webhook kubeconfig)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert, key)
    if client_ca:
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(client_ca)
    return context
