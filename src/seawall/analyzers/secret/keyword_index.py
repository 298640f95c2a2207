"""The keyword prefilter: every rule keyword found in one pass over a buffer.

Hyperscan (one block-mode database of case-insensitive literals) when the wheel is
installed, else one ``bytes.find`` sweep per keyword over the lower-cased buffer (C
speed, linear, no regex at all). Both report the same hits: (keyword index, position).

A keyword written ``re:<regex>`` is a case-sensitive regex prefilter, for rules whose
secrets have no literal prefix (NATS seeds, ``user:pass@`` URLs). Hyperscan compiles it
into the same database; the fallback runs it with ``re`` (it must pass
:func:`regex_safety.check_bounded`). Its hit position is the match end.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from typing import Any

from seawall.analyzers.secret.regex_safety import check_bounded

REGEX_KEYWORD = "re:"

_hs: Any
try:
    import hyperscan as _hs
except ImportError:  # pragma: no cover - exercised when the wheel is absent
    _hs = None


def _hs_literal(keyword: str) -> bytes:
    """A Hyperscan expression matching ``keyword`` literally (every byte escaped)."""
    return b"".join(b"\\x%02x" % b for b in keyword.encode())


class KeywordIndex:
    """Finds occurrences of many case-insensitive literals in one buffer."""

    def __init__(self, keywords: Sequence[str], use_hyperscan: bool = True) -> None:
        self.keywords = [k if k.startswith(REGEX_KEYWORD) else k.lower() for k in keywords]
        self._regex = [k.startswith(REGEX_KEYWORD) for k in self.keywords]
        # For a regex keyword the reported position is the end: length 1 backs it off.
        pairs = list(zip(self.keywords, self._regex, strict=True))
        self._lengths = [1 if rx else len(k.encode()) for k, rx in pairs]
        self._encoded = [k.encode() for k in self.keywords]
        self._compiled: dict[int, re.Pattern[bytes]] = {}
        for kid, k in enumerate(self.keywords):
            if self._regex[kid]:
                check_bounded(k[len(REGEX_KEYWORD):])
                self._compiled[kid] = re.compile(k[len(REGEX_KEYWORD):].encode())
        self._db: Any = None
        if use_hyperscan and _hs is not None and self.keywords:
            db = _hs.Database(mode=_hs.HS_MODE_BLOCK)
            db.compile(
                expressions=[
                    k[len(REGEX_KEYWORD):].encode() if rx else _hs_literal(k)
                    for k, rx in zip(self.keywords, self._regex, strict=True)
                ],
                ids=list(range(len(self.keywords))),
                elements=len(self.keywords),
                flags=[0 if rx else _hs.HS_FLAG_CASELESS for rx in self._regex],
            )
            self._db = db
        # Hyperscan scratch space must not be shared by concurrent scans.
        self._local = threading.local()

    @property
    def backend(self) -> str:
        """``hyperscan`` or ``find``."""
        return "hyperscan" if self._db is not None else "find"

    def find(self, data: bytes) -> list[tuple[int, int]]:
        """(keyword index, start offset) of every occurrence, unordered."""
        if not self.keywords or not data:
            return []
        if self._db is not None:
            hits: list[tuple[int, int]] = []
            lengths = self._lengths

            def on_match(kid: int, _from: int, to: int, _flags: int, _ctx: Any) -> None:
                hits.append((kid, to - lengths[kid]))

            scratch = getattr(self._local, "scratch", None)
            if scratch is None:
                scratch = self._local.scratch = _hs.Scratch(self._db)
            self._db.scan(data, match_event_handler=on_match, scratch=scratch)
            return hits
        low = data.lower()
        out: list[tuple[int, int]] = []
        for kid, kw in enumerate(self._encoded):
            if kid in self._compiled:
                out.extend((kid, m.end() - 1) for m in self._compiled[kid].finditer(data))
                continue
            pos = low.find(kw)
            while pos != -1:
                out.append((kid, pos))
                pos = low.find(kw, pos + 1)
        return out
