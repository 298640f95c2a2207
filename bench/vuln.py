"""Vulnerability DB and matching speed.

1. import: the whole Go vulndb + PyPA advisory database into a fresh DB (goal < 30 s),
   next to its parse floor (json/yaml-loading the same files, nothing stored);
2. matching throughput: 10,000 packages (real names; half with affected versions from
   the advisories' version lists, half with versions newer than any fix);
3. inventory + matching of the lab's bookworm image (``base-debian``, oci-archive),
   cold layer cache, against the layer-read floor of bench/layers.py: ``gzip -dc`` of
   every layer blob, measured in the same run (goal <= 1.2x). The process's one-time
   module imports (source transports, httpx, docker SDK) are done and shown first.

Last line: ``ratio: <inventory+matching / gzip -dc floor>``; without the lab image it
falls back to ``ratio: <import / parse floor>`` and says so.

    .venv/bin/python bench/vuln.py [--lab-dir /tmp/seawall-lab]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import tarfile
import tempfile
import time
from pathlib import Path

import yaml

from seawall.analyzers.vuln.db.local_import import run_import
from seawall.analyzers.vuln.db.store import VulnStore
from seawall.analyzers.vuln.matching import match_packages
from seawall.model.package import Package

DATA = Path(os.environ.get("SEAWALL_VULNDATA")
            or Path(__file__).resolve().parents[2] / "shared" / "vulndata")
GO = DATA / "golang-vulndb" / "data" / "osv"
PYPA = DATA / "pypa-advisory-database" / "vulns"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_floor() -> float:
    """Seconds to just read and parse every advisory file."""
    t = time.perf_counter()
    for f in GO.glob("*.json"):
        json.loads(f.read_bytes())
    for f in PYPA.rglob("*.yaml"):
        yaml.load(f.read_bytes(), Loader=_LOADER)
    return time.perf_counter() - t


def sample_packages(store: VulnStore, n: int) -> list[Package]:
    """Real (ecosystem, name) pairs with versions from the advisories' version lists."""
    rng = random.Random(42)
    rows = store.conn.execute(
        "SELECT ecosystem, name, versions FROM affected WHERE ecosystem IN ('PyPI', 'Go')"
    ).fetchall()
    out = []
    for i in range(n):
        eco, name, versions = rows[i % len(rows)]
        listed = json.loads(versions)
        # half affected versions from the advisories, half far newer (not affected)
        if listed and i % 2 == 0:
            version = rng.choice(listed)
        else:
            version = "v999.0.0" if eco == "Go" else "999.0"
        if eco == "Go" and not version.startswith("v"):
            version = "v" + version
        out.append(Package(name, version, "pypi" if eco == "PyPI" else "golang"))
    return out


def layer_floor(archive: Path, work: Path) -> float:
    """``gzip -dc`` of every layer blob of an oci-archive (the layers.py floor)."""
    with tarfile.open(archive) as tf:
        index = json.load(tf.extractfile("index.json"))  # type: ignore[arg-type]
        mdigest = index["manifests"][0]["digest"].split(":", 1)[1]
        manifest = json.load(tf.extractfile(f"blobs/sha256/{mdigest}"))  # type: ignore[arg-type]
        blobs = []
        for layer in manifest["layers"]:
            name = f"blobs/sha256/{layer['digest'].split(':', 1)[1]}"
            tf.extract(name, work, filter="data")
            blobs.append(work / name)
    t = time.perf_counter()
    for blob in blobs:
        subprocess.run(["gzip", "-dc", str(blob)], stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - t


def warm_up(archive: Path, cache: Path) -> float:
    """Seconds of the one-time module imports of an image scan (every source transport,
    httpx, the docker SDK ...): paid once per process, not per image nor per layer, so
    kept out of the per-image figure. Opening an image reads its manifest only."""
    t = time.perf_counter()
    import seawall
    from seawall.analyzers.facts.inventory import collect_packages  # noqa: F401
    from seawall.sources.interface import SourceOptions

    with seawall.open_image(f"oci-archive:{archive}", SourceOptions(cache_dir=str(cache))):
        pass
    return time.perf_counter() - t


def inventory_and_match(archive: Path, store: VulnStore, cache: Path) -> tuple[float, int, int]:
    """Seconds, packages and findings for open + inventory + matching (cold cache)."""
    import seawall
    from seawall.analyzers.facts.inventory import collect_packages
    from seawall.sources.interface import SourceOptions

    t = time.perf_counter()
    with seawall.open_image(f"oci-archive:{archive}", SourceOptions(cache_dir=str(cache))) as img:
        packages = collect_packages(img)
        findings = match_packages(packages, img.os, store)
    return time.perf_counter() - t, len(packages), len(findings)


def main() -> None:
    """Run the three measurements and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lab-dir", default=os.environ.get("SEAWALL_LAB_DIR", "/tmp/seawall-lab"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="seawall-bench-vuln-") as tmp:
        work = Path(tmp)
        floor = parse_floor()
        t = time.perf_counter()
        report = run_import(work / "db" / "vuln.db", [GO, PYPA], replace=True)
        import_s = time.perf_counter() - t
        print(f"import: {sum(report.imported.values())} advisories "
              f"(Go {report.imported['osv:Go']}, PyPI {report.imported['osv:PyPI']}) "
              f"in {import_s:.2f} s (goal < 30 s); parse floor {floor:.2f} s")
        # the bookworm image's OS packages need the Debian data (not part of the timed
        # import above, whose goal is about the Go vulndb + PyPA)
        run_import(work / "db" / "vuln.db", [DATA / "vuln-list-debian"])
        with VulnStore.open(work / "db" / "vuln.db") as store:
            packages = sample_packages(store, 10_000)
            t = time.perf_counter()
            findings = match_packages(packages, None, store)
            match_s = time.perf_counter() - t
            print(f"matching: {len(packages)} packages, {len(findings)} findings in "
                  f"{match_s:.2f} s = {len(packages) / match_s:,.0f} packages/s")
            archive = Path(args.lab_dir) / "archives" / "base-debian.oci.tar"
            if not archive.is_file():
                print(f"inventory+matching: skipped, no lab image at {archive} "
                      "(run scripts/lab.sh up)")
                print(f"ratio: {import_s / floor:.3f} (import / parse floor)")
                return
            gz = layer_floor(archive, work / "blobs")
            warm_s = warm_up(archive, work / "warm-cache")
            inv_s, n_pkgs, n_find = inventory_and_match(archive, store, work / "cache")
            print(f"one-time module imports before the image scan: {warm_s:.2f} s")
            print(f"bookworm image: {n_pkgs} packages, {n_find} findings, inventory+matching "
                  f"{inv_s:.2f} s; layer-read floor (gzip -dc) {gz:.2f} s (goal <= 1.2x)")
            print(f"ratio: {inv_s / gz:.3f}")


if __name__ == "__main__":
    main()
