"""Starting a plugin executable in a box: own session (killable as a group), memory
rlimit, no core dumps, stdin/stdout for JSON-RPC, stderr drained into the log with a
bound, and a clear description of how it ended."""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import resource
import signal
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Sequence
from typing import IO, BinaryIO

log = logging.getLogger("seawall.plugins")

#: Default address-space limit (MiB) for a plugin that does not declare one.
DEFAULT_MEMORY_LIMIT_MB = 2048
#: stderr bytes forwarded to the log per plugin run; the rest is counted, not kept.
STDERR_LOG_LIMIT = 64 * 1024
_F_SETPIPE_SZ = getattr(fcntl, "F_SETPIPE_SZ", 1031)
_PIPE_SIZE = 1024 * 1024


def plugin_environment(plugin_name: str, hosted: bool) -> dict[str, str]:
    """The environment of a plugin process: the host's, with the host's Python first
    on PATH (so ``#!/usr/bin/env python3`` plugins can import the seawall SDK) and
    ``SEAWALL_RPC=1`` when it is hosted over JSON-RPC."""
    env = dict(os.environ)
    bindir = os.path.dirname(sys.executable)
    env["PATH"] = bindir + os.pathsep + env.get("PATH", os.defpath)
    env["SEAWALL_PLUGIN_NAME"] = plugin_name
    env["PYTHONUNBUFFERED"] = "1"
    if hosted:
        env["SEAWALL_RPC"] = "1"
    else:
        env.pop("SEAWALL_RPC", None)
    return env


def limit_resources(memory_mb: int) -> None:
    """Run in the child between fork and exec: cap memory, forbid core dumps."""
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def describe_returncode(code: int | None) -> str:
    """``exited with status 3`` / ``killed by signal SIGSEGV`` / ``still running``."""
    if code is None:
        return "still running"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = str(-code)
        return f"killed by signal {name}"
    return f"exited with status {code}"


class PluginProcess:
    """One running plugin process."""

    def __init__(
        self,
        argv: Sequence[str],
        env: dict[str, str],
        cwd: str,
        memory_mb: int,
        name: str,
        pass_fds: Sequence[int] = (),
    ) -> None:
        self.name = name
        self._pass_fds = tuple(pass_fds)
        self._argv = list(argv)
        self._env = env
        self._cwd = cwd
        self._memory_mb = memory_mb
        self._proc: subprocess.Popen[bytes] | None = None
        self._stderr_thread: threading.Thread | None = None
        self._stderr_lock = threading.Lock()
        self._stderr_tail: deque[str] = deque(maxlen=5)
        self.stderr_logged = 0
        self.stderr_dropped = 0
        """stderr bytes not forwarded to the log (over :data:`STDERR_LOG_LIMIT`)."""
        self.killed_by_host = False

    def start(self) -> None:
        """Spawn; ``OSError`` when the file cannot be executed."""
        memory_mb = self._memory_mb
        self._proc = subprocess.Popen(
            self._argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=self._env,
            cwd=self._cwd,
            close_fds=True,
            pass_fds=self._pass_fds,
            start_new_session=True,
            preexec_fn=lambda: limit_resources(memory_mb),
        )
        for pipe in (self._proc.stdin, self._proc.stdout):
            # Bigger pipes: fewer context switches for bulk fs.read answers.
            with contextlib.suppress(OSError):
                fcntl.fcntl(pipe.fileno(), _F_SETPIPE_SZ, _PIPE_SIZE)  # type: ignore[union-attr]
        self._stderr_thread = threading.Thread(
            target=self._drain_stderr, name=f"plugin-stderr-{self.name}", daemon=True
        )
        self._stderr_thread.start()

    @property
    def stdin(self) -> BinaryIO:
        """The plugin's stdin (our requests and answers)."""
        assert self._proc is not None and self._proc.stdin is not None
        return self._proc.stdin  # type: ignore[return-value]

    @property
    def stdout(self) -> BinaryIO:
        """The plugin's stdout (its messages)."""
        assert self._proc is not None and self._proc.stdout is not None
        return self._proc.stdout  # type: ignore[return-value]

    @property
    def pid(self) -> int:
        """Process id (also the process-group id)."""
        assert self._proc is not None
        return self._proc.pid

    def _drain_stderr(self) -> None:
        assert self._proc is not None and self._proc.stderr is not None
        err = self._proc.stderr
        while True:
            line = err.readline(8192)
            if not line:
                break
            text = line.decode("utf-8", "replace").rstrip()
            with self._stderr_lock:
                self._stderr_tail.append(text[:300])
                forward = self.stderr_logged < STDERR_LOG_LIMIT
                if forward:
                    self.stderr_logged += len(line)
                else:
                    self.stderr_dropped += len(line)
            if forward:
                log.info("plugin %s: %s", self.name, text[:1000])

    def finish_stderr(self, timeout: float) -> bool:
        """Wait (at most ``timeout`` s) until everything the plugin wrote to stderr has
        been read, which happens once every process holding the pipe has exited.
        Call it before :meth:`stderr_tail` or the counters are read; False when
        the reader is still going (something still holds the pipe)."""
        thread = self._stderr_thread
        if thread is None:
            return True
        thread.join(timeout)
        return not thread.is_alive()

    def stderr_tail(self) -> list[str]:
        """The last stderr lines read so far (a copy), for crash messages."""
        with self._stderr_lock:
            return list(self._stderr_tail)

    def kill(self) -> None:
        """SIGKILL the whole process group (children included)."""
        if self._proc is None or self._proc.poll() is not None:
            return
        self.killed_by_host = True  # only ever set to True: no lock needed
        try:
            os.killpg(self._proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            self._proc.kill()

    def wait(self, timeout: float | None) -> int | None:
        """Wait for the exit; None when still running after ``timeout``."""
        assert self._proc is not None
        try:
            return self._proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def reap(self) -> None:
        """Kill if needed and reap the plugin, then SIGKILL whatever it left behind
        in its process group (a background child would keep the pipes open)."""
        if self._proc is None:
            return
        if self._proc.poll() is None:
            self.kill()
        self._proc.wait()
        # The group outlives its leader while members remain, so its id cannot have
        # been reused yet; ESRCH means nothing was left.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self._proc.pid, signal.SIGKILL)

    def close(self, stdout_drained: bool = True) -> None:
        """Reap (see :meth:`reap`), wait for the stderr reader, close the pipes.

        A pipe whose reader thread is still blocked in it (``stdout_drained`` False,
        or the stderr reader still running) is left open: closing a buffered file
        waits for the read in progress, which may never end."""
        if self._proc is None:
            return
        self.reap()
        stderr_done = self.finish_stderr(2)
        pipes: list[IO[bytes] | None] = [self._proc.stdin]
        if stdout_drained:
            pipes.append(self._proc.stdout)
        if stderr_done:
            pipes.append(self._proc.stderr)
        for pipe in pipes:
            with contextlib.suppress(OSError):
                if pipe is not None:
                    pipe.close()

    @property
    def returncode(self) -> int | None:
        """Exit status (negative: signal), None while running."""
        return None if self._proc is None else self._proc.poll()
