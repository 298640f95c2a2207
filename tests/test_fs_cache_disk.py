"""The cache's disk: SIGTERM mid-extraction leaves nothing behind, a killed run's work
files are swept by the next run (never a live one's), a zero bomb stops at the cache
bound or --max-image-size while it is written, and a full disk says so. Real
``seawall`` processes, real signals, a real (tmpfs) full disk."""

from __future__ import annotations

import contextlib
import io
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from fs_image_builders import (
    E,
    compress,
    layer_tar,
    sha256,
    write_docker_archive,
    write_gzipped_zero_archive,
    write_zero_layer_archive,
)
from seawall.errors import CacheLimitError
from seawall.fs.indexed import TarBacking
from seawall.fs.layer_cache import LayerCache
from seawall.fs.layer_store import LayerStore, SizeBudget
from seawall.sources.interface import BlobLayerContent

SEAWALL = [sys.executable, "-c", "from seawall.cli import main; main()"]
SCAN = ("--scanners", "secret", "-f", "json")


def _env(cache: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "SEAWALL_CACHE_MAX_BYTES"}
    return {**env, "SEAWALL_CACHE_DIR": str(cache), **extra}


def _seawall(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*SEAWALL, *args], capture_output=True, text=True, env=env,
                          timeout=300, check=False)


def _files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _bytes_under(root: Path) -> int:
    return sum(p.stat().st_size for p in _files(root))


@pytest.fixture(scope="module")
def big_layer_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """1 GiB of zeros in one gzip layer (~5 MB on disk): seconds to unpack."""
    return write_zero_layer_archive(tmp_path_factory.mktemp("big") / "zeros.tar", 1 << 30)


@pytest.fixture(scope="module")
def small_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_zero_layer_archive(tmp_path_factory.mktemp("small") / "small.tar", 1 << 20,
                                    chunk=1 << 20)


def _start_and_wait_for_extraction(
    archive: Path, cache: Path, *more: Path, writers: int = 1
) -> subprocess.Popen[str]:
    """A seawall scan of ``archive`` (and ``more``, two at a time), returned once
    ``writers`` layer.tar files being built hold 64 MiB (well before their 1 GiB end)."""
    refs = [f"docker-archive:{a}" for a in (archive, *more)]
    proc = subprocess.Popen([*SEAWALL, "image", *refs, "--jobs", "2", *SCAN],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env=_env(cache))
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        building = list((cache / "tmp").rglob("layer.tar"))
        with contextlib.suppress(FileNotFoundError):
            if sum(p.stat().st_size >= 64 << 20 for p in building) >= writers:
                return proc
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        time.sleep(0.01)
    proc.kill()
    raise AssertionError("extraction never reached 64 MiB")


def test_sigterm_mid_extraction_leaves_no_debris(big_layer_archive: Path,
                                                 tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    proc = _start_and_wait_for_extraction(big_layer_archive, cache)
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signal.SIGTERM, stderr
    assert stderr.strip() == "seawall: terminated"  # one line, no traceback
    assert list((cache / "tmp").iterdir()) == []
    assert list((cache / "layers" / "sha256").iterdir()) == []


def test_sigterm_stops_the_writers_of_parallel_targets(
    big_layer_archive: Path, tmp_path: Path
) -> None:
    """With --jobs, layers unpack in worker threads (signals reach the main thread
    only): they stop at their next chunk, nothing is published, nothing is left."""
    other = write_zero_layer_archive(tmp_path / "other.tar", (1 << 30) + (64 << 20))
    cache = tmp_path / "cache"
    proc = _start_and_wait_for_extraction(big_layer_archive, cache, other, writers=2)
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signal.SIGTERM, stderr
    assert stderr.strip() == "seawall: terminated"
    assert list((cache / "layers" / "sha256").iterdir()) == []  # no worker went on
    assert list((cache / "tmp").iterdir()) == []


def test_killed_runs_debris_is_swept_but_never_a_live_runs(
    big_layer_archive: Path, small_archive: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    killed = _start_and_wait_for_extraction(big_layer_archive, cache)
    killed.kill()  # SIGKILL: no handler runs, the half-built layer stays
    killed.communicate(timeout=60)
    debris = [p for p in (cache / "tmp").iterdir() if p.is_dir()]
    assert len(debris) == 1 and _bytes_under(debris[0]) >= 64 << 20
    # A live process holding its own work space (with a file in it) meanwhile.
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import os, sys, time
        from seawall.fs.layer_cache import LayerCache
        scratch = LayerCache({str(cache)!r}).scratch_dir
        with open(os.path.join(scratch, "work"), "wb") as fh:
            fh.write(b"x" * 4096)
        print(scratch, flush=True)
        time.sleep(300)
    """)], stdout=subprocess.PIPE, text=True, env=_env(cache))
    try:
        assert holder.stdout is not None
        live = Path(holder.stdout.readline().strip())
        proc = _seawall("image", f"docker-archive:{small_archive}", *SCAN, env=_env(cache))
        assert proc.returncode == 0, proc.stderr
        assert not debris[0].exists()  # swept: its owner is gone
        assert (live / "work").exists()  # kept: its owner is alive
        assert {p.name for p in (cache / "tmp").iterdir()} == {live.name, live.name + ".lock"}
    finally:
        holder.kill()
        holder.communicate(timeout=30)
    proc = _seawall("image", f"docker-archive:{small_archive}", *SCAN, env=_env(cache))
    assert proc.returncode == 0, proc.stderr
    assert list((cache / "tmp").iterdir()) == []


def test_zero_bomb_stops_at_the_cache_bound_while_written(tmp_path: Path) -> None:
    """512 MiB of zeros from a ~3 MB image: the cache bound holds for the entry being
    written, and nothing of it stays."""
    archive = write_zero_layer_archive(tmp_path / "bomb.tar", 512 << 20)
    assert archive.stat().st_size < 4 << 20
    cache = tmp_path / "cache"
    env = _env(cache, SEAWALL_CACHE_MAX_BYTES=str(64 << 20))
    proc = _seawall("image", f"docker-archive:{archive}", *SCAN, env=env)
    assert proc.returncode == 2, proc.stderr
    (line,) = proc.stderr.splitlines()
    assert "beyond its size bound of 64.0 MiB (SEAWALL_CACHE_MAX_BYTES" in line
    assert _bytes_under(cache) < 1 << 20
    proc = _seawall("image", f"docker-archive:{archive}", "--max-image-size", "32MiB", *SCAN,
                    env=_env(cache))
    assert proc.returncode == 2, proc.stderr
    (line,) = proc.stderr.splitlines()
    assert "maximum image size of 32.0 MiB" in line and "--max-image-size" in line
    assert _bytes_under(cache) < 1 << 20


def test_gzipped_archive_bomb_stops_at_max_image_size(tmp_path: Path) -> None:
    """``docker save | gzip`` is undone into the work space: bounded too."""
    archive = write_gzipped_zero_archive(tmp_path / "bomb.tar.gz", 256 << 20)
    assert archive.stat().st_size < 2 << 20
    cache = tmp_path / "cache"
    proc = _seawall("image", f"docker-archive:{archive}", "--max-image-size", "32MiB", *SCAN,
                    env=_env(cache))
    assert proc.returncode == 2, proc.stderr
    (line,) = proc.stderr.splitlines()
    assert f"archive {archive}: expands beyond the maximum image size of 32.0 MiB" in line
    assert _bytes_under(cache) < 1 << 20


def test_eviction_while_writing_spares_layers_in_use(tmp_path: Path) -> None:
    cache = LayerCache(str(tmp_path / "cache"), max_bytes=700_000)
    store = LayerStore(cache, SizeBudget(1 << 30))

    def put(name: str, size: int) -> str:
        tar = layer_tar([E(name, data=os.urandom(size))])
        blob = compress(tar, "gzip")
        content = BlobLayerContent(digest=sha256(blob), media_type="x",
                                   open_blob=lambda: io.BytesIO(blob))
        return store.materialize(content, sha256(tar), f"layer {name}").tar_path

    in_use = TarBacking(put("a", 300_000), None)  # an image still reads it
    idle = put("b", 300_000)
    put("c", 300_000)  # only fits by evicting b, the one nobody reads
    assert Path(in_use.path).exists() and not Path(idle).exists()
    with pytest.raises(CacheLimitError, match="size bound"):
        put("d", 500_000)  # c is evicted too, a is in use: still no room
    assert Path(in_use.path).exists()
    assert not [p for p in (tmp_path / "cache" / "tmp").rglob("*") if p.is_file()
                and p.suffix != ".lock"]
    in_use.close()


@contextlib.contextmanager
def _tmpfs(where: Path, size: str) -> Iterator[Path]:
    where.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                   check=True)
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def test_full_cache_disk_says_so(tmp_path: Path) -> None:
    if os.geteuid() != 0 and not os.environ.get("CI"):
        pytest.skip("mounting a tmpfs needs root")
    archive = write_zero_layer_archive(tmp_path / "zeros.tar", 64 << 20, chunk=16 << 20)
    with _tmpfs(tmp_path / "small", "20m") as disk:
        cache = disk / "cache"
        # Limits set above the disk's size: the disk fills first.
        env = _env(cache, SEAWALL_CACHE_MAX_BYTES=str(1 << 30))
        proc = _seawall("image", f"docker-archive:{archive}", "--max-image-size", "1GiB", *SCAN,
                        env=env)
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.strip() == f"seawall: no space left in the cache dir ({cache})"
        assert _bytes_under(cache) == 0
        # The defaults are sized to the disk: a limit trips before the disk is full.
        proc = _seawall("image", f"docker-archive:{archive}", *SCAN, env=_env(cache))
        assert proc.returncode == 2, proc.stderr
        assert "size bound of 10.0 MiB" in proc.stderr, proc.stderr
        assert _bytes_under(cache) == 0
        # What only saves time (remembered indexes, per-layer results) is skipped on a
        # full disk, with a warning and without half-written files.
        filler = disk / "filler"
        with open(filler, "wb") as fh, contextlib.suppress(OSError):
            while True:
                fh.write(bytes(1 << 20))
                fh.flush()
        in_place = write_docker_archive(tmp_path / "plain.tar",
                                        [layer_tar([E("etc/motd", data=b"hello\n")])])
        proc = _seawall("image", f"docker-archive:{in_place}", *SCAN, env=_env(cache))
        assert proc.returncode == 0, proc.stderr
        assert f"no space left in the cache dir ({cache})" in proc.stderr
        assert [p for p in _files(disk) if p != filler and p.stat().st_size] == []
