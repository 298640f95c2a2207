"""Where alerts go. Every detector shares these: a sink formats and delivers one
alert; a :class:`SinkWorker` runs a slow (network) sink on its own thread behind a
bounded queue, retrying with backoff, so a dead receiver never blocks detection (what
does not fit in the queue is dropped and counted)."""

from __future__ import annotations

import queue
import threading
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass

from seawall.detect.alert import Alert


class AlertSink(ABC):
    """One destination."""

    name: str = "sink"
    """Names the sink in counters and errors (``webhook:https://...``)."""
    blocking: bool = True
    """True for sinks that may wait on the network (they get a worker thread)."""

    @abstractmethod
    def deliver(self, alert: Alert) -> None:
        """Send one alert; raise on failure (the worker retries)."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources."""


@dataclass
class SinkCounters:
    """What happened to the alerts handed to one sink."""

    delivered: int = 0
    failed: int = 0
    """Alerts given up on after the last retry."""
    dropped: int = 0
    """Alerts dropped because the queue was full."""
    retries: int = 0


@dataclass(frozen=True)
class RetryPolicy:
    """Attempts and backoff of a network sink."""

    attempts: int = 4
    first_delay: float = 0.5
    factor: float = 2.0
    max_delay: float = 10.0

    def delays(self) -> list[float]:
        """Sleeps between attempts."""
        out, delay = [], self.first_delay
        for _ in range(self.attempts - 1):
            out.append(min(delay, self.max_delay))
            delay *= self.factor
        return out


class SinkWorker:
    """Delivers to one sink from a bounded queue on a daemon thread."""

    def __init__(self, sink: AlertSink, capacity: int = 1000,
                 retry: RetryPolicy | None = None) -> None:
        self.sink = sink
        self.counters = SinkCounters()
        self.retry = retry or RetryPolicy()
        self.last_error = ""
        self._queue: queue.Queue[Alert | None] = queue.Queue(maxsize=capacity)
        self._closing = threading.Event()
        self._thread: threading.Thread | None = None
        if sink.blocking:
            self._thread = threading.Thread(target=self._run, name=f"sink-{sink.name}",
                                            daemon=True)
            self._thread.start()

    def submit(self, alert: Alert) -> None:
        """Queue an alert (never waits; a full queue drops it)."""
        if self._thread is None:
            self._attempt(alert)
            return
        try:
            self._queue.put_nowait(alert)
        except queue.Full:
            self.counters.dropped += 1

    def _attempt(self, alert: Alert) -> None:
        delays = self.retry.delays()
        for attempt in range(len(delays) + 1):
            try:
                self.sink.deliver(alert)
                self.counters.delivered += 1
                return
            except Exception as exc:  # any failure of a receiver is retried, then counted
                self.last_error = f"{type(exc).__name__}: {exc}"
                if attempt == len(delays) or (self._closing.is_set() and attempt >= 1):
                    break
                self.counters.retries += 1
                time.sleep(delays[attempt])
        self.counters.failed += 1

    def _run(self) -> None:
        while True:
            alert = self._queue.get()
            if alert is None:
                return
            self._attempt(alert)

    def close(self, timeout: float = 10.0) -> None:
        """Deliver what is queued (bounded by ``timeout``), then stop."""
        if self._thread is not None:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    self._queue.put(None, timeout=0.05)
                    break
                except queue.Full:
                    if time.monotonic() > deadline:
                        break
            self._thread.join(max(0.0, deadline - time.monotonic()))
            if self._thread.is_alive():
                self._closing.set()
                self.counters.dropped += self._queue.qsize()
        self.sink.close()
