"""Index one layer tar into entries with data offsets, without extracting anything.

The tar is hostile input. The index records what an OCI runtime would see when it
unpacks the layer, and never writes anything:

* names are made absolute and lexically normalised; a name whose ``..`` would climb
  out of the root is skipped (Docker refuses such layers) with a recorded reason;
* ``.wh.NAME`` / ``.wh..wh..opq`` become whiteouts / opaque directories, never files;
* hardlinks are resolved to their target *inside this layer* (same data offset);
* device nodes, FIFOs and sockets are metadata only;
* parents missing from the tar are synthesised as implicit ``0755`` directories, so
  every entry's literal ancestors are directories of this index (as in an overlay2
  ``diff`` dir); a same-layer non-directory in the way is replaced and noted;
* a later entry with the same name replaces an earlier one, as extraction does.

Entries are plain tuples (fast to build, to ``marshal`` into the cache and to load);
see the ``E_*`` indices.
"""

from __future__ import annotations

import tarfile
from dataclasses import dataclass, field
from typing import Any

from seawall.errors import CorruptArtifactError
from seawall.fs.byte_range import ByteRangeReader
from seawall.fs.path_resolution import parent_path

WHITEOUT_PREFIX = ".wh."
OPAQUE_MARKER = ".wh..wh..opq"

# Entry tuple layout.
E_TYPE, E_MODE, E_UID, E_GID, E_SIZE, E_MTIME, E_LINK, E_OFFSET, E_XATTRS, E_DEVICE, E_IMPLICIT = (
    range(11)
)

#: How member names and link targets are decoded, whatever the locale: UTF-8, each
#: byte that is not valid UTF-8 kept as a lone surrogate (``os.fsdecode``'s
#: convention), so a name is never refused or altered and maps back to its bytes.
TAR_NAME_DECODING: dict[str, Any] = {"encoding": "utf-8", "errors": "surrogateescape"}

#: Short type codes stored in entries (mapped to ``FileType`` by the filesystems).
T_FILE, T_DIR, T_LINK, T_CHAR, T_BLOCK, T_FIFO = "f", "d", "l", "c", "b", "p"

Entry = tuple[Any, ...]
"""(type, mode, uid, gid, size, mtime, linkname|None, data offset, xattrs|None,
(major, minor)|None, implicit) -- offsets are absolute positions in the tar's file."""

IMPLICIT_DIR: Entry = (T_DIR, 0o755, 0, 0, 0, 0.0, None, 0, None, None, True)

_TAR_TYPES = {
    tarfile.REGTYPE: T_FILE,
    tarfile.AREGTYPE: T_FILE,
    tarfile.CONTTYPE: T_FILE,
    tarfile.DIRTYPE: T_DIR,
    tarfile.SYMTYPE: T_LINK,
    tarfile.CHRTYPE: T_CHAR,
    tarfile.BLKTYPE: T_BLOCK,
    tarfile.FIFOTYPE: T_FIFO,
}


@dataclass
class LayerIndex:
    """Everything known about one layer tar after one pass over its headers."""

    entries: dict[str, Entry] = field(default_factory=dict)
    """Absolute path -> entry, every parent before its children; ``/`` always present."""
    whiteouts: list[str] = field(default_factory=list)
    """Paths this layer deletes from lower layers."""
    opaques: list[str] = field(default_factory=list)
    """Directories whose lower-layer content this layer hides."""
    skipped: list[tuple[str, str]] = field(default_factory=list)
    """(tar name, reason) for entries that were not indexed or were altered."""
    tar_size: int = 0
    """Bytes of tar data the index covers."""

    def to_marshal(self) -> tuple[Any, ...]:
        """A tuple of builtins for ``marshal`` (the cache's on-disk form)."""
        return (self.entries, self.whiteouts, self.opaques, self.skipped, self.tar_size)

    @classmethod
    def from_marshal(cls, data: tuple[Any, ...]) -> LayerIndex:
        """Inverse of :meth:`to_marshal`."""
        entries, whiteouts, opaques, skipped, tar_size = data
        return cls(entries, list(whiteouts), list(opaques), [tuple(s) for s in skipped], tar_size)


def normalize_member_name(name: str) -> str | None:
    """Tar member name -> absolute path inside the root, or None when ``..`` climbs
    above the root (such an entry is refused, never clamped onto a real path)."""
    out: list[str] = []
    for comp in name.split("/"):
        if not comp or comp == ".":
            continue
        if comp == "..":
            if not out:
                return None
            out.pop()
            continue
        out.append(comp)
    return "/" + "/".join(out)


def _xattrs(member: tarfile.TarInfo) -> dict[str, bytes] | None:
    if not member.pax_headers:
        return None
    out = {}
    for key, value in member.pax_headers.items():
        if key.startswith("SCHILY.xattr."):
            # tarfile decodes binary values with surrogateescape; this restores the bytes.
            out[key[len("SCHILY.xattr.") :]] = value.encode("utf-8", "surrogateescape")
    return out or None


class _IndexBuilder:
    """Applies tar members in order to a growing :class:`LayerIndex`."""

    def __init__(self) -> None:
        self.index = LayerIndex()
        self.entries = self.index.entries
        self.entries["/"] = IMPLICIT_DIR

    def _ensure_parents(self, path: str, name: str) -> None:
        parent = parent_path(path)
        missing: list[str] = []
        while parent not in self.entries or self.entries[parent][E_TYPE] != T_DIR:
            if parent in self.entries:
                self.index.skipped.append(
                    (name, f"{parent} in this layer is not a directory; replaced by one")
                )
                self._remove_tree(parent)
            missing.append(parent)
            parent = parent_path(parent)
        for p in reversed(missing):
            self.entries[p] = IMPLICIT_DIR

    def _remove_tree(self, path: str) -> None:
        self.entries.pop(path, None)
        prefix = path + "/"
        # Rare (a dir replaced by a non-dir in one tar): a linear scan is fine.
        for key in [k for k in self.entries if k.startswith(prefix)]:
            del self.entries[key]

    def add(self, member: tarfile.TarInfo, tar_base: int) -> None:
        name = member.name
        path = normalize_member_name(name)
        if path is None:
            self.index.skipped.append((name, "name climbs out of the root with '..'"))
            return
        base = path.rsplit("/", 1)[1]
        if base.startswith(WHITEOUT_PREFIX):
            self._add_whiteout(path, base, name)
            return
        if (member.issym() or member.islnk()) and "\x00" in member.linkname:
            self.index.skipped.append((name, "NUL byte in link target"))
            return
        if member.islnk():
            self._add_hardlink(path, member, name)
            return
        ftype = _TAR_TYPES.get(member.type)
        if ftype is None:
            self.index.skipped.append((name, f"unsupported tar entry type {member.type!r}"))
            return
        if member.issparse():
            self.index.skipped.append((name, "sparse file"))
            return
        if path == "/":
            if ftype == T_DIR:
                self.entries["/"] = self._entry(member, ftype, tar_base)
            return
        self._ensure_parents(path, name)
        old = self.entries.get(path)
        if old is not None and old[E_TYPE] == T_DIR and ftype != T_DIR:
            self._remove_tree(path)
        self.entries[path] = self._entry(member, ftype, tar_base)

    @staticmethod
    def _entry(member: tarfile.TarInfo, ftype: str, tar_base: int) -> Entry:
        is_file = ftype == T_FILE
        return (
            ftype,
            member.mode & 0o7777,
            member.uid,
            member.gid,
            member.size if is_file else 0,
            float(member.mtime),
            member.linkname if ftype == T_LINK else None,
            tar_base + member.offset_data if is_file else 0,
            _xattrs(member),
            (member.devmajor, member.devminor) if ftype in (T_CHAR, T_BLOCK) else None,
            False,
        )

    def _add_whiteout(self, path: str, base: str, name: str) -> None:
        parent = parent_path(path)
        if base == OPAQUE_MARKER:
            self._ensure_parents(path, name)
            self.index.opaques.append(parent)
        elif base.startswith(WHITEOUT_PREFIX + WHITEOUT_PREFIX):
            self.index.skipped.append((name, "reserved .wh..wh. name (aufs metadata)"))
        else:
            target = base[len(WHITEOUT_PREFIX) :]
            if target in ("", ".", ".."):
                self.index.skipped.append((name, "whiteout of an invalid name"))
                return
            self._ensure_parents(path, name)
            self.index.whiteouts.append(parent.rstrip("/") + "/" + target)

    def _add_hardlink(self, path: str, member: tarfile.TarInfo, name: str) -> None:
        target = normalize_member_name(member.linkname)
        found = self.entries.get(target) if target is not None else None
        if found is None or found[E_TYPE] != T_FILE or found[E_IMPLICIT]:
            self.index.skipped.append(
                (name, f"hardlink target {member.linkname!r} is not a file in this layer")
            )
            return
        if path == "/":
            return
        self._ensure_parents(path, name)
        old = self.entries.get(path)
        if old is not None and old[E_TYPE] == T_DIR:
            self._remove_tree(path)
        self.entries[path] = found

    def finish(self, tar_size: int) -> LayerIndex:
        # Parent-before-child order lets the overlay merge add entries in one pass.
        self.index.entries = dict(sorted(self.entries.items()))
        self.index.tar_size = tar_size
        return self.index


def index_tar(fd: int, start: int, length: int, label: str = "layer") -> LayerIndex:
    """Index the tar occupying ``length`` bytes of the open file ``fd`` from ``start``
    (read with ``pread``; the descriptor's position is not used). Entry data offsets
    are absolute positions in that file. ``label`` names the layer in errors."""
    builder = _IndexBuilder()
    if length == 0:
        return builder.finish(0)
    reader = ByteRangeReader(fd, start, length)
    try:
        with tarfile.open(fileobj=reader, mode="r:", errorlevel=2, **TAR_NAME_DECODING) as tar:
            for member in tar:
                if member.isreg() and member.offset_data + member.size > length:
                    raise CorruptArtifactError(f"{label}: truncated tar (entry {member.name!r})")
                builder.add(member, start)
    except tarfile.ReadError as exc:
        raise CorruptArtifactError(f"{label}: not a valid tar ({exc})") from None
    except (tarfile.TarError, UnicodeError, ValueError, OverflowError) as exc:
        raise CorruptArtifactError(f"{label}: corrupt tar ({exc})") from None
    return builder.finish(length)
