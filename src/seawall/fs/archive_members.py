"""Read the members of an image archive (``docker save`` tar, ``oci-archive``) in place.

The outer tar is indexed once (names -> byte ranges); members are then handed out as
byte ranges of the archive file itself, so an uncompressed layer member is indexed by
the layer store where it lies and nothing is extracted. An archive that is itself
compressed (``docker save | gzip``) is decompressed once into a private temp file
in the cache's work space, within ``max_bytes`` (a bomb guard: the image size limit),
removed by :meth:`ArchiveMembers.close`.
"""

from __future__ import annotations

import contextlib
import os
import tarfile
import tempfile
from dataclasses import dataclass
from typing import BinaryIO

from seawall.errors import CorruptArtifactError, InputError, NotFoundError
from seawall.fs.blob_decompression import decompress_blob, sniff_compression
from seawall.fs.byte_range import ByteRangeReader
from seawall.fs.cache_space import default_max_image_size, disk_full_as_error, write_all
from seawall.fs.layer_cache import LayerCache
from seawall.fs.size_budget import SizeBudget
from seawall.fs.tar_index import TAR_NAME_DECODING, normalize_member_name

MAX_JSON_MEMBER = 64 * 1024**2
"""Largest manifest/index/config member we read into memory."""


@dataclass(frozen=True)
class Member:
    """A regular file inside the archive."""

    name: str
    offset: int
    """Absolute offset of the member's data in :attr:`ArchiveMembers.path`."""
    size: int


class ArchiveMembers:
    """Name -> byte range of every regular file in a tar archive (symlinks and
    hardlinks between members resolved, never outside the archive)."""

    def __init__(
        self, path: str, cache: LayerCache | None = None, max_bytes: int | None = None
    ) -> None:
        self.label = path
        try:
            fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        except FileNotFoundError:
            raise NotFoundError(f"archive {path}: no such file") from None
        except IsADirectoryError:
            raise InputError(f"archive {path}: is a directory, not a tar archive") from None
        except OSError as exc:
            raise InputError(f"archive {path}: {exc.strerror}") from None
        self._temp: str | None = None
        self.path = path
        self.fd = fd
        try:
            if sniff_compression(os.pread(fd, 8, 0)) != "none":
                self._decompress_outer(cache, max_bytes)
            self.size = os.fstat(self.fd).st_size
            self._members, self._links = self._index()
        except BaseException:
            self.close()
            raise

    def _decompress_outer(self, cache: LayerCache | None, max_bytes: int | None) -> None:
        scratch = cache.scratch_dir if cache is not None else None
        disk = cache.root if cache is not None else tempfile.gettempdir()
        with disk_full_as_error(disk):
            tmp_fd, tmp = tempfile.mkstemp(prefix="archive-", suffix=".tar", dir=scratch)
        self._temp = tmp
        what = f"archive {self.label}"
        budget = SizeBudget(max_bytes if max_bytes is not None else default_max_image_size(disk),
                            label=what)
        try:
            with os.fdopen(os.dup(self.fd), "rb") as src:
                decompress_blob(
                    src, lambda data: write_all(tmp_fd, data, disk), budget.consume, what
                )
        finally:
            os.close(tmp_fd)
        os.close(self.fd)
        self.fd = os.open(tmp, os.O_RDONLY | os.O_CLOEXEC)
        self.path = tmp

    def _index(self) -> tuple[dict[str, Member], dict[str, str]]:
        members: dict[str, Member] = {}
        links: dict[str, str] = {}
        reader = ByteRangeReader(self.fd, 0, self.size)
        try:
            with tarfile.open(fileobj=reader, mode="r:", **TAR_NAME_DECODING) as tar:
                for info in tar:
                    name = normalize_member_name(info.name)
                    if name is None:
                        continue
                    if info.isreg():
                        if info.offset_data + info.size > self.size:
                            raise CorruptArtifactError(
                                f"archive {self.label}: truncated (member {info.name!r})"
                            )
                        members[name] = Member(name, info.offset_data, info.size)
                    elif info.issym():
                        links[name] = normalize_member_name(
                            os.path.join(os.path.dirname(name), info.linkname)
                            if not info.linkname.startswith("/")
                            else info.linkname
                        ) or "/"
                    elif info.islnk():
                        links[name] = normalize_member_name(info.linkname) or "/"
        except tarfile.TarError as exc:
            raise CorruptArtifactError(f"archive {self.label}: not a valid tar ({exc})") from None
        return members, links

    def find(self, name: str) -> Member | None:
        """The member called ``name`` (leading ``./`` or ``/`` ignored), following
        links between members; None when absent."""
        path = normalize_member_name(name)
        for _ in range(40):
            if path is None:
                return None
            member = self._members.get(path)
            if member is not None:
                return member
            path = self._links.get(path)
        return None

    def get(self, name: str, what: str) -> Member:
        """Like :meth:`find` but a missing member is a one-line :class:`NotFoundError`."""
        member = self.find(name)
        if member is None:
            raise NotFoundError(f"archive {self.label}: {what} {name!r} is missing")
        return member

    def read(self, name: str, what: str, limit: int = MAX_JSON_MEMBER) -> bytes:
        """The whole content of a (small) member."""
        member = self.get(name, what)
        if member.size > limit:
            raise CorruptArtifactError(
                f"archive {self.label}: {what} {name!r} is implausibly large ({member.size} bytes)"
            )
        return os.pread(self.fd, member.size, member.offset)

    def open_member(self, member: Member) -> BinaryIO:
        """A fresh stream over one member's bytes."""
        return ByteRangeReader(self.fd, member.offset, member.size, keepalive=self)  # type: ignore[return-value]

    @property
    def in_place(self) -> bool:
        """True when members are byte ranges of the user's own file (not a temp copy),
        so layers may be indexed where they lie and remembered across runs."""
        return self._temp is None

    def names(self) -> list[str]:
        """All regular-file member names."""
        return sorted(self._members)

    def close(self) -> None:
        """Close the archive and remove a decompressed temp copy (idempotent)."""
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
        if self._temp:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self._temp)
            self._temp = None
