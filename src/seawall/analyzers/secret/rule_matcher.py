"""Every content rule's regex in one Hyperscan database: where a rule *may* match.

Hyperscan compiles each rule regex in prefilter mode (``HS_FLAG_PREFILTER``: it may
report more matches than the regex has, never fewer) and scans a buffer once for all of
them, in time linear in the buffer. It reports the end offset of every match. The engine
then runs the rule's real regex (Python ``re`` or RE2, for the capture groups and exact
semantics) only on a bounded region ending at such an offset. On ordinary files almost no
bytes reach Python at all, and on hostile ones the Python work per input byte is bounded
by the number of rules (see :mod:`secret.engine`).

Very large bounded repeats (``[A-Za-z0-9+/]{200,16000}``) make Hyperscan's compile slow
and its database large, and a prefilter needs no exact bounds: they are widened to
``{m,}`` with ``m`` capped (a superset). Smaller ones stay exact: a widened tail
matches a long run of token characters at every byte (``AAAA...``), and every match
end is a call into Python. The compiled database is cached on disk,
keyed by the Hyperscan version and the expressions (and kept per process).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

_hs: Any
try:
    import hyperscan as _hs
except ImportError:  # pragma: no cover - exercised when the wheel is absent
    _hs = None

WIDEN_ABOVE = 1000
"""Repeats whose upper bound is larger than this are widened to ``{m,}``."""
WIDEN_MIN_CAP = 64
"""... with their lower bound capped at this (still selective, much smaller)."""
CACHE_FORMAT = "1"
STORE_AFTER_SECONDS = 0.2
"""Databases that took longer than this to compile are kept on disk."""
_MEMO: dict[str, tuple[list[int], Any]] = {}
"""Databases built in this process (a database is read-only: engines share it)."""


def hyperscan_available() -> bool:
    """True when the Hyperscan wheel is importable."""
    return _hs is not None


def widen_repeats(source: str) -> str:
    """``source`` with every ``{m,n}`` quantifier (``n`` > :data:`WIDEN_ABOVE`) written
    ``{min(m, WIDEN_MIN_CAP),}``. Escapes and character classes are left alone, so the
    result matches a superset of what ``source`` matches."""
    out: list[str] = []
    i, n = 0, len(source)
    in_class = False
    while i < n:
        c = source[i]
        if c == "\\":
            out.append(source[i : i + 2])
            i += 2
            continue
        if in_class:
            if c == "]":
                in_class = False
            out.append(c)
            i += 1
            continue
        if c == "[":
            in_class = True
            out.append(c)
            # A ']' right after '[' or '[^' is a literal member.
            j = i + 1
            if j < n and source[j] == "^":
                out.append("^")
                j += 1
            if j < n and source[j] == "]":
                out.append("]")
                j += 1
            i = j
            continue
        if c == "{":
            close = source.find("}", i)
            body = source[i + 1 : close] if close != -1 else ""
            lo, comma, hi = body.partition(",")
            if comma and lo == "" and hi.isdigit():
                lo = "0"  # Python reads {,n} as {0,n}; PCRE would take it literally
            if comma and lo.isdigit() and (hi == "" or hi.isdigit()):
                if hi == "" or int(hi) > WIDEN_ABOVE:
                    out.append(f"{{{min(int(lo), WIDEN_MIN_CAP)},}}")
                else:
                    out.append(f"{{{lo},{hi}}}")
                i = close + 1
                continue
        out.append(c)
        i += 1
    return "".join(out)


def _cache_root() -> Path:
    # Same resolution as the layer cache (fs.layer_cache.default_cache_dir).
    from seawall.fs.layer_cache import default_cache_dir

    return Path(default_cache_dir()) / "secret-rules"


class RuleMatcher:
    """One Hyperscan block-mode database over many regexes (prefilter mode).

    ``covered`` lists the indexes of the regexes it holds: a regex Hyperscan rejects
    even in prefilter mode is left out, and the engine falls back to its keywords."""

    def __init__(self, sources: Sequence[str], cache: bool = True) -> None:
        if _hs is None:
            raise RuntimeError("hyperscan is not installed")
        flags = _hs.HS_FLAG_PREFILTER | _hs.HS_FLAG_MULTILINE | _hs.HS_FLAG_ALLOWEMPTY
        self._flags = flags
        exprs = [widen_repeats(s).encode() for s in sources]
        self.covered: list[int] = []
        self._db: Any = None
        # Hyperscan scratch space must not be shared by concurrent scans.
        self._local = threading.local()
        key = hashlib.sha256(
            "\0".join([CACHE_FORMAT, str(_hs.__version__), str(flags), *map(repr, exprs)])
            .encode()
        ).hexdigest()[:32]
        memo = _MEMO.get(key)
        if memo is not None:
            self.covered, self._db = memo
            return
        path = _cache_root() / f"{key}.hsdb" if cache else None
        if path is None or not self._load(path):
            started = time.monotonic()
            self._compile(exprs)
            # Small rule sets compile in milliseconds: only slow ones go to disk.
            if path is not None and self._db is not None \
                    and time.monotonic() - started > STORE_AFTER_SECONDS:
                self._store(path)
        _MEMO[key] = (self.covered, self._db)

    def _compile(self, exprs: list[bytes]) -> None:
        try:
            self._db = self._build(exprs, list(range(len(exprs))))
            self.covered = list(range(len(exprs)))
            return
        except _hs.error:
            pass
        # Find the culprits one by one (only user rules written for other engines).
        ok = []
        for i, e in enumerate(exprs):
            try:
                self._build([e], [i])
                ok.append(i)
            except _hs.error:
                continue
        if ok:
            self._db = self._build([exprs[i] for i in ok], ok)
        self.covered = ok

    def _build(self, exprs: list[bytes], ids: list[int]) -> Any:
        db = _hs.Database(mode=_hs.HS_MODE_BLOCK)
        db.compile(expressions=exprs, ids=ids, elements=len(exprs),
                   flags=[self._flags] * len(exprs))
        return db

    def _load(self, path: Path) -> bool:
        try:
            blob = path.read_bytes()
        except OSError:
            return False
        header, _, body = blob.partition(b"\n")
        try:
            self.covered = [int(x) for x in header.split(b",") if x]
            self._db = _hs.loadb(body, _hs.HS_MODE_BLOCK)
        except (ValueError, _hs.error):
            self.covered = []
            self._db = None
            return False
        return True

    def _store(self, path: Path) -> None:
        header = ",".join(map(str, self.covered)).encode() + b"\n"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".hsdb-")
            with os.fdopen(fd, "wb") as fh:
                fh.write(header + _hs.dumpb(self._db))
            os.replace(tmp, path)
        except OSError:
            pass  # an unwritable cache only costs the compile next time

    def ends(self, data: bytes, stride: int = 0, boundary: int = 0) -> list[tuple[int, int]]:
        """(regex index, match end offset) of the possible matches in ``data``, in
        increasing end order.

        With ``stride``, an end less than ``stride`` bytes after the last one kept for
        the same regex is dropped when no line break lies between them and both are on
        the same side of ``boundary``: a run of ``AAAA...`` would otherwise report an
        end at every byte for every rule with a variable-length tail. The engine's
        region for the kept end reaches at least ``stride`` bytes further on its line."""
        if self._db is None or not data:
            return []
        hits: list[tuple[int, int]] = []
        append = hits.append
        last: dict[int, int] = {}
        find = data.find

        def on_match(rid: int, _from: int, to: int, _flags: int, _ctx: Any) -> None:
            prev = last.get(rid)
            if (prev is not None and to - prev < stride and (prev > boundary or to <= boundary)
                    and find(b"\n", prev - 1, to) == -1):
                return
            last[rid] = to
            append((rid, to))

        scratch = getattr(self._local, "scratch", None)
        if scratch is None:
            scratch = self._local.scratch = _hs.Scratch(self._db)
        self._db.scan(data, match_event_handler=on_match, scratch=scratch)
        return hits
