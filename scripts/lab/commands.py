"""Running external tools, logging progress, and talking to local daemons."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

_START = time.monotonic()


class LabError(Exception):
    """A lab step failed; the message names the step and where its log is."""


def say(message: str) -> None:
    """Progress line on stderr with the time since the lab command started."""
    print(f"lab [{time.monotonic() - _START:6.1f}s] {message}", file=sys.stderr, flush=True)


def run(
    argv: Sequence[str | os.PathLike[str]],
    *,
    log: Path | None = None,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    check: bool = True,
    timeout: float | None = 1800,
) -> subprocess.CompletedProcess[str]:
    """Run a tool. Output goes to ``log`` (appended) when given, else is captured.

    On failure the error names the command and shows the tail of its output, so CI logs
    say what broke without digging."""
    args = [str(a) for a in argv]
    full_env = {**os.environ, **(env or {})}
    if log is not None:
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("a") as out:
            out.write(f"\n$ {' '.join(args)}\n")
            out.flush()
            proc = subprocess.run(args, stdout=out, stderr=subprocess.STDOUT, text=True,
                                  env=full_env, cwd=cwd, timeout=timeout, check=False,
                                  stdin=subprocess.DEVNULL)
    else:
        proc = subprocess.run(args, capture_output=True, text=True, env=full_env, cwd=cwd,
                              timeout=timeout, check=False, stdin=subprocess.DEVNULL)
    if check and proc.returncode != 0:
        if log is not None:
            tail = "\n".join(log.read_text(errors="replace").splitlines()[-25:])
            where = f" (log: {log})"
        else:
            tail = (proc.stderr or proc.stdout or "").strip()[-3000:]
            where = ""
        raise LabError(f"`{' '.join(args)}` exited {proc.returncode}{where}\n{tail}")
    return proc


def output(argv: Sequence[str | os.PathLike[str]], **kwargs: object) -> str:
    """Stdout of a tool that must succeed, stripped."""
    return run(argv, **kwargs).stdout.strip()  # type: ignore[arg-type]


def succeeds(argv: Sequence[str | os.PathLike[str]], timeout: float = 20) -> bool:
    """True when the tool exits 0 (missing tool or timeout count as failure)."""
    try:
        return run(argv, check=False, timeout=timeout).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def wait_until(what: str, ready: Callable[[], bool], timeout: float = 60,
               log: Path | None = None) -> None:
    """Poll ``ready`` until it is true; fail naming ``what`` and its log otherwise."""
    deadline = time.monotonic() + timeout
    delay = 0.05
    while time.monotonic() < deadline:
        if ready():
            return
        time.sleep(delay)
        delay = min(delay * 2, 1.0)
    tail = ""
    if log is not None and log.exists():
        tail = "\n" + "\n".join(log.read_text(errors="replace").splitlines()[-20:])
    raise LabError(f"{what} not ready after {timeout:.0f}s"
                   f"{f' (log: {log})' if log else ''}{tail}")


def start_daemon(name: str, argv: Sequence[str | os.PathLike[str]], *, pid_file: Path,
                 log: Path, env: Mapping[str, str] | None = None) -> int:
    """Start a long-running tool detached from this process (own session, so a Ctrl-C
    of the caller does not take it down) and record its pid."""
    log.parent.mkdir(parents=True, exist_ok=True)
    pid_file.parent.mkdir(parents=True, exist_ok=True)
    with log.open("a") as out:
        out.write(f"\n--- {time.strftime('%F %T')} starting {name}: "
                  f"{' '.join(str(a) for a in argv)}\n")
        out.flush()
        proc = subprocess.Popen([str(a) for a in argv], stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True,
                                env={**os.environ, **(env or {})})
    pid_file.write_text(f"{proc.pid} {_start_time(proc.pid)}\n")
    return proc.pid


def _proc_stat(pid: int) -> list[str] | None:
    """Fields of /proc/<pid>/stat after the command name (state is [0])."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def _start_time(pid: int) -> str:
    fields = _proc_stat(pid)
    return fields[19] if fields else "?"


def recorded_pid(pid_file: Path) -> int | None:
    """The pid in ``pid_file`` if that very process (same pid *and* start time, so a
    recycled pid never matches) is still alive and not a zombie, else None."""
    try:
        pid_text, _, started = pid_file.read_text().strip().partition(" ")
        pid = int(pid_text)
    except (OSError, ValueError):
        return None
    fields = _proc_stat(pid)
    if fields is None or fields[0] == "Z":
        return None
    if started and started != fields[19]:
        return None
    return pid


def stop_recorded(name: str, pid_file: Path, timeout: float = 20) -> bool:
    """SIGTERM the process recorded in ``pid_file`` (then SIGKILL); True if one was
    running. Only ever touches the pid this lab wrote."""
    pid = recorded_pid(pid_file)
    pid_file.unlink(missing_ok=True)
    if pid is None:
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        say(f"{name} (pid {pid}) ignored SIGTERM; killing")
        os.kill(pid, signal.SIGKILL)
    return True


class UnixHTTPConnection(http.client.HTTPConnection):
    """HTTP over a unix socket (Docker-compatible APIs), standard library only."""

    def __init__(self, path: str, timeout: float = 5) -> None:
        super().__init__("localhost", timeout=timeout)
        self._path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        sock.connect(self._path)
        self.sock = sock


def http_status(url: str, *, unix_socket: str | None = None,
                auth: tuple[str, str] | None = None, timeout: float = 3) -> int | None:
    """Status code of GET ``url`` (a path when ``unix_socket`` is given); None if nothing
    answers."""
    import base64
    from urllib.parse import urlsplit

    headers = {}
    if auth:
        token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    conn: http.client.HTTPConnection
    try:
        if unix_socket:
            conn = UnixHTTPConnection(unix_socket, timeout=timeout)
            path = url
        else:
            parts = urlsplit(url)
            conn = http.client.HTTPConnection(parts.netloc, timeout=timeout)
            path = parts.path or "/"
        conn.request("GET", path, headers=headers)
        status = conn.getresponse().status
        conn.close()
        return status
    except OSError:
        return None
