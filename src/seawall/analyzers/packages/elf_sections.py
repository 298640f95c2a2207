"""Just enough ELF to find named sections and map virtual addresses to file offsets,
reading the file piecemeal (binaries can be large; only headers and the wanted
sections are read). Hostile files: every count and offset is bounds-checked."""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

ReadAt = Callable[[int, int], bytes]

ELF_MAGIC = b"\x7fELF"
_SHT_NOBITS = 8
_MAX_SECTIONS = 4096


class ElfSection(NamedTuple):
    """One section header (a tuple: hundreds of executables with dozens of sections
    each are read per image, and tuples are cheap to build)."""

    name: str
    type: int
    addr: int
    offset: int
    size: int


@dataclass(frozen=True)
class ElfImage:
    """The parsed header and section table of an ELF file."""

    is_64: bool
    big_endian: bool
    sections: tuple[ElfSection, ...]

    def section(self, name: str) -> ElfSection | None:
        """The first section called ``name``."""
        for sec in self.sections:
            if sec.name == name:
                return sec
        return None

    def offset_of(self, vaddr: int) -> int | None:
        """File offset of a virtual address inside a section with file content."""
        for sec in self.sections:
            if sec.type != _SHT_NOBITS and sec.addr and sec.addr <= vaddr < sec.addr + sec.size:
                return sec.offset + (vaddr - sec.addr)
        return None


def read_elf(read_at: ReadAt) -> ElfImage | None:
    """Parse the section table; None when the file is not ELF (or has no sections)."""
    ident = read_at(0, 64)
    if len(ident) < 52 or not ident.startswith(ELF_MAGIC):
        return None
    is_64 = ident[4] == 2
    order = ">" if ident[5] == 2 else "<"
    if is_64:
        if len(ident) < 64:
            return None
        shoff = struct.unpack_from(order + "Q", ident, 0x28)[0]
        shentsize, shnum, shstrndx = struct.unpack_from(order + "HHH", ident, 0x3A)
        entry_format, expected = order + "IIQQQQIIQQ", 64
    else:
        shoff = struct.unpack_from(order + "I", ident, 0x20)[0]
        shentsize, shnum, shstrndx = struct.unpack_from(order + "HHH", ident, 0x2E)
        entry_format, expected = order + "IIIIIIIIII", 40
    if shoff == 0 or shnum == 0 or shnum > _MAX_SECTIONS or shentsize != expected:
        return None
    table = read_at(shoff, shnum * shentsize)
    if len(table) < shnum * shentsize:
        return None
    raw = list(struct.iter_unpack(entry_format, table[:shnum * shentsize]))
    # (name, type, flags, addr, offset, size, ...) in both layouts
    names = b""
    if shstrndx < shnum:
        strtab = raw[shstrndx]
        names = read_at(strtab[4], min(strtab[5], 1 << 20))
    sections = []
    for entry in raw:
        name_off = entry[0]
        end = names.find(b"\0", name_off) if name_off < len(names) else -1
        name = names[name_off:end].decode("ascii", "replace") if end >= 0 else ""
        sections.append(ElfSection(name, entry[1], entry[3], entry[4], entry[5]))
    return ElfImage(is_64=is_64, big_endian=order == ">", sections=tuple(sections))
