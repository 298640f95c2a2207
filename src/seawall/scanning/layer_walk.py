"""One walk over one filesystem, each entry handed to every analyzer that wants it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from seawall.analyzers.interface import AnalysisContext, Analyzer, AnalyzerResult, FileInput
from seawall.fs.interface import FileSystem
from seawall.model.report import ErrorEntry
from seawall.scanning.phase_events import SILENT, PhaseListener
from seawall.scanning.result_cache import LayerWalkStats

#: Exceptions reported per analyzer and walk (and unreadable entries per walk) before
#: the rest are only counted.
MAX_ERRORS_PER_ANALYZER = 10


@dataclass
class WalkOutcome:
    """What one walk produced."""

    results: dict[str, dict[str, AnalyzerResult]] = field(default_factory=dict)
    """analyzer name -> path -> non-empty per-file result."""
    stats: LayerWalkStats = field(default_factory=LayerWalkStats)
    errors: list[ErrorEntry] = field(default_factory=list)
    failed: set[str] = field(default_factory=set)
    """Names of analyzers that raised (their results for this walk are not cached)."""
    complete: bool = True
    """False when the filesystem itself failed part-way (nothing may be cached)."""


class _ErrorBudget:
    """Keeps the report readable when an analyzer raises on every file."""

    def __init__(self, out: WalkOutcome) -> None:
        self._out = out
        self._counts: dict[str, int] = {}

    def record(self, name: str, message: str) -> None:
        self._out.failed.add(name)
        n = self._counts.get(name, 0) + 1
        self._counts[name] = n
        if n <= MAX_ERRORS_PER_ANALYZER:
            self._out.errors.append(ErrorEntry(f"analyzer:{name}", message))

    def close(self, where: str) -> None:
        for name, n in self._counts.items():
            if n > MAX_ERRORS_PER_ANALYZER:
                extra = n - MAX_ERRORS_PER_ANALYZER
                self._out.errors.append(
                    ErrorEntry(f"analyzer:{name}", f"{extra} more errors in {where}")
                )


def walk_filesystem(
    fs: FileSystem,
    analyzers: Sequence[Analyzer],
    ctx: AnalysisContext,
    layer: str | None = None,
    progress: PhaseListener = SILENT,
) -> WalkOutcome:
    """Walk ``fs`` once; every entry goes to each analyzer whose ``required`` says
    yes. Analyzer exceptions become error entries, never abort the walk. Each file
    is one step (with its size) of ``progress``'s current phase."""
    out = WalkOutcome(results={a.name: {} for a in analyzers})
    budget = _ErrorBudget(out)
    where = f"layer {layer}" if layer else "the target"
    active = list(analyzers)
    scope = f"layer:{layer}" if layer else "target"
    unreadable_count = 0

    def unreadable(exc: OSError) -> None:
        # Not looked at = not scanned: an error entry, so the scan is incomplete (and
        # the walk's results are not cached as if they were the whole layer).
        nonlocal unreadable_count
        out.complete = False
        unreadable_count += 1
        if unreadable_count <= MAX_ERRORS_PER_ANALYZER:
            out.errors.append(
                ErrorEntry(scope, f"{exc.filename}: cannot read: {exc.strerror}")
            )

    try:
        for info in fs.walk("/", onerror=unreadable):
            if info.is_file():
                size = max(info.size, 0)
                out.stats.files += 1
                out.stats.bytes += size
                progress.advance(1, size)
            path = info.path
            file_input: FileInput | None = None
            for analyzer in active:
                name = analyzer.name
                try:
                    if not analyzer.required(path, info):
                        continue
                except Exception as exc:
                    budget.record(name, f"required({path}): {type(exc).__name__}: {exc}")
                    continue
                if file_input is None:
                    file_input = FileInput(path=path, info=info, fs=fs, layer=layer)
                try:
                    result = analyzer.analyze_file(file_input, ctx)
                except Exception as exc:
                    budget.record(name, f"{path}: {type(exc).__name__}: {exc}")
                    continue
                if result is not None and not result.is_empty():
                    out.results[name][path] = result
    except Exception as exc:  # a corrupt layer or unreadable tree: keep what we have
        out.complete = False
        out.errors.append(ErrorEntry(scope, f"walk failed: {exc}"))
    if unreadable_count > MAX_ERRORS_PER_ANALYZER:
        out.errors.append(ErrorEntry(
            scope, f"{unreadable_count - MAX_ERRORS_PER_ANALYZER} more unreadable entries"))
    budget.close(where)
    return out
