"""Package inventory (SBOM) against Syft 1.18 and Trivy 0.76, same images, same run.

Workload: the lab's images as docker-archive exports (``scripts/lab.sh up`` writes
them to ``$SEAWALL_LAB_DIR/archives``). Each program writes a CycloneDX JSON SBOM of
each image, cold (a fresh cache directory per run), ``--repeat`` times interleaved;
the median counts:

    seawall sbom docker-archive:IMG -f cyclonedx -o OUT --cache-dir FRESH
    trivy image --input IMG --format cyclonedx -o OUT --cache-dir FRESH (offline flags)
    syft docker-archive:IMG -o cyclonedx-json=OUT

Packages are compared as (purl type, name, version) sets per ecosystem; the
differences are printed (what a peer found that seawall did not, and the reverse).
Versions carry the deb/rpm epoch whichever way the purl spells it, Go versions are
compared without their ``v``.

Last line: ``ratio: <seawall / fastest peer>``, summed wall-clock seconds over the
images (goal <= 1.0); the CPU-seconds ratio is printed above it. The machine is shared:
both figures move between runs, which is why every program is measured in the same run.

    python bench/sbom.py [--lab-dir /tmp/seawall-lab] [--images a,b] [--repeat 3]
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections import defaultdict
from pathlib import Path
from urllib.parse import parse_qs, unquote

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

PROGRAMS = ("seawall", "trivy", "syft")
PackageSet = dict[str, set[tuple[str, str]]]


def _command(program: str, image: Path, out: Path, cache: Path) -> list[str]:
    if program == "seawall":
        return [*SEAWALL, "sbom", f"docker-archive:{image}", "-f", "cyclonedx", "-o", str(out),
                "--cache-dir", str(cache)]
    if program == "trivy":
        return [str(peer_binary("trivy")), "image", "--input", str(image), "--format",
                "cyclonedx", "-o", str(out), "--cache-dir", str(cache), *TRIVY_OFFLINE]
    return [str(peer_binary("syft")), f"docker-archive:{image}", "-o", f"cyclonedx-json={out}",
            "-q"]


def _purl_key(purl: str) -> tuple[str, str, str] | None:
    body, _, query = purl.removeprefix("pkg:").partition("?")
    body = body.split("#", 1)[0]
    ptype, _, rest = body.partition("/")
    name, sep, version = rest.rpartition("@")
    if not sep:
        return None
    version = unquote(version)
    epoch = parse_qs(query).get("epoch", [""])[0]
    if epoch and epoch != "0" and ":" not in version:
        version = f"{epoch}:{version}"
    name = unquote(name).lower()
    if ptype == "golang":
        version = version.removeprefix("v")  # Syft writes stdlib 1.19.8, Trivy v1.19.8
    if ptype in ("deb", "rpm", "apk"):
        name = name.rsplit("/", 1)[-1]  # the distro namespace is spelled differently
    return ptype, name, version


def package_set(sbom: Path) -> PackageSet:
    """(name, version) per purl type of every component, nested ones included."""
    out: PackageSet = defaultdict(set)
    stack = list(json.loads(sbom.read_text()).get("components") or [])
    while stack:
        comp = stack.pop()
        stack += comp.get("components") or []
        key = _purl_key(comp.get("purl") or "")
        if key:
            out[key[0]].add(key[1:])
    return out


def _diff_lines(name: str, sets: dict[str, PackageSet]) -> list[str]:
    ours = sets["seawall"]
    lines = []
    for eco in sorted(set().union(*sets.values())):
        counts = " ".join(f"{p} {len(sets[p].get(eco, ()))}" for p in PROGRAMS)
        parts = []
        for peer in ("trivy", "syft"):
            missing = sorted(sets[peer].get(eco, set()) - ours.get(eco, set()))
            extra = sorted(ours.get(eco, set()) - sets[peer].get(eco, set()))
            if missing:
                parts.append(f"only {peer} ({len(missing)}): {_short(missing)}")
            if extra:
                parts.append(f"not in {peer} ({len(extra)}): {_short(extra)}")
        lines.append(f"  {name} {eco}: {counts}" + ("; " + "; ".join(parts) if parts else
                                                   "; same"))
    return lines


def _short(items: list[tuple[str, str]], n: int = 4) -> str:
    text = ", ".join(f"{a}@{b}" for a, b in items[:n])
    return text + (f" (+{len(items) - n})" if len(items) > n else "")


def main() -> None:
    """Measure every program on every image; print times, package diffs, the ratio."""
    images, repeat = workload_from_arguments(__doc__.splitlines()[0])
    env = child_env({"SYFT_CHECK_FOR_APP_UPDATE": "false"})
    print(f"peers: {peer_version('trivy')}; {peer_version('syft')}")
    timings = {(p, i): Timing() for p in PROGRAMS for i in images}
    diffs: list[str] = []
    with tempfile.TemporaryDirectory(prefix="seawall-bench-sbom-") as tmp:
        work = Path(tmp)
        first = next(iter(images.values()))  # untimed: fills the bytecode cache
        timed_run(_command("seawall", first, work / "warm.json", work / "warm"), env, Timing())
        for round_no in range(repeat):
            for name, image in images.items():
                sets: dict[str, PackageSet] = {}
                order = PROGRAMS if round_no % 2 == 0 else PROGRAMS[::-1]
                for program in order:
                    out = work / f"{program}-{name}.json"
                    cache = work / f"cache-{program}"
                    shutil.rmtree(cache, ignore_errors=True)
                    proc = timed_run(_command(program, image, out, cache), env,
                                     timings[(program, name)])
                    if proc.returncode != 0:
                        raise fail(f"{program} on {name}", proc)
                    sets[program] = package_set(out)
                if round_no == 0:
                    diffs += _diff_lines(name, sets)
    wall, cpu = print_timing_table(PROGRAMS, list(images), timings)
    print("package sets per ecosystem (first round):")
    print("\n".join(diffs))
    fastest = min(("trivy", "syft"), key=lambda p: wall[p])
    fastest_cpu = min(("trivy", "syft"), key=lambda p: cpu[p])
    print(f"cpu ratio: {cpu['seawall'] / cpu[fastest_cpu]:.3f} (seawall / {fastest_cpu}, "
          f"CPU seconds over {len(images)} images, median of {repeat})")
    print(f"ratio: {wall['seawall'] / wall[fastest]:.3f} (seawall / {fastest}, wall seconds "
          f"over {len(images)} images, median of {repeat}; goal <= 1.0)")


if __name__ == "__main__":
    main()
