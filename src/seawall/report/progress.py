"""Scan progress on stderr, never on stdout (a JSON or SARIF document on stdout stays
parseable), nothing at all with ``-q``.

* On a terminal (outside CI: ``CI`` set, as GitHub, GitLab, Jenkins-with-plugins,
  CircleCI and Travis do, means a log, not a person): a rich bar per target showing
  its phase (pulling layers, analyzing, finishing analyzers, running plugins), the
  steps and the bytes, under a bar over the targets.
* Anywhere else (a pipe, a CI log): one line per phase that lasts, for example
  ``seawall: pulling layers 3/7 (120.0 MB)``, printed once the phase has run
  :data:`PHASE_LINE_DELAY` seconds (short scans stay quiet), repeated every
  :data:`PHASE_LINE_INTERVAL` seconds while it lasts, and closed with a ``done`` line.

The scan driver reports phases through :class:`~seawall.scanning.phase_events.
PhaseListener`; :meth:`ScanProgress.target` gives one listener per target.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from types import TracebackType
from typing import Any, Literal, TextIO

#: Variables CI systems set; any of them switches the bar off (phase lines stay).
CI_VARIABLES = ("CI", "GITHUB_ACTIONS", "GITLAB_CI", "JENKINS_URL", "BUILDKITE", "TF_BUILD")
#: Seconds a phase runs before a line announces it (off a terminal).
PHASE_LINE_DELAY = 2.0
#: Seconds between two lines about the same long phase (off a terminal).
PHASE_LINE_INTERVAL = 30.0

ProgressMode = Literal["bar", "lines", "off"]


def _in_ci() -> bool:
    return any(os.environ.get(name, "").lower() not in ("", "0", "false") for name in CI_VARIABLES)


def progress_wanted(quiet: bool, stream: TextIO | None = None) -> bool:
    """Whether to draw a bar on ``stream`` (stderr by default): a terminal, outside
    CI, without ``-q``."""
    if quiet or _in_ci():
        return False
    stream = stream or sys.stderr
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def progress_mode(quiet: bool, stream: TextIO | None = None) -> ProgressMode:
    """``bar`` on a terminal, ``off`` with ``-q``, ``lines`` otherwise."""
    if quiet:
        return "off"
    return "bar" if progress_wanted(quiet, stream) else "lines"


def _size(nbytes: int) -> str:
    from rich.filesize import decimal

    return decimal(nbytes)


def _duration(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}m{secs:02d}s" if minutes else f"{seconds:.1f}s"


class TargetProgress:
    """The phases of one target (a :class:`~seawall.scanning.phase_events.
    PhaseListener`). Counting is all it does on the scanning threads; the display
    reads the counts on its own clock."""

    def __init__(self, owner: ScanProgress, name: str) -> None:
        self.name = name
        self._owner = owner
        self._lock = threading.Lock()
        self.label: str | None = None
        """The current phase (None between phases)."""
        self.total: int | None = None
        self.unit = ""
        self.done = 0
        self.nbytes = 0
        self.started = 0.0
        self.announced_at: float | None = None
        """When the current phase was last printed (lines mode), None if never."""

    def begin(self, label: str, total: int | None, unit: str) -> None:
        """A phase starts (ending the previous one, if any)."""
        self.end()
        with self._lock:
            self.label, self.total, self.unit = label, total, unit
            self.done = self.nbytes = 0
            self.started = time.monotonic()
            self.announced_at = None

    def advance(self, steps: int = 1, nbytes: int = 0) -> None:
        """More of the current phase done."""
        with self._lock:
            self.done += steps
            self.nbytes += nbytes

    def end(self) -> None:
        """The current phase is over (a ``done`` line if it was announced)."""
        with self._lock:
            if self.label is None:
                return
            line = self.describe() if self.announced_at is not None else None
            elapsed = time.monotonic() - self.started
            self.label = None
        if line is not None:
            self._owner.print_line(self, f"{line}, done in {_duration(elapsed)}")

    def describe(self) -> str:
        """``pulling layers 3/7 (120.0 MB)`` / ``analyzing: 5,210 files (1.2 GB)``
        (call with the lock held, or on a snapshot)."""
        if self.total is not None:
            text = f"{self.label} {self.done}/{self.total}"
        else:
            text = f"{self.label}: {self.done:,} {self.unit}"
        return f"{text} ({_size(self.nbytes)})" if self.nbytes else text

    def due_line(self, now: float, delay: float, interval: float) -> str | None:
        """The line to print now, if the current phase is due one."""
        with self._lock:
            if self.label is None:
                return None
            if self.announced_at is None:
                if now - self.started < delay:
                    return None
            elif now - self.announced_at < interval:
                return None
            self.announced_at = now
            return self.describe()

    def bar_state(self) -> tuple[str, int | None, int, str] | None:
        """(description, total, completed, size text) for the bar, or None."""
        with self._lock:
            if self.label is None:
                return None
            count = f"{self.done}/{self.total}" if self.total is not None else f"{self.done:,}"
            size = _size(self.nbytes) if self.nbytes else ""
            description = f"{self.name}: {self.label}"
            return description, self.total, self.done, f"{count} {self.unit}  {size}"


class ScanProgress:
    """Progress of one command over ``total`` targets.

    Use as a context manager; :meth:`target` gives each target's phase listener,
    :meth:`advance` says a target is done. ``mode`` defaults to
    :func:`progress_mode` (``-q``: nothing at all).
    """

    def __init__(
        self,
        total: int,
        description: str,
        quiet: bool = False,
        *,
        stream: TextIO | None = None,
        mode: ProgressMode | None = None,
        delay: float = PHASE_LINE_DELAY,
        interval: float = PHASE_LINE_INTERVAL,
    ) -> None:
        self._stream = stream or sys.stderr
        self.mode: ProgressMode = mode or progress_mode(quiet, self._stream)
        self._total = total
        self._delay = delay
        self._interval = interval
        self._targets: list[TargetProgress] = []
        self._tasks: dict[int, Any] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None
        self._progress: Any = None
        self._overall: Any = None
        self._finished = 0
        if self.mode == "bar":
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                Progress,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
            )

            self._progress = Progress(
                SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                TextColumn("{task.fields[count]}"), TimeElapsedColumn(),
                console=Console(file=self._stream), transient=True,
            )
            self._overall = self._progress.add_task(
                description, total=total, count=f"0/{total} targets"
            )

    @property
    def enabled(self) -> bool:
        """True when anything may be shown."""
        return self.mode != "off"

    def target(self, name: str) -> TargetProgress:
        """The phase listener of the target called ``name``."""
        tracker = TargetProgress(self, name)
        if self.mode != "off":
            with self._lock:
                self._targets.append(tracker)
        return tracker

    def advance(self, label: str | None = None) -> None:
        """One more target done (``label``: what to say about it)."""
        with self._lock:
            self._finished += 1
            finished = self._finished
        if self._progress is not None:
            self._progress.update(
                self._overall, completed=finished, count=f"{finished}/{self._total} targets",
                **({"description": label} if label else {}),
            )

    def print_line(self, tracker: TargetProgress, text: str) -> None:
        """One phase line on the stream (lines mode only)."""
        if self.mode != "lines":
            return
        prefix = f"{tracker.name}: " if self._total > 1 else ""
        with self._lock:
            try:
                self._stream.write(f"seawall: {prefix}{text}\n")
                self._stream.flush()
            except (OSError, ValueError):
                pass  # a closed stderr must not fail the scan

    def _tick(self) -> None:
        period = 0.1 if self.mode == "bar" else 0.2
        while not self._stop.wait(period):
            self.refresh()

    def refresh(self) -> None:
        """Bring the display up to date (the ticker thread calls this)."""
        with self._lock:
            targets = list(self._targets)
        now = time.monotonic()
        for tracker in targets:
            if self.mode == "lines":
                line = tracker.due_line(now, self._delay, self._interval)
                if line is not None:
                    self.print_line(tracker, line)
            elif self._progress is not None:
                self._update_bar(tracker)

    def _update_bar(self, tracker: TargetProgress) -> None:
        state = tracker.bar_state()
        task = self._tasks.get(id(tracker))
        if state is None:
            if task is not None:
                self._progress.update(task, visible=False)
            return
        description, total, completed, count = state
        if task is None:
            task = self._progress.add_task(description, total=total, count=count)
            self._tasks[id(tracker)] = task
        self._progress.update(
            task, description=description, total=total, completed=completed, count=count,
            visible=True,
        )

    def __enter__(self) -> ScanProgress:
        if self._progress is not None:
            self._progress.start()
        if self.mode != "off":
            self._ticker = threading.Thread(target=self._tick, name="seawall-progress", daemon=True)
            self._ticker.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()
        if self._progress is not None:
            self._progress.stop()
