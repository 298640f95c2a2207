"""The ``backdoor`` analyzer: persistence checks over the target's final filesystem.

The layer walk only picks out candidates that can be anywhere in the tree (setuid
files, ``.pth`` files, git hooks, kernel modules, temp-dir files, su/chsh symlinks) by
metadata; :meth:`BackdoorAnalyzer.finalize` then runs every registered check against
the merged filesystem, where accounts, package ownership and config files are final.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import seawall.analyzers.backdoor.all  # noqa: F401 - every built-in check registered
from seawall.analyzers.backdoor.check_registry import CHECKS, BackdoorCheck, finding_for
from seawall.analyzers.backdoor.scan_context import BackdoorContext, candidate_kind
from seawall.analyzers.facts.target_facts import FACT_OWNERSHIP, facts_for
from seawall.analyzers.interface import (
    AnalysisContext,
    Analyzer,
    AnalyzerResult,
    FileInput,
    FileResult,
)
from seawall.fs.interface import FileInfo, FileSystem
from seawall.model.finding import Finding
from seawall.model.report import ErrorEntry

if TYPE_CHECKING:
    from seawall.sources.interface import Target

SCOPE = "analyzer:backdoor"


def run_checks(
    ctx: BackdoorContext, checks: Iterable[BackdoorCheck] | None = None
) -> tuple[list[Finding], list[ErrorEntry]]:
    """Run ``checks`` (default: all registered) and turn hits into findings. One
    failing check becomes an error entry; the others still run."""
    findings: list[Finding] = []
    errors: list[ErrorEntry] = []
    for check in checks if checks is not None else CHECKS.values():
        try:
            for hit in check.run(ctx):
                info = ctx.info(hit.path) if hit.path.startswith("/") else None
                findings.append(finding_for(check, hit, info.layer if info else None))
        except Exception as exc:
            errors.append(ErrorEntry(SCOPE, f"{check.check_id}: {type(exc).__name__}: {exc}"))
    return findings, errors


def collect_candidates(fs: FileSystem) -> dict[str, list[str]]:
    """Walk ``fs`` once for candidates (what the scan driver's walk does for images);
    used for non-walked callers such as tests and the SDK."""
    out: dict[str, list[str]] = {}
    for info in fs.walk("/"):
        kind = candidate_kind(info.path, info)
        if kind:
            out.setdefault(kind, []).append(info.path)
    return out


def scan_filesystem(fs: FileSystem, image_env: list[str] | None = None) -> list[Finding]:
    """All persistence checks over one filesystem (SDK entry point)."""
    ctx = BackdoorContext(fs=fs, candidates=collect_candidates(fs), image_env=image_env or [])
    return run_checks(ctx)[0]


class BackdoorAnalyzer(Analyzer):
    """Persistence and backdoor checks (cron, shell rc, systemd, sshd, PAM, accounts,
    rootkits, kernel modules, Python start-up, hooks...)."""

    name = "backdoor"
    version = "2"
    facts = frozenset({FACT_OWNERSHIP})
    description = f"Persistence and backdoors ({len(CHECKS)} checks: cron, rc files, systemd, "\
        "sshd, PAM, accounts, rootkits...)"

    def configure(self, options: Mapping[str, Any]) -> None:
        """``backdoor.skip``: check IDs to leave out (comma list or list)."""
        skip = options.get("backdoor.skip") or ()
        items = skip.split(",") if isinstance(skip, str) else list(skip)
        self.skip = {str(s).strip() for s in items if str(s).strip()}

    def options_key(self) -> str:
        """Per-file results depend only on metadata, never on options."""
        return ""

    def required(self, path: str, info: FileInfo) -> bool:
        """Candidates that can be anywhere in the tree (cheap: name and mode only)."""
        return candidate_kind(path, info) is not None

    def analyze_file(self, file: FileInput, ctx: AnalysisContext) -> AnalyzerResult:
        """Remember the candidate's kind; checks run on the final filesystem."""
        kind = candidate_kind(file.path, file.info)
        return AnalyzerResult(data={"kind": kind} if kind else {})

    def finalize(
        self, target: Target, files: list[FileResult], ctx: AnalysisContext
    ) -> AnalyzerResult:
        """Run every check against the target's merged filesystem, with the scan's
        package ownership and environment facts."""
        facts = facts_for(target, ctx, self.facts)
        candidates: dict[str, list[str]] = {}
        for fr in files:
            kind = fr.result.data.get("kind")
            if fr.visible and kind and fr.path not in candidates.get(kind, []):
                candidates.setdefault(str(kind), []).append(fr.path)
        bctx = BackdoorContext(fs=target.fs, candidates=candidates,
                               image_env=list(facts.environment.env),
                               package_ownership=facts.ownership)
        skip: set[str] = getattr(self, "skip", set())
        checks = [c for c in CHECKS.values() if c.check_id not in skip]
        findings, errors = run_checks(bctx, checks)
        return AnalyzerResult(findings=findings, errors=errors)
