"""Sinks on this machine: stdout (a line or JSON lines), a file (JSON lines), and
syslog (RFC 5424 over UDP)."""

from __future__ import annotations

import json
import socket
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from seawall.detect.alert import Alert
from seawall.detect.alert_sink import AlertSink
from seawall.report.untrusted_text import visible

_SYSLOG_SEVERITY = {"critical": 2, "high": 3, "medium": 4, "low": 5, "info": 6}
_FACILITY_LOCAL0 = 16


def alert_json(alert: Alert) -> dict[str, Any]:
    """The JSON line of an alert: the finding plus time, output and event fields."""
    return alert.to_finding().to_dict()


def alert_line(alert: Alert) -> str:
    """One human line: time, severity, rule id, output (terminal escapes removed)."""
    return visible(f"{alert.time_text} {alert.rule.severity.value.upper():8} "
                   f"{alert.rule.id} {alert.output}")


class StdoutSink(AlertSink):
    """Alerts on stdout as they happen."""

    blocking = False

    def __init__(self, as_json: bool = False, stream: IO[str] | None = None) -> None:
        self.name = "stdout:json" if as_json else "stdout"
        self.as_json = as_json
        self.stream = stream

    def deliver(self, alert: Alert) -> None:
        """Write one line and flush."""
        out = self.stream or sys.stdout
        text = json.dumps(alert_json(alert), sort_keys=True) if self.as_json else alert_line(alert)
        out.write(text + "\n")
        out.flush()


class FileSink(AlertSink):
    """Alerts appended to a file as JSON lines."""

    blocking = False

    def __init__(self, path: str) -> None:
        self.name = f"file:{path}"
        self._lock = threading.Lock()
        self._file = Path(path).open("a", encoding="utf-8")  # noqa: SIM115 - closed in close()

    def deliver(self, alert: Alert) -> None:
        """Append one line."""
        with self._lock:
            self._file.write(json.dumps(alert_json(alert), sort_keys=True) + "\n")
            self._file.flush()

    def close(self) -> None:
        """Close the file."""
        self._file.close()


class SyslogSink(AlertSink):
    """RFC 5424 messages over UDP (facility local0, severity from the rule)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 514) -> None:
        self.name = f"syslog:{host}:{port}"
        self.address = (host, port)
        self._socket = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET,
                                     socket.SOCK_DGRAM)
        self._hostname = socket.gethostname() or "-"

    def message(self, alert: Alert) -> bytes:
        """The datagram for an alert."""
        pri = _FACILITY_LOCAL0 * 8 + _SYSLOG_SEVERITY[alert.rule.severity.value]
        stamp = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        sd = f'[seawall@32473 rule="{alert.rule.id}" event="{alert.event_id}"]'.replace("\n", " ")
        text = f"<{pri}>1 {stamp} {self._hostname} seawall - {alert.rule.id} {sd} {alert.output}"
        return text.encode("utf-8", "replace")[:8192]

    def deliver(self, alert: Alert) -> None:
        """Send one datagram."""
        self._socket.sendto(self.message(alert), self.address)

    def close(self) -> None:
        """Close the socket."""
        self._socket.close()
