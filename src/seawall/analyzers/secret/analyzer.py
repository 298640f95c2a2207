"""The ``secret`` analyzer: secrets in text files, sensitive files by path, image and
container metadata, and secrets that a later layer deleted but the image still ships.

Options (``AnalysisContext.options`` / :meth:`SecretAnalyzer.configure`):
``secret.config`` (path to a YAML or gitleaks TOML file, see :mod:`secret_config`),
``secret.max_file_size`` (bytes), ``secret.hyperscan`` (False to force the fallback),
``secret.include_package_files`` (True: also report low-confidence findings in files a
package installed, see :mod:`package_files`). Package manager indexes (apt lists,
apk/yum caches: :data:`package_files.PACKAGE_INDEXES`) are not scanned.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from seawall.analyzers.facts.target_facts import FACT_OWNERSHIP, facts_for
from seawall.analyzers.interface import (
    AnalysisContext,
    Analyzer,
    AnalyzerResult,
    FileInput,
    FileResult,
)
from seawall.analyzers.secret.engine import ScanLimits, SecretEngine
from seawall.analyzers.secret.package_files import PACKAGE_INDEXES, PackageFileFilter
from seawall.analyzers.secret.rules import PathRule, builtin_rules_digest
from seawall.analyzers.secret.secret_config import SecretConfig, load_secret_config
from seawall.analyzers.secret.secret_findings import (
    finding_from_path_rule,
    findings_from_matches,
    mark_deleted,
)
from seawall.analyzers.secret.target_metadata import build_args, scan_environment
from seawall.analyzers.secret.value_filters import mask
from seawall.fs.interface import FileInfo
from seawall.model.report import ErrorEntry

if TYPE_CHECKING:
    from seawall.sources.interface import Target

PATH_RULE_HEAD = 256 * 1024
"""Bytes of a sensitive file read to check a path rule's content condition."""
MAX_SKIPS_LISTED = 200


def _any_of(patterns: Iterable[re.Pattern[str]]) -> re.Pattern[str] | None:
    """One regex matching where any of ``patterns`` matches (None when they cannot be
    joined: different flags, or inline global flags)."""
    pats = list(patterns)
    if not pats or len({p.flags for p in pats}) != 1:
        return None
    try:
        return re.compile("|".join(f"(?:{p.pattern})" for p in pats), pats[0].flags)
    except re.error:
        return None


class SecretAnalyzer(Analyzer):
    """Finds credentials by rule (keywords + bounded regex), sensitive files by path,
    and secrets in image/container metadata."""

    name = "secret"
    version = "3"
    description = "Secrets in files, sensitive files, image Env/Labels/history, deleted layers"
    facts = frozenset({FACT_OWNERSHIP})

    def __init__(self) -> None:
        self._setup(SecretConfig(), {})

    def configure(self, options: Mapping[str, Any]) -> None:
        """Read ``secret.config`` and the size/engine options."""
        path = options.get("secret.config")
        config = load_secret_config(str(path)) if path else SecretConfig()
        self._setup(config, options)

    def _setup(self, config: SecretConfig, options: Mapping[str, Any]) -> None:
        self.config = config
        size = options.get("secret.max_file_size") or config.max_file_size
        self.limits = ScanLimits(max_file_size=int(size)) if size else ScanLimits()
        rules = config.rule_set()
        self.path_rules: list[PathRule] = rules.paths
        self._any_path = _any_of(r.path for r in rules.paths)
        self.low_confidence = frozenset(r.id for r in rules.content if r.confidence == "low")
        self.include_package_files = bool(
            options.get("secret.include_package_files", config.include_package_files)
        )
        self._rules = rules
        self._use_hyperscan = bool(options.get("secret.hyperscan", True))
        self._engine: SecretEngine | None = None

    @property
    def engine(self) -> SecretEngine:
        """The content engine, built on first use (construction compiles or loads the
        rules' Hyperscan database: not worth doing for an analyzer that is reconfigured)."""
        if self._engine is None:
            self._engine = SecretEngine(self._rules, self.limits,
                                        use_hyperscan=self._use_hyperscan,
                                        allow=tuple(self.config.allow))
        return self._engine

    def options_key(self) -> str:
        """The built-in rules, the config file's content hash and the size limit change
        per-file results."""
        return f"{builtin_rules_digest()}:{self.config.digest}:{self.limits.max_file_size}"

    def required(self, path: str, info: FileInfo) -> bool:
        """Every regular file: binaries are recognised by content, not name."""
        return info.is_file()

    def _path_hits(self, path: str) -> list[PathRule]:
        if self._any_path is not None and not self._any_path.search(path):
            return []  # one search instead of one per path rule, for most files
        return [
            r for r in self.path_rules
            if r.path.search(path) and not any(a.search(path) for a in r.allow_paths)
        ]

    def analyze_file(self, file: FileInput, ctx: AnalysisContext) -> AnalyzerResult:
        """Path rules, then one streaming pass of every content rule."""
        out = AnalyzerResult()
        path = file.path
        if self.config.is_skipped(path):
            out.data["skipped"] = "path matches skip_paths"
            return out
        if PACKAGE_INDEXES.search(path):
            out.data["skipped"] = "package manager index"
            return out
        path_hits: list[PathRule] = []
        try:
            for rule in self._path_hits(path):
                if rule.content is not None:
                    head = file.read(PATH_RULE_HEAD)
                    if not rule.content.search(head):
                        continue
                path_hits.append(rule)
            outcome = None
            if file.info.size:
                with file.open() as stream:
                    outcome = self.engine.scan_reader(
                        stream.read, path, size=file.info.size if file.info.size > 0 else None)
        except OSError as exc:
            out.errors.append(ErrorEntry("secret", f"{path}: cannot read: {exc.strerror or exc}"))
            return out
        content = findings_from_matches(outcome.matches if outcome else (), path, file.layer)
        families = {str(f.extra.get("family")) for f in content}
        out.findings += [
            finding_from_path_rule(rule, path, file.layer, file.info.size)
            for rule in path_hits if not families & set(rule.superseded_by)
        ]
        out.findings += content
        if outcome is None:
            return out
        if outcome.skipped:
            out.data["skipped"] = outcome.skipped
        if outcome.dropped_matches:
            out.data["dropped_matches"] = outcome.dropped_matches
        return out

    def redact(self, text: str) -> str:
        """Mask every secret the rules find in ``text`` (as a whole and per build
        argument), the way findings mask their evidence."""
        pieces = [text] + [arg for _, arg in build_args(text)]
        for piece in pieces:
            outcome = self.engine.scan_bytes(
                piece.encode("utf-8", "replace"), config_style=True, sniff=False
            )
            for match in outcome.matches:
                if match.secret:
                    text = text.replace(match.secret, mask(match.secret))
        return text

    def finalize(
        self, target: Target, files: list[FileResult], ctx: AnalysisContext
    ) -> AnalyzerResult:
        """Keep findings of visible files, and of files a later layer deleted or
        replaced (still extractable) unless the same secret is visible at that path;
        drop low-confidence findings in package-installed files (counted in
        ``data["package_files"]``); scan image config / container inspect; summarise
        skipped files."""
        out = AnalyzerResult()
        facts = facts_for(target, ctx, self.facts)
        package_files = PackageFileFilter(target.fs, self.low_confidence, facts.ownership)
        visible = {
            (f.rule_id, f.location.path, f.fingerprint_key)
            for fr in files if fr.visible for f in fr.result.findings
        }
        skipped: dict[str, int] = {}
        listed: list[dict[str, str]] = []
        for fr in files:
            out.errors.extend(fr.result.errors)
            for f in fr.result.findings:
                if not self.include_package_files and not package_files.keep(f, fr.visible):
                    continue
                if fr.visible:
                    out.findings.append(f)
                elif (f.rule_id, f.location.path, f.fingerprint_key) not in visible:
                    out.findings.append(mark_deleted(f))
            reason = fr.result.data.get("skipped")
            if reason:
                kind = str(reason).split(" (")[0]
                skipped[kind] = skipped.get(kind, 0) + 1
                if not str(reason).startswith("binary") and len(listed) < MAX_SKIPS_LISTED:
                    listed.append({"path": fr.path, "layer": fr.layer or "", "reason": reason})
                if "limit" in str(reason):
                    out.errors.append(ErrorEntry("secret", f"{fr.path}: {reason}"))
        out.findings += scan_environment(self.engine, facts.environment)
        if not self.include_package_files:
            out.data["package_files"] = package_files.summary()
            out.errors += [ErrorEntry("secret", f"package database: {message}")
                           for message in facts.ownership.errors]
        out.data["skipped_counts"] = skipped
        out.data["skipped"] = listed
        return out
