"""The scan driver: one target in, one :class:`Report` out.

Facts before verdicts: the extractors of the facts the selected analyzers read
(:attr:`Analyzer.facts`) walk along with the analyzers; the facts are gathered once
per scan and handed to every ``finalize`` as ``ctx.facts``.

Images: each distinct layer is walked once and every file goes to each analyzer
(and fact extractor) that wants it; per-file results are cached per (layer diff_id,
analyzer cache key) so a re-scan does no per-file work; each result is tagged
``visible`` from the merged view; then every analyzer's ``finalize`` sees the lot.
Other targets: one walk of the target's filesystem. Selected out-of-process plugins
run afterwards, in parallel. Nothing an analyzer or plugin does aborts the scan: it
becomes an ``errors`` entry and marks the outcome incomplete.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace

from seawall._version import __version__
from seawall.analyzers.facts.inventory import InventoryExtractor
from seawall.analyzers.facts.target_facts import (
    KNOWN_FACTS,
    NEEDS_INVENTORY_WALK,
    TargetFacts,
    gather_facts,
)
from seawall.analyzers.interface import AnalysisContext, Analyzer, AnalyzerResult, FileResult
from seawall.fs.interface import FileSystem
from seawall.model.finding import SUBJECT_KEY, Finding
from seawall.model.package import Package
from seawall.model.report import ErrorEntry, Report, Stats, TargetInfo, ToolInfo
from seawall.plugins.discovery import DiscoveredPlugin
from seawall.plugins.runner import PluginOutcome, run_plugin
from seawall.scanning.layer_walk import walk_filesystem
from seawall.scanning.options import ScanOptions
from seawall.scanning.phase_events import SILENT, PhaseListener
from seawall.scanning.result_cache import LayerResultCache, LayerWalkStats
from seawall.scanning.selection import instantiate, select_analyzer_classes, walks_files
from seawall.scanning.visibility import VisibilityOracle
from seawall.sources.interface import Image, Layer, Target

log = logging.getLogger(__name__)

#: Plugin command types tried for each target kind, in order of preference.
DEFAULT_COMMAND_TYPES: dict[str, tuple[str, ...]] = {
    "image": ("image",),
    "container": ("container",),
    "directory": ("rootfs",),
    "host": ("rootfs",),
}


@dataclass
class ScanOutcome:
    """A report plus what the exit code needs to know about it."""

    report: Report
    failures: list[str] = field(default_factory=list)
    """Scopes (``analyzer:x``, ``plugin:y``, ``layer:z``) that did not complete: every
    scope of the report's ``errors``."""
    cache_hits: int = 0
    """(layer, analyzer) pairs answered from the cache."""
    analyzed_layers: int = 0
    """Layers actually walked."""

    @property
    def complete(self) -> bool:
        """True when every analyzer and plugin finished cleanly and reported no error."""
        return not self.failures


@dataclass
class _Collected:
    """Per-file results of every analyzer, gathered over layers."""

    files: dict[str, list[FileResult]]
    stats: LayerWalkStats
    errors: list[ErrorEntry]
    failures: set[str]
    cache_hits: int = 0
    walked: int = 0


class ScanDriver:
    """Scans targets with the analyzers and plugins chosen in ``options``."""

    def __init__(
        self,
        options: ScanOptions | None = None,
        plugins: Sequence[DiscoveredPlugin] = (),
        command_types: Sequence[str] | None = None,
    ) -> None:
        self.options = options or ScanOptions()
        self.plugins = list(plugins)
        """Plugins to run (already discovered and selected by name)."""
        self.command_types = tuple(command_types) if command_types else None
        """Plugin command types to use instead of :data:`DEFAULT_COMMAND_TYPES`."""
        self._cache = (
            LayerResultCache(self.options.resolved_cache_dir()) if self.options.use_cache else None
        )

    def scan(self, target: Target, progress: PhaseListener = SILENT) -> ScanOutcome:
        """Scan one target, telling ``progress`` about each phase as it goes."""
        started = time.monotonic()
        classes = select_analyzer_classes(self.options.scanners, target.kind)
        analyzers, broken = instantiate(classes, self.options.analyzer_options)
        ctx = AnalysisContext(options=dict(self.options.analyzer_options))
        errors = [ErrorEntry(f"analyzer:{name}", why) for name, why in broken]
        failures = {f"analyzer:{name}" for name, _ in broken}
        needed = {fact for a in analyzers for fact in a.facts}
        for analyzer in analyzers:
            unknown = sorted(set(analyzer.facts) - KNOWN_FACTS)
            if unknown:
                errors.append(ErrorEntry(f"analyzer:{analyzer.name}",
                                         f"asks for unknown facts: {', '.join(unknown)}"))
                failures.add(f"analyzer:{analyzer.name}")
        needed &= KNOWN_FACTS
        extractors: list[Analyzer] = []
        if needed & NEEDS_INVENTORY_WALK:
            extractors.append(InventoryExtractor())
        walkers = [a for a in analyzers if walks_files(a)] + extractors
        if isinstance(target, Image):
            collected = self._collect_image(target, walkers, ctx, progress)
        else:
            collected = self._collect_target(target, walkers, ctx, progress)
        errors += collected.errors
        failures |= collected.failures
        ctx.facts = self._gather_facts(target, needed, extractors, collected)
        errors += ctx.facts.errors
        failures |= {f"facts:{name}" for name in ctx.facts.missing}

        report = Report(target=target.target_info(), tool=ToolInfo("seawall", __version__))
        redact_target_metadata(report.target, analyzers)
        progress.begin("finishing analyzers", len(analyzers), "analyzers")
        for analyzer in analyzers:
            files = collected.files.get(analyzer.name, [])
            try:
                result = analyzer.finalize(target, files, ctx)
            except Exception as exc:
                log.debug("finalize of %s failed", analyzer.name, exc_info=True)
                errors.append(
                    ErrorEntry(
                        f"analyzer:{analyzer.name}", f"finalize: {type(exc).__name__}: {exc}"
                    )
                )
                failures.add(f"analyzer:{analyzer.name}")
                continue
            finally:
                progress.advance()
            report.findings.extend(result.findings)
            report.packages.extend(result.packages)
            report.target.extra.update(result.target_extra)
            report.notes.extend(result.notes)
            errors += result.errors
        progress.end()
        errors += ctx.errors

        for outcome in self._run_plugins(target, progress):
            report.findings.extend(outcome.findings)
            report.packages.extend(outcome.packages)
            errors += outcome.errors
            if outcome.failed:
                failures.add(f"plugin:{outcome.plugin}")

        report.findings = _dedupe(report.findings)
        report.packages = _merge_packages(report.packages)
        # A returned error is a failure too (a missing DB, an unreadable file): the
        # report's errors and the outcome's failures say the same thing.
        scoped = {e.scope for e in errors}
        errors += [ErrorEntry(s, "did not complete") for s in sorted(failures - scoped)]
        failures |= scoped
        report.errors = errors
        report.stats = Stats(
            duration_s=time.monotonic() - started,
            files=collected.stats.files,
            bytes=collected.stats.bytes,
        )
        return ScanOutcome(
            report=report,
            failures=sorted(failures),
            cache_hits=collected.cache_hits,
            analyzed_layers=collected.walked,
        )

    # -- facts ---------------------------------------------------------------------

    @staticmethod
    def _gather_facts(
        target: Target, needed: set[str], extractors: list[Analyzer], collected: _Collected
    ) -> TargetFacts:
        """The scan's facts from the extractors' per-file results. (A walk that failed
        part-way is already a failure of its layer or of the target: the facts built
        from it are not marked missing a second time.)"""
        files = [fr for e in extractors for fr in collected.files.get(e.name, [])]
        return gather_facts(target, needed, files)

    # -- per-file phase -------------------------------------------------------------

    def _collect_target(
        self,
        target: Target,
        walkers: list[Analyzer],
        ctx: AnalysisContext,
        progress: PhaseListener,
    ) -> _Collected:
        out = _Collected({}, LayerWalkStats(), [], set())
        if not walkers:
            return out
        progress.begin("analyzing", None, "files")
        walk = walk_filesystem(target.fs, walkers, ctx, layer=None, progress=progress)
        progress.end()
        out.walked = 1
        out.stats = walk.stats
        out.errors = walk.errors
        out.failures = {f"analyzer:{n}" for n in walk.failed}
        if not walk.complete:
            out.failures.add("target")
        for name, per_path in walk.results.items():
            out.files[name] = [
                FileResult(path=p, layer=None, visible=True, result=r)
                for p, r in sorted(per_path.items())
            ]
        return out

    def _collect_image(
        self,
        image: Image,
        walkers: list[Analyzer],
        ctx: AnalysisContext,
        progress: PhaseListener,
    ) -> _Collected:
        out = _Collected({a.name: [] for a in walkers}, LayerWalkStats(), [], set())
        if not walkers:
            return out
        _pull_layers(image.layers, progress)
        oracle = VisibilityOracle(image.fs)
        seen: set[str] = set()
        progress.begin("analyzing", None, "files")
        for layer in image.layers:
            diff_id = layer.diff_id
            if diff_id in seen:  # identical layers (often empty ones) are walked once
                continue
            seen.add(diff_id)
            per_analyzer, stats = self._layer_results(
                layer.fs, diff_id, walkers, ctx, out, progress
            )
            out.stats.files += stats.files
            out.stats.bytes += stats.bytes
            for name, per_path in per_analyzer.items():
                out.files[name].extend(
                    FileResult(path=p, layer=diff_id, visible=oracle.visible(p, diff_id), result=r)
                    for p, r in sorted(per_path.items())
                )
        progress.end()
        return out

    def _layer_results(
        self,
        fs: FileSystem,
        diff_id: str,
        walkers: list[Analyzer],
        ctx: AnalysisContext,
        out: _Collected,
        progress: PhaseListener,
    ) -> tuple[dict[str, dict[str, AnalyzerResult]], LayerWalkStats]:
        """One layer's per-file results: from the cache where possible, else by
        walking the layer once for every analyzer that missed."""
        cache = self._cache
        results: dict[str, dict[str, AnalyzerResult]] = {}
        missing: list[Analyzer] = []
        for analyzer in walkers:
            cached = cache.get(diff_id, analyzer.cache_key()) if cache else None
            if cached is None:
                missing.append(analyzer)
            else:
                results[analyzer.name] = cached
                out.cache_hits += 1
        stats = (cache.get_stats(diff_id) if cache else None) or LayerWalkStats()
        if not missing:
            progress.advance(stats.files, stats.bytes)  # analyzed in an earlier scan
            return results, stats
        walk = walk_filesystem(fs, missing, ctx, layer=diff_id, progress=progress)
        out.walked += 1
        out.errors.extend(walk.errors)
        out.failures |= {f"analyzer:{n}" for n in walk.failed}
        if not walk.complete:
            out.failures.add(f"layer:{diff_id}")
        for analyzer in missing:
            per_path = walk.results.get(analyzer.name, {})
            results[analyzer.name] = per_path
            # Results of a walk that hit exceptions are not reused: a transient
            # failure must not be frozen into the cache.
            if cache and walk.complete and analyzer.name not in walk.failed:
                cache.put(diff_id, analyzer.cache_key(), per_path)
        if walk.complete:
            stats = walk.stats
            if cache:
                cache.put_stats(diff_id, stats)
        return results, stats

    # -- plugins ----------------------------------------------------------------------

    def _run_plugins(self, target: Target, progress: PhaseListener) -> list[PluginOutcome]:
        types = self.command_types or DEFAULT_COMMAND_TYPES.get(target.kind, (target.kind,))
        runs = []
        for plugin in self.plugins:
            command = plugin.manifest.command_for(types)
            if command is not None:
                runs.append((plugin, command))
            else:
                log.info("plugin %s has no command for a %s target", plugin.name, target.kind)
        if not runs:
            return []
        opts = self.options

        def run(item: tuple[DiscoveredPlugin, object]) -> PluginOutcome:
            plugin, command = item
            try:
                return run_plugin(
                    plugin,
                    command,  # type: ignore[arg-type]
                    target,
                    timeout=opts.plugin_timeout,
                    config_files=opts.plugin_config.get(plugin.name, {}),
                )
            finally:
                progress.advance()

        progress.begin("running plugins", len(runs), "plugins")
        try:
            with ThreadPoolExecutor(max(1, min(opts.jobs, len(runs)))) as pool:
                return list(pool.map(run, runs))
        finally:
            progress.end()


def _pull_layers(layers: Sequence[Layer], progress: PhaseListener) -> None:
    """Materialise the layers (download, verify, decompress, index) two at a time,
    as a phase of its own: on a cold cache it is the long part of an image scan.
    A layer that fails is left for the walk to open again and report as before."""
    progress.begin("pulling layers", len(layers), "layers")

    def pull(layer: Layer) -> None:
        layer.fs  # noqa: B018 - the property materialises the layer

    try:
        with ThreadPoolExecutor(2, thread_name_prefix="seawall-pull") as pool:
            futures = {pool.submit(pull, layer): layer for layer in layers}
            for future in as_completed(futures):
                size = futures[future].info.size
                if future.exception() is None:
                    progress.advance(1, size or 0)
    finally:
        progress.end()


def _dedupe(findings: list[Finding]) -> list[Finding]:
    """One finding per id, and one per ``extra["same_fact"]``: when two scanners report
    the same fact (a setuid binary, an empty password), the more severe finding stays
    (the first on a tie) and names the other rules in ``extra["also_reported_as"]``."""
    seen: set[str] = set()
    by_subject: dict[str, int] = {}
    out: list[Finding] = []
    for f in findings:
        if f.id in seen:
            continue
        seen.add(f.id)
        subject = f.extra.get(SUBJECT_KEY)
        if not isinstance(subject, str) or not subject:
            out.append(f)
            continue
        index = by_subject.get(subject)
        if index is None:
            by_subject[subject] = len(out)
            out.append(f)
            continue
        kept, other = out[index], f
        if other.severity.rank > kept.severity.rank:
            kept, other = other, kept
            out[index] = kept
        also = {*kept.extra.get("also_reported_as", []), other.rule_id,
                *other.extra.get("also_reported_as", [])}
        kept.extra["also_reported_as"] = sorted(also - {kept.rule_id})
    return out


def _merge_packages(packages: list[Package]) -> list[Package]:
    """One entry per package: analyzers that each report the inventory (``packages``,
    ``vuln``) give equal entries; their ``extra`` annotations are united."""
    merged: dict[tuple[str, str, str, str, str | None, str | None], Package] = {}
    for pkg in packages:
        key = (pkg.type, pkg.name, pkg.version, pkg.purl, pkg.path, pkg.layer)
        first = merged.get(key)
        if first is None:
            merged[key] = pkg
        elif pkg.extra and first is not pkg:
            first.extra = {**pkg.extra, **first.extra}
    return list(merged.values())


def redact_target_metadata(info: TargetInfo, analyzers: list[Analyzer]) -> None:
    """Let every analyzer mask what it finds sensitive in the layer ``created_by``
    strings the report repeats (build arguments land there)."""
    for layer in info.extra.get("layers") or []:
        text = layer.get("created_by")
        if isinstance(text, str):
            for analyzer in analyzers:
                text = analyzer.redact(text)
            layer["created_by"] = text


def scan_target(
    target: Target,
    scanners: Sequence[str] | None = None,
    plugins: Sequence[DiscoveredPlugin | str] = (),
    options: ScanOptions | None = None,
) -> Report:
    """Scan one target with the named analyzers (None: the defaults) and plugins
    (discovered ones, or names looked up in the plugin directories)."""
    from seawall.scanning.plugin_selection import select_plugins

    opts = options or ScanOptions()
    if scanners is not None:
        opts = replace(opts, scanners=tuple(scanners))
    names = [p for p in plugins if isinstance(p, str)]
    chosen = [p for p in plugins if isinstance(p, DiscoveredPlugin)]
    if names:
        chosen += select_plugins(names, opts)
    return ScanDriver(opts, chosen).scan(target).report
