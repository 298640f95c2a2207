"""The rpm header blob every rpm database stores one of per installed package.

Layout (rpm ``lib/header.c``, "header structure"): big-endian ``il`` (index entry
count) and ``dl`` (data length), ``il`` 16-byte entries ``(tag, type, offset, count)``,
then ``dl`` bytes of data the entries point into. Region tags (61-63) wrap the
immutable part and are skipped; the first occurrence of a tag wins.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

TAG_NAME = 1000
TAG_VERSION = 1001
TAG_RELEASE = 1002
TAG_EPOCH = 1003
TAG_VENDOR = 1011
TAG_LICENSE = 1014
TAG_ARCH = 1022
TAG_OLDFILENAMES = 1027
TAG_SOURCERPM = 1044
TAG_DIRINDEXES = 1116
TAG_BASENAMES = 1117
TAG_DIRNAMES = 1118
TAG_MODULARITYLABEL = 5096

_WANTED = frozenset({
    TAG_NAME, TAG_VERSION, TAG_RELEASE, TAG_EPOCH, TAG_VENDOR, TAG_LICENSE, TAG_ARCH,
    TAG_OLDFILENAMES, TAG_SOURCERPM, TAG_DIRINDEXES, TAG_BASENAMES, TAG_DIRNAMES,
    TAG_MODULARITYLABEL,
})

_TYPE_INT8, _TYPE_INT16, _TYPE_INT32, _TYPE_INT64 = 2, 3, 4, 5
_TYPE_STRING, _TYPE_BIN, _TYPE_STRING_ARRAY, _TYPE_I18NSTRING = 6, 7, 8, 9
_INT_FORMATS = {_TYPE_INT8: "B", _TYPE_INT16: "H", _TYPE_INT32: "I", _TYPE_INT64: "Q"}

_MAX_ENTRIES = 1 << 16
_MAX_DATA = 256 * 1024 * 1024


@dataclass
class RpmHeader:
    """The fields of an installed rpm that inventory needs."""

    name: str
    version: str
    release: str
    epoch: int | None
    arch: str | None
    source_rpm: str | None
    license: str | None
    vendor: str | None
    modularity_label: str | None = None
    files: list[str] = field(default_factory=list)
    """Absolute paths the package installed."""

    @property
    def evr(self) -> str:
        """``[epoch:]version-release`` as ``rpm -q --qf '%{EVR}'`` prints it."""
        prefix = f"{self.epoch}:" if self.epoch is not None else ""
        return f"{prefix}{self.version}-{self.release}"


def _strings(data: bytes, offset: int, count: int) -> list[str]:
    out: list[str] = []
    pos = offset
    for _ in range(count):
        end = data.find(b"\0", pos)
        if end < 0:
            raise ValueError("rpm header: unterminated string")
        out.append(data[pos:end].decode("utf-8", "replace"))
        pos = end + 1
    return out


def parse_header_tags(blob: bytes) -> dict[int, list[str] | list[int] | bytes]:
    """Decode the wanted tags of one header blob; raises ValueError when malformed."""
    if len(blob) < 8:
        raise ValueError("rpm header: too short")
    il, dl = struct.unpack_from(">II", blob, 0)
    if il > _MAX_ENTRIES or dl > _MAX_DATA or 8 + il * 16 + dl > len(blob):
        raise ValueError(f"rpm header: bad sizes il={il} dl={dl} blob={len(blob)}")
    data_start = 8 + il * 16
    data = blob[data_start:data_start + dl]
    tags: dict[int, list[str] | list[int] | bytes] = {}
    for i in range(il):
        tag, typ, offset, count = struct.unpack_from(">IIiI", blob, 8 + i * 16)
        if tag not in _WANTED or tag in tags:
            continue
        if offset < 0 or offset >= dl or count > dl:
            raise ValueError(f"rpm header: tag {tag} points outside the data")
        if typ in (_TYPE_STRING, _TYPE_I18NSTRING):
            tags[tag] = _strings(data, offset, 1)
        elif typ == _TYPE_STRING_ARRAY:
            tags[tag] = _strings(data, offset, count)
        elif typ in _INT_FORMATS:
            fmt = f">{count}{_INT_FORMATS[typ]}"
            if offset + struct.calcsize(fmt) > dl:
                raise ValueError(f"rpm header: tag {tag} overruns the data")
            tags[tag] = list(struct.unpack_from(fmt, data, offset))
        elif typ == _TYPE_BIN:
            tags[tag] = data[offset:offset + count]
    return tags


def _first_str(tags: dict[int, list[str] | list[int] | bytes], tag: int) -> str | None:
    value = tags.get(tag)
    if isinstance(value, list) and value and isinstance(value[0], str):
        return value[0]
    return None


def _str_list(tags: dict[int, list[str] | list[int] | bytes], tag: int) -> list[str]:
    value = tags.get(tag)
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def parse_rpm_header(blob: bytes) -> RpmHeader:
    """Decode one header blob into an :class:`RpmHeader` (ValueError when malformed)."""
    tags = parse_header_tags(blob)
    name = _first_str(tags, TAG_NAME)
    if not name:
        raise ValueError("rpm header: no NAME tag")
    epoch_value = tags.get(TAG_EPOCH)
    epoch = int(epoch_value[0]) if isinstance(epoch_value, list) and epoch_value else None
    dirnames = _str_list(tags, TAG_DIRNAMES)
    basenames = _str_list(tags, TAG_BASENAMES)
    index_value = tags.get(TAG_DIRINDEXES)
    indexes = [int(i) for i in index_value] if isinstance(index_value, list) else []
    files: list[str] = []
    if basenames and len(indexes) == len(basenames):
        for base, idx in zip(basenames, indexes, strict=True):
            if 0 <= idx < len(dirnames):
                files.append(dirnames[idx] + base)
    else:
        files = _str_list(tags, TAG_OLDFILENAMES)
    return RpmHeader(
        name=name,
        version=_first_str(tags, TAG_VERSION) or "",
        release=_first_str(tags, TAG_RELEASE) or "",
        epoch=epoch,
        arch=_first_str(tags, TAG_ARCH),
        source_rpm=_first_str(tags, TAG_SOURCERPM),
        license=_first_str(tags, TAG_LICENSE),
        vendor=_first_str(tags, TAG_VENDOR),
        modularity_label=_first_str(tags, TAG_MODULARITYLABEL),
        files=files,
    )


def split_source_rpm(source_rpm: str) -> tuple[str, str, str] | None:
    """``bash-5.1.8-6.el9.src.rpm`` -> ``("bash", "5.1.8", "6.el9")``; None if it does
    not look like an rpm file name."""
    for suffix in (".src.rpm", ".nosrc.rpm"):
        if source_rpm.endswith(suffix):
            stem = source_rpm[: -len(suffix)]
            break
    else:
        return None
    parts = stem.rsplit("-", 2)
    if len(parts) != 3 or not all(parts):
        return None
    return parts[0], parts[1], parts[2]
