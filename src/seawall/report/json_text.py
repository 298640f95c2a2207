"""The JSON text of every JSON format (report, SARIF, CycloneDX, SPDX, the HTML data
island): valid, ASCII-safe where it matters, and lossless for file names.

Paths are bytes on Linux. seawall carries them as ``str`` decoded the way
``os.fsdecode`` does (UTF-8 with ``surrogateescape``): a byte that is not part of valid
UTF-8, such as the lone ``0xE9`` of a Latin-1 name, becomes the lone surrogate
``U+DC00 + byte`` (``U+DCE9``). ``json.dumps(..., ensure_ascii=False)`` would write that
surrogate raw, which no UTF-8 encoder accepts (a crash, or invalid bytes in the output
under a C locale). Here every lone surrogate is written as its ``\\uXXXX`` escape
instead: JSON's grammar allows any ``\\uXXXX``, the text stays valid UTF-8, and
Python's ``json`` and JavaScript's ``JSON.parse`` give the exact string back, from
which :func:`original_bytes` recovers the name's bytes. Parsers that refuse or replace
lone surrogates (Go's ``encoding/json`` and ``jq`` show ``U+FFFD``) still parse the
document. Everything else keeps ``ensure_ascii=False``: valid non-ASCII text is
written as itself.
"""

from __future__ import annotations

import json
import re
from typing import Any

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def dumps_json(
    payload: Any, indent: int | None = 2, separators: tuple[str, str] | None = None
) -> str:
    """``json.dumps(payload, ensure_ascii=False)`` with lone surrogates escaped (see
    the module docstring). Lone surrogates only ever occur inside JSON strings, so the
    escape is always within a string literal."""
    text = json.dumps(payload, indent=indent, separators=separators, ensure_ascii=False)
    try:
        text.encode("utf-8")  # C speed; fails only on a lone surrogate
    except UnicodeEncodeError:
        return _LONE_SURROGATE.sub(_escape, text)
    return text


def original_bytes(text: str) -> bytes:
    """The bytes a string of a parsed report stands for: UTF-8, each lone surrogate
    U+DC80..U+DCFF back to the byte it escapes (what ``os.fsencode`` does on Linux)."""
    return text.encode("utf-8", "surrogateescape")
