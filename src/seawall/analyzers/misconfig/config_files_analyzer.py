"""The ``config-files`` scanner: ``seawall config``'s engine run by the scan driver on
a :class:`~seawall.sources.document_targets.ConfigFilesTarget`.

Files it refuses (parse error, unrendered template, unreadable, too large) are error
entries, so the scan is incomplete (exit 4 unless ``--allow-incomplete``). Findings
that an inline or ``--exceptions`` exception covers are returned with
``extra["exception"]``; the suppression step moves them to ``suppressed``.

Options: ``config.trusted_registries``, ``config.exceptions_files``,
``config.custom_rules`` (sequences of strings), ``config.max_file_bytes`` (int).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from seawall.analyzers.interface import AnalysisContext, Analyzer, AnalyzerResult, FileResult
from seawall.analyzers.misconfig.documents import DEFAULT_MAX_FILE_BYTES, DocumentReader
from seawall.analyzers.misconfig.engine import ConfigScanner, ConfigScanOptions

if TYPE_CHECKING:
    from seawall.sources.interface import Target


def _strings(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


class ConfigFilesAnalyzer(Analyzer):
    """Dockerfiles, Kubernetes manifests and compose files given as paths."""

    name: ClassVar[str] = "config-files"
    version: ClassVar[str] = "1"
    target_kinds: ClassVar[frozenset[str]] = frozenset({"config"})
    description: ClassVar[str] = (
        "Dockerfile, Kubernetes (workloads, RBAC, NetworkPolicy) and compose files"
    )

    def __init__(self) -> None:
        self.options = ConfigScanOptions()
        self._scanner: ConfigScanner | None = None

    def configure(self, options: Mapping[str, Any]) -> None:
        """Read the ``config.*`` options and load exceptions and custom rules (a bad
        file raises :class:`~seawall.errors.InputError`: exit 2, naming it)."""
        max_bytes = options.get("config.max_file_bytes")
        self.options = ConfigScanOptions(
            trusted_registries=_strings(options.get("config.trusted_registries")),
            exceptions_files=_strings(options.get("config.exceptions_files")),
            custom_rules=_strings(options.get("config.custom_rules")),
            max_file_bytes=int(max_bytes) if max_bytes else DEFAULT_MAX_FILE_BYTES,
        )
        self._scanner = ConfigScanner(self.options)

    def finalize(
        self, target: Target, files: list[FileResult], ctx: AnalysisContext
    ) -> AnalyzerResult:
        """Read the target's paths and run every control and custom rule on them."""
        from seawall.sources.document_targets import ConfigFilesTarget

        if not isinstance(target, ConfigFilesTarget):
            return AnalyzerResult()
        scanner = self._scanner or ConfigScanner(self.options)
        inputs = DocumentReader(self.options.max_file_bytes).read_paths(target.paths)
        report = scanner.scan_inputs(inputs, target.ref)
        return AnalyzerResult(
            findings=report.findings + report.suppressed,
            errors=list(report.errors),
            target_extra={**report.target.extra, "bytes": inputs.bytes_read},
        )
