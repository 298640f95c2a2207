"""Package inventory: OS packages (dpkg, apk, rpm) and language packages (Python, npm,
Go, Java, Ruby, Rust, PHP, .NET) found in a target, each with its layer, path and purl;
plus the OS end-of-life check (``SW-OS-EOL``).

For other analyzers (vulnerability matching, SBOM writers) the entry points are::

    from seawall.analyzers.packages import collect_packages, run_inventory

    packages = collect_packages(target)     # list[Package], sorted, deduplicated
    result = run_inventory(target)          # AnalyzerResult: packages, findings, errors

During a full scan the scan driver runs :class:`PackagesAnalyzer` like any analyzer
(``required`` per file, ``analyze_file``, then ``finalize``); its ``packages`` are the
report's ``packages``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from seawall.analyzers.catalog import register_analyzer
from seawall.analyzers.interface import (
    AnalysisContext,
    Analyzer,
    AnalyzerResult,
    FileInput,
    FileResult,
)

# Importing the format modules registers them in FORMATS (order = precedence).
from seawall.analyzers.packages import (  # noqa: F401
    apk,
    dotnet_deps,
    dpkg,
    executables,
    java_archive,
    node_installed,
    node_lockfiles,
    php_composer,
    python_dist,
    rpm,
    ruby_gems,
    rust_cargo,
)
from seawall.analyzers.packages.inventory_merge import merge_inventory
from seawall.analyzers.packages.os_eol import eol_finding, eol_status
from seawall.analyzers.packages.package_format import DATA_OS_DB, PackageFormat, format_for
from seawall.fs.interface import FileInfo
from seawall.model.package import Package
from seawall.model.report import ErrorEntry

if TYPE_CHECKING:
    from seawall.sources.interface import Target

log = logging.getLogger(__name__)

SCOPE = "analyzer:packages"


@register_analyzer
class PackagesAnalyzer(Analyzer):
    """Inventory of installed OS and language packages (the SBOM of a target)."""

    name = "packages"
    version = "1"
    description = "Installed OS and language packages (SBOM inventory) and OS end of life"

    def __init__(self) -> None:
        # The driver calls analyze_file right after required for the same file: keep
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
        """Parse one metadata file; malformed content becomes an error entry."""
        fmt = self._format(file.path, file.info)
        if fmt is None:
            return AnalyzerResult()
        try:
            return fmt.parse(file)
        except Exception as exc:
            message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            return AnalyzerResult(errors=[ErrorEntry(SCOPE, f"{file.path}: {fmt.name}: {message}")])

    def finalize(
        self, target: Target, files: list[FileResult], ctx: AnalysisContext
    ) -> AnalyzerResult:
        """Merge per-file results into the inventory and check the OS end of life."""
        out = AnalyzerResult()
        for fr in files:
            if fr.visible:
                out.errors.extend(fr.result.errors)
        os_info = target.os
        layer_order = [layer.diff_id for layer in getattr(target, "layers", [])]
        out.packages = merge_inventory(files, os_info, layer_order)
        if os_info is not None:
            status = eol_status(os_info)
            if status is not None:
                os_info.eol = status.eol
                if status.eol:
                    out.findings.append(eol_finding(os_info, status))
                out.data["os_eol"] = {"eol": status.eol, "cycle": status.cycle,
                                      "eol_date": str(status.eol_date or "") or None}
        return out


def _os_db_history(target: Target, analyzer: PackagesAnalyzer, visible: list[FileResult],
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
            result = analyzer.analyze_file(FileInput(fr.path, info, layer.fs, layer.diff_id), ctx)
            out.append(FileResult(fr.path, layer.diff_id, False, result))
    return out


def run_inventory(target: Target, ctx: AnalysisContext | None = None) -> AnalyzerResult:
    """Run the ``packages`` analyzer on ``target`` by itself: one walk of the final
    filesystem (plus the OS databases of lower image layers), then the merge.
    Returns packages (sorted, deduplicated, with purls), the ``SW-OS-EOL`` finding
    when it applies, and parse errors."""
    ctx = ctx or AnalysisContext()
    analyzer = PackagesAnalyzer()
    analyzer.configure(ctx.options)
    fs = target.fs
    files: list[FileResult] = []
    for info in fs.walk("/"):
        if analyzer.required(info.path, info):
            result = analyzer.analyze_file(FileInput(info.path, info, fs, info.layer), ctx)
            files.append(FileResult(info.path, info.layer, True, result))
    files.extend(_os_db_history(target, analyzer, files, ctx))
    result = analyzer.finalize(target, files, ctx)
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


__all__ = ["PackagesAnalyzer", "collect_packages", "run_inventory"]
