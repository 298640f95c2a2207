"""How to read a file's content for secrets, decided from its first bytes (never its name).

* text (UTF-8, Latin-1, text with a stray NUL or control byte): scanned as is;
* UTF-16 (a byte order mark, or no mark and the NUL-every-other-byte pattern of mostly
  ASCII text): decoded to UTF-8, then scanned;
* executables, libraries and compressed or media formats recognised by their magic
  bytes (ELF, Java classes, WebAssembly, SQLite, gzip, zip, PNG, PDF ...): skipped, with
  the format as the reason, as Trivy and gitleaks do. Their printable strings are
  vendor data (libgnutls ships its self-test private keys: ten critical findings on
  every Debian image) or not legible at all (compressed);
* any other content made mostly of control bytes (``.pak``/``.xls`` files, text padded
  with NULs): scanned as ``strings`` would see it, control bytes taken as separators,
  and only by rules whose secrets have a format of their own (a password assignment
  among binary noise is noise; an ``AKIA...`` key or a PEM block is not).
"""

from __future__ import annotations

from dataclasses import dataclass

SNIFF_BYTES = 8192
"""How much of the head is inspected."""

TEXT = "text"
UTF16_LE = "utf-16-le"
UTF16_BE = "utf-16-be"
PRINTABLE_RUNS = "printable-runs"
"""Binary content scanned as its runs of printable bytes (like ``strings``)."""

_NOT_SCANNED: tuple[tuple[bytes, str], ...] = (
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
    (b"!<arch>\n", "ar archive"),
    (b"\xed\xab\xee\xdb", "RPM package"),
    (b"\x7fELF", "ELF binary"),
    (b"\xca\xfe\xba\xbe", "Java class / Mach-O"),
    (b"SQLite format 3\x00", "SQLite database"),
    (b"\x00asm", "WebAssembly"),
    (b"\xda\xda\xfe\xca", "Java runtime image"),
)
_TEXT_CONTROLS = frozenset(b"\t\n\r\f\b\x1b\x0b")
_CONTROL_BYTES = bytes(b for b in range(32) if b not in _TEXT_CONTROLS) + b"\x7f"

_MAGIC_FIRST_BYTES = frozenset(magic[0] for magic, _ in _NOT_SCANNED)

PRINTABLE_TABLE = bytes(32 if b in _CONTROL_BYTES else b for b in range(256))
"""``bytes.translate`` table of :data:`PRINTABLE_RUNS`: control bytes become spaces, so
a secret ends where the binary noise starts (length preserving, so offsets stay those
of the file, and line numbers count the file's real line breaks)."""


@dataclass(frozen=True)
class ContentKind:
    """How one file's content is scanned."""

    encoding: str = TEXT
    """:data:`TEXT`, :data:`UTF16_LE`, :data:`UTF16_BE` or :data:`PRINTABLE_RUNS`."""
    skipped: str | None = None
    """Why the content is not scanned at all (executables, compressed data, media)."""
    what: str = ""
    """The format recognised (``ELF binary``), for binaries."""


def _utf16_without_bom(head: bytes) -> str | None:
    """UTF16_LE / UTF16_BE when ``head`` looks like BOM-less UTF-16 of mostly ASCII text:
    one byte of every pair is NUL, the other almost never."""
    sample = head[: 2048 - (len(head[:2048]) % 2)]
    if len(sample) < 16:
        return None
    pairs = len(sample) // 2
    even_nul = sample[0::2].count(0)
    odd_nul = sample[1::2].count(0)
    if odd_nul >= pairs * 0.9 and even_nul <= pairs * 0.05:
        return UTF16_LE
    if even_nul >= pairs * 0.9 and odd_nul <= pairs * 0.05:
        return UTF16_BE
    return None


def sniff_content(head: bytes) -> ContentKind:
    """The :class:`ContentKind` of a file whose first bytes are ``head``."""
    if not head:
        return ContentKind()
    if head[0] in _MAGIC_FIRST_BYTES:
        for magic, what in _NOT_SCANNED:
            if head.startswith(magic):
                return ContentKind(skipped=f"binary content ({what})", what=what)
    if head.startswith(b"\xff\xfe"):
        return ContentKind(UTF16_LE, what="UTF-16 text")
    if head.startswith(b"\xfe\xff"):
        return ContentKind(UTF16_BE, what="UTF-16 text")
    sample = head[:SNIFF_BYTES]
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if not controls:
        return ContentKind()  # the common case
    if b"\x00" in sample:
        utf16 = _utf16_without_bom(sample)
        if utf16:
            return ContentKind(utf16, what="UTF-16 text")
    if controls * 10 > len(sample):
        return ContentKind(PRINTABLE_RUNS, what="control characters")
    return ContentKind()


def binary_reason(head: bytes) -> str | None:
    """Why ``head`` (a file's first bytes) is not plain text, or None when it is."""
    kind = sniff_content(head)
    if kind.skipped:
        return kind.skipped
    if kind.encoding == PRINTABLE_RUNS:
        return f"binary content ({kind.what})"
    if kind.encoding != TEXT:
        return f"{kind.what} ({kind.encoding})"
    return None
