"""The protobuf wire format, just enough for containerd's API messages.

containerd's API needs four scalar kinds (string, bytes, int64, nested message) and
maps (repeated entry messages with key=1, value=2). Encoding those by hand avoids
shipping generated stubs for one socket; unknown fields are skipped as protobuf
requires, so newer containerd versions that add fields still decode.
"""

from __future__ import annotations

from collections import defaultdict

from seawall.errors import CorruptArtifactError

_VARINT, _FIXED64, _LENGTH, _FIXED32 = 0, 1, 2, 5


def _varint(value: int) -> bytes:
    if value < 0:
        value += 1 << 64  # int64 negatives are ten-byte two's complement varints
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def encode_string(field: int, value: str | bytes) -> bytes:
    """A length-delimited field (string, bytes or an already encoded message)."""
    data = value.encode() if isinstance(value, str) else value
    return _varint(field << 3 | _LENGTH) + _varint(len(data)) + data


def encode_int(field: int, value: int) -> bytes:
    """A varint field (int64, bool, enum)."""
    return _varint(field << 3 | _VARINT) + _varint(value)


def _read_varint(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(data) or shift > 63:
            raise CorruptArtifactError("containerd API: truncated protobuf varint")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7


class Message:
    """A decoded message: field number -> list of raw values (ints or bytes)."""

    def __init__(self, data: bytes) -> None:
        self.fields: dict[int, list[int | bytes]] = defaultdict(list)
        pos = 0
        while pos < len(data):
            key, pos = _read_varint(data, pos)
            field, wire = key >> 3, key & 7
            value: int | bytes
            if wire == _VARINT:
                value, pos = _read_varint(data, pos)
            elif wire == _LENGTH:
                length, pos = _read_varint(data, pos)
                if pos + length > len(data):
                    raise CorruptArtifactError("containerd API: truncated protobuf field")
                value, pos = data[pos : pos + length], pos + length
            elif wire == _FIXED64:
                value, pos = int.from_bytes(data[pos : pos + 8], "little"), pos + 8
            elif wire == _FIXED32:
                value, pos = int.from_bytes(data[pos : pos + 4], "little"), pos + 4
            else:
                raise CorruptArtifactError(f"containerd API: unsupported wire type {wire}")
            self.fields[field].append(value)

    def bytes_(self, field: int) -> bytes:
        """Last value of a bytes field (b"" when absent)."""
        values = [v for v in self.fields.get(field, []) if isinstance(v, bytes)]
        return values[-1] if values else b""

    def string(self, field: int) -> str:
        """Last value of a string field ("" when absent)."""
        return self.bytes_(field).decode("utf-8", "replace")

    def int_(self, field: int) -> int:
        """Last value of an int64 field (0 when absent)."""
        values = [v for v in self.fields.get(field, []) if isinstance(v, int)]
        value = values[-1] if values else 0
        return value - (1 << 64) if value >= 1 << 63 else value

    def message(self, field: int) -> Message | None:
        """Last value of a nested message field."""
        values = [v for v in self.fields.get(field, []) if isinstance(v, bytes)]
        return Message(values[-1]) if values else None

    def messages(self, field: int) -> list[Message]:
        """All values of a repeated message field."""
        return [Message(v) for v in self.fields.get(field, []) if isinstance(v, bytes)]

    def string_map(self, field: int) -> dict[str, str]:
        """A ``map<string, string>`` field."""
        return {entry.string(1): entry.string(2) for entry in self.messages(field)}
