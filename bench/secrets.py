"""Secret-scanning throughput: seawall vs ``detect-secrets scan --all-files`` on the same
directory tree, in the same run.

The tree (built once under --workdir, default /tmp/seawall-secret-bench/tree): the lab's
Debian bookworm base rootfs tarball (~/.cache/seawall-lab/base/*.tar, unpacked without
device nodes), copies of this machine's /usr/include and /usr/lib/python3.11, and the
labelled secret corpus. That is well over 200 MB of mixed text and binaries.

seawall scans the whole tree through the real scan driver (``open_rootfs`` +
``scan_target(scanners=["secret"])``). detect-secrets is far slower, so it scans a
deterministic subset (every file of the tree in sorted order, taking every k-th file
until --ds-mb megabytes) and its time is extrapolated linearly by bytes; the output says
so. The last line is ``ratio: <detect-secrets time / seawall time>`` for the full tree.
"""

from __future__ import annotations

import argparse
import glob
import os
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

CORPUS = Path("/work/shared/secret-corpus")


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
    if CORPUS.is_dir():
        shutil.copytree(CORPUS, tree / "secret-corpus", symlinks=True)
    (tree / ".complete").write_text("ok\n")


def subset(tree: Path, out: Path, target_mb: float) -> int:
    """Copy every k-th regular file (sorted) into ``out`` until ``target_mb``; bytes."""
    files = []
    for dirpath, dirs, names in os.walk(tree):
        dirs.sort()
        for name in sorted(names):
            p = os.path.join(dirpath, name)
            if os.path.isfile(p) and not os.path.islink(p):
                files.append(p)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    total, step = 0, 7
    for i, p in enumerate(files[::step]):
        dst = out / f"{i:06d}_{os.path.basename(p)}"
        shutil.copyfile(p, dst)
        total += os.path.getsize(dst)
        if total >= target_mb * 1e6:
            break
    return total


def run_seawall(tree: Path) -> tuple[float, int]:
    """Wall seconds and finding count of a seawall secret scan of ``tree``."""
    from seawall import open_rootfs
    from seawall.scanning.driver import scan_target

    t0 = time.perf_counter()
    with open_rootfs(str(tree)) as target:
        report = scan_target(target, scanners=["secret"])
    return time.perf_counter() - t0, len(report.findings)


def run_detect_secrets(root: Path) -> float:
    """Wall seconds of ``detect-secrets scan --all-files`` on ``root``."""
    exe = shutil.which("detect-secrets") or str(Path(sys.executable).parent / "detect-secrets")
    t0 = time.perf_counter()
    subprocess.run([exe, "scan", "--all-files", "."], cwd=root, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", default="/tmp/seawall-secret-bench")
    parser.add_argument("--ds-mb", type=float, default=6.0,
                        help="megabytes of the tree detect-secrets scans (then extrapolated)")
    args = parser.parse_args()
    work = Path(args.workdir)
    tree = work / "tree"
    build_tree(tree)
    nfiles, nbytes = tree_bytes(tree)
    mb = nbytes / 1e6
    print(f"tree: {tree} - {nfiles} files, {mb:.1f} MB")

    sw_time, sw_findings = run_seawall(tree)
    print(f"seawall: {sw_time:.2f} s, {mb / sw_time:.1f} MB/s, {sw_findings} findings")

    sub_dir = work / "detect-secrets-subset"
    sub_bytes = subset(tree, sub_dir, args.ds_mb)
    ds_sub = run_detect_secrets(sub_dir)
    ds_rate = sub_bytes / 1e6 / ds_sub
    ds_full = nbytes / 1e6 / ds_rate
    print(f"detect-secrets: {ds_sub:.2f} s on a {sub_bytes / 1e6:.1f} MB subset "
          f"(every 7th file of the tree), {ds_rate:.2f} MB/s; "
          f"extrapolated linearly to the {mb:.1f} MB tree: {ds_full:.0f} s")
    sw_sub = run_seawall(sub_dir)[0]
    print(f"seawall on the same subset: {sw_sub:.2f} s "
          f"({sub_bytes / 1e6 / sw_sub:.1f} MB/s), subset ratio {ds_sub / sw_sub:.1f}")
    print(f"ratio: {ds_full / sw_time:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
