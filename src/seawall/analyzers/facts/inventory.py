"""The package inventory as a fact: per-file parse results of every package metadata
file (cached per layer like any walker's), merged once per scan into the target's
package list. The ``packages`` analyzer (SBOM, OS end of life), the ``vuln`` analyzer
(matching) and package ownership all read this one inventory.

Standalone callers (the SDK, ``seawall sbom`` without a driver) use
:func:`run_inventory` / :func:`collect_packages`, which walk the target once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import seawall.analyzers.packages.all  # noqa: F401 - every built-in format registered
from seawall.analyzers.interface import (
    AnalysisContext,
    Analyzer,
    AnalyzerResult,
    FileInput,
    FileResult,
)
from seawall.analyzers.packages.inventory_merge import merge_inventory
from seawall.analyzers.packages.package_format import DATA_OS_DB, PackageFormat, format_for
from seawall.fs.interface import FileInfo
from seawall.model.package import Package
from seawall.model.report import ErrorEntry

if TYPE_CHECKING:
    from seawall.sources.interface import Target

log = logging.getLogger(__name__)

SCOPE = "facts:inventory"
DATA_PARSE_FAILED = "parse_failed"
"""``str`` in a per-file result: the format whose parser raised on the file."""
OS_DATABASE_FORMATS = frozenset({"dpkg", "dpkg-files", "apk", "rpm"})
"""Formats whose files make up the OS package database: when one of them cannot be
parsed, the OS inventory (and everything matched against it) is incomplete."""


@dataclass
class Inventory:
    """The merged package inventory of a target."""

    packages: list[Package] = field(default_factory=list)
    """Sorted, deduplicated, with purls and installing layers."""
    errors: list[ErrorEntry] = field(default_factory=list)
    """Parse problems of files still visible in the final filesystem."""
    incomplete: bool = False
    """True when an OS package database could not be parsed."""


class InventoryExtractor(Analyzer):
    """Parses every package metadata file the walk meets (the first registered format
    that wants a file parses it). Not a registered scanner: the scan driver runs it
    when an analyzer reads the inventory or package ownership; its per-file results
    are cached per layer under its own key."""

    name = "facts.inventory"
    version = "1"
    """Bump when a format's per-file results change (invalidates cached layers)."""
    description = "Package metadata files (the inventory fact)"

    def __init__(self) -> None:
        # The walk calls analyze_file right after required for the same file: keep
        # the last lookup instead of asking every format twice.
        self._last: tuple[str, FileInfo, PackageFormat | None] | None = None

    def _format(self, path: str, info: FileInfo) -> PackageFormat | None:
        last = self._last
        if last is not None and last[0] == path and last[1] is info:
            return last[2]
        fmt = format_for(path, info)
        self._last = (path, info, fmt)
        return fmt

    def required(self, path: str, info: FileInfo) -> bool:
        """True for any file one of the registered package formats parses."""
        return self._format(path, info) is not None

    def analyze_file(self, file: FileInput, ctx: AnalysisContext) -> AnalyzerResult:
        """Parse one metadata file; malformed content becomes an error entry (and
        ``data["parse_failed"]`` names the format)."""
        fmt = self._format(file.path, file.info)
        if fmt is None:
            return AnalyzerResult()
        try:
            return fmt.parse(file)
        except Exception as exc:
            message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            return AnalyzerResult(
                errors=[ErrorEntry(SCOPE, f"{file.path}: {fmt.name}: {message}")],
                data={DATA_PARSE_FAILED: fmt.name},
            )


def build_inventory(target: Target, files: list[FileResult]) -> Inventory:
    """Merge the extractor's per-file results (every layer's, tagged visible or not)
    into the target's inventory."""
    out = Inventory()
    for fr in files:
        if not fr.visible:
            continue
        out.errors.extend(fr.result.errors)
        if fr.result.data.get(DATA_PARSE_FAILED) in OS_DATABASE_FORMATS:
            out.incomplete = True
    layer_order = [layer.diff_id for layer in getattr(target, "layers", [])]
    out.packages = merge_inventory(files, target.os, layer_order)
    return out


def _os_db_history(target: Target, extractor: InventoryExtractor, visible: list[FileResult],
                   ctx: AnalysisContext) -> list[FileResult]:
    """Results for the OS databases of lower layers (images only), which give each
    OS package the layer that installed it."""
    layers = getattr(target, "layers", None)
    if not layers:
        return []
    out: list[FileResult] = []
    for fr in visible:
        if not fr.result.data.get(DATA_OS_DB):
            continue
        for layer in layers:
            if layer.diff_id == fr.layer:
                break
            try:
                info = layer.fs.lstat(fr.path)
            except OSError:
                continue
            if not info.is_file():
                continue
            result = extractor.analyze_file(FileInput(fr.path, info, layer.fs, layer.diff_id), ctx)
            out.append(FileResult(fr.path, layer.diff_id, False, result))
    return out


def extract_inventory_files(target: Target, ctx: AnalysisContext | None = None) -> list[FileResult]:
    """The extractor's per-file results for ``target`` without a scan driver: one walk
    of the final filesystem, plus the OS databases of lower image layers."""
    ctx = ctx or AnalysisContext()
    extractor = InventoryExtractor()
    fs = target.fs
    files: list[FileResult] = []
    for info in fs.walk("/"):
        if extractor.required(info.path, info):
            result = extractor.analyze_file(FileInput(info.path, info, fs, info.layer), ctx)
            files.append(FileResult(info.path, info.layer, True, result))
    files.extend(_os_db_history(target, extractor, files, ctx))
    return files


def run_inventory(target: Target, ctx: AnalysisContext | None = None) -> AnalyzerResult:
    """The ``packages`` analyzer's result for ``target`` by itself: packages (sorted,
    deduplicated, with purls), the ``SW-OS-EOL`` finding when it applies, and parse
    errors."""
    from seawall.analyzers.facts.target_facts import FACT_INVENTORY, gather_facts
    from seawall.analyzers.packages.analyzer import PackagesAnalyzer

    ctx = ctx or AnalysisContext()
    ctx.facts = gather_facts(target, {FACT_INVENTORY}, extract_inventory_files(target, ctx))
    result = PackagesAnalyzer().finalize(target, [], ctx)
    result.errors[:0] = ctx.facts.errors
    result.errors.extend(ctx.errors)
    return result


def collect_packages(target: Target, ctx: AnalysisContext | None = None) -> list[Package]:
    """Every package installed in ``target`` (image, container, rootfs or directory).

    Each :class:`~seawall.model.package.Package` has ``type`` (deb, apk, rpm, pypi, npm,
    golang, maven, gem, cargo, composer, nuget), ``name`` as the ecosystem spells it
    (Maven ``group:artifact``, Go module path, npm ``@scope/name``), ``version`` as the
    native tool prints it (deb/rpm with epoch ``1:2.3-4``; Go with ``v`` prefix, the Go
    standard library as package ``stdlib`` with version ``v1.19.8``), ``purl``,
    ``layer`` (diff_id of the layer that installed it), ``path`` (the metadata file),
    ``licenses``, and for OS packages ``source_name``/``source_version`` (always set:
    the binary's own when there is no separate source package) and ``arch``.
    Lock-file entries carry ``extra["dev"] = True`` for development dependencies.
    Parse problems are logged and skipped; use :func:`run_inventory` to get them.
    """
    result = run_inventory(target, ctx)
    for error in result.errors:
        log.debug("%s: %s", error.scope, error.message)
    return result.packages
