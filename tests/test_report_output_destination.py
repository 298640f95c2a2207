"""``-o PATH`` writes what is at PATH the right way: regular files atomically (mode
kept, no ``.seawall-*`` debris even when the write fails), device nodes, FIFOs and
our own descriptors written into (never replaced), symlinks followed, a full device
a one-line error with exit 2. Through the CLI where the bug was seen."""

from __future__ import annotations

import json
import os
import resource
import signal
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from seawall.errors import InputError
from seawall.report.output_destination import TEMP_PREFIX, write_destination

CLI = [sys.executable, "-c", "from seawall.cli import main; main()"]


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("rootfs")
    (root / "etc").mkdir()
    (root / "etc/os-release").write_text('ID=debian\nVERSION_ID="12"\n')
    (root / "srv").mkdir()
    (root / "srv/.env").write_text("aws_access_key_id = AKIAZ7QX3VN5T2RW6YKP\n")
    return root


def scan_to(tree: Path, output: str, fmt: str = "json", preexec: object = None
            ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, "rootfs", str(tree), "--scanners", "secret", "--no-cache",
                           "-f", fmt, "-o", output],
                          capture_output=True, text=True, timeout=120, check=False,
                          preexec_fn=preexec)  # type: ignore[arg-type]


def debris(directory: Path) -> list[str]:
    return [name for name in os.listdir(directory) if name.startswith(TEMP_PREFIX)]


def test_new_and_replaced_regular_files(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "report.json"
    write_destination(str(target), b"first\n")
    mask = os.umask(0o022)
    os.umask(mask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~mask
    target.chmod(0o640)
    inode = target.stat().st_ino
    write_destination(str(target), b"second\n")
    assert target.read_bytes() == b"second\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640  # the mode survives the rename
    assert target.stat().st_ino != inode  # replaced atomically, not rewritten in place
    assert debris(target.parent) == []


def test_symlink_is_followed_not_replaced(tmp_path: Path, tree: Path) -> None:
    real = tmp_path / "real.json"
    real.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(real.name)
    proc = scan_to(tree, str(link))
    assert proc.returncode == 0, proc.stderr
    assert link.is_symlink() and os.readlink(link) == real.name
    assert json.loads(real.read_text())["findings"]
    dangling = tmp_path / "dangling.json"
    dangling.symlink_to("created-by-link.json")
    write_destination(str(dangling), b"{}\n")
    assert dangling.is_symlink() and (tmp_path / "created-by-link.json").read_text() == "{}\n"
    assert debris(tmp_path) == []


def test_dev_null_stays_a_device(tree: Path) -> None:
    before = set(debris(Path("/dev")))
    proc = scan_to(tree, "/dev/null")
    assert proc.returncode == 0, proc.stderr
    st = os.stat("/dev/null")
    assert stat.S_ISCHR(st.st_mode) and (os.major(st.st_rdev), os.minor(st.st_rdev)) == (1, 3)
    assert set(debris(Path("/dev"))) == before


def test_dev_full_is_one_line_exit_2_and_stays_a_device(tree: Path) -> None:
    before = set(debris(Path("/dev")))
    proc = scan_to(tree, "/dev/full")
    assert proc.returncode == 2
    assert proc.stderr == "seawall: cannot write /dev/full: No space left on device\n"
    st = os.stat("/dev/full")
    assert stat.S_ISCHR(st.st_mode) and (os.major(st.st_rdev), os.minor(st.st_rdev)) == (1, 7)
    assert set(debris(Path("/dev"))) == before
    with pytest.raises(InputError, match="No space left on device"):
        write_destination("/dev/full", b"x" * 100_000)


def test_fifo_gets_the_report(tmp_path: Path, tree: Path) -> None:
    fifo = tmp_path / "report.fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []

    def read() -> None:
        with open(fifo, "rb") as stream:
            received.append(stream.read())

    reader = threading.Thread(target=read)
    reader.start()
    proc = scan_to(tree, str(fifo))
    reader.join(timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert json.loads(received[0])["findings"]
    assert debris(tmp_path) == []


def test_dev_stdout_writes_into_our_stdout(tree: Path) -> None:
    proc = scan_to(tree, "/dev/stdout")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["findings"]


def test_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=f"cannot write {tmp_path}: is a directory"):
        write_destination(str(tmp_path), b"x")


def _small_file_limit() -> None:  # in the child: writes past 4 KiB fail with EFBIG
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))


def test_failed_write_leaves_the_old_file_and_no_debris(tmp_path: Path, tree: Path) -> None:
    """A write that fails part-way (here RLIMIT_FSIZE, which binds root too: the
    report is larger than 4 KiB) keeps the previous report intact."""
    target = tmp_path / "report.json"
    target.write_text("previous\n")
    proc = scan_to(tree, str(target), "html", preexec=_small_file_limit)
    assert proc.returncode == 2
    assert proc.stderr == f"seawall: cannot write {target}: File too large\n"
    assert target.read_text() == "previous\n"
    assert debris(tmp_path) == []
