"""The table of package metadata formats the ``packages`` analyzer understands.

Each format module (dpkg, apk, rpm, Python dist-info, package-lock, Go binaries ...)
registers one :class:`PackageFormat`: a cheap path test and a parser. The analyzer
asks every format whether it wants a file and hands the file to the first that does,
so adding an ecosystem means adding one module that calls :func:`register_format`.

Parsers return an :class:`~seawall.analyzers.interface.AnalyzerResult`: packages, plus
JSON facts in ``data`` that the merge step needs (files owned by OS packages,
licenses read from copyright files). The well-known ``data`` keys are the ``DATA_*``
constants below.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from seawall.analyzers.interface import AnalyzerResult, FileInput
from seawall.component_registry import ComponentRegistry
from seawall.fs.interface import FileInfo, FileType

DATA_OWNED_FILES = "owned_files"
"""``list[str]``: absolute paths installed by an OS package (dpkg .list, rpm, apk R:)."""
DATA_OWNER = "owner"
"""``str``: the OS package whose file list ``owned_files`` is (dpkg ``.list`` files)."""
DATA_DPKG_LICENSES = "dpkg_licenses"
"""``{package: [license, ...]}`` read from ``/usr/share/doc/<pkg>/copyright``."""
DATA_OS_DB = "os_db"
"""``True`` when the file is an OS package database (its packages get per-layer
attribution: the layer that first had the same name and version)."""
DATA_LOCKFILE = "lockfile"
"""``True`` when the packages come from a lock file (dropped when the same package is
also installed under the lock file's project directory)."""


@dataclass(frozen=True)
class PackageFormat:
    """One package metadata format."""

    name: str
    """Short name used in error scopes (``dpkg``, ``npm-lock``, ``go-binary``)."""
    matches: Callable[[str, FileInfo], bool]
    """Cheap test on the path and lstat info: does this format want the file? (Only
    called for regular files.)"""
    parse: Callable[[FileInput], AnalyzerResult]
    """Parse the file. Raise ``ValueError`` (or ``OSError``) for malformed content: the
    analyzer turns it into an error entry naming the file and moves on."""
    catch_all: bool = False
    """Asked only when no specific format wants the file (executables: any file with an
    execute bit, which includes metadata files installed with mode 0755)."""
    prefixes: tuple[str, ...] = ()
    suffixes: tuple[str, ...] = ()
    """Lower-case path prefixes / suffixes, a necessary condition for ``matches``: when
    either is given, ``matches`` is only asked for paths whose lower-cased form starts
    with a prefix or ends with a suffix. Nearly every file of an image is no metadata:
    one combined string test per file spares a dozen ``matches`` calls."""


FORMATS: ComponentRegistry[PackageFormat] = ComponentRegistry("package format")


@dataclass(frozen=True)
class _Dispatch:
    """The registered formats arranged for :func:`format_for`, built once."""

    prefixes: tuple[str, ...]
    suffixes: tuple[str, ...]
    """Union of the hinted specific formats' hints."""
    hinted: tuple[PackageFormat, ...]
    """Every specific format, in order: asked when a path passes the combined hints."""
    unhinted: tuple[PackageFormat, ...]
    """Specific formats without hints: asked for every path."""
    catch_all: tuple[PackageFormat, ...]


_dispatch: list[_Dispatch] = []


def register_format(fmt: PackageFormat) -> PackageFormat:
    """Add a format to :data:`FORMATS` (called at import time by each format module)."""
    FORMATS.add(fmt.name, fmt)
    _dispatch.clear()
    return fmt


def _table() -> _Dispatch:
    # format_for runs for every file of a target: keep the specific formats first and
    # the catch-alls last, with the hints merged, built once.
    if not _dispatch:
        formats = [fmt for _, fmt in FORMATS.items()]
        specific = [f for f in formats if not f.catch_all]
        _dispatch.append(_Dispatch(
            prefixes=tuple(p for f in specific for p in f.prefixes),
            suffixes=tuple(s for f in specific for s in f.suffixes),
            hinted=tuple(specific),
            unhinted=tuple(f for f in specific if not (f.prefixes or f.suffixes)),
            catch_all=tuple(f for f in formats if f.catch_all),
        ))
    return _dispatch[0]


def _wants(fmt: PackageFormat, path: str, lowered: str, info: FileInfo) -> bool:
    if (fmt.prefixes or fmt.suffixes) and not (
            lowered.startswith(fmt.prefixes) or lowered.endswith(fmt.suffixes)):
        return False
    return fmt.matches(path, info)


def format_for(path: str, info: FileInfo) -> PackageFormat | None:
    """The first registered format that wants ``path`` (catch-all formats last), or None.
    Only regular files are metadata: everything else is refused before any format."""
    if info.type is not FileType.REGULAR:
        return None
    table = _table()
    lowered = path.lower()
    if lowered.startswith(table.prefixes) or lowered.endswith(table.suffixes):
        for fmt in table.hinted:
            if _wants(fmt, path, lowered, info):
                return fmt
    else:
        for fmt in table.unhinted:
            if fmt.matches(path, info):
                return fmt
    for fmt in table.catch_all:
        if fmt.matches(path, info):
            return fmt
    return None


MAX_METADATA_BYTES = 64 * 1024 * 1024
"""Upper bound for reading one metadata file whole (status files, lock files, DBs):
image content is hostile and sizes are never trusted for allocation."""


def read_capped(file: FileInput, limit: int = MAX_METADATA_BYTES) -> bytes:
    """Read a metadata file whole, refusing files larger than ``limit``."""
    data = file.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"larger than {limit} bytes, not parsed")
    return data
