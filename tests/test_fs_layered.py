"""LayeredFileSystem: overlay merge of real layer tars (whiteouts, opaque dirs,
replacement, hardlinks) and FileSystem semantics over the merged view."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from fs_image_builders import E, layer_tar, sha256
from seawall.fs.indexed import TarBacking
from seawall.fs.interface import FileSystem, FileType
from seawall.fs.layer_fs import LayerFileSystem
from seawall.fs.layered import LayeredFileSystem
from seawall.fs.overlay_dir_layer import open_directory_layer
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


def merged(tmp_path: Path, *layers: list[E]) -> LayeredFileSystem:
    return LayeredFileSystem([layer(tmp_path, entries) for entries in layers])


BASE = [
    E("etc/", "dir", mode=0o755),
    E("etc/passwd", data=b"root:x:0:0\n"),
    E("etc/shadow", data=b"root:*:1::::::\n", mode=0o640),
    E("usr/lib/", "dir"),
    E("usr/lib/libc.so", data=b"\x7fELF libc"),
    E("lib", "symlink", target="usr/lib"),
    E("target/", "dir"),
    E("target/a", data=b"A"),
    E("target/sub/b", data=b"B"),
    E("link", "symlink", target="/target"),
    E("app/", "dir"),
    E("app/config/", "dir"),
    E("app/config/x.yaml", data=b"x: 1\n"),
    E("bin/sh", data=b"#!sh", mode=0o755),
    E("bin/ping", data=b"ELF", mode=0o4755,
      pax={"SCHILY.xattr.security.capability": "\x01\x00\x00\x02\x00\x20\x00\x00"}),
]


def test_layer_and_merged_are_filesystems(tmp_path: Path) -> None:
    fs = merged(tmp_path, BASE)
    assert isinstance(fs, FileSystem)
    assert isinstance(fs.layers[0], FileSystem)
    assert fs.read_bytes("/etc/passwd") == b"root:x:0:0\n"
    assert fs.read_bytes("/etc/passwd", 5, 1) == b"x"
    assert fs.read_bytes("/etc/passwd", 100) == b""
    with fs.open("/lib/libc.so") as fh:
        assert fh.read() == b"\x7fELF libc"
        fh.seek(4)
        assert fh.read(1) == b" "


def test_metadata_xattrs_and_layer(tmp_path: Path) -> None:
    fs = merged(tmp_path, BASE, [E("new", data=b"n")])
    ping = fs.stat("/bin/ping")
    assert ping.mode == 0o4755 and ping.is_executable()
    assert ping.xattrs["security.capability"] == b"\x01\x00\x00\x02\x00\x20\x00\x00"
    assert fs.stat("/etc/shadow").mode == 0o640
    assert fs.stat("/etc/passwd").layer == fs.layers[0].diff_id
    assert fs.stat("/new").layer == fs.layers[1].diff_id
    assert fs.stat("/usr").is_dir()  # implicit parent


def test_whiteout_deletes_file_and_dir(tmp_path: Path) -> None:
    fs = merged(tmp_path, BASE, [E("etc/.wh.shadow"), E("app/.wh.config")])
    assert not fs.exists("/etc/shadow")
    assert fs.exists("/etc/passwd")
    assert not fs.exists("/app/config/x.yaml") and not fs.exists("/app/config")
    assert fs.listdir("/app") == []
    assert fs.listdir("/etc") == ["passwd"]
    assert "/etc/shadow" not in [i.path for i in fs.walk("/")]
    # the layer lists what it deletes; the marker is not a file of the layer
    top = fs.layers[1]
    assert sorted(top.whiteouts) == ["/app/config", "/etc/shadow"]
    assert not top.exists("/etc/.wh.shadow")


def test_opaque_dir_hides_lower_content_only(tmp_path: Path) -> None:
    fs = merged(tmp_path, BASE, [E("app/config/.wh..wh..opq"), E("app/config/y.yaml", data=b"y")])
    assert fs.listdir("/app/config") == ["y.yaml"]
    assert fs.layers[1].opaques == ["/app/config"]


def test_opaque_through_symlinked_dir_does_not_touch_link_target(tmp_path: Path) -> None:
    # anchore/stereoscope#694: /link -> /target below; /link/.wh..wh..opq above.
    fs = merged(tmp_path, BASE, [E("link/.wh..wh..opq")])
    assert fs.read_bytes("/target/a") == b"A"
    assert fs.read_bytes("/target/sub/b") == b"B"
    assert fs.listdir("/target") == ["a", "sub"]
    # as with overlayfs, the upper layer's (opaque, empty) directory replaced the link
    assert fs.lstat("/link").type is FileType.DIRECTORY
    assert fs.listdir("/link") == []


def test_whiteout_through_symlinked_dir_deletes_nothing(tmp_path: Path) -> None:
    fs = merged(tmp_path, BASE, [E("link/.wh.a"), E("lib/.wh.libc.so")])
    assert fs.read_bytes("/target/a") == b"A"
    assert fs.read_bytes("/usr/lib/libc.so") == b"\x7fELF libc"


def test_file_replaces_dir_and_dir_replaces_file(tmp_path: Path) -> None:
    fs = merged(
        tmp_path,
        BASE,
        [E("app/config", data=b"now a file"), E("etc/passwd/", "dir"),
         E("etc/passwd/inner", data=b"i")],
    )
    assert fs.stat("/app/config").is_file()
    assert fs.read_bytes("/app/config") == b"now a file"
    assert not fs.exists("/app/config/x.yaml")
    assert fs.stat("/etc/passwd").is_dir()
    assert fs.listdir("/etc/passwd") == ["inner"]
    # a later layer turning the file back into a dir starts empty
    fs2 = merged(tmp_path, BASE, [E("app/config", data=b"f")], [E("app/config/", "dir")])
    assert fs2.listdir("/app/config") == []


def test_dir_over_dir_keeps_lower_children_and_implicit_keeps_metadata(tmp_path: Path) -> None:
    fs = merged(tmp_path, BASE, [E("etc/", "dir", mode=0o700), E("usr/lib/new.so", data=b"n")])
    assert fs.listdir("/etc") == ["passwd", "shadow"]
    assert fs.stat("/etc").mode == 0o700  # explicit upper dir: its metadata
    assert fs.listdir("/usr/lib") == ["libc.so", "new.so"]
    assert fs.stat("/usr/lib").layer == fs.layers[0].diff_id  # implicit: lower kept


def test_symlink_replaced_by_file(tmp_path: Path) -> None:
    fs = merged(tmp_path, BASE, [E("lib", data=b"not a link")])
    assert fs.lstat("/lib").is_file()
    assert fs.exists("/usr/lib/libc.so")


def test_hardlinks_share_content(tmp_path: Path) -> None:
    fs = merged(tmp_path, [E("bin/busybox", data=b"BB", mode=0o755),
                           E("bin/ls", "hardlink", target="bin/busybox"),
                           E("bin/cat", "hardlink", target="./bin/ls")])
    assert fs.read_bytes("/bin/ls") == b"BB" == fs.read_bytes("/bin/cat")
    assert fs.stat("/bin/cat").mode == 0o755


def test_realpath_readlink_listdir_walk(tmp_path: Path) -> None:
    fs = merged(tmp_path, BASE, [E("etc/alternatives/", "dir"),
                                 E("etc/alternatives/sh", "symlink", target="../../bin/sh"),
                                 E("loop1", "symlink", target="loop2"),
                                 E("loop2", "symlink", target="/loop1")])
    assert fs.realpath("/lib/libc.so") == "/usr/lib/libc.so"
    assert fs.realpath("/etc/alternatives/sh") == "/bin/sh"
    assert fs.realpath("/link/../etc") == "/etc"  # '..' of the resolved /target
    assert fs.realpath("/missing/x") == "/missing/x"
    assert fs.readlink("/lib") == "usr/lib"
    with pytest.raises(OSError) as exc:
        fs.readlink("/etc/passwd")
    assert exc.value.errno == errno.EINVAL
    with pytest.raises(OSError) as exc:
        fs.stat("/loop1")
    assert exc.value.errno == errno.ELOOP
    assert fs.lstat("/loop1").is_symlink()
    assert fs.listdir("/lib") == ["libc.so"]
    with pytest.raises(NotADirectoryError):
        fs.listdir("/etc/passwd")
    with pytest.raises(IsADirectoryError):
        fs.read_bytes("/etc")
    with pytest.raises(FileNotFoundError):
        fs.open("/nope")
    paths = [i.path for i in fs.walk("/")]
    assert paths == sorted(paths, key=lambda p: p.split("/"))
    assert "/lib" in paths and "/lib/libc.so" not in paths  # links not descended
    assert [i.path for i in fs.walk("/lib")] == ["/lib/libc.so"]
    assert fs.lstat("/lib").linkname == "usr/lib"
    assert fs.stat("/lib//./libc.so").path == "/lib/libc.so"


def test_directory_layer_with_overlay_whiteouts(tmp_path: Path) -> None:
    upper = tmp_path / "upper"
    (upper / "etc").mkdir(parents=True)
    (upper / "etc/motd").write_text("hi")
    (upper / "app/config").mkdir(parents=True)
    (upper / "app/config/z.yaml").write_text("z")
    os.symlink("/etc/motd", upper / "motd-link")
    try:
        os.mknod(upper / "etc/shadow", 0o600 | 0o020000, os.makedev(0, 0))
        os.setxattr(upper / "app/config", "trusted.overlay.opaque", b"y")
    except PermissionError:
        pytest.skip("needs root for whiteout devices and trusted.* xattrs")
    dir_layer = open_directory_layer(str(upper), "overlay", diff_id="sha256:" + "0" * 64)
    assert dir_layer.whiteouts == ["/etc/shadow"]
    assert dir_layer.opaques == ["/app/config"]
    fs = LayeredFileSystem([layer(tmp_path, BASE), dir_layer])
    assert not fs.exists("/etc/shadow")
    assert fs.listdir("/etc") == ["motd", "passwd"]
    assert fs.listdir("/app/config") == ["z.yaml"]
    assert fs.read_bytes("/etc/motd") == b"hi"
    assert fs.read_bytes("/motd-link") == b"hi"
    assert fs.read_bytes("/etc/passwd") == b"root:x:0:0\n"
    with fs.open("/app/config/z.yaml") as fh:
        assert fh.read() == b"z"
