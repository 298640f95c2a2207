"""Which files the package manager installed (dpkg ``info/*.list`` and distroless
``status.d/*.md5sums``, apk ``installed``, the rpm database), so analyzers can tell a
distribution's own file from one somebody dropped in: the backdoor checks (a PAM
module, kernel module or systemd unit nobody installed) and the secret analyzer (a
``password = ...`` in a file the distribution shipped is documentation or code, not a
leak).

The databases are decoded by the inventory's own parsers
(:mod:`seawall.analyzers.packages.dpkg`, ``apk``, ``rpm``); this module only gathers
their file lists into one lookup. usrmerge makes ``/lib/x`` and ``/usr/lib/x`` the same
file while dpkg lists only one spelling, so paths are compared in a canonical ``/usr``
form. When the image has no package database at all, :attr:`PackageOwnership.known` is
False and ownership-based checks stay silent rather than flag every file.

During a scan the owned paths come from the inventory fact (the same per-layer cached
parse of the package databases, :func:`ownership_from_inventory_files`). The md5 sums
dpkg recorded at install time (``info/*.md5sums``, ``status.d/*.md5sums``, ``Conffiles``
of the status file) are read on first need, so a caller can tell an untouched package
file from one edited after installation (:meth:`PackageOwnership.unmodified`).
"""

from __future__ import annotations

import hashlib
import posixpath
import struct
from collections.abc import Iterable
from dataclasses import dataclass, field

from seawall.analyzers.interface import FileInput, FileResult
from seawall.analyzers.packages.apk import DB_PATHS as APK_INSTALLED
from seawall.analyzers.packages.apk import parse_apk_installed
from seawall.analyzers.packages.dpkg import (
    INFO_DIR,
    STATUS_D,
    STATUS_PATH,
    owned_files_from_list,
    parse_control_stanzas,
)
from seawall.analyzers.packages.package_format import DATA_OWNED_FILES
from seawall.analyzers.packages.rpm import RPMDB_DIRS, RPMDB_NAMES, header_blobs
from seawall.analyzers.packages.rpm_header import parse_rpm_header
from seawall.fs.interface import FileSystem

MAX_LIST_BYTES = 32 * 1024 * 1024
"""Largest package database file read (file lists, status, apk installed)."""
MAX_DIGEST_FILE_BYTES = 64 * 1024 * 1024
"""Files larger than this are not hashed by :meth:`PackageOwnership.unmodified`."""
_MERGED = ("/bin/", "/sbin/", "/lib/", "/lib32/", "/lib64/", "/libx32/")


def canonical(path: str) -> str:
    """``/lib/x`` -> ``/usr/lib/x`` (usrmerge), other paths unchanged."""
    for prefix in _MERGED:
        if path.startswith(prefix):
            return "/usr" + path
    return path


@dataclass
class PackageOwnership:
    """The set of package-owned paths (canonical form)."""

    owned: set[str] = field(default_factory=set)
    known: bool = False
    """True when a package database was found and read."""
    digests: dict[str, str] = field(default_factory=dict)
    """Canonical path -> md5 (hex) recorded by dpkg (read from :attr:`fs` on first need
    when not loaded up front)."""
    fs: FileSystem | None = None
    """The target's filesystem, to read dpkg's md5 sums from on first need."""
    errors: list[str] = field(default_factory=list)
    """Package database files that exist but could not be read."""
    digests_loaded: bool = False
    """True once :attr:`digests` holds what dpkg recorded."""

    def owns(self, path: str) -> bool:
        """Was ``path`` installed by a package? (False when unknown.)"""
        return canonical(path) in self.owned

    def recorded_digest(self, path: str) -> str | None:
        """The md5 dpkg recorded for ``path`` at install time, if any."""
        if not self.digests_loaded and self.fs is not None:
            _load_dpkg_digests(self.fs, self)
        return self.digests.get(canonical(path))

    def unmodified(self, fs: FileSystem, path: str) -> bool:
        """True unless ``path``'s content provably differs from what its package
        installed: no recorded digest (apk, rpm, dpkg without md5sums) counts as
        unmodified, a file that cannot be read or is too large too."""
        expected = self.recorded_digest(path)
        if not expected:
            return True
        try:
            md5 = hashlib.md5(usedforsecurity=False)
            with fs.open(path) as fh:
                total = 0
                while chunk := fh.read(1024 * 1024):
                    total += len(chunk)
                    if total > MAX_DIGEST_FILE_BYTES:
                        return True
                    md5.update(chunk)
        except OSError:
            return True
        return md5.hexdigest() == expected.lower()


def _read_text(fs: FileSystem, path: str, out: PackageOwnership | None = None) -> str | None:
    try:
        data = fs.read_bytes(path, 0, MAX_LIST_BYTES)
    except FileNotFoundError:
        return None
    except OSError as exc:
        if out is not None:
            out.errors.append(f"{path}: {exc.strerror or exc}")
        return None
    return data.decode("utf-8", errors="replace")


def _listdir(fs: FileSystem, path: str) -> list[str]:
    try:
        return fs.listdir(path)
    except OSError:
        return []


def _md5sums(text: str) -> dict[str, str]:
    """``<md5>  <path relative to />`` lines -> {canonical absolute path: md5}."""
    out: dict[str, str] = {}
    for line in text.splitlines():
        digest, _, rel = line.strip().partition(" ")
        rel = rel.strip()
        if len(digest) == 32 and rel:
            out[canonical("/" + rel.lstrip("/"))] = digest
    return out


def _load_dpkg(fs: FileSystem, out: PackageOwnership) -> None:
    info_dir = INFO_DIR.rstrip("/")
    for name in _listdir(fs, info_dir):
        if name.endswith(".list"):
            text = _read_text(fs, posixpath.join(info_dir, name), out)
            if text is not None:
                out.known = True
                out.owned.update(canonical(p) for p in owned_files_from_list(text, md5sums=False))
    status_d = STATUS_D.rstrip("/")
    for name in _listdir(fs, status_d):
        if name.endswith(".md5sums"):
            text = _read_text(fs, posixpath.join(status_d, name), out)
            if text is not None:
                out.known = True
                out.owned.update(canonical(p) for p in owned_files_from_list(text, md5sums=True))


def _load_dpkg_digests(fs: FileSystem, out: PackageOwnership) -> None:
    for directory in (INFO_DIR.rstrip("/"), STATUS_D.rstrip("/")):
        for name in _listdir(fs, directory):
            if name.endswith(".md5sums"):
                text = _read_text(fs, posixpath.join(directory, name), out)
                if text is not None:
                    out.digests.update(_md5sums(text))
    text = _read_text(fs, STATUS_PATH, out)
    for stanza in parse_control_stanzas(text or ""):
        # " /etc/x.conf 0123...abcd [obsolete]": conffiles are not in *.md5sums
        for line in stanza.get("Conffiles", "").splitlines():
            parts = line.split()
            if len(parts) >= 2 and parts[0].startswith("/") and len(parts[1]) == 32:
                out.digests[canonical(parts[0])] = parts[1]
    out.digests_loaded = True


def _load_apk(fs: FileSystem, out: PackageOwnership) -> None:
    for db in APK_INSTALLED:
        text = _read_text(fs, db)
        if text is None:
            continue
        out.known = True
        _, owned = parse_apk_installed(text, db, None)
        out.owned.update(canonical(p) for p in owned)


def _load_rpm(fs: FileSystem, out: PackageOwnership) -> None:
    for directory in RPMDB_DIRS:
        for name in RPMDB_NAMES:
            path = directory + name
            try:
                info = fs.lstat(path)
                if not info.is_file():
                    continue
                blobs = list(header_blobs(FileInput(path, info, fs)))
            except (OSError, ValueError, struct.error):
                continue
            out.known = True
            for blob in blobs:
                try:
                    header = parse_rpm_header(blob)
                except ValueError:
                    continue
                out.owned.update(canonical(p) for p in header.files)


def load_package_ownership(fs: FileSystem, digests: bool = False) -> PackageOwnership:
    """Read every dpkg, apk and rpm file list in ``fs`` (and dpkg's md5 sums now when
    ``digests`` is set; otherwise on first need)."""
    out = PackageOwnership(fs=fs)
    _load_dpkg(fs, out)
    _load_apk(fs, out)
    _load_rpm(fs, out)
    if digests:
        _load_dpkg_digests(fs, out)
    return out


def ownership_from_inventory_files(files: Iterable[FileResult], fs: FileSystem) -> PackageOwnership:
    """Package ownership from the inventory extractor's per-file results: the file
    lists of the package databases still visible in the final filesystem (dpkg
    ``.list``/``status.d`` md5sums, apk ``installed``, the rpm database)."""
    out = PackageOwnership(fs=fs)
    for fr in files:
        if not fr.visible:
            continue
        owned = fr.result.data.get(DATA_OWNED_FILES)
        if owned is None:
            continue
        out.known = True
        out.owned.update(canonical(p) for p in owned)
    return out
