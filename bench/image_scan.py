"""Full default image scan against Trivy 0.76, cold, same images, same run.

Workload: the lab's images as docker-archive exports (``scripts/lab.sh up``). Each
image is scanned cold (a fresh cache directory per run), ``--repeat`` times
interleaved, and the median counts:

    seawall image docker-archive:IMG -f json -o OUT --cache-dir FRESH --db-dir DB
        (every default analyzer: packages + vulnerabilities, secrets, misconfig,
        malware, backdoor, weakpass with its default budget, privesc)
    trivy image --input IMG -f json -o OUT --cache-dir FRESH --scanners secret,misconfig
        --image-config-scanners misconfig,secret (offline flags)

Trivy runs the scanners it can run offline (its vulnerability DB cannot be
downloaded here; it still inventories the packages); seawall matches against a DB
imported beforehand, untimed, from ../shared/vulndata (Debian tracker, PyPA, Go vulndb).
Both write JSON. Findings per category are printed next to the times, with the number
of accounts whose weak-password cracking the time budget cut short.

Last line: ``ratio: <seawall / trivy>``, summed wall-clock seconds over the images
(goal <= 1.0); the CPU-seconds ratio is printed above it. The machine is shared: the
figures move between runs, which is why both programs are measured in the same run.

    python bench/image_scan.py [--lab-dir /tmp/seawall-lab] [--images a,b] [--repeat 3]
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections import Counter
from pathlib import Path

from image_workload import (
    SEAWALL,
    TRIVY_OFFLINE,
    Timing,
    child_env,
    fail,
    print_timing_table,
    timed_run,
    workload_from_arguments,
)
from peers import peer_binary, peer_version

from seawall.analyzers.vuln.db.local_import import run_import

REPO = Path(__file__).resolve().parent.parent
VULNDATA = Path(os.environ.get("SEAWALL_VULNDATA", REPO.parent / "shared" / "vulndata"))
PROGRAMS = ("seawall", "trivy")


def _command(program: str, image: Path, out: Path, cache: Path, db_dir: Path) -> list[str]:
    if program == "seawall":
        return [*SEAWALL, "image", f"docker-archive:{image}", "-f", "json", "-o", str(out),
                "--cache-dir", str(cache), "--db-dir", str(db_dir)]
    return [str(peer_binary("trivy")), "image", "--input", str(image), "-f", "json",
            "-o", str(out), "--cache-dir", str(cache), "--scanners", "secret,misconfig",
            "--image-config-scanners", "misconfig,secret", *TRIVY_OFFLINE]


def _summary(program: str, out: Path) -> str:
    doc = json.loads(out.read_text())
    if program == "seawall":
        report = doc["reports"][0] if "reports" in doc else doc
        counts = Counter(f["category"] for f in report["findings"])
        cut = sum("time budget" in e["message"] for e in report["errors"])
        return (f"{len(report['packages'])} packages, "
                + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
                + f"; {len(report['errors'])} errors ({cut} weakpass accounts cut by the "
                "time budget)")
    counts: Counter[str] = Counter()
    for result in doc.get("Results") or []:
        counts["packages"] += len(result.get("Packages") or [])
        counts["secret"] += len(result.get("Secrets") or [])
        counts["misconfig"] += len(result.get("Misconfigurations") or [])
    return ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))


def main() -> None:
    """Measure both programs on every image; print times, findings and the ratio."""
    images, repeat = workload_from_arguments(__doc__.splitlines()[0])
    env = child_env()
    print(f"peer: {peer_version('trivy')}")
    timings = {(p, i): Timing() for p in PROGRAMS for i in images}
    summaries: dict[tuple[str, str], str] = {}
    with tempfile.TemporaryDirectory(prefix="seawall-bench-scan-") as tmp:
        work = Path(tmp)
        db_dir = work / "db"
        sources = [VULNDATA / "vuln-list-debian", VULNDATA / "pypa-advisory-database",
                   VULNDATA / "golang-vulndb" / "data" / "osv"]
        report = run_import(db_dir / "vuln.db", sources, replace=True)
        print(f"vulnerability DB (untimed): {sum(report.imported.values())} records")
        first = next(iter(images.values()))  # untimed: fills the bytecode cache
        timed_run(_command("seawall", first, work / "warm.json", work / "warm", db_dir), env,
                  Timing())
        for round_no in range(repeat):
            for name, image in images.items():
                order = PROGRAMS if round_no % 2 == 0 else PROGRAMS[::-1]
                for program in order:
                    out = work / f"{program}-{name}.json"
                    cache = work / f"cache-{program}"
                    shutil.rmtree(cache, ignore_errors=True)
                    proc = timed_run(_command(program, image, out, cache, db_dir), env,
                                     timings[(program, name)])
                    # 4 = incomplete (an analyzer could not finish): still a timed scan
                    if proc.returncode not in (0, 4) or not out.is_file():
                        raise fail(f"{program} on {name}", proc)
                    if round_no == 0:
                        summaries[(program, name)] = _summary(program, out)
    wall, cpu = print_timing_table(PROGRAMS, list(images), timings)
    print("what each found (first round):")
    for (program, name), text in summaries.items():
        print(f"  {name} {program}: {text}")
    print(f"cpu ratio: {cpu['seawall'] / cpu['trivy']:.3f} (seawall / trivy, CPU seconds "
          f"over {len(images)} images, median of {repeat})")
    print(f"ratio: {wall['seawall'] / wall['trivy']:.3f} (seawall / trivy, wall seconds over "
          f"{len(images)} images, median of {repeat}; goal <= 1.0)")


if __name__ == "__main__":
    main()
