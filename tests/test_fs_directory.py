"""DirectoryFileSystem: chroot semantics computed by us over a real host directory."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

import seawall
from seawall.errors import InputError, NotFoundError
from seawall.fs.directory import DirectoryFileSystem
from seawall.fs.interface import FileSystem, FileType


@pytest.fixture()
def tree(tmp_path: Path) -> tuple[Path, Path]:
    """A rootfs plus a sibling 'outside' directory holding a secret."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret").write_text("HOST SECRET")
    root = tmp_path / "root"
    (root / "etc").mkdir(parents=True)
    (root / "usr/lib").mkdir(parents=True)
    (root / "etc/passwd").write_text("root:x:0:0::/root:/bin/sh\n")
    (root / "etc/os-release").write_text('ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n'
                                         'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n')
    (root / "usr/lib/libc.so").write_bytes(b"\x7fELF" + b"x" * 100)
    os.symlink("usr/lib", root / "lib")  # relative dir link
    os.symlink("/etc/passwd", root / "abs-passwd")  # absolute: restarts at root
    os.symlink(str(outside / "secret"), root / "host-secret")  # absolute host path
    os.symlink("../../../../../../outside/secret", root / "dotdot-secret")
    os.symlink("../../..", root / "etc/up")  # climbs, must clamp at /
    os.symlink("loop-b", root / "loop-a")
    os.symlink("loop-a", root / "loop-b")
    os.symlink("/etc/passwd/", root / "file-slash")
    (root / "bin").mkdir()
    script = root / "bin/tool"
    script.write_text("#!/bin/sh\n")
    script.chmod(0o4755)
    return root, outside


def test_protocol_and_basic_reads(tree: tuple[Path, Path]) -> None:
    root, _ = tree
    fs = DirectoryFileSystem(str(root))
    assert isinstance(fs, FileSystem)
    assert fs.read_bytes("/etc/passwd").startswith(b"root:")
    assert fs.read_bytes("/etc/passwd", 5, 1) == b"x"
    with fs.open("/lib/libc.so") as fh:
        assert fh.read(4) == b"\x7fELF"
    info = fs.stat("/bin/tool")
    assert info.type is FileType.REGULAR and info.mode == 0o4755 and info.is_executable()
    assert info.path == "/bin/tool"


def test_symlinks_resolve_inside_root(tree: tuple[Path, Path]) -> None:
    root, _ = tree
    fs = DirectoryFileSystem(str(root))
    assert fs.read_bytes("/abs-passwd").startswith(b"root:")
    assert fs.realpath("/lib/libc.so") == "/usr/lib/libc.so"
    assert fs.realpath("/etc/up/etc/up/etc") == "/etc"
    assert fs.readlink("/lib") == "usr/lib"
    assert fs.lstat("/lib").type is FileType.SYMLINK
    assert fs.lstat("/lib").linkname == "usr/lib"
    assert fs.stat("/lib").type is FileType.DIRECTORY
    assert fs.listdir("/lib") == ["libc.so"]


def test_no_escape_through_links(tree: tuple[Path, Path]) -> None:
    root, _outside = tree
    fs = DirectoryFileSystem(str(root))
    # The host path is reinterpreted inside the root, where it does not exist.
    with pytest.raises(FileNotFoundError):
        fs.read_bytes("/host-secret")
    with pytest.raises(FileNotFoundError):
        fs.read_bytes("/dotdot-secret")
    assert fs.realpath("/dotdot-secret") == "/outside/secret"
    with pytest.raises(FileNotFoundError):
        fs.read_bytes("/../../outside/secret")
    assert not fs.exists("/etc/up/outside/secret")
    assert all("outside" not in i.path for i in fs.walk("/"))


def test_errors(tree: tuple[Path, Path]) -> None:
    root, _ = tree
    fs = DirectoryFileSystem(str(root))
    with pytest.raises(OSError) as exc:
        fs.stat("/loop-a")
    assert exc.value.errno == errno.ELOOP
    assert fs.lstat("/loop-a").type is FileType.SYMLINK
    with pytest.raises(NotADirectoryError):
        fs.stat("/etc/passwd/x")
    with pytest.raises(NotADirectoryError):
        fs.stat("/file-slash")
    with pytest.raises(IsADirectoryError):
        fs.open("/etc")
    with pytest.raises(NotADirectoryError):
        fs.listdir("/etc/passwd")
    with pytest.raises(OSError) as exc:
        fs.readlink("/etc/passwd")
    assert exc.value.errno == errno.EINVAL
    with pytest.raises(FileNotFoundError):
        fs.stat("/nope/x")
    assert not fs.exists("/nope")


def test_walk_sorted_lstat_no_link_descent(tree: tuple[Path, Path]) -> None:
    root, _ = tree
    fs = DirectoryFileSystem(str(root))
    paths = [i.path for i in fs.walk("/")]
    assert paths[:3] == ["/abs-passwd", "/bin", "/bin/tool"]
    assert "/usr/lib/libc.so" in paths and "/lib/libc.so" not in paths
    assert paths.index("/etc") < paths.index("/etc/os-release") < paths.index("/etc/passwd")
    links = {i.path: i.linkname for i in fs.walk("/") if i.is_symlink()}
    assert links["/lib"] == "usr/lib"
    # walking through a symlinked top reports paths under the name asked for
    assert [i.path for i in fs.walk("/lib")] == ["/lib/libc.so"]


def test_device_and_fifo_are_metadata_only(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo")
    fs = DirectoryFileSystem(str(tmp_path))
    assert fs.lstat("/fifo").type is FileType.FIFO
    with pytest.raises(OSError):
        fs.open("/fifo")  # never blocks


def test_open_rootfs_target(tree: tuple[Path, Path]) -> None:
    root, _ = tree
    target = seawall.open_rootfs(str(root))
    assert target.kind == "directory"
    assert target.os is not None
    assert (target.os.family, target.os.version, target.os.codename) == (
        "debian", "12", "bookworm")
    info = target.target_info().to_dict()
    assert info["kind"] == "directory" and info["os"]["family"] == "debian"
    assert seawall.open_rootfs("/").kind == "host"
    with pytest.raises(NotFoundError):
        seawall.open_rootfs(str(root / "missing"))
    with pytest.raises(InputError):
        seawall.open_rootfs(str(root / "etc/passwd"))
