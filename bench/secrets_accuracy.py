"""Precision and recall of the secret scanner on the labelled corpus in
/work/shared/secret-corpus (see docs/secrets.md, "Accuracy", for how labels are read).

CredData subset (human labels): every file under ``creddata-subset/data`` is scanned by
the real analyzer through a DirectoryFileSystem. A finding line is a true positive when
it falls inside a ``T`` row's LineStart..LineEnd of that file; any other finding line
(F row, X row, unlabelled line) is a false positive. A ``T`` row is detected when at
least one finding line falls inside it. Recall is reported over the credential
categories our rules target (every category except UUID, Salt, Nonce, Firebase Domain
and AWS S3 Bucket, which are identifiers rather than credentials) and over all rows.

CredSweeper samples (tool labels, not ground truth): coverage of the (file, line)
pairs in CredSweeper's own ``data/output.json``, reported separately.

Usage: python bench/secrets_accuracy.py [--corpus DIR]; last line ``f1: <value>``.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

from seawall.analyzers.interface import AnalysisContext, FileInput
from seawall.analyzers.secret.analyzer import SecretAnalyzer
from seawall.fs.directory import DirectoryFileSystem

NOT_TARGETED = {"UUID", "Salt", "Nonce", "Firebase Domain", "AWS S3 Bucket"}


def scan_tree(root: Path) -> tuple[dict[str, dict[int, set[str]]], int]:
    """{relative path: {line: {rule families}}} for every finding in the tree."""
    fs = DirectoryFileSystem(str(root))
    analyzer = SecretAnalyzer()
    ctx = AnalysisContext()
    out: dict[str, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    nbytes = 0
    for info in fs.walk("/"):
        if not analyzer.required(info.path, info):
            continue
        nbytes += info.size
        result = analyzer.analyze_file(FileInput(info.path, info, fs), ctx)
        for f in result.findings:
            if f.location.line is None:
                continue
            for line in f.extra.get("lines") or [f.location.line]:
                out[info.path.lstrip("/")][int(line)].add(str(f.extra.get("family")))
    return out, nbytes


def creddata(corpus: Path) -> tuple[float, float, float]:
    """Print CredData figures; return (precision, targeted recall, all-rows recall)."""
    root = corpus / "creddata-subset"
    rows = []
    for meta in sorted((root / "meta").glob("*.csv")):
        with meta.open(newline="") as fh:
            rows.extend(csv.DictReader(fh))
    t0 = time.perf_counter()
    found, nbytes = scan_tree(root)
    elapsed = time.perf_counter() - t0
    t_ranges: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for r in rows:
        if r["GroundTruth"] == "T":
            t_ranges[r["FilePath"]].append((int(r["LineStart"]), int(r["LineEnd"])))

    fam_tp: Counter[str] = Counter()
    fam_all: Counter[str] = Counter()
    tp = fp = 0
    for path, lines in found.items():
        if not path.startswith("data/"):
            continue
        for line, fams in lines.items():
            hit = any(a <= line <= b for a, b in t_ranges.get(path, ()))
            tp += hit
            fp += not hit
            for fam in fams:
                fam_all[fam] += 1
                fam_tp[fam] += hit

    cat_total: Counter[str] = Counter()
    cat_hit: Counter[str] = Counter()
    targeted = targeted_hit = all_rows = all_hit = 0
    for r in rows:
        if r["GroundTruth"] != "T":
            continue
        a, b = int(r["LineStart"]), int(r["LineEnd"])
        lines = found.get(r["FilePath"], {})
        hit = any(a <= ln <= b for ln in lines)
        cats = set(r["Category"].split(":"))
        all_rows += 1
        all_hit += hit
        if cats - NOT_TARGETED:
            targeted += 1
            targeted_hit += hit
        for c in cats:
            cat_total[c] += 1
            cat_hit[c] += hit

    precision = tp / (tp + fp) if tp + fp else 0.0
    recall_t = targeted_hit / targeted if targeted else 0.0
    recall_all = all_hit / all_rows if all_rows else 0.0
    print(f"CredData subset: {len(rows)} label rows, {nbytes / 1e6:.1f} MB scanned in "
          f"{elapsed:.2f} s ({nbytes / 1e6 / elapsed:.1f} MB/s)")
    print(f"  finding lines: {tp + fp} (TP {tp}, FP {fp})")
    print("  precision per rule family (finding lines inside a T row / finding lines):")
    for fam, n in sorted(fam_all.items(), key=lambda kv: -kv[1]):
        print(f"    {fam:22s} {fam_tp[fam] / n:6.3f}  ({fam_tp[fam]}/{n})")
    print("  recall per CredData category (T rows with a finding / T rows):")
    for cat, n in sorted(cat_total.items(), key=lambda kv: -kv[1]):
        mark = " (not targeted)" if cat in NOT_TARGETED else ""
        print(f"    {cat:30s} {cat_hit[cat] / n:6.3f}  ({cat_hit[cat]}/{n}){mark}")
    print(f"  recall, all T rows (UUID etc. included): {recall_all:.3f} ({all_hit}/{all_rows})")
    print(f"  precision (overall): {precision:.3f}")
    print(f"  recall (targeted credential categories): {recall_t:.3f} "
          f"({targeted_hit}/{targeted})")
    return precision, recall_t, recall_all


def credsweeper(corpus: Path) -> None:
    """Coverage of CredSweeper's own expected output on its samples (tool labels)."""
    root = corpus / "credsweeper-samples"
    expected = json.loads((root / "data" / "output.json").read_text())
    want: set[tuple[str, int]] = set()
    for item in expected:
        for ld in item.get("line_data_list") or []:
            name = str(ld["path"]).split("tests/samples/", 1)[-1]
            want.add((name, int(ld["line_num"])))
    found, _ = scan_tree(root / "samples")
    got = {(p, ln) for p, lines in found.items() for ln in lines}
    both = want & got
    print(f"CredSweeper samples (tool labels, not ground truth): their findings {len(want)} "
          f"lines, ours {len(got)}, shared {len(both)}; coverage of theirs "
          f"{len(both) / max(1, len(want)):.3f}; "
          f"ours also theirs {len(both) / max(1, len(got)):.3f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default="/work/shared/secret-corpus")
    args = parser.parse_args()
    corpus = Path(args.corpus)
    if not (corpus / "creddata-subset" / "meta").is_dir():
        print(f"secrets_accuracy: no CredData labels under {corpus}", file=sys.stderr)
        return 2
    precision, recall, _ = creddata(corpus)
    credsweeper(corpus)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    print(f"precision: {precision:.3f}")
    print(f"recall: {recall:.3f}")
    print(f"f1: {f1:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
