"""Chroot-style path resolution done by us, shared by every FileSystem implementation.

The kernel is never asked to follow a symlink inside a target: each implementation
only provides a *node lookup* for one literal, already-canonical path (``lstat``
semantics) and this module walks the components itself:

* an absolute symlink target restarts at the target root (as if chrooted);
* ``..`` pops the already-resolved (physical) parent and is clamped at ``/``;
* more than :data:`MAX_SYMLINKS` links in one resolution raise ``OSError(ELOOP)``;
* a missing intermediate component raises ``FileNotFoundError``, a non-directory
  intermediate ``NotADirectoryError`` -- with the path the caller asked for.

Because lookups only ever see canonical paths (no symlink among their parents), an
implementation can answer them from a dict (layers) or with a single ``lstat`` below
its root (directories).
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

#: Linux's own limit on symlinks followed while resolving one path (``MAXSYMLINKS``).
MAX_SYMLINKS = 40

N = TypeVar("N")


def split_components(path: str) -> list[str]:
    """Non-empty components of ``path`` (``.`` kept: it matters after a non-directory)."""
    return [c for c in path.split("/") if c]


def normalize_path(path: str) -> str:
    """Lexically normalise a path to an absolute one inside the root: collapses ``//``
    and ``.``, applies ``..`` textually and clamps it at ``/``. Used for *names*
    (tar entries, whiteouts), never in place of :meth:`PathResolver.resolve`."""
    out: list[str] = []
    for comp in path.split("/"):
        if not comp or comp == ".":
            continue
        if comp == "..":
            if out:
                out.pop()
            continue
        out.append(comp)
    return "/" + "/".join(out)


def join_path(parent: str, name: str) -> str:
    """Join a canonical absolute directory path and one name."""
    return parent + name if parent == "/" else f"{parent}/{name}"


def parent_path(path: str) -> str:
    """Parent of a canonical absolute path (``/`` is its own parent)."""
    head = path.rsplit("/", 1)[0]
    return head or "/"


def os_error(code: int, path: str) -> OSError:
    """An ``OSError`` of the right subclass (``FileNotFoundError``...) naming ``path``."""
    return OSError(code, os.strerror(code), path)


@dataclass(frozen=True)
class Resolved(Generic[N]):
    """Outcome of a resolution."""

    path: str
    """Canonical absolute path inside the root."""
    node: N | None
    """What the lookup returned for :attr:`path`; None when the last component is missing."""


class PathResolver(Generic[N]):
    """Resolves paths over an abstract node lookup.

    ``lookup(path)`` returns the node at a canonical path without following a final
    symlink (None if absent); ``is_dir(node)`` says whether it may be descended into;
    ``link_target(path, node)`` returns a symlink's stored target, or None when the
    node is not a symlink.
    """

    __slots__ = ("_is_dir", "_link_target", "_lookup")

    def __init__(
        self,
        lookup: Callable[[str], N | None],
        is_dir: Callable[[N], bool],
        link_target: Callable[[str, N], str | None],
    ) -> None:
        self._lookup = lookup
        self._is_dir = is_dir
        self._link_target = link_target

    def resolve(self, path: str, follow_last: bool = True, strict: bool = True) -> Resolved[N]:
        """Resolve ``path`` inside the root.

        With ``follow_last`` a final symlink is followed too (``stat``); without it
        the final component is looked up as is (``lstat``). A trailing ``/`` always
        follows and requires a directory, as POSIX does. A missing *final* component
        is not an error: the result's ``node`` is None. Without ``strict`` a missing
        intermediate is not one either: the rest is appended lexically, like
        ``os.path.realpath``.
        """
        if not path.startswith("/"):
            path = "/" + path
        pending = split_components(path)
        pending.reverse()  # pop() from the end = next component
        if path.endswith("/") and pending:
            pending.insert(0, ".")
        resolved: list[str] = []
        node: N | None = self._lookup("/")
        links = 0
        lookup, is_dir, link_target = self._lookup, self._is_dir, self._link_target
        while pending:
            comp = pending.pop()
            if comp == ".":
                if node is not None and not is_dir(node):
                    raise os_error(errno.ENOTDIR, path)
                continue
            if comp == "..":
                if node is not None and not is_dir(node):
                    raise os_error(errno.ENOTDIR, path)
                if resolved:
                    resolved.pop()
                node = lookup("/" + "/".join(resolved))
                continue
            if node is None:
                raise os_error(errno.ENOENT, path)
            if not is_dir(node):
                raise os_error(errno.ENOTDIR, path)
            candidate = "/" + "/".join([*resolved, comp])
            child = lookup(candidate)
            if child is None:
                if pending and strict:
                    raise os_error(errno.ENOENT, path)
                pending.reverse()
                return Resolved(normalize_path(candidate + "/" + "/".join(pending)), None)
            target = link_target(candidate, child)
            if target is not None and (pending or follow_last):
                links += 1
                if links > MAX_SYMLINKS:
                    raise os_error(errno.ELOOP, path)
                if target.startswith("/"):
                    resolved = []
                    node = lookup("/")
                if not target:
                    raise os_error(errno.ENOENT, path)
                more = split_components(target)
                more.reverse()
                if target.endswith("/") and more:
                    more.insert(0, ".")
                pending.extend(more)
                continue
            resolved.append(comp)
            node = child
        return Resolved("/" + "/".join(resolved), node)
