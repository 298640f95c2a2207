"""What a scan tells about its progress while it runs: phases (pulling layers,
analyzing files, finishing analyzers, running plugins), steps and bytes within each.

The driver speaks this protocol; whoever watches (the CLI's progress display in
:mod:`seawall.report.progress`) implements it. Nothing here draws or prints."""

from __future__ import annotations

from typing import Protocol


class PhaseListener(Protocol):
    """Receives one target's phases, in order, from the thread(s) scanning it."""

    def begin(self, label: str, total: int | None, unit: str) -> None:
        """A phase starts: ``label`` (``"pulling layers"``), how many steps it has
        when known, and what a step is (``"layers"``, ``"files"``)."""

    def advance(self, steps: int = 1, nbytes: int = 0) -> None:
        """``steps`` more steps done, ``nbytes`` more bytes read or pulled (may be
        called from several threads)."""

    def end(self) -> None:
        """The current phase is over."""


class SilentPhases:
    """A listener that ignores everything (the default: a library caller that did
    not ask for progress pays nothing but the calls)."""

    def begin(self, label: str, total: int | None, unit: str) -> None:
        """Ignored."""

    def advance(self, steps: int = 1, nbytes: int = 0) -> None:
        """Ignored."""

    def end(self) -> None:
        """Ignored."""


#: The shared do-nothing listener.
SILENT = SilentPhases()
