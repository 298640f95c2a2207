"""rpm packages (RHEL, CentOS, Rocky, Alma, Fedora, Amazon, Oracle, SUSE, Mariner):
the rpm database in any of its three formats, with the files each package owns."""

from __future__ import annotations

from collections.abc import Iterator

from seawall.analyzers.interface import AnalyzerResult, FileInput
from seawall.analyzers.packages.package_format import (
    DATA_OS_DB,
    DATA_OWNED_FILES,
    PackageFormat,
    register_format,
)
from seawall.analyzers.packages.rpm_header import RpmHeader, parse_rpm_header, split_source_rpm
from seawall.analyzers.packages.rpmdb_storage import (
    bdb_header_blobs,
    detect_rpmdb_format,
    ndb_header_blobs,
    sqlite_header_blobs,
)
from seawall.fs.interface import FileInfo
from seawall.model.package import Package
from seawall.model.report import ErrorEntry

RPMDB_DIRS = ("/var/lib/rpm/", "/usr/lib/sysimage/rpm/", "/usr/share/rpm/")
RPMDB_NAMES = ("Packages", "Packages.db", "rpmdb.sqlite")
MAX_RPMDB_BYTES = 1024 * 1024 * 1024


def header_blobs(file: FileInput) -> Iterator[bytes]:
    """Header blobs of an rpm database file, whatever its storage format."""
    head = file.fs.read_bytes(file.path, 0, 512)
    kind = detect_rpmdb_format(head)
    if kind is None:
        raise ValueError("not an rpm database (no SQLite, NDB or Berkeley DB magic)")
    if kind == "sqlite":
        with file.open() as stream:
            yield from sqlite_header_blobs(stream, MAX_RPMDB_BYTES)
        return

    def read_at(offset: int, length: int) -> bytes:
        return file.fs.read_bytes(file.path, offset, length)

    yield from (ndb_header_blobs(read_at) if kind == "ndb" else bdb_header_blobs(read_at))


def package_from_header(header: RpmHeader, path: str, layer: str | None) -> Package:
    """The inventory entry of one rpm header."""
    source_name, source_version = header.name, header.evr
    if header.source_rpm:
        parts = split_source_rpm(header.source_rpm)
        if parts:
            # SOURCERPM carries no epoch; the binary's epoch applies (as rpm itself assumes).
            prefix = f"{header.epoch}:" if header.epoch is not None else ""
            source_name, source_version = parts[0], f"{prefix}{parts[1]}-{parts[2]}"
    extra: dict[str, str] = {}
    if header.vendor:
        extra["vendor"] = header.vendor
    if header.modularity_label:
        extra["modularitylabel"] = header.modularity_label
    return Package(
        name=header.name, version=header.evr, type="rpm", source_name=source_name,
        source_version=source_version, arch=header.arch,
        licenses=[header.license] if header.license else [], layer=layer, path=path,
        extra=extra,
    )


def _matches(path: str, info: FileInfo) -> bool:
    directory, _, name = path.rpartition("/")
    return name in RPMDB_NAMES and directory + "/" in RPMDB_DIRS


def _parse(file: FileInput) -> AnalyzerResult:
    result = AnalyzerResult(data={DATA_OS_DB: True})
    owned: list[str] = []
    bad = 0
    for blob in header_blobs(file):
        try:
            header = parse_rpm_header(blob)
        except ValueError:
            bad += 1
            continue
        if header.name == "gpg-pubkey":
            continue  # imported signing keys are database entries, not software
        result.packages.append(package_from_header(header, file.path, file.layer))
        owned.extend(header.files)
    if bad:
        result.errors.append(
            ErrorEntry("analyzer:packages", f"{file.path}: {bad} malformed rpm headers skipped")
        )
    result.data[DATA_OWNED_FILES] = owned
    return result


register_format(PackageFormat("rpm", _matches, _parse,
                              suffixes=tuple("/" + n.lower() for n in RPMDB_NAMES)))
