"""The scan driver over real images (docker-archive tars built here) and real
directories: one walk per layer, per-layer result cache, visibility, error isolation."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any, ClassVar

import pytest

import seawall
from seawall.analyzers.catalog import ANALYZERS, register_analyzer
from seawall.analyzers.interface import (
    AnalysisContext,
    Analyzer,
    AnalyzerResult,
    FileInput,
    FileResult,
)
from seawall.fs.interface import FileInfo
from seawall.model.finding import Category, Finding, Location, Severity
from seawall.scanning import ScanDriver, ScanOptions, scan_target
from seawall.sources.interface import Target

_spec = importlib.util.spec_from_file_location(
    "sw_image_archive", Path(__file__).parent / "fixtures" / "plugins" / "_image_archive.py"
)
assert _spec and _spec.loader
image_archive = importlib.util.module_from_spec(_spec)
sys.modules["sw_image_archive"] = image_archive
_spec.loader.exec_module(image_archive)


class _CountingAnalyzer(Analyzer):
    """Flags files whose content contains ``TOKEN``; counts analyze_file calls and
    remembers what finalize saw."""

    name: ClassVar[str] = "test-scanning-counter"
    version: ClassVar[str] = "1"
    default_enabled: ClassVar[bool] = False  # never runs in anybody else's scans
    calls: ClassVar[int] = 0
    seen: ClassVar[list[FileResult]] = []

    def required(self, path: str, info: FileInfo) -> bool:
        return info.is_file()

    def analyze_file(self, file: FileInput, ctx: AnalysisContext) -> AnalyzerResult:
        type(self).calls += 1
        data = file.read()
        if b"TOKEN" not in data:
            return AnalyzerResult()
        finding = Finding(
            rule_id="TEST-TOKEN",
            category=Category.SECRET,
            severity=Severity.HIGH,
            title="token in file",
            location=Location(path=file.path, layer=file.layer),
        )
        return AnalyzerResult(findings=[finding], data={"size": len(data)})

    def finalize(
        self, target: Target, files: list[FileResult], ctx: AnalysisContext
    ) -> AnalyzerResult:
        type(self).seen = list(files)
        out = AnalyzerResult()
        for fr in files:  # keep deleted files' findings too: secrets stay extractable
            out.findings.extend(fr.result.findings)
        return out


class _BrokenAnalyzer(Analyzer):
    """Raises on /etc/passwd and in finalize."""

    name: ClassVar[str] = "test-scanning-broken"
    default_enabled: ClassVar[bool] = False

    def required(self, path: str, info: FileInfo) -> bool:
        return path == "/etc/passwd"

    def analyze_file(self, file: FileInput, ctx: AnalysisContext) -> AnalyzerResult:
        raise RuntimeError("boom on " + file.path)

    def finalize(
        self, target: Target, files: list[FileResult], ctx: AnalysisContext
    ) -> AnalyzerResult:
        raise ValueError("finalize exploded")


for _cls in (_CountingAnalyzer, _BrokenAnalyzer):
    if _cls.name not in ANALYZERS:
        register_analyzer(_cls)


@pytest.fixture()
def layered_image(tmp_path: Path) -> tuple[str, list[str]]:
    """Layer 1 adds files; layer 2 deletes /secret.txt, replaces /etc/passwd and
    makes /opt opaque; layer 3 repeats nothing new."""
    path = tmp_path / "img.tar"
    diff_ids = image_archive.write_docker_archive(
        path,
        [
            {
                "etc": None,
                "etc/passwd": b"root:x:0:0::/root:/bin/sh TOKEN-v1\n",
                "secret.txt": b"TOKEN deleted later\n",
                "keep.txt": b"TOKEN kept\n",
                "opt": None,
                "opt/old.txt": b"TOKEN hidden by opaque dir\n",
                "plain.txt": b"nothing here\n",
            },
            {
                ".wh.secret.txt": b"",
                "etc": None,
                "etc/passwd": b"root:x:0:0::/root:/bin/sh TOKEN-v2\n",
                "opt": None,
                "opt/.wh..wh..opq": b"",
                "opt/new.txt": b"fresh\n",
            },
        ],
    )
    return f"docker-archive:{path}", diff_ids


def _options(tmp_path: Path, *scanners: str) -> ScanOptions:
    return ScanOptions(scanners=scanners, cache_dir=str(tmp_path / "cache"))


def test_second_scan_of_same_image_does_no_per_file_work(
    tmp_path: Path, layered_image: tuple[str, list[str]]
) -> None:
    ref, _ = layered_image
    opts = _options(tmp_path, _CountingAnalyzer.name)
    _CountingAnalyzer.calls = 0
    with seawall.open_image(ref) as image:
        first = ScanDriver(opts).scan(image)
    assert _CountingAnalyzer.calls == 7  # 5 regular files in layer 1, 2 in layer 2
    assert first.cache_hits == 0 and first.analyzed_layers == 2

    _CountingAnalyzer.calls = 0
    with seawall.open_image(ref) as image:
        second = ScanDriver(opts).scan(image)
    assert _CountingAnalyzer.calls == 0
    assert second.cache_hits == 2 and second.analyzed_layers == 0
    assert second.report.to_dict()["findings"] == first.report.to_dict()["findings"]
    assert second.report.stats.files == first.report.stats.files == 7

    # Another analyzer version is another cache key: the layers are analyzed again.
    _CountingAnalyzer.calls = 0
    _CountingAnalyzer.version = "2"
    try:
        with seawall.open_image(ref) as image:
            ScanDriver(opts).scan(image)
    finally:
        _CountingAnalyzer.version = "1"
    assert _CountingAnalyzer.calls == 7


def test_visibility_flags_follow_whiteouts_overwrites_and_opaque_dirs(
    tmp_path: Path, layered_image: tuple[str, list[str]]
) -> None:
    ref, (lower, upper) = layered_image
    with seawall.open_image(ref) as image:
        report = scan_target(image, options=_options(tmp_path, _CountingAnalyzer.name))
    flags = {(fr.path, fr.layer): fr.visible for fr in _CountingAnalyzer.seen}
    assert flags == {
        ("/etc/passwd", lower): False,  # replaced by layer 2
        ("/etc/passwd", upper): True,
        ("/secret.txt", lower): False,  # deleted by a whiteout
        ("/keep.txt", lower): True,
        ("/opt/old.txt", lower): False,  # hidden by the opaque directory
    }
    located = {(f.location.path, f.location.layer) for f in report.findings}
    assert ("/secret.txt", lower) in located


def test_use_cache_false_neither_reads_nor_writes_the_cache(
    tmp_path: Path, layered_image: tuple[str, list[str]]
) -> None:
    ref, _ = layered_image
    opts = ScanOptions(
        scanners=(_CountingAnalyzer.name,), cache_dir=str(tmp_path / "c"), use_cache=False
    )
    for _ in range(2):
        _CountingAnalyzer.calls = 0
        with seawall.open_image(ref) as image:
            ScanDriver(opts).scan(image)
        assert _CountingAnalyzer.calls == 7
    assert not (tmp_path / "c").exists()


def test_analyzer_exceptions_become_errors_and_the_scan_goes_on(
    tmp_path: Path, layered_image: tuple[str, list[str]]
) -> None:
    ref, _ = layered_image
    opts = _options(tmp_path, _BrokenAnalyzer.name, _CountingAnalyzer.name)
    with seawall.open_image(ref) as image:
        outcome = ScanDriver(opts).scan(image)
    messages = [(e.scope, e.message) for e in outcome.report.errors]
    assert ("analyzer:test-scanning-broken", "/etc/passwd: RuntimeError: boom on /etc/passwd") in (
        messages
    )
    assert any("finalize: ValueError: finalize exploded" in m for _, m in messages)
    assert outcome.failures == ["analyzer:test-scanning-broken"]
    assert not outcome.complete
    assert any(f.rule_id == "TEST-TOKEN" for f in outcome.report.findings)
    # A walk with exceptions is not cached for the failing analyzer ...
    _CountingAnalyzer.calls = 0
    with seawall.open_image(ref) as image:
        again = ScanDriver(opts).scan(image)
    assert _CountingAnalyzer.calls == 0  # ... while the healthy one's results are
    assert again.failures == ["analyzer:test-scanning-broken"]


def test_directory_target_is_walked_once_with_everything_visible(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "etc").mkdir(parents=True)
    (root / "etc" / "app.conf").write_bytes(b"password = TOKEN\n")
    (root / "readme").write_bytes(b"hello\n")
    _CountingAnalyzer.calls = 0
    with seawall.open_rootfs(str(root)) as target:
        outcome = ScanDriver(_options(tmp_path, _CountingAnalyzer.name)).scan(target)
    assert _CountingAnalyzer.calls == 2
    assert [(fr.path, fr.layer, fr.visible) for fr in _CountingAnalyzer.seen] == [
        ("/etc/app.conf", None, True)
    ]
    doc: dict[str, Any] = outcome.report.to_dict()
    assert doc["target"]["kind"] == "directory"
    assert doc["stats"]["files"] == 2 and doc["stats"]["bytes"] == 23
    assert [f["rule_id"] for f in doc["findings"]] == ["TEST-TOKEN"]
