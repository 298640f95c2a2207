"""Progress bars on stderr (rich), only where a person is watching: stderr is a
terminal, ``-q`` was not given, and no CI system is driving us (``CI`` set, as GitHub,
GitLab, Jenkins-with-plugins, CircleCI and Travis do). Never on stdout, so a JSON or
SARIF document on stdout stays parseable."""

from __future__ import annotations

import os
import sys
from types import TracebackType
from typing import Any, TextIO

#: Variables CI systems set; any of them switches progress output off.
CI_VARIABLES = ("CI", "GITHUB_ACTIONS", "GITLAB_CI", "JENKINS_URL", "BUILDKITE", "TF_BUILD")


def progress_wanted(quiet: bool, stream: TextIO | None = None) -> bool:
    """Whether to draw progress on ``stream`` (stderr by default)."""
    if quiet:
        return False
    if any(os.environ.get(name, "").lower() not in ("", "0", "false") for name in CI_VARIABLES):
        return False
    stream = stream or sys.stderr
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class ScanProgress:
    """A bar over the targets of one command (a spinner while a single target scans).

    Use as a context manager; call :meth:`advance` when a target is done. Does nothing
    at all when :func:`progress_wanted` says no.
    """

    def __init__(self, total: int, description: str, quiet: bool = False) -> None:
        self._progress: Any = None
        self._task: Any = None
        if progress_wanted(quiet):
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
            )

            self._progress = Progress(
                SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                MofNCompleteColumn(), TimeElapsedColumn(),
                console=Console(stderr=True), transient=True,
            )
            self._task = self._progress.add_task(description, total=total)

    @property
    def enabled(self) -> bool:
        """True when something is drawn."""
        return self._progress is not None

    def advance(self, label: str | None = None) -> None:
        """One more target done (``label``: what is being scanned next)."""
        if self._progress is not None:
            self._progress.advance(self._task)
            if label:
                self._progress.update(self._task, description=label)

    def __enter__(self) -> ScanProgress:
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._progress is not None:
            self._progress.stop()
