"""This process's private work space under ``<cache>/tmp``, and the sweep of what dead
processes left there.

Layer entries being built, ``docker save`` and ``docker export`` streams, decompressed
archives: every work file of a process lives in one directory ``tmp/<pid>-<random>/``
whose owner holds an exclusive ``flock`` on the sibling ``tmp/<pid>-<random>.lock``
for as long as it runs. The kernel drops that lock when the process ends, however it
ends (SIGKILL, OOM killer, a lost CI runner), so a lock anyone can take marks debris:
:func:`sweep_stale` removes such directories when a process first uses the cache. No
pid is trusted (containers sharing a cache volume have their own pid namespaces);
the pid in the name is for humans. Entries left by seawall versions without locks are
removed once nothing in them changed for :data:`LEGACY_IDLE_SECONDS`. The sweep runs
when a process first opens the cache (:func:`sweep_stale_once`).

On a normal exit, and on SIGINT/SIGTERM (the CLI calls :func:`remove_process_scratch`),
the directory is removed whole. An interrupt is only raised in the main thread, so the
CLI also calls :func:`abandon_work`: every writer into the work space (in any thread)
then stops at its next chunk with :class:`WorkAbandoned` and deletes what it wrote,
instead of finishing a multi-GB layer first.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import os
import secrets
import shutil
import threading
import time

LOCK_SUFFIX = ".lock"
LEGACY_IDLE_SECONDS = 3600
"""Idle time after which an unlocked entry (from an older seawall) counts as debris."""

_lock = threading.Lock()
_spaces: dict[str, _ProcessScratch] = {}
_swept: set[tuple[int, str]] = set()
"""(pid, tmp root) pairs already swept by this process."""
_atexit_registered = False
_abandoned = threading.Event()


class WorkAbandoned(KeyboardInterrupt):
    """Raised in a thread writing into the cache after :func:`abandon_work` (an
    interrupt: nothing catches it as an ordinary error)."""


def abandon_work() -> None:
    """Make every writer into a cache work space stop at its next chunk."""
    _abandoned.set()


def check_not_abandoned() -> None:
    """Raise :class:`WorkAbandoned` when :func:`abandon_work` was called."""
    if _abandoned.is_set():
        raise WorkAbandoned


class _ProcessScratch:
    """One process's directory under a ``tmp`` root, with its lock held."""

    def __init__(self, tmp_root: str) -> None:
        self.pid = os.getpid()
        while True:
            name = f"{self.pid}-{secrets.token_hex(4)}"
            self.lock_path = os.path.join(tmp_root, name + LOCK_SUFFIX)
            self.path = os.path.join(tmp_root, name)
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
            fcntl.flock(fd, fcntl.LOCK_EX)
            # A sweeper may have taken the fresh lock file before we locked it and
            # unlinked it: then our lock guards nothing; start again with a new name.
            if _same_file(fd, self.lock_path):
                break
            os.close(fd)
        self._fd = fd
        os.mkdir(self.path, 0o700)

    def alive(self) -> bool:
        """Still ours (not inherited over ``fork``) and not removed."""
        return self.pid == os.getpid() and os.path.isdir(self.path)

    def remove(self) -> None:
        """Delete the directory and its lock (idempotent)."""
        shutil.rmtree(self.path, ignore_errors=True)
        with contextlib.suppress(OSError):
            os.unlink(self.lock_path)
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


def _same_file(fd: int, path: str) -> bool:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return False
    own = os.fstat(fd)
    return (st.st_dev, st.st_ino) == (own.st_dev, own.st_ino)


def process_scratch(tmp_root: str) -> str:
    """This process's work directory under ``tmp_root`` (created on first use; again
    if it was removed after an interrupt)."""
    global _atexit_registered
    check_not_abandoned()  # no fresh work space once the process is being stopped
    key = os.path.abspath(tmp_root)
    with _lock:
        space = _spaces.get(key)
        if space is not None and space.alive():
            return space.path
        space = _ProcessScratch(key)
        _spaces[key] = space
        if not _atexit_registered:
            atexit.register(remove_process_scratch)
            _atexit_registered = True
        return space.path


def sweep_stale_once(tmp_root: str) -> None:
    """:func:`sweep_stale` the first time this process opens a cache (cheap after)."""
    key = (os.getpid(), os.path.abspath(tmp_root))
    with _lock:
        if key in _swept:
            return
        _swept.add(key)
    sweep_stale(key[1])


def remove_process_scratch() -> None:
    """Remove every work directory of this process (at exit, on SIGINT/SIGTERM).
    Files still open elsewhere in the process stay readable until closed."""
    with _lock:
        spaces = [s for s in _spaces.values() if s.pid == os.getpid()]
        _spaces.clear()
    for space in spaces:
        space.remove()


def sweep_stale(tmp_root: str) -> list[str]:
    """Remove the work directories under ``tmp_root`` whose owner is gone; returns the
    names removed. Locked ones (live owners) and recently changed unlocked ones are
    kept."""
    try:
        names = os.listdir(tmp_root)
    except FileNotFoundError:
        return []
    removed: list[str] = []
    locks = {n[: -len(LOCK_SUFFIX)] for n in names if n.endswith(LOCK_SUFFIX)}
    for base in sorted(locks):
        if _remove_if_unlocked(tmp_root, base):
            removed.append(base)
    now = time.time()
    for name in names:
        if name.endswith(LOCK_SUFFIX) or name in locks:
            continue
        path = os.path.join(tmp_root, name)
        if now - _last_change(path) > LEGACY_IDLE_SECONDS:
            _remove_path(path)
            removed.append(name)
    return removed


def _remove_if_unlocked(tmp_root: str, base: str) -> bool:
    lock_path = os.path.join(tmp_root, base + LOCK_SUFFIX)
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False  # its owner is alive
        if not _same_file(fd, lock_path):
            return False  # another sweeper got there first
        shutil.rmtree(os.path.join(tmp_root, base), ignore_errors=True)
        with contextlib.suppress(OSError):
            os.unlink(lock_path)
        return True
    finally:
        os.close(fd)


def _last_change(path: str) -> float:
    """Newest mtime of ``path`` and its direct children (a writer touches its file)."""
    try:
        newest = os.lstat(path).st_mtime
    except OSError:
        return time.time()
    if os.path.isdir(path) and not os.path.islink(path):
        with contextlib.suppress(OSError), os.scandir(path) as it:
            for entry in it:
                with contextlib.suppress(OSError):
                    newest = max(newest, entry.stat(follow_symlinks=False).st_mtime)
    return newest


def _remove_path(path: str) -> None:
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(OSError):
            os.unlink(path)
