"""Proves a rule regex cannot backtrack catastrophically under Python's ``re``.

Built-in rules run on Python's backtracking engine (it is ~6x faster per call than
the google-re2 binding on the short windows we hand it). That is only safe because
every pattern is checked here when it is loaded:

* every quantifier has a finite upper bound (no ``*``, ``+``, ``{n,}``),
* a variable-length repeat never contains another variable-length repeat or an
  alternation (``(a{1,9}){1,9}`` and ``(a|a){1,20}`` are what make backtracking
  exponential),
* the product of the spans (``n - m + 1``) of all variable repeats, an upper bound of
  the backtracking states per start position, stays under :data:`MAX_BACKTRACK_STATES`,
* no look-around and no back-references (RE2 has neither, so the same pattern also
  means the same thing under RE2),

and the engine only ever runs a pattern on a window of bounded size around a keyword
hit. Work per window is then bounded by a polynomial of small constants. Patterns that
fail the check (user rules written for gitleaks with ``+``) must run on RE2 instead.
"""

from __future__ import annotations

import re
from typing import Any

try:  # Python 3.11+: the parser lives in re._parser
    from re import _constants as sre_constants
    from re import _parser as sre_parse
except ImportError:  # pragma: no cover - older layouts
    import sre_constants  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

MAX_REPEAT_BOUND = 10_000
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
    parsed = sre_parse.parse(pattern)  # type: ignore[arg-type]
    spans: list[int] = []
    _walk(parsed, inside_variable_repeat=False, spans=spans)
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


def _walk(items: Any, inside_variable_repeat: bool, spans: list[int]) -> None:
    for op, av in items:
        if op in _FORBIDDEN:
            raise UnsafePatternError(f"{_FORBIDDEN[op]} is not allowed")
        if op in _REPEATS or (_POSSESSIVE is not None and op == _POSSESSIVE):
            lo, hi, sub = av
            if hi == sre_constants.MAXREPEAT or hi > MAX_REPEAT_BOUND:
                raise UnsafePatternError("unbounded quantifier (use {m,n} with n <= 10000)")
            variable = lo != hi
            if variable and inside_variable_repeat:
                raise UnsafePatternError("nested variable-length repeats")
            if variable:
                spans.append(hi - lo + 1)
            _walk(sub, inside_variable_repeat or variable, spans)
        elif op == sre_constants.SUBPATTERN:
            _walk(av[-1], inside_variable_repeat, spans)
        elif op == sre_constants.BRANCH:
            if inside_variable_repeat:
                raise UnsafePatternError("alternation inside a variable-length repeat")
            for branch in av[1]:
                _walk(branch, inside_variable_repeat, spans)
        elif op == getattr(sre_constants, "ATOMIC_GROUP", None):
            _walk(av, inside_variable_repeat, spans)
