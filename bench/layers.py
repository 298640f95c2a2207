"""Layer access speed: walk + read every file of a >= 200 MB image through ``image.fs``.

Peer (the floor): ``gzip -dc`` of every layer blob, the least work any tool must do
to see the files of a gzip-compressed image. Measured in the same run:

* cold: empty cache dir -- seawall decompresses, hashes (blob + diff_id), caches,
  indexes, then walks and reads every regular file;
* warm: a second open with the same cache -- index load, merge, walk, read.

Each seawall run is a fresh subprocess so its peak RSS is its own (goal < 300 MB).
The image (``seawall-bench/layers-large``, FROM seawall-lab/bookworm:base plus
python3/perl/gcc/g++) is built in the lab's docker on first use and exported to a
docker-archive whose layers are gzip-compressed members (as skopeo writes them).
Goals: cold <= 1.3 x gzip -dc, warm <= 0.3 x gzip -dc. Last line: ``ratio: cold/gzip``.

    .venv/bin/python bench/layers.py [--rebuild] [--work-dir /tmp/seawall-bench]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

IMAGE = "seawall-bench/layers-large:latest"
BASE = "seawall-lab/bookworm:base"
DOCKERFILE = f"""FROM {BASE}
RUN apt-get update \\
 && apt-get install -y --no-install-recommends python3 perl gcc g++ libc6-dev \\
 && rm -rf /var/lib/apt/lists/*
RUN python3 -c "import compileall, sys; compileall.compile_dir('/usr/lib/python3.11', quiet=1)"
"""
MIN_BYTES = 200 * 1000**2

SCAN = r"""
import json, resource, sys, time
t0 = time.perf_counter()
import seawall
from seawall.sources.interface import SourceOptions
image = seawall.open_image(sys.argv[1], SourceOptions(cache_dir=sys.argv[2]))
fs = image.fs
t_open = time.perf_counter()
files = 0
nbytes = 0
read = fs.read_bytes
for info in fs.walk("/"):
    if info.type.value == "file":
        nbytes += len(read(info.path))
        files += 1
t_end = time.perf_counter()
print(json.dumps({"open": t_open - t0, "total": t_end - t0, "files": files, "bytes": nbytes,
                  "layers": len(image.layers),
                  "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def sh(*cmd: str, **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, check=True, text=True, capture_output=True, **kw)  # type: ignore[call-overload]


def build_archive(work: Path, rebuild: bool) -> tuple[Path, list[Path]]:
    """The gzip docker-archive and its layer blobs (built once, then reused)."""
    archive = work / "layers-large.gzip.docker.tar"
    blobs_dir = work / "blobs"
    if archive.exists() and blobs_dir.exists() and not rebuild:
        manifest = json.loads((work / "manifest.json").read_text())
        return archive, [blobs_dir / name for name in manifest[0]["Layers"]]
    shutil.rmtree(work, ignore_errors=True)
    blobs_dir.mkdir(parents=True)
    ctx = work / "ctx"
    ctx.mkdir()
    (ctx / "Dockerfile").write_text(DOCKERFILE)
    print(f"building {IMAGE} ...", file=sys.stderr)
    sh("docker", "build", "--network", "host", "-q", "-t", IMAGE, str(ctx))
    saved = work / "saved.tar"
    sh("docker", "save", "-o", str(saved), IMAGE)
    with tarfile.open(saved) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
        entry = manifest[0]
        config_name = entry["Config"]
        config = tar.extractfile(config_name).read()  # type: ignore[union-attr]
        names = []
        for layer_name in entry["Layers"]:
            raw = tar.extractfile(layer_name)
            assert raw is not None
            plain = work / "layer.tmp"
            with open(plain, "wb") as out:
                shutil.copyfileobj(raw, out, 1 << 20)
            gz = work / "layer.tmp.gz"
            with open(gz, "wb") as out:
                subprocess.run(["gzip", "-6", "-n", "-c", str(plain)], stdout=out, check=True)
            digest = hashlib.sha256(gz.read_bytes()).hexdigest()
            name = f"{digest}.tar"
            os.replace(gz, blobs_dir / name)
            plain.unlink()
            names.append(name)
    saved.unlink()
    config_hex = hashlib.sha256(config).hexdigest()
    new_manifest = [{"Config": f"{config_hex}.json", "RepoTags": [IMAGE], "Layers": names}]
    (work / "manifest.json").write_text(json.dumps(new_manifest))
    tmp = archive.with_suffix(".partial")
    with tarfile.open(tmp, "w") as tar:
        tar.add(work / "manifest.json", "manifest.json")
        cfg = work / f"{config_hex}.json"
        cfg.write_bytes(config)
        tar.add(cfg, cfg.name)
        for name in names:
            tar.add(blobs_dir / name, name)
    os.replace(tmp, archive)
    return archive, [blobs_dir / name for name in names]


def uncompressed_size(blobs: list[Path]) -> int:
    """Bytes ``gzip -dc`` produces, counted in chunks (the parent must stay small: a
    child's ru_maxrss starts from the RSS of the process it was forked from)."""
    total = 0
    for blob in blobs:
        with subprocess.Popen(["gzip", "-dc", str(blob)], stdout=subprocess.PIPE) as proc:
            assert proc.stdout is not None
            while chunk := proc.stdout.read(1 << 20):
                total += len(chunk)
    return total


def time_gzip_devnull(blobs: list[Path]) -> float:
    start = time.perf_counter()
    for blob in blobs:
        with open(os.devnull, "wb") as null:
            subprocess.run(["gzip", "-dc", str(blob)], stdout=null, check=True)
    return time.perf_counter() - start


def scan(ref: str, cache: Path) -> dict[str, float]:
    proc = subprocess.run([sys.executable, "-c", SCAN, ref, str(cache)], check=True,
                          capture_output=True, text=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--work-dir", default=os.environ.get("SEAWALL_BENCH_DIR", "/tmp/seawall-bench")
    )
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--rounds", type=int, default=3, help="best of N (default 3)")
    args = parser.parse_args()
    archive, blobs = build_archive(Path(args.work_dir), args.rebuild)
    size = uncompressed_size(blobs)  # also warms the page cache for both sides
    if size < MIN_BYTES:
        sys.exit(f"bench image too small: {size} bytes uncompressed")
    ref = f"docker-archive:{archive}"
    gzip_s = min(time_gzip_devnull(blobs) for _ in range(args.rounds))
    colds, warms = [], []
    for _ in range(args.rounds):
        cache = Path(tempfile.mkdtemp(prefix="seawall-bench-cache-"))
        try:
            colds.append(scan(ref, cache))
            warms.append(scan(ref, cache))
        finally:
            shutil.rmtree(cache, ignore_errors=True)
    cold = min(colds, key=lambda r: r["total"])
    warm = min(warms, key=lambda r: r["total"])
    compressed = sum(b.stat().st_size for b in blobs)
    print(f"image: {IMAGE}, {len(blobs)} layers, {compressed / 1e6:.1f} MB gzip, "
          f"{size / 1e6:.1f} MB uncompressed, {int(cold['files'])} files "
          f"({cold['bytes'] / 1e6:.1f} MB read)")
    print(f"gzip -dc (all layers):  {gzip_s:.3f} s")
    for label, run, goal in (("cold", cold, 1.3), ("warm", warm, 0.3)):
        print(f"seawall {label}:           {run['total']:.3f} s  (open+index {run['open']:.3f} s)"
              f"  peak RSS {run['maxrss_mb']:.0f} MB  = {run['total'] / gzip_s:.2f}x gzip"
              f" (goal <= {goal})")
    peak = max(r["maxrss_mb"] for r in colds + warms)
    print(f"peak RSS: {peak:.0f} MB (goal < 300)")
    print(f"warm ratio: {warm['total'] / gzip_s:.3f}")
    print(f"ratio: {cold['total'] / gzip_s:.3f}")


if __name__ == "__main__":
    main()
