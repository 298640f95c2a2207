"""Held-out precision and recall of the secret scanner on ../shared/secret-corpus, with
gitleaks scored on the same files in the same run.

Data: ``creddata-subset`` (human labels, CredData ``meta/*.csv``). Every labelled
category counts except ``UUID`` (a row whose only category is UUID is left out), and
lines are scored as CredData counts them: a finding line inside a ``T`` row's
LineStart..LineEnd is a true positive, any other finding line (``F``/``X`` row or an
unlabelled line) a false positive; a ``T`` row is found when a finding line falls in it.

Folds: the repositories (CredData ``RepoName``) are split into ``--folds`` groups. Each
fold in turn is held out; the one tunable of this bench (the least entropy a generic,
keyword-only finding needs: the threshold a user can set with ``entropy:`` in a secret
config) is chosen on the other folds and then applied, unchanged, to the held-out fold.
Every repository is held out exactly once; the summary pools the held-out folds.
The built-in rules themselves were written looking at this folder: the corpus keeps 7
more repositories back (see its SOURCES.md) for an evaluation nobody tuned on.

Usage: python bench/secrets_accuracy.py [--corpus DIR] [--folds K] [--no-peer];
last line ``f1: <pooled held-out F1>``.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from seawall.analyzers.interface import AnalysisContext, FileInput
from seawall.analyzers.secret.analyzer import SecretAnalyzer
from seawall.analyzers.secret.rules import load_builtin_rules
from seawall.fs.directory import DirectoryFileSystem

REPO_ROOT = Path(__file__).resolve().parents[1]
EXCLUDED = {"UUID"}
THRESHOLDS = (0.0, 2.0, 2.5, 3.0, 3.25, 3.5, 3.75, 4.0)
"""Candidate least entropies for generic findings (0 = the shipped behaviour)."""


@dataclass(frozen=True)
class Row:
    """One CredData label row."""

    repo: str
    path: str
    start: int
    end: int
    truth: str
    categories: frozenset[str]


@dataclass
class Score:
    """Line-level counts on one set of files."""

    tp: int = 0
    fp: int = 0
    rows: int = 0
    found: int = 0
    cat_rows: Counter[str] = field(default_factory=Counter)
    cat_found: Counter[str] = field(default_factory=Counter)

    def add(self, other: Score) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.rows += other.rows
        self.found += other.found
        self.cat_rows.update(other.cat_rows)
        self.cat_found.update(other.cat_found)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.found / self.rows if self.rows else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def line(self) -> str:
        return (f"P {self.precision:.3f}  R {self.recall:.3f}  F1 {self.f1:.3f}  "
                f"(TP lines {self.tp}, FP lines {self.fp}, T rows found "
                f"{self.found}/{self.rows})")


Lines = dict[str, dict[int, float]]
"""{file: {line: score}}: a line is reported when its score reaches the threshold."""


def load_rows(root: Path) -> list[Row]:
    rows = []
    for meta in sorted((root / "meta").glob("*.csv")):
        with meta.open(newline="") as fh:
            for r in csv.DictReader(fh):
                cats = frozenset(r["Category"].split(":"))
                if cats <= EXCLUDED:
                    continue
                rows.append(Row(r["RepoName"], r["FilePath"], int(r["LineStart"]),
                                int(r["LineEnd"]), r["GroundTruth"], cats))
    return rows


def scan_tree(root: Path) -> tuple[Lines, int, float]:
    """Seawall's finding lines under ``root/data``: the score of a line is +inf for a
    rule with a format of its own, the value's entropy for a generic rule."""
    generic = {r.id for r in load_builtin_rules().content if r.generic}
    fs = DirectoryFileSystem(str(root))
    analyzer = SecretAnalyzer()
    ctx = AnalysisContext()
    out: Lines = defaultdict(dict)
    nbytes = 0
    t0 = time.process_time()
    for info in fs.walk("/data"):
        if not analyzer.required(info.path, info):
            continue
        nbytes += info.size
        result = analyzer.analyze_file(FileInput(info.path, info, fs), ctx)
        for f in result.findings:
            if f.location.line is None:
                continue
            score = float(f.extra.get("entropy") or 0.0) if f.rule_id in generic else 99.0
            lines = out[info.path.lstrip("/")]
            for line in f.extra.get("lines") or [f.location.line]:
                lines[int(line)] = max(lines.get(int(line), 0.0), score)
    return out, nbytes, time.process_time() - t0


def gitleaks_lines(root: Path) -> Lines:
    """gitleaks' (default config) finding lines under ``root/data`` (the peer binary
    comes from bench/peers.py; failing to get it fails the bench: ``--no-peer`` skips)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from peers import peer_binary

    binary = peer_binary("gitleaks")
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "gitleaks.json"
        subprocess.run([str(binary), "dir", "data", "--no-banner", "--log-level", "error",
                        "--exit-code", "0", "-f", "json", "-r", str(report)],
                       cwd=root, check=True)
        leaks = json.loads(report.read_text() or "[]")
    out: Lines = defaultdict(dict)
    for leak in leaks:
        for line in range(int(leak["StartLine"]), int(leak["EndLine"]) + 1):
            out[str(leak["File"]).removeprefix("./")][line] = 99.0
    return out


def score(rows: Iterable[Row], found: Mapping[str, Mapping[int, float]], files: set[str],
          threshold: float) -> Score:
    """Score the finding lines of ``files`` whose score reaches ``threshold``."""
    s = Score()
    t_ranges: dict[str, list[tuple[int, int]]] = defaultdict(list)
    rows = list(rows)
    for r in rows:
        if r.truth == "T":
            t_ranges[r.path].append((r.start, r.end))
    for path in files:
        for line, value in found.get(path, {}).items():
            if value < threshold:
                continue
            hit = any(a <= line <= b for a, b in t_ranges.get(path, ()))
            s.tp += hit
            s.fp += not hit
    for r in rows:
        if r.truth != "T" or r.path not in files:
            continue
        lines = found.get(r.path, {})
        hit = any(r.start <= ln <= r.end and v >= threshold for ln, v in lines.items())
        s.rows += 1
        s.found += hit
        for c in r.categories - EXCLUDED:
            s.cat_rows[c] += 1
            s.cat_found[c] += hit
    return s


def folds_of(repos: Iterable[str], k: int) -> list[list[str]]:
    """Repositories dealt into ``k`` folds in a fixed order (sha256 of the name)."""
    ordered = sorted(set(repos), key=lambda r: hashlib.sha256(r.encode()).hexdigest())
    return [ordered[i::k] for i in range(k)]


def files_of(root: Path, repos: Iterable[str]) -> set[str]:
    return {p.relative_to(root).as_posix() for repo in repos
            for p in (root / "data" / repo).rglob("*") if p.is_file()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(REPO_ROOT.parent / "shared" / "secret-corpus"),
                        help="the secret corpus (default: ../shared/secret-corpus of the repo)")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--no-peer", action="store_true", help="do not run gitleaks")
    args = parser.parse_args()
    root = Path(args.corpus) / "creddata-subset"
    if not (root / "meta").is_dir():
        print(f"secrets_accuracy: no CredData labels under {root}", file=sys.stderr)
        return 2
    rows = load_rows(root)
    ours, nbytes, cpu = scan_tree(root)
    peer = None if args.no_peer else gitleaks_lines(root)
    folds = folds_of((r.repo for r in rows), args.folds)
    print(f"CredData subset {root}: {len(rows)} label rows (UUID-only rows left out), "
          f"{len({r.repo for r in rows})} repositories, {nbytes / 1e6:.1f} MB; seawall "
          f"{cpu:.2f} s CPU")
    print(f"{args.folds}-fold by repository; the entropy floor of generic findings is "
          f"tuned on the other folds, then the held-out fold is scored")
    print("note: the built-in rules were written with these 15 repositories in view; "
          "the corpus keeps 7 more back (SOURCES.md) for an evaluation nobody tuned on")
    pooled, pooled_peer, pooled_shipped = Score(), Score(), Score()
    for i, held in enumerate(folds):
        tune_repos = [r for f in folds if f is not held for r in f]
        tune_files, held_files = files_of(root, tune_repos), files_of(root, held)
        best = max(THRESHOLDS, key=lambda t: (score(rows, ours, tune_files, t).f1, -t))
        held_score = score(rows, ours, held_files, best)
        pooled.add(held_score)
        pooled_shipped.add(score(rows, ours, held_files, 0.0))
        print(f"fold {i + 1}: held out {', '.join(held)} ({len(held_files)} files); "
              f"tuned entropy floor {best}")
        print(f"  seawall  {held_score.line()}")
        if peer is not None:
            peer_score = score(rows, peer, held_files, 0.0)
            pooled_peer.add(peer_score)
            print(f"  gitleaks {peer_score.line()}")
    print("held-out folds pooled (every repository held out once):")
    print(f"  seawall (tuned floor) {pooled.line()}")
    print(f"  seawall (as shipped)  {pooled_shipped.line()}")
    if peer is not None:
        print(f"  gitleaks 8.30         {pooled_peer.line()}")
    print("  recall per CredData category, held out (seawall | gitleaks):")
    for cat, n in sorted(pooled.cat_rows.items(), key=lambda kv: -kv[1]):
        theirs = (f"{pooled_peer.cat_found[cat] / n:6.3f}" if peer is not None else "   n/a")
        print(f"    {cat:32s} {pooled.cat_found[cat] / n:6.3f} | {theirs}  "
              f"({pooled.cat_found[cat]}/{n})")
    print(f"precision: {pooled.precision:.3f}")
    print(f"recall: {pooled.recall:.3f}")
    print(f"f1: {pooled.f1:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
