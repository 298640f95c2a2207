"""Where a rendered report goes when ``-o PATH`` / ``--format FMT=PATH`` names it.

What is at PATH decides how it is written:

* nothing, or a regular file: atomically. The bytes go to a temporary file
  ``.seawall-*.tmp`` in the same directory, are synced, and the temporary file is
  renamed over PATH, so a reader never sees half a report and a failed write (disk
  full, interrupted) leaves PATH as it was and no temporary file behind. A replaced
  file keeps its permission bits (and, when we may, its owner); a new one gets
  ``0666 & ~umask`` like any file a shell redirection creates. Missing parent
  directories are created.
* a symlink: followed, as a shell redirection does. The link stays, its target is
  written (by the rules here: a link to ``/dev/null`` writes into the device); a
  dangling link creates its target.
* a character or block device, a FIFO, a socket: written *into*, never replaced
  (``-o /dev/null`` stays a device; a FIFO's reader gets the report).
* ``/dev/stdout``, ``/dev/stderr``, ``/dev/fd/N``, ``/proc/self/fd/N``: written into
  that descriptor of this process, whatever it is (a pipe, a terminal, a file the
  shell opened).
* a directory: an error.

Any failure is one :class:`~seawall.errors.InputError` line naming PATH (exit 2):
``cannot write /dev/full: No space left on device``.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import sys
import tempfile

from seawall.errors import InputError

#: Prefix of the temporary files written next to the destination.
TEMP_PREFIX = ".seawall-"
_FD_PATH = re.compile(r"^/(?:dev/fd|proc/self/fd)/(\d+)$")
_STD_PATHS = {"/dev/stdin": 0, "/dev/stdout": 1, "/dev/stderr": 2}


def encode_report(text: str) -> bytes:
    """UTF-8 bytes of a rendered report. A lone surrogate (a non-UTF-8 byte of a path,
    carried with ``surrogateescape``) that reaches here is only possible in the JSON
    formats, where ``backslashreplace`` turns it into a valid ``\\udcXX`` escape."""
    return text.encode("utf-8", "backslashreplace")


def own_descriptor(path: str) -> int | None:
    """The descriptor number when ``path`` names one of this process's descriptors."""
    if path in _STD_PATHS:
        return _STD_PATHS[path]
    match = _FD_PATH.match(path)
    return int(match.group(1)) if match else None


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _fail(path: str, exc: OSError) -> InputError:
    reason = exc.strerror or str(exc)
    return InputError(f"cannot write {path}: {reason}")


def write_destination(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` by the rules of this module."""
    fd_number = own_descriptor(path)
    if fd_number is not None:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()  # what Python buffered goes out first
        try:
            _write_all(fd_number, data)
        except OSError as exc:
            raise _fail(path, exc) from None
        return
    try:
        st: os.stat_result | None = os.stat(path)  # follows symlinks
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise _fail(path, exc) from None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise _fail(path, OSError(errno.EISDIR, "is a directory"))
    if st is not None and not stat.S_ISREG(st.st_mode):
        _write_into(path, data)
    else:
        _replace_atomically(path, data, st)


def _write_into(path: str, data: bytes) -> None:
    """Devices, FIFOs, sockets: open for writing (no create, no truncate) and write."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NOCTTY | os.O_CLOEXEC)
    except OSError as exc:
        raise _fail(path, exc) from None
    try:
        _write_all(fd, data)
    except OSError as exc:
        raise _fail(path, exc) from None
    finally:
        os.close(fd)


def _replace_atomically(path: str, data: bytes, st: os.stat_result | None) -> None:
    """Temporary file in the destination's directory, then rename over it."""
    final = os.path.realpath(path)  # a symlink is followed: its target is replaced
    directory = os.path.dirname(final)
    tmp: str | None = None
    try:
        os.makedirs(directory, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=TEMP_PREFIX, suffix=".tmp")
        try:
            _write_all(fd, data)
            if st is not None:
                os.fchmod(fd, stat.S_IMODE(st.st_mode))
                if (st.st_uid, st.st_gid) != (os.geteuid(), os.getegid()):
                    with contextlib.suppress(PermissionError):
                        os.fchown(fd, st.st_uid, st.st_gid)
            else:
                os.fchmod(fd, 0o666 & ~_current_umask())
            os.fsync(fd)  # a full disk may only say so here, not at write()
        finally:
            os.close(fd)
        os.replace(tmp, final)
        tmp = None
    except OSError as exc:
        raise _fail(path, exc) from None
    finally:
        if tmp is not None:  # failed or interrupted: leave no debris
            with contextlib.suppress(OSError):
                os.unlink(tmp)
