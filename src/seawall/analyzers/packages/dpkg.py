"""Debian packages: ``/var/lib/dpkg/status``, distroless ``status.d/*``, file lists
(``info/*.list``, ``status.d/*.md5sums``) and DEP-5 ``copyright`` licenses."""

from __future__ import annotations

import re

from seawall.analyzers.interface import AnalyzerResult, FileInput
from seawall.analyzers.packages.license_names import normalize_license
from seawall.analyzers.packages.package_format import (
    DATA_DPKG_LICENSES,
    DATA_OS_DB,
    DATA_OWNED_FILES,
    DATA_OWNER,
    PackageFormat,
    read_capped,
    register_format,
)
from seawall.fs.interface import FileInfo
from seawall.model.package import Package

STATUS_PATH = "/var/lib/dpkg/status"
STATUS_D = "/var/lib/dpkg/status.d/"
INFO_DIR = "/var/lib/dpkg/info/"

_SOURCE = re.compile(r"^(?P<name>\S+)(?:\s+\((?P<version>[^)]+)\))?$")
_DEP5_FORMAT = re.compile(rb"^Format:\s*https?://www\.debian\.org/doc/packaging-manuals/copyright-format/")
_DEP5_LICENSE = re.compile(rb"^License:[ \t]*([^\s,][^\r\n]*)$", re.MULTILINE)
_LICENSE_SPLIT = re.compile(r"\s+(?:and/or|or|and)\s+|\s*\|\s*", re.IGNORECASE)
_COPYRIGHT_LIMIT = 512 * 1024


def parse_control_stanzas(text: str) -> list[dict[str, str]]:
    """Split RFC 822-style control data into stanzas of ``{Field: value}``; continuation
    lines are joined with newlines (only single-line fields are used here)."""
    stanzas: list[dict[str, str]] = []
    current: dict[str, str] = {}
    last_key: str | None = None
    for line in text.splitlines():
        if not line.strip():
            if current:
                stanzas.append(current)
            current, last_key = {}, None
            continue
        if line[0] in " \t":
            if last_key is not None:
                current[last_key] += "\n" + line.strip()
            continue
        key, sep, value = line.partition(":")
        if not sep:
            continue  # garbage line: skip rather than fail the whole database
        last_key = key.strip()
        current[last_key] = value.strip()
    if current:
        stanzas.append(current)
    return stanzas


def _is_installed(stanza: dict[str, str]) -> bool:
    status = stanza.get("Status")
    if status is None:
        return True  # distroless status.d entries carry no Status field
    words = status.split()
    # The third word is the package state; only these two leave no files on disk.
    return len(words) == 3 and words[2] not in ("not-installed", "config-files")


def packages_from_status(text: str, path: str, layer: str | None) -> list[Package]:
    """Installed packages of a dpkg status (or status.d) document."""
    out: list[Package] = []
    for stanza in parse_control_stanzas(text):
        name = stanza.get("Package")
        version = stanza.get("Version")
        if not name or not version or not _is_installed(stanza):
            continue
        source_name, source_version = name, version
        source = stanza.get("Source")
        if source:
            match = _SOURCE.match(source.strip())
            if match:
                source_name = match.group("name")
                source_version = match.group("version") or version
        arch = stanza.get("Architecture") or None
        extra: dict[str, str] = {}
        if stanza.get("Maintainer"):
            extra["maintainer"] = stanza["Maintainer"]
        out.append(
            Package(
                name=name, version=version, type="deb", source_name=source_name,
                source_version=source_version, arch=arch, layer=layer, path=path, extra=extra,
            )
        )
    return out


def _matches_db(path: str, info: FileInfo) -> bool:
    if path == STATUS_PATH:
        return True
    rest = path[len(STATUS_D):]
    return path.startswith(STATUS_D) and "/" not in rest and not rest.endswith(".md5sums")


def _parse_db(file: FileInput) -> AnalyzerResult:
    text = read_capped(file).decode("utf-8", "replace")
    return AnalyzerResult(
        packages=packages_from_status(text, file.path, file.layer), data={DATA_OS_DB: True}
    )


def _matches_file_list(path: str, info: FileInfo) -> bool:
    if path.startswith(INFO_DIR) and path.endswith(".list"):
        return "/" not in path[len(INFO_DIR):]
    return path.startswith(STATUS_D) and path.endswith(".md5sums")


def owned_files_from_list(text: str, md5sums: bool) -> list[str]:
    """Absolute paths from a ``.list`` (one path a line) or ``.md5sums`` (hash, path)."""
    out: list[str] = []
    for line in text.splitlines():
        entry = line.split(None, 1)[1] if md5sums and " " in line.strip() else line
        entry = entry.strip()
        if not entry or entry == "/.":
            continue
        out.append(entry if entry.startswith("/") else "/" + entry)
    return out


def _parse_file_list(file: FileInput) -> AnalyzerResult:
    text = read_capped(file).decode("utf-8", "replace")
    md5sums = file.path.endswith(".md5sums")
    owned = owned_files_from_list(text, md5sums=md5sums)
    owner = file.path.rpartition("/")[2].removesuffix(".md5sums" if md5sums else ".list")
    return AnalyzerResult(data={DATA_OWNED_FILES: owned, DATA_OWNER: owner.split(":")[0]})


def _matches_copyright(path: str, info: FileInfo) -> bool:
    if not path.startswith("/usr/share/doc/"):
        return False
    parts = path.split("/")
    return len(parts) == 6 and parts[5] == "copyright"


def licenses_from_copyright(data: bytes) -> list[str]:
    """License short names of a machine-readable (DEP-5) copyright file; empty for
    free-form files (classifying license text is not worth its cost here)."""
    if not _DEP5_FORMAT.match(data):
        return []
    seen: list[str] = []
    for match in _DEP5_LICENSE.finditer(data):
        raw = match.group(1).decode("utf-8", "replace").strip()
        for name in _LICENSE_SPLIT.split(raw):
            license_id = normalize_license(name.strip())
            if license_id and license_id not in seen:
                seen.append(license_id)
    return seen


def _parse_copyright(file: FileInput) -> AnalyzerResult:
    package = file.path.split("/")[4]
    licenses = licenses_from_copyright(file.read(_COPYRIGHT_LIMIT))
    return AnalyzerResult(data={DATA_DPKG_LICENSES: {package: licenses}} if licenses else {})


register_format(PackageFormat("dpkg", _matches_db, _parse_db, prefixes=(STATUS_PATH,)))
register_format(PackageFormat("dpkg-files", _matches_file_list, _parse_file_list,
                              prefixes=(INFO_DIR, STATUS_D)))
register_format(PackageFormat("dpkg-copyright", _matches_copyright, _parse_copyright,
                              suffixes=("/copyright",)))
