"""Turns a file's byte stream into the bytes the secret rules read (see
:mod:`secret.content_sniff` for the kinds): UTF-16 decoded to UTF-8 incrementally (a
code unit or surrogate pair split across reads is carried over), binaries translated
to their printable runs, text passed through untouched."""

from __future__ import annotations

import codecs
from collections.abc import Callable, Iterator

from seawall.analyzers.secret.content_sniff import (
    PRINTABLE_RUNS,
    PRINTABLE_TABLE,
    TEXT,
    ContentKind,
)


def decoded_chunks(first: bytes, read: Callable[[int], bytes], kind: ContentKind,
                   chunk_size: int) -> Iterator[bytes]:
    """The scan input, chunk by chunk: ``first`` (already read) then ``read(chunk_size)``
    until it returns ``b""``. Empty chunks are never yielded."""
    raw = _raw_chunks(first, read, chunk_size)
    if kind.encoding == TEXT:
        yield from raw
    elif kind.encoding == PRINTABLE_RUNS:
        for chunk in raw:
            yield chunk.translate(PRINTABLE_TABLE)
    else:
        decoder = codecs.getincrementaldecoder(kind.encoding)(errors="replace")
        bom = True
        for chunk in raw:
            text = decoder.decode(chunk)
            if bom:
                text = text.removeprefix("\ufeff")
                bom = False
            if text:
                yield text.encode("utf-8", "replace")
        tail = decoder.decode(b"", final=True)
        if tail:
            yield tail.encode("utf-8", "replace")


def _raw_chunks(first: bytes, read: Callable[[int], bytes], chunk_size: int) -> Iterator[bytes]:
    chunk = first
    while chunk:
        yield chunk
        chunk = read(chunk_size)
