"""``--sink`` specifications to sinks, and the :class:`SinkSet` every detector hands
its alerts to (throttle, then one worker per sink)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from seawall.detect.alert import Alert
from seawall.detect.alert_sink import AlertSink, RetryPolicy, SinkWorker
from seawall.detect.alert_throttle import AlertThrottle
from seawall.detect.http_sinks import DingTalkSink, FeishuSink, HttpSink, SlackSink
from seawall.detect.local_sinks import FileSink, StdoutSink, SyslogSink
from seawall.errors import InputError
from seawall.model.report import ErrorEntry


def parse_sink(spec: str) -> AlertSink:
    """One sink from ``kind[:argument]``; raises :class:`InputError` when malformed."""
    kind, _, arg = spec.partition(":")
    if kind == "stdout":
        if arg not in ("", "json", "text"):
            raise InputError(f"--sink {spec}: stdout takes no argument but json")
        return StdoutSink(as_json=arg == "json")
    if kind == "file":
        if not arg:
            raise InputError("--sink file:PATH needs a path")
        try:
            return FileSink(arg)
        except OSError as exc:
            raise InputError(f"--sink {spec}: {exc.strerror or exc}") from None
    if kind == "syslog":
        host, _, port = arg.rpartition(":") if arg.count(":") else (arg, "", "")
        host = host.strip("[]") or "127.0.0.1"
        try:
            return SyslogSink(host, int(port) if port else 514)
        except ValueError:
            raise InputError(f"--sink {spec}: bad port") from None
    if kind in ("webhook", "slack", "dingtalk", "feishu", "lark"):
        url, _, secret = arg.partition("#")
        if not url.startswith(("http://", "https://")):
            raise InputError(f"--sink {spec}: needs an http(s) URL")
        if kind == "webhook":
            return HttpSink(url)
        if kind == "slack":
            return SlackSink(url)
        if kind == "dingtalk":
            return DingTalkSink(url, secret or None)
        return FeishuSink(url, secret or None)
    raise InputError(f"--sink {spec}: unknown sink (stdout, file, syslog, webhook, slack, "
                     "dingtalk, feishu)")


@dataclass
class SinkSet:
    """All sinks of a run behind one throttle."""

    workers: list[SinkWorker]
    throttle: AlertThrottle = field(default_factory=AlertThrottle)

    def send(self, alert: Alert) -> None:
        """Offer an alert to every sink (never blocks on a slow one)."""
        if not self.workers or not self.throttle.admit(alert):
            return
        for worker in self.workers:
            worker.submit(alert)

    def close(self) -> None:
        """Flush and stop every sink."""
        for worker in self.workers:
            worker.close()

    def summary(self) -> list[ErrorEntry]:
        """Report errors for alerts a sink dropped or could not deliver."""
        out = []
        for worker in self.workers:
            c = worker.counters
            if c.dropped or c.failed:
                last = f"; last error: {worker.last_error}" if worker.last_error else ""
                out.append(ErrorEntry(f"sink:{worker.sink.name}",
                                      f"{c.failed} alert(s) undeliverable after retries, "
                                      f"{c.dropped} dropped (queue full){last}"))
        return out


def open_sinks(specs: Sequence[str], capacity: int = 1000,
               retry: RetryPolicy | None = None) -> SinkSet:
    """A :class:`SinkSet` for ``--sink`` values."""
    sinks = [parse_sink(s) for s in specs]
    return SinkSet([SinkWorker(s, capacity, retry) for s in sinks])
