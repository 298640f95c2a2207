"""Go module build information embedded in Go binaries (what ``go version -m`` prints).

The linker writes a 32-byte header starting ``\\xff Go buildinf:`` (16-byte aligned)
into ``.go.buildinfo``: byte 14 is the pointer size, byte 15 flags. Go >= 1.18 sets
flag bit 1 and appends the Go version and the module info inline as two
varint-length-prefixed strings. Older linkers store two pointers (at offset 16) to Go
string headers ``(data pointer, length)`` elsewhere in the data segment; flag bit 0
then means big-endian. The module info is framed by 16-byte sentinels.
"""

from __future__ import annotations

import re
import shlex
import struct
from dataclasses import dataclass, field

from seawall.analyzers.packages.elf_sections import ElfImage, ReadAt

BUILDINFO_MAGIC = b"\xff Go buildinf:"
_HEADER = 32
_FLAG_BIG_ENDIAN = 0x1
_FLAG_INLINE = 0x2
_SEARCH_LIMIT = 64 * 1024
_MAX_STRING = 4 * 1024 * 1024
DEVEL_VERSION = "(devel)"
"""What ``go build`` writes as the main module's version when it was built from a
checkout rather than fetched as a released module."""
_LDFLAGS_SEMVER = re.compile(r"^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$")


@dataclass
class GoModule:
    """One module line of the build info."""

    path: str
    version: str
    sum: str | None = None


@dataclass
class GoBuildInfo:
    """Decoded build information of one binary."""

    go_version: str
    """As the toolchain writes it: ``go1.19.8`` (may carry suffixes like ``X:boringcrypto``)."""
    path: str | None = None
    """Main package path (``path`` line)."""
    main: GoModule | None = None
    deps: list[GoModule] = field(default_factory=list)
    settings: dict[str, str] = field(default_factory=dict)
    """``build`` lines: ``-ldflags``, ``GOOS``, ``vcs.revision`` ..."""


def _uvarint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while pos < len(data):
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7
        if shift > 63:
            break
    raise ValueError("Go build info: bad varint")


def _inline_string(data: bytes, pos: int) -> tuple[str, int]:
    length, pos = _uvarint(data, pos)
    if length > _MAX_STRING or pos + length > len(data):
        raise ValueError("Go build info: inline string overruns the section")
    return data[pos:pos + length].decode("utf-8", "replace"), pos + length


def _pointer_string(read_at: ReadAt, elf: ElfImage, addr: int, ptr_size: int, order: str) -> str:
    fmt = order + ("Q" if ptr_size == 8 else "I")
    header_off = elf.offset_of(addr)
    if header_off is None:
        raise ValueError("Go build info: string header address not in any section")
    header = read_at(header_off, 2 * ptr_size)
    if len(header) < 2 * ptr_size:
        raise ValueError("Go build info: truncated string header")
    data_addr = struct.unpack_from(fmt, header, 0)[0]
    length = struct.unpack_from(fmt, header, ptr_size)[0]
    if length == 0:
        return ""
    data_off = elf.offset_of(data_addr)
    if data_off is None or length > _MAX_STRING:
        raise ValueError("Go build info: bad string data pointer")
    return read_at(data_off, length).decode("utf-8", "replace")


def _strip_sentinels(modinfo: str) -> str:
    if len(modinfo) >= 33 and modinfo[-17] == "\n":
        return modinfo[16:-16]
    return modinfo


def parse_modinfo(go_version: str, modinfo: str) -> GoBuildInfo:
    """Interpret the module info text (``path``/``mod``/``dep``/``=>``/``build`` lines)."""
    info = GoBuildInfo(go_version=go_version)
    last: GoModule | None = None
    for line in modinfo.splitlines():
        fields = line.split("\t")
        kind = fields[0]
        if kind == "path" and len(fields) >= 2:
            info.path = fields[1]
        elif kind in ("mod", "dep") and len(fields) >= 3:
            module = GoModule(fields[1], fields[2], fields[3] if len(fields) > 3 else None)
            if kind == "mod":
                info.main = module
            else:
                info.deps.append(module)
            last = module
        elif kind == "=>" and len(fields) >= 3 and last is not None:
            # A replace directive: the code actually linked is the replacement's.
            last.path, last.version = fields[1], fields[2]
            last.sum = fields[3] if len(fields) > 3 else None
        elif kind == "build" and len(fields) >= 2:
            key, _, value = fields[1].partition("=")
            info.settings[key] = value
    return info


def read_go_buildinfo(read_at: ReadAt, elf: ElfImage) -> GoBuildInfo | None:
    """Build info of an ELF Go binary, or None when it has none."""
    section = elf.section(".go.buildinfo")
    candidates = [section] if section else [
        s for s in elf.sections if s.name in (".data", ".noptrdata") and s.type != 8
    ]
    for sec in candidates:
        if sec is None:
            continue
        data = read_at(sec.offset, min(sec.size, _MAX_STRING))
        pos = 0
        while True:
            pos = data.find(BUILDINFO_MAGIC, pos, _SEARCH_LIMIT)
            if pos < 0 or pos % 16 == 0:
                break
            pos += 1
        if pos < 0 or pos + _HEADER > len(data):
            continue
        ptr_size, flags = data[pos + 14], data[pos + 15]
        if flags & _FLAG_INLINE:
            version, after = _inline_string(data, pos + _HEADER)
            modinfo, _ = _inline_string(data, after)
        else:
            if ptr_size not in (4, 8):
                raise ValueError(f"Go build info: pointer size {ptr_size}")
            order = ">" if flags & _FLAG_BIG_ENDIAN else "<"
            fmt = order + ("Q" if ptr_size == 8 else "I")
            version_addr = struct.unpack_from(fmt, data, pos + 16)[0]
            mod_addr = struct.unpack_from(fmt, data, pos + 16 + ptr_size)[0]
            version = _pointer_string(read_at, elf, version_addr, ptr_size, order)
            modinfo = _pointer_string(read_at, elf, mod_addr, ptr_size, order)
        if not version:
            return None
        return parse_modinfo(version, _strip_sentinels(modinfo))
    return None


def _ldflags_tokens(value: str) -> list[str]:
    try:
        tokens = shlex.split(value)
        if len(tokens) == 1 and " " in tokens[0]:  # go quotes a value holding spaces
            tokens = shlex.split(tokens[0])
    except ValueError:
        return []
    return tokens


def ldflags_version(settings: dict[str, str]) -> str | None:
    """The release version a build stamped with ``-ldflags "-X pkg.version=1.2.3"``
    (how goreleaser and most Makefiles build from a checkout), as ``v1.2.3``; None
    when no ``-X`` key ending in ``.version``/``.ver`` holds a semantic version.
    Trivy reads the same flags for a ``(devel)`` main module."""
    tokens = _ldflags_tokens(settings.get("-ldflags", ""))
    for i, token in enumerate(tokens):
        if token in ("-X", "--X") and i + 1 < len(tokens):
            assignment = tokens[i + 1]
        elif token.startswith(("-X=", "--X=")):
            assignment = token.split("=", 1)[1]
        else:
            continue
        key, sep, value = assignment.partition("=")
        if sep and key.lower().endswith((".version", ".ver")) and _LDFLAGS_SEMVER.match(value):
            return "v" + value.removeprefix("v")
    return None


def main_module_version(info: GoBuildInfo) -> tuple[str, str]:
    """(version, where it came from) of the main module: the build info's own version
    (``buildinfo``), else a release version stamped by ``-ldflags`` (``ldflags``), else
    ``(devel)`` (``none``): a version-control pseudo-version is *not* made up from
    ``vcs.revision``, since it would sort below every release and match every
    advisory of the module."""
    version = info.main.version if info.main else ""
    if version and version != DEVEL_VERSION:
        return version, "buildinfo"
    stamped = ldflags_version(info.settings)
    if stamped:
        return stamped, "ldflags"
    return DEVEL_VERSION, "none"


def stdlib_version(go_version: str) -> str | None:
    """``go1.19.8`` -> ``v1.19.8``; ``go1.21rc2`` -> ``v1.21.0-rc.2``; None for
    development toolchains (``devel go1.22-abc``), whose stdlib has no release version."""
    word = go_version.split()[0] if go_version.split() else ""
    if not word.startswith("go"):
        return None
    core = word[2:]
    for tag in ("rc", "beta"):
        if tag in core:
            base, _, num = core.partition(tag)
            parts = base.split(".")
            while len(parts) < 3:
                parts.append("0")
            return f"v{'.'.join(parts)}-{tag}.{num or 0}"
    parts = core.split(".")
    if not all(p.isdigit() for p in parts):
        return None
    while len(parts) < 3:
        parts.append("0")
    return "v" + ".".join(parts)
