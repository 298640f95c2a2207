"""The shared workload of the image benches (bench/sbom.py, bench/image_scan.py): the
lab's docker-archive exports, and timed runs of seawall and its peers as separate
processes, each with a cold cache of its own, measured in the same run.

Times are wall-clock seconds plus the CPU seconds (user + system) of the process and
its children, from ``getrusage(RUSAGE_CHILDREN)``: on a shared machine the CPU figure
is the steadier one. seawall runs with the interpreter's bytecode cache allowed (an
installed seawall has its ``.pyc`` files; ``PYTHONDONTWRITEBYTECODE`` in a developer
shell would make every run recompile the sources), after one untimed warm-up run.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

SEAWALL = [sys.executable, "-c", "from seawall.cli import main; main()"]
#: Trivy without network: no DB/Java DB/version checks, and a cache of its own.
TRIVY_OFFLINE = ["--skip-db-update", "--skip-java-db-update", "--offline-scan",
                 "--skip-check-update", "--quiet"]
#: Lab images in the order the benches print them (those the lab exported).
DEFAULT_IMAGES = ("base-debian", "app-python", "pkgs-go", "secret-layers", "privesc-suid",
                  "backdoor-planted", "plugins-accounts", "weakpass-system")


@dataclass
class Timing:
    """Repeated measurements of one program on one image."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    @property
    def wall_s(self) -> float:
        """Median wall-clock seconds."""
        return statistics.median(self.wall)

    @property
    def cpu_s(self) -> float:
        """Median CPU seconds (user + system, children included)."""
        return statistics.median(self.cpu)


def workload_from_arguments(description: str) -> tuple[dict[str, Path], int]:
    """Parse ``--lab-dir --images --repeat`` and return the lab archives to scan and the
    repeat count; exits with a one-line reason when the lab has none of them."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--lab-dir", type=Path,
                        default=Path(os.environ.get("SEAWALL_LAB_DIR", "/tmp/seawall-lab")))
    parser.add_argument("--images", default=",".join(DEFAULT_IMAGES))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    images = lab_archives(args.lab_dir, args.images.split(","))
    if not images:
        raise SystemExit(f"no lab docker-archive exports under {args.lab_dir}/archives "
                         "(run scripts/lab.sh up)")
    return images, int(args.repeat)


def lab_archives(lab_dir: Path, names: Sequence[str]) -> dict[str, Path]:
    """``name -> <lab>/archives/<name>.docker.tar`` for the images that exist."""
    out = {}
    for name in names:
        path = lab_dir / "archives" / f"{name}.docker.tar"
        if path.is_file():
            out[name] = path
    return out


def child_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a timed program (see the module docstring)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONDONTWRITEBYTECODE", "FORCE_COLOR")}
    env.update(extra or {})
    return env


def timed_run(cmd: Sequence[str], env: dict[str, str], timing: Timing,
              timeout: float = 1800) -> subprocess.CompletedProcess[bytes]:
    """Run ``cmd`` once, add its wall and CPU seconds to ``timing``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    proc = subprocess.run(list(cmd), env=env, capture_output=True, timeout=timeout,
                          check=False)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    timing.wall.append(wall)
    timing.cpu.append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
    return proc


def fail(what: str, proc: subprocess.CompletedProcess[bytes]) -> RuntimeError:
    """An error naming the program and the last line it printed."""
    lines = (proc.stderr or proc.stdout or b"").decode(errors="replace").strip().splitlines()
    return RuntimeError(f"{what} exited {proc.returncode}: {lines[-1] if lines else ''}")


def print_timing_table(programs: Sequence[str], images: Sequence[str],
                       timings: dict[tuple[str, str], Timing]
                       ) -> tuple[dict[str, float], dict[str, float]]:
    """Print wall/CPU seconds per program and image plus the totals; return the total
    wall and CPU seconds per program."""
    print(f"{'image':18} " + " ".join(f"{p + ' wall/cpu s':>18}" for p in programs))
    for name in images:
        cells = [f"{timings[(p, name)].wall_s:8.2f}/{timings[(p, name)].cpu_s:<8.2f}"
                 for p in programs]
        print(f"{name:18} " + " ".join(f"{c:>18}" for c in cells))
    wall = {p: sum(timings[(p, i)].wall_s for i in images) for p in programs}
    cpu = {p: sum(timings[(p, i)].cpu_s for i in images) for p in programs}
    print(f"{'total':18} " + " ".join(f"{f'{wall[p]:8.2f}/{cpu[p]:<8.2f}':>18}"
                                      for p in programs))
    return wall, cpu
