"""Is a file text worth scanning? Decided from its first bytes, never its name."""

from __future__ import annotations

SNIFF_BYTES = 8192
"""How much of the head is inspected."""

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x7fELF", "ELF binary"),
    (b"\x1f\x8b", "gzip data"),
    (b"PK\x03\x04", "zip archive"),
    (b"\x89PNG", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"),
    (b"%PDF", "PDF document"),
    (b"BZh", "bzip2 data"),
    (b"\xfd7zXZ\x00", "xz data"),
    (b"\x28\xb5\x2f\xfd", "zstd data"),
    (b"7z\xbc\xaf\x27\x1c", "7z archive"),
    (b"\xca\xfe\xba\xbe", "Java class / Mach-O"),
    (b"SQLite format 3\x00", "SQLite database"),
    (b"!<arch>\n", "ar archive"),
    (b"\x00asm", "WebAssembly"),
    (b"\xed\xab\xee\xdb", "RPM package"),
)
_TEXT_CONTROLS = frozenset(b"\t\n\r\f\b\x1b\x0b")
_CONTROL_BYTES = bytes(b for b in range(32) if b not in _TEXT_CONTROLS)


def binary_reason(head: bytes) -> str | None:
    """Why ``head`` (a file's first bytes) is not text, or None when it is text.
    UTF-16 text is reported as such: its NUL bytes defeat byte-level rules."""
    if not head:
        return None
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return f"binary content ({what})"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16 text (not scanned)"
    sample = head[:SNIFF_BYTES]
    if b"\x00" in sample:
        return "binary content (NUL bytes)"
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if controls * 10 > len(sample):
        return "binary content (control characters)"
    return None
