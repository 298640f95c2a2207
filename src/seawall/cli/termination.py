"""SIGTERM is handled like SIGINT: the scan unwinds (work files of entries being built
are deleted on the way out), this process's cache work space is removed, one line
says why, and the exit status is the shell's ``128 + signal`` (130, 143).

CI runners and ``docker stop`` send SIGTERM, not SIGINT; without a handler Python
dies on the spot and leaves gigabytes of half-unpacked layers in the cache. A second
SIGTERM while the first one is still unwinding (a worker thread finishing its chunk)
removes the work space and exits at once.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from types import FrameType

from seawall.fs.scratch_space import abandon_work, remove_process_scratch


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread as an interrupt so that every clean-up path
    written for Ctrl-C runs for it too."""


_terminating = False


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    global _terminating
    abandon_work()  # worker threads unpacking layers stop too
    if _terminating:
        remove_process_scratch()
        os._exit(128 + signal.SIGTERM)
    _terminating = True
    raise Terminated


def _on_sigint(signum: int, frame: FrameType | None) -> None:
    abandon_work()
    raise KeyboardInterrupt


def install_sigterm_handler() -> None:
    """Deliver SIGTERM as :class:`Terminated` and make SIGINT and SIGTERM stop the
    cache writers of every thread (main thread only, as Python requires)."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _on_sigterm)
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            signal.signal(signal.SIGINT, _on_sigint)


def interrupted(exc: BaseException) -> tuple[int, str]:
    """Clean up after SIGINT/SIGTERM (``exc`` may be click's ``Abort`` wrapping the
    interrupt); returns (exit status, what happened)."""
    remove_process_scratch()
    cause = exc if isinstance(exc, KeyboardInterrupt) else exc.__cause__ or exc.__context__
    if isinstance(cause, Terminated):
        return 128 + signal.SIGTERM, "terminated"
    if isinstance(cause, KeyboardInterrupt):
        return 128 + signal.SIGINT, "interrupted"
    return 128 + signal.SIGINT, "aborted"


def exit_now(status: int) -> None:
    """Exit with ``status``; without waiting for worker threads still busy with a
    target (they would finish unpacking whole layers first)."""
    others = [t for t in threading.enumerate()
              if t is not threading.main_thread() and t.is_alive() and not t.daemon]
    if others:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
    sys.exit(status)
