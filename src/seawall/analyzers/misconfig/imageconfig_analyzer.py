"""The ``imageconfig`` scanner: image config, history and filesystem checks
(SW-IMG-*) run once per image in :meth:`finalize`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from seawall.analyzers.interface import AnalysisContext, Analyzer, AnalyzerResult, FileResult
from seawall.analyzers.misconfig.check_table import checks_for
from seawall.analyzers.misconfig.checks_image import ImageView
from seawall.analyzers.misconfig.controls import load_controls
from seawall.analyzers.misconfig.registry import ScanSettings
from seawall.model.finding import Finding, Location
from seawall.model.report import ErrorEntry

if TYPE_CHECKING:
    from seawall.sources.interface import Target


def image_findings(view: ImageView, settings: ScanSettings | None = None) -> list[Finding]:
    """Run every SW-IMG control on ``view`` (SDK entry point, used by the analyzer)."""
    from seawall.analyzers.misconfig.engine import build_finding

    settings = settings or ScanSettings()
    controls = load_controls()
    out = []
    for binding in checks_for("image"):
        control = controls[binding.control_id]
        for violation in binding.function(view, settings):
            location = Location(path=violation.path, layer=violation.layer, line=violation.line)
            out.append(build_finding(control, violation, location))
    return out


class ImageConfigAnalyzer(Analyzer):
    """CIS Docker section 4 / dockle-style checks of a built image."""

    name: ClassVar[str] = "imageconfig"
    version: ClassVar[str] = "2"
    target_kinds: ClassVar[frozenset[str]] = frozenset({"image"})
    description: ClassVar[str] = (
        "image config and history: root user, HEALTHCHECK, secrets in ENV, curl|sh, setuid ..."
    )

    def __init__(self) -> None:
        self.settings = ScanSettings()

    def configure(self, options: Any) -> None:
        """Accepts ``imageconfig.trusted_registries`` (list of registry prefixes)."""
        trusted = options.get("imageconfig.trusted_registries") if hasattr(options, "get") else None
        if trusted:
            self.settings = ScanSettings(trusted_registries=tuple(trusted))

    def finalize(
        self, target: Target, files: list[FileResult], ctx: AnalysisContext
    ) -> AnalyzerResult:
        """Inspect ``target.config`` and ``target.fs`` (per-file results are not used)."""
        config = getattr(target, "config", None)
        if not isinstance(config, dict):
            return AnalyzerResult(
                errors=[ErrorEntry("analyzer:imageconfig", f"{target.ref}: no image config")]
            )
        try:
            fs = target.fs
        except Exception as exc:  # a broken filesystem still leaves the config checks
            ctx.error("analyzer:imageconfig", f"{target.ref}: filesystem unavailable: {exc}")
            fs = None
        return AnalyzerResult(findings=image_findings(ImageView(config, fs), self.settings))
