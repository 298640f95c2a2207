"""Proves a rule regex cannot backtrack catastrophically under Python's ``re``.

Built-in rules run on Python's backtracking engine (it is ~6x faster per call than
the google-re2 binding on the short windows we hand it). That is only safe because
every pattern is checked here when it is loaded:

* every quantifier has a finite upper bound (no ``*``, ``+``, ``{n,}``),
* a variable-length repeat (other than an optional ``?``) never contains another
  variable-length repeat or an alternation (``(a{1,9}){1,9}`` and ``(a|a){1,20}`` are
  what make backtracking exponential),
* the product of the spans (``n - m + 1``) of all variable repeats, an upper bound of
  the backtracking states per start position, stays under :data:`MAX_BACKTRACK_STATES`,
* no look-around and no back-references (RE2 has neither, so the same pattern also
  means the same thing under RE2),

and the engine only ever runs a pattern on a window of bounded size around a keyword
hit. Work per window is then bounded by a polynomial of small constants. Patterns that
fail the check (user rules written for gitleaks with ``+``, or rules whose many
adjacent optional parts exceed the state bound) run on RE2 instead, which is linear
time by construction.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

# Python 3.11+ keeps the regex parser in re._parser (sre_parse is a deprecated alias).
sre_constants: Any = importlib.import_module("re._constants")
sre_parse: Any = importlib.import_module("re._parser")

MAX_REPEAT_BOUND = 16_384
"""Largest ``{m,n}`` upper bound accepted in a bounded pattern."""
MAX_BACKTRACK_STATES = 20_000_000
"""Cap on the product of repeat spans (states per start position, worst case)."""

_REPEATS = {sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT}
_POSSESSIVE = getattr(sre_constants, "POSSESSIVE_REPEAT", None)
_FORBIDDEN = {
    sre_constants.ASSERT: "look-around",
    sre_constants.ASSERT_NOT: "negative look-around",
    sre_constants.GROUPREF: "back-reference",
    sre_constants.GROUPREF_EXISTS: "conditional group",
}


class UnsafePatternError(ValueError):
    """The pattern may backtrack without bound under ``re`` (reason in the message)."""


def check_bounded(pattern: str | bytes) -> None:
    """Raise :class:`UnsafePatternError` unless ``pattern`` is safe for ``re`` on a
    bounded window (see the module docstring). Also raises ``re.error`` when the
    pattern does not compile at all."""
    parsed = sre_parse.parse(pattern)
    ignorecase = bool(parsed.state.flags & sre_constants.SRE_FLAG_IGNORECASE)
    spans: list[int] = []
    _walk(list(parsed), False, spans, None, ignorecase)
    states = 1
    for span in spans:
        states *= span
        if states > MAX_BACKTRACK_STATES:
            raise UnsafePatternError(
                f"too many backtracking states (> {MAX_BACKTRACK_STATES}): narrow the {{m,n}}"
            )


def is_bounded(pattern: str | bytes) -> bool:
    """True when :func:`check_bounded` accepts ``pattern``."""
    try:
        check_bounded(pattern)
    except (UnsafePatternError, re.error):
        return False
    return True


_ALL = frozenset(range(256))
_DIGIT = frozenset(range(48, 58))
_SPACE = frozenset(b" \t\n\r\f\v")
_WORD = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_CATEGORIES = {
    sre_constants.CATEGORY_DIGIT: _DIGIT,
    sre_constants.CATEGORY_NOT_DIGIT: _ALL - _DIGIT,
    sre_constants.CATEGORY_SPACE: _SPACE,
    sre_constants.CATEGORY_NOT_SPACE: _ALL - _SPACE,
    sre_constants.CATEGORY_WORD: _WORD,
    sre_constants.CATEGORY_NOT_WORD: _ALL - _WORD,
}


def _fold(chars: frozenset[int], ignorecase: bool) -> frozenset[int]:
    if not ignorecase:
        return chars
    extra = {c ^ 0x20 for c in chars if 65 <= (c & ~0x20) <= 90}
    return chars | extra


def _charset(op: Any, av: Any, ignorecase: bool) -> frozenset[int] | None:
    """Bytes one single-character item can match (None: not a single-char item)."""
    if op == sre_constants.LITERAL:
        return _fold(frozenset({av}), ignorecase)
    if op == sre_constants.NOT_LITERAL:
        return _ALL - _fold(frozenset({av}), ignorecase)
    if op == sre_constants.ANY:
        return _ALL - {10}
    if op != sre_constants.IN:
        return None
    out: set[int] = set()
    negate = False
    for iop, iav in av:
        if iop == sre_constants.NEGATE:
            negate = True
        elif iop == sre_constants.LITERAL:
            out.add(iav)
        elif iop == sre_constants.RANGE:
            out.update(range(iav[0], iav[1] + 1))
        elif iop == sre_constants.CATEGORY and iav in _CATEGORIES:
            out.update(_CATEGORIES[iav])
        else:
            return _ALL  # unknown member: assume it can match anything
    folded = _fold(frozenset(out), ignorecase)
    return _ALL - folded if negate else folded


def _first(items: list[Any], i: int, follow: frozenset[int] | None,
           ignorecase: bool) -> frozenset[int] | None:
    """Bytes the sequence ``items[i:]`` (then ``follow``) can start with; None = unknown."""
    acc: set[int] = set()
    while i < len(items):
        op, av = items[i]
        cs = _charset(op, av, ignorecase)
        if cs is not None:
            return frozenset(acc | cs)
        if op == sre_constants.AT:
            i += 1
            continue
        if op == sre_constants.SUBPATTERN:
            sub = _first(list(av[-1]), 0, _first(items, i + 1, follow, ignorecase), ignorecase)
            return None if sub is None else frozenset(acc | sub)
        if op == sre_constants.BRANCH:
            rest = _first(items, i + 1, follow, ignorecase)
            for branch in av[1]:
                b = _first(list(branch), 0, rest, ignorecase)
                if b is None:
                    return None
                acc |= b
            return frozenset(acc)
        if op in _REPEATS or (_POSSESSIVE is not None and op == _POSSESSIVE):
            lo, _hi, sub = av
            b = _first(list(sub), 0, None, ignorecase)
            if b is None:
                return None
            acc |= b
            if lo > 0:
                return frozenset(acc)
            i += 1
            continue
        return None
    return None if follow is None else frozenset(acc | follow)


def _walk(items: list[Any], inside_variable_repeat: bool, spans: list[int],
          follow: frozenset[int] | None, ignorecase: bool) -> None:
    for i, (op, av) in enumerate(items):
        if op in _FORBIDDEN:
            raise UnsafePatternError(f"{_FORBIDDEN[op]} is not allowed")
        if op in _REPEATS or (_POSSESSIVE is not None and op == _POSSESSIVE):
            lo, hi, sub = av
            if hi == sre_constants.MAXREPEAT or hi > MAX_REPEAT_BOUND:
                raise UnsafePatternError("unbounded quantifier (use {m,n} with n <= 16384)")
            variable = lo != hi
            # An optional group (max 1) cannot multiply its inside's ways to match.
            repeating = variable and hi > 1
            if repeating and inside_variable_repeat:
                raise UnsafePatternError("nested variable-length repeats")
            if variable:
                spans.append(_span(sub, lo, hi, items, i, follow, ignorecase))
            _walk(list(sub), inside_variable_repeat or repeating, spans, None, ignorecase)
        elif op == sre_constants.SUBPATTERN:
            _walk(list(av[-1]), inside_variable_repeat, spans,
                  _first(items, i + 1, follow, ignorecase), ignorecase)
        elif op == sre_constants.BRANCH:
            if inside_variable_repeat:
                raise UnsafePatternError("alternation inside a variable-length repeat")
            rest = _first(items, i + 1, follow, ignorecase)
            for branch in av[1]:
                _walk(list(branch), inside_variable_repeat, spans, rest, ignorecase)
        elif op == getattr(sre_constants, "ATOMIC_GROUP", None):
            _walk(list(av), inside_variable_repeat, spans, None, ignorecase)


def _span(sub: Any, lo: int, hi: int, items: list[Any], i: int,
          follow: frozenset[int] | None, ignorecase: bool) -> int:
    """Backtracking factor of a variable repeat: 1 when it repeats one character class
    and whatever follows cannot start with a byte of that class (then only one length
    can lead to a match), else the number of lengths it may take."""
    sub = list(sub)
    if len(sub) == 1:
        cs = _charset(sub[0][0], sub[0][1], ignorecase)
        after = _first(items, i + 1, follow, ignorecase)
        if cs is not None and after is not None and not (cs & after):
            return 1
    return hi - lo + 1
