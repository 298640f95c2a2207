"""What every persistence check reads: the target's final filesystem (capped,
symlink-safe reads), its accounts, its package ownership and the candidate files the
layer walk picked out (setuid files, ``.pth`` files, git hooks, temp-dir files...)."""

from __future__ import annotations

import posixpath
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property

from seawall.analyzers.package_ownership import PackageOwnership, load_package_ownership
from seawall.fs.interface import FileInfo, FileSystem

MAX_TEXT_BYTES = 1024 * 1024
TEMP_DIRS = ("/tmp/", "/var/tmp/", "/dev/shm/")
MODULE_DIRS = ("/lib/modules/", "/usr/lib/modules/")
PYTHON_STARTUP_NAMES = ("sitecustomize.py", "usercustomize.py")


def candidate_kind(path: str, info: FileInfo) -> str | None:
    """Why the walk keeps ``path`` for the checks that search the whole tree (cheap:
    metadata and name only), or None."""
    if info.is_symlink():
        name = info.name
        return "symlink-login" if name in ("su", "chsh", "chfn", "runuser") else None
    if not info.is_file():
        return None
    if info.mode & (stat.S_ISUID | stat.S_ISGID):
        return "setuid"
    if path.startswith(TEMP_DIRS):
        return "temp"
    if path.endswith(".pth") or info.name in PYTHON_STARTUP_NAMES:
        return "python-startup"
    if "/.git/hooks/" in path:
        return "git-hook"
    if path.startswith(MODULE_DIRS) and ".ko" in info.name:
        return "kernel-module"
    return None


@dataclass(frozen=True)
class Account:
    """One /etc/passwd entry."""

    name: str
    uid: int | None
    gid: int | None
    home: str
    shell: str
    password_field: str
    line: int


@dataclass
class BackdoorContext:
    """Shared, lazily computed facts about one target."""

    fs: FileSystem
    candidates: dict[str, list[str]] = field(default_factory=dict)
    """kind (see :func:`candidate_kind`) -> paths visible in the final filesystem."""
    image_env: list[str] = field(default_factory=list)
    """``Env`` of the image config / container (``KEY=VALUE``)."""
    package_ownership: PackageOwnership | None = None
    """The scan's package ownership fact; None: read from :attr:`fs` on first need."""

    def info(self, path: str) -> FileInfo | None:
        """lstat, or None when missing."""
        try:
            return self.fs.lstat(path)
        except OSError:
            return None

    def is_file(self, path: str) -> bool:
        """A regular file (after resolving symlinks inside the root)?"""
        try:
            return self.fs.stat(path).is_file()
        except OSError:
            return False

    def read_bytes(self, path: str, limit: int = MAX_TEXT_BYTES) -> bytes | None:
        """At most ``limit`` bytes of a regular file, or None."""
        if not self.is_file(path):
            return None
        try:
            return self.fs.read_bytes(path, 0, limit)
        except OSError:
            return None

    def read_text(self, path: str) -> str | None:
        """A text file (first MiB), or None when missing or binary."""
        data = self.read_bytes(path)
        if data is None or b"\0" in data[:4096]:
            return None
        return data.decode("utf-8", errors="replace")

    def lines(self, path: str) -> Iterator[tuple[int, str]]:
        """(1-based number, line) of a text file; nothing when unreadable."""
        text = self.read_text(path)
        if text is None:
            return
        yield from enumerate(text.splitlines(), 1)

    def logical_lines(self, path: str) -> Iterator[tuple[int, str]]:
        """Like :meth:`lines` with backslash continuations joined (numbered by the
        first physical line)."""
        pending, start = "", 0
        for number, line in self.lines(path):
            if not pending:
                start = number
            if line.endswith("\\"):
                pending += line[:-1] + " "
                continue
            yield start, pending + line
            pending = ""
        if pending:
            yield start, pending

    def files_in(self, directory: str, recursive: bool = False) -> list[str]:
        """Regular files (symlinks to files included) in ``directory``, sorted."""
        out: list[str] = []
        try:
            names = self.fs.listdir(directory)
        except OSError:
            return out
        for name in names:
            path = posixpath.join(directory, name)
            info = self.info(path)
            if info is None:
                continue
            if info.is_dir() and recursive:
                out += self.files_in(path, recursive=True)
            elif info.is_file() or (info.is_symlink() and self.is_file(path)):
                out.append(path)
        return out

    @cached_property
    def ownership(self) -> PackageOwnership:
        """Package-owned paths (dpkg/apk/rpm)."""
        if self.package_ownership is not None:
            return self.package_ownership
        return load_package_ownership(self.fs)

    def unowned(self, path: str) -> bool:
        """True only when a package database exists and no package owns ``path``."""
        return self.ownership.known and not self.ownership.owns(path)

    @cached_property
    def accounts(self) -> list[Account]:
        """Entries of /etc/passwd (malformed lines skipped)."""
        out = []
        for number, line in self.lines("/etc/passwd"):
            parts = line.split(":")
            if len(parts) < 7 or not parts[0] or line.startswith(("#", "+", "-")):
                continue
            out.append(Account(parts[0], _int(parts[2]), _int(parts[3]), parts[5] or "/",
                               parts[6], parts[1], number))
        return out

    @cached_property
    def shadow(self) -> dict[str, tuple[str, int]]:
        """user -> (password field, line number) from /etc/shadow."""
        out = {}
        for number, line in self.lines("/etc/shadow"):
            parts = line.split(":")
            if len(parts) >= 2 and parts[0]:
                out[parts[0]] = (parts[1], number)
        return out

    @cached_property
    def home_dirs(self) -> list[str]:
        """Home directories of every account plus /root, existing ones only."""
        homes = {"/root"} | {a.home for a in self.accounts if a.home not in ("/", "")}
        return sorted(h for h in homes if self._is_dir(h))

    def _is_dir(self, path: str) -> bool:
        try:
            return self.fs.stat(path).is_dir()
        except OSError:
            return False


def _int(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None
