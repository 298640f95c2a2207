"""Secret-scanning throughput: seawall vs gitleaks 8.30 and Trivy 0.76 on the same
directory tree, in the same run.

The tree (built once under --workdir, default /tmp/seawall-secret-bench/tree): the lab's
Debian bookworm base rootfs tarball (~/.cache/seawall-lab/base/*.tar, unpacked without
device nodes), copies of this machine's /usr/include and /usr/lib/python3.11, and the
labelled secret corpus (../shared/secret-corpus, relative to the repository). That is
well over 200 MB of mixed text and binaries.

Every tool scans the whole tree, each run once after one warm-up read of the tree (so the
page cache is equally warm for all):

* seawall through the real scan driver (``open_rootfs`` + ``scan_target(scanners=
  ["secret"])``), in this process; its CPU time is printed too;
* ``gitleaks dir TREE`` (its default rules, JSON report);
* ``trivy fs --scanners secret`` (offline flags of ../shared/peers/README.md, a cache dir
  of its own).

Each line gives wall seconds, MB/s over the tree's bytes and the finding count. The last
line is ``ratio: <fastest peer's time / seawall's time>`` (higher is better for seawall).
The machine is shared: wall times are noisy; compare ratios of the same run.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import resource
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from peers import peer_binary, peer_version

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "secret-corpus"
TRIVY_OFFLINE = ["--skip-db-update", "--skip-java-db-update", "--offline-scan",
                 "--skip-check-update"]


def tree_bytes(root: Path) -> tuple[int, int]:
    """(regular files, bytes) under root, symlinks not followed."""
    n = size = 0
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            p = os.path.join(dirpath, name)
            if os.path.isfile(p) and not os.path.islink(p):
                n += 1
                size += os.path.getsize(p)
    return n, size


def warm(root: Path) -> None:
    """Read every file once so that no tool pays for a cold page cache."""
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            p = os.path.join(dirpath, name)
            if os.path.isfile(p) and not os.path.islink(p):
                with open(p, "rb") as fh:
                    while fh.read(1 << 20):
                        pass


def build_tree(tree: Path) -> None:
    """Create the benchmark tree once (idempotent)."""
    if (tree / ".complete").exists():
        return
    if tree.exists():
        shutil.rmtree(tree)
    tree.mkdir(parents=True)
    tarballs = sorted(glob.glob(os.path.expanduser("~/.cache/seawall-lab/base/*.tar")))
    if tarballs:
        with tarfile.open(tarballs[0]) as tf:
            members = [m for m in tf.getmembers() if m.isfile() or m.isdir()]
            tf.extractall(tree / "rootfs", members=members, filter="data")
    for src, dst in (("/usr/include", "host-include"), ("/usr/lib/python3.11", "host-python")):
        if os.path.isdir(src):
            shutil.copytree(src, tree / dst, symlinks=True, ignore_dangling_symlinks=True)
    if not CORPUS.is_dir():
        raise SystemExit(f"secret corpus missing: {CORPUS}")
    shutil.copytree(CORPUS, tree / "secret-corpus", symlinks=True)
    (tree / ".complete").write_text("ok\n")


def run_seawall(tree: Path) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds and finding count of a seawall secret scan of ``tree``."""
    from seawall import open_rootfs
    from seawall.scanning.driver import scan_target

    c0 = time.process_time()
    t0 = time.perf_counter()
    with open_rootfs(str(tree)) as target:
        report = scan_target(target, scanners=["secret"])
    return time.perf_counter() - t0, time.process_time() - c0, len(report.findings)


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_gitleaks(tree: Path, work: Path) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds and finding count of ``gitleaks dir``."""
    report = work / "gitleaks.json"
    cmd = [str(peer_binary("gitleaks")), "dir", str(tree), "--no-banner", "--exit-code", "0",
           "--report-format", "json", "--report-path", str(report), "--log-level", "error"]
    c0 = _child_cpu()
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    return wall, _child_cpu() - c0, len(json.loads(report.read_text() or "[]"))


def run_trivy(tree: Path, work: Path) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds and finding count of ``trivy fs --scanners secret``."""
    report = work / "trivy.json"
    cmd = [str(peer_binary("trivy")), "fs", "--scanners", "secret", *TRIVY_OFFLINE,
           "--cache-dir", str(work / "trivy-cache"), "--quiet", "--format", "json",
           "--output", str(report), str(tree)]
    c0 = _child_cpu()
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    doc = json.loads(report.read_text())
    found = sum(len(r.get("Secrets") or []) for r in doc.get("Results") or [])
    return wall, _child_cpu() - c0, found


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--workdir", default="/tmp/seawall-secret-bench")
    args = parser.parse_args()
    work = Path(args.workdir)
    tree = work / "tree"
    build_tree(tree)
    nfiles, nbytes = tree_bytes(tree)
    mb = nbytes / 1e6
    print(f"tree: {tree} - {nfiles} files, {mb:.1f} MB (Debian rootfs, host include and "
          "python dirs, secret corpus)")
    warm(tree)

    times: dict[str, float] = {}
    cpus: dict[str, float] = {}
    runs = (
        ("seawall", lambda: run_seawall(tree)),
        (f"gitleaks {peer_version('gitleaks')}", lambda: run_gitleaks(tree, work)),
        (f"trivy {peer_version('trivy').removeprefix('Version: ')}",
         lambda: run_trivy(tree, work)),
    )
    for name, run in runs:
        wall, cpu, found = run()
        times[name] = wall
        cpus[name] = cpu
        print(f"{name}: {wall:.2f} s wall, {cpu:.2f} s CPU, {mb / wall:.1f} MB/s, "
              f"{found} findings")
    peers = {k: v for k, v in times.items() if k != "seawall"}
    fastest = min(peers, key=lambda k: peers[k])
    print(f"fastest peer: {fastest}; seawall throughput = {peers[fastest] / times['seawall']:.2f}x"
          f" {fastest}")
    # On a shared machine wall times depend on the scheduler (a multi-threaded peer gets
    # more of a contended CPU): the CPU time ratio is the steadier figure.
    thrifty = min((k for k in cpus if k != "seawall"), key=lambda k: cpus[k])
    print(f"CPU time: seawall {cpus['seawall']:.2f} s, {thrifty} {cpus[thrifty]:.2f} s: "
          f"{cpus[thrifty] / cpus['seawall']:.2f}x")
    print(f"ratio: {peers[fastest] / times['seawall']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
