"""Untrusted text made safe to show: every string that comes from a scanned artifact
or a user's file (paths, package names, image references, environment values, rule
titles of custom rules, evidence, error messages quoting any of these) goes through
:func:`visible` before a text format, a progress line or a log line shows it.

What a terminal would act on or a reader could be fooled by is written as a visible
escape instead:

* C0 controls, DEL and C1 controls (ANSI CSI/OSC sequences start with ESC ``\\x1b``
  or the 8-bit CSI ``\\x9b``; ``\\r`` rewrites the line): ``\\x1b``, ``\\r``, ``\\n``,
  ``\\t``, ``\\u009b``;
* bytes that were not UTF-8 (paths are bytes on Linux; they travel as ``str`` with
  ``surrogateescape``, each such byte a lone surrogate U+DC80..U+DCFF): ``\\xNN``,
  the byte itself; any other lone surrogate: ``\\udXXX``;
* invisible format characters, including the bidirectional overrides of "Trojan
  Source" and the line/paragraph separators: ``\\u202e``.

Backslashes are not doubled (a path ``a\\b`` stays readable), so the text formats
are for reading, not for parsing back: JSON and SARIF carry the exact strings.
"""

from __future__ import annotations

import logging
import re
from typing import Any

#: Code points shown escaped: Cc (controls), Cf (format), Zl, Zp and Cs (surrogates)
#: of the Unicode database, as one character class (checked against ``unicodedata``
#: by the tests).
_UNSAFE = re.compile(
    "["
    "\x00-\x1f\x7f-\x9f"  # Cc
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e"  # Cf
    "\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"  # Cf
    "\u2028\u2029"  # Zl, Zp
    "\ud800-\udfff"  # Cs: lone surrogates (surrogateescape'd bytes among them)
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3"  # Cf
    "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"  # Cf
    "]"
)
_UNSAFE_OR_LINE_OK = re.compile(_UNSAFE.pattern.replace("\x00-\x1f", "\x00-\x08\x0b-\x1f"))
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    if code < 0x80:
        return f"\\x{code:02x}"
    if 0xDC80 <= code <= 0xDCFF:  # surrogateescape: the original byte
        return f"\\x{code - 0xDC00:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def visible(text: str, multiline: bool = False) -> str:
    """``text`` with every control, format and non-UTF-8 character escaped.

    ``multiline`` keeps ``\\n`` and ``\\t`` (for free text shown as a block, such as
    a JUnit failure body); ``\\r`` and everything else are still escaped.
    """
    if text.isascii() and text.isprintable():  # the common case, no regex pass
        return text
    pattern = _UNSAFE_OR_LINE_OK if multiline else _UNSAFE
    return pattern.sub(_escape, text)


class VisibleLogFormatter(logging.Formatter):
    """Log lines whose message is made visible (log messages quote paths, package
    names and plugin output); a traceback (``--debug``) keeps its line breaks."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        """The formatted line with the message escaped."""
        record.message = visible(record.message)
        return super().formatMessage(record)

    def formatException(self, ei: Any) -> str:
        """The traceback, escaped but still one frame per line."""
        return visible(super().formatException(ei), multiline=True)
