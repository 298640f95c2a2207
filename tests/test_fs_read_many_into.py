"""IndexedFileSystem.read_many_into: many whole files into one buffer in one call
(the host's shared-memory ``fs.readmany``), over real layer tars."""

from __future__ import annotations

import errno
import os
from pathlib import Path

from fs_image_builders import E, layer_tar, sha256
from seawall.fs.indexed import TarBacking
from seawall.fs.layer_fs import LayerFileSystem
from seawall.fs.layered import LayeredFileSystem
from seawall.fs.tar_index import index_tar


def layer(tmp_path: Path, entries: list[E]) -> LayerFileSystem:
    data = layer_tar(entries)
    path = tmp_path / f"{sha256(data)[7:19]}.tar"
    path.write_bytes(data)
    fd = os.open(path, os.O_RDONLY)
    try:
        index = index_tar(fd, 0, len(data))
    finally:
        os.close(fd)
    return LayerFileSystem(index, TarBacking(str(path), sha256(data)))


BASE = [
    E("etc/", "dir", mode=0o755),
    E("etc/passwd", data=b"root:x:0:0\n"),
    E("etc/empty", data=b""),
    E("usr/lib/", "dir"),
    E("usr/lib/libc.so", data=b"\x7fELF libc"),
    E("lib", "symlink", target="usr/lib"),
    E("big", data=b"B" * 100),
]
TOP = [E("etc/passwd", data=b"root:x:0:0:top\n")]


def fs_of(tmp_path: Path) -> LayeredFileSystem:
    return LayeredFileSystem([layer(tmp_path, BASE), layer(tmp_path, TOP)])


def test_files_land_back_to_back_with_errors_in_place(tmp_path: Path) -> None:
    fs = fs_of(tmp_path)
    buf = bytearray(64)
    paths = ["/etc/passwd", "/missing", "/etc/empty", "/lib/libc.so", "/etc"]
    out = fs.read_many_into(paths, memoryview(buf))
    assert len(out) == len(paths)
    placed = {p: r for p, r in zip(paths, out, strict=True) if isinstance(r, tuple)}
    for path, (pos, n, whole) in placed.items():
        assert whole and bytes(buf[pos : pos + n]) == fs.read_bytes(path)
    assert placed["/etc/passwd"][0] == 0  # the top layer's copy, first in the buffer
    assert isinstance(out[1], OSError) and out[1].errno == errno.ENOENT
    assert isinstance(out[4], OSError) and out[4].errno == errno.EISDIR


def test_stops_before_a_file_that_does_not_fit(tmp_path: Path) -> None:
    fs = fs_of(tmp_path)
    buf = bytearray(50)
    out = fs.read_many_into(["/etc/passwd", "/big", "/lib/libc.so"], memoryview(buf))
    assert out == [(0, 15, True)]  # /big and everything after it: the caller's next batch


def test_a_first_file_bigger_than_the_buffer_comes_partial(tmp_path: Path) -> None:
    fs = fs_of(tmp_path)
    buf = bytearray(40)
    out = fs.read_many_into(["/big", "/etc/passwd"], memoryview(buf))
    assert out == [(0, 40, False)]
    assert bytes(buf) == b"B" * 40
