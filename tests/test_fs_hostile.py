"""Hostile image content: every trick gets a one-line SeawallError or is contained
inside the image root; nothing is ever written outside the cache."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import tarfile
import zlib
from pathlib import Path

import pytest

import seawall
from fs_image_builders import (
    E,
    compress,
    env_without_cache,
    image_config,
    layer_tar,
    oci_layout_members,
    sha256,
    write_docker_archive,
    write_oci_archive,
    write_oci_layout,
)
from seawall.errors import (
    CorruptArtifactError,
    DigestMismatchError,
    NotFoundError,
    SeawallError,
    SizeLimitError,
)
from seawall.sources.interface import Image, SourceOptions


@pytest.fixture()
def opts(tmp_path: Path) -> SourceOptions:
    return SourceOptions(cache_dir=str(tmp_path / "cache"))


def open_one(tmp_path: Path, layers: list[bytes], opts: SourceOptions, **kw: object) -> Image:
    archive = write_docker_archive(tmp_path / "img.tar", layers, **kw)  # type: ignore[arg-type]
    return seawall.open_image(f"docker-archive:{archive}", opts)


def test_dotdot_and_absolute_names(tmp_path: Path, opts: SourceOptions) -> None:
    evil = layer_tar([
        E("../../../../escape-dotdot", data=b"x"),
        E("/etc/abs", data=b"absolute"),
        E("a/../b", data=b"b"),
        E("./c/./d", data=b"d"),
    ])
    with open_one(tmp_path, [evil], opts) as image:
        fs = image.fs
        assert fs.read_bytes("/etc/abs") == b"absolute"
        assert fs.read_bytes("/b") == b"b"
        assert fs.read_bytes("/c/d") == b"d"
        assert not fs.exists("/escape-dotdot")
        skipped = image.layers[0].skipped  # type: ignore[attr-defined]
        assert any("escape-dotdot" in name and ".." in why for name, why in skipped)
    assert not (tmp_path.parent / "escape-dotdot").exists()
    assert not Path("/escape-dotdot").exists()


def test_symlinks_cannot_leave_the_root(tmp_path: Path, opts: SourceOptions) -> None:
    (tmp_path / "host-secret").write_text("HOST")
    layer = layer_tar([
        E("up", "symlink", target="../../../../../../../../" + str(tmp_path).lstrip("/")),
        E("abs", "symlink", target=str(tmp_path / "host-secret")),
        E("etc/hostname", "symlink", target="/../../../etc/machine-id"),
        E("loop-a", "symlink", target="loop-b"),
        E("loop-b", "symlink", target="loop-a"),
        E("self", "symlink", target="self/x"),
    ])
    with open_one(tmp_path, [layer], opts) as image:
        fs = image.fs
        with pytest.raises(FileNotFoundError):
            fs.read_bytes("/abs")
        with pytest.raises(FileNotFoundError):
            fs.read_bytes("/up/host-secret")
        with pytest.raises(FileNotFoundError):
            fs.read_bytes("/etc/hostname")
        assert fs.realpath("/etc/hostname") == "/etc/machine-id"
        for path in ("/loop-a", "/self"):
            with pytest.raises(OSError) as exc:
                fs.stat(path)
            assert exc.value.errno == errno.ELOOP
        assert not fs.exists("/loop-a/x")


def test_hardlinks_outside_or_dangling_are_skipped(tmp_path: Path, opts: SourceOptions) -> None:
    layer = layer_tar([
        E("ok", data=b"ok"),
        E("out", "hardlink", target="../../../etc/passwd"),
        E("dangling", "hardlink", target="not/here"),
        E("to-dir/", "dir"),
        E("dirlink", "hardlink", target="to-dir"),
        E("good", "hardlink", target="ok"),
    ])
    with open_one(tmp_path, [layer], opts) as image:
        fs = image.fs
        assert fs.read_bytes("/good") == b"ok"
        for path in ("/out", "/dangling", "/dirlink"):
            assert not fs.exists(path)
        reasons = dict(image.layers[0].skipped)  # type: ignore[attr-defined]
        assert "hardlink target" in reasons["out"]


def test_device_nodes_are_metadata_only(tmp_path: Path, opts: SourceOptions) -> None:
    layer = layer_tar([E("dev/null", "char"), E("dev/sda", "block"), E("run/fifo", "fifo")])
    with open_one(tmp_path, [layer], opts) as image:
        fs = image.fs
        info = fs.lstat("/dev/sda")
        assert info.type.value == "block" and info.device == (1, 3)
        for path in ("/dev/null", "/dev/sda", "/run/fifo"):
            with pytest.raises(OSError) as exc:
                fs.open(path)
            assert exc.value.errno == errno.EINVAL


def _gzip_bomb_layer(total: int) -> bytes:
    """gzip of a tar holding one file of ``total`` zero bytes (~1000:1)."""
    header = tarfile.TarInfo("zeros")
    header.size = total
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    out = [comp.compress(header.tobuf())]
    chunk = bytes(1 << 24)
    for _ in range(total // len(chunk)):
        out.append(comp.compress(chunk))
    out.append(comp.compress(bytes(1024)))
    out.append(comp.flush())
    return b"".join(out)


def test_gzip_bomb_stops_at_max_image_size(tmp_path: Path) -> None:
    bomb = _gzip_bomb_layer(256 << 20)
    assert len(bomb) < 2 << 20
    config = json.dumps({"rootfs": {"type": "layers", "diff_ids": ["sha256:" + "1" * 64]}}).encode()
    archive = write_docker_archive(tmp_path / "bomb.tar", [b""], config=config,
                                   compression="gzip", blobs_override={})
    # replace the (empty) layer member by the bomb under the name the manifest uses
    with tarfile.open(archive) as tar:
        names = json.loads(tar.extractfile("manifest.json").read())[0]["Layers"]  # type: ignore[union-attr]
    write_docker_archive(tmp_path / "bomb.tar", [b""], config=config, compression="gzip",
                         blobs_override={names[0]: bomb})
    opts = SourceOptions(cache_dir=str(tmp_path / "cache"), max_image_size=16 << 20)
    with seawall.open_image(f"docker-archive:{archive}", opts) as image, \
            pytest.raises(SizeLimitError, match="maximum image size"):
        _ = image.fs
    assert not list((tmp_path / "cache" / "layers" / "sha256").iterdir())
    # nothing left of the abandoned entry (this process's work space stays until exit)
    assert not [p for p in (tmp_path / "cache" / "tmp").rglob("*")
                if p.is_file() and p.suffix != ".lock"]


def test_tar_bomb_in_place_stops_at_max_image_size(tmp_path: Path) -> None:
    big = layer_tar([E("big", data=bytes(4 << 20))])
    opts = SourceOptions(cache_dir=str(tmp_path / "cache"), max_image_size=1 << 20)
    with open_one(tmp_path, [big], opts) as image, pytest.raises(SizeLimitError):
        _ = image.fs


def test_truncated_and_corrupt_gzip(tmp_path: Path, opts: SourceOptions) -> None:
    layer = layer_tar([E("f", data=os.urandom(200_000))])
    blob = compress(layer, "gzip")
    for name, bad in (("truncated", blob[: len(blob) // 2]),
                      ("corrupt", blob[:100] + bytes(64) + blob[164:])):
        files = oci_layout_members([layer], compression="gzip")
        files["blobs/sha256/" + sha256(blob)[7:]] = bad
        # keep the manifest honest about the digest: only the bytes are wrong
        root = write_oci_layout(tmp_path / name, files)
        with seawall.open_image(f"oci:{root}:1.0", opts) as image, \
                pytest.raises(CorruptArtifactError) as exc:
            _ = image.fs
        assert sha256(blob) in str(exc.value) or "gzip" in str(exc.value)
        assert "\n" not in str(exc.value)


def test_digest_mismatch_names_the_blob(tmp_path: Path, opts: SourceOptions) -> None:
    good = layer_tar([E("f", data=b"good")])
    evil = layer_tar([E("f", data=b"evil")])
    files = oci_layout_members([good], compression=None)
    files["blobs/sha256/" + sha256(good)[7:]] = evil
    root = write_oci_layout(tmp_path / "oci", files)
    with seawall.open_image(f"oci:{root}", opts) as image, \
            pytest.raises(DigestMismatchError) as exc:
        _ = image.fs
    assert sha256(good) in str(exc.value)
    # docker-archive: a legacy layer.tar whose content is not the config's diff_id
    archive = write_docker_archive(tmp_path / "d.tar", [good], legacy=True,
                                   config=image_config([evil]))
    with seawall.open_image(f"docker-archive:{archive}", opts) as image, \
            pytest.raises(DigestMismatchError):
        _ = image.fs


def test_config_digest_mismatch(tmp_path: Path, opts: SourceOptions) -> None:
    layer = layer_tar([E("f", data=b"x")])
    files = oci_layout_members([layer])
    config_key = next(k for k, v in files.items() if k.startswith("blobs/") and b'"rootfs"' in v)
    files[config_key] = files[config_key].replace(b"amd64", b"arm64")
    root = write_oci_layout(tmp_path / "oci", files)
    with pytest.raises(DigestMismatchError, match="config"):
        seawall.open_image(f"oci:{root}", opts)


def test_malformed_json_and_missing_blobs(tmp_path: Path, opts: SourceOptions) -> None:
    layer = layer_tar([E("f", data=b"x")])
    bad_manifest = write_docker_archive(tmp_path / "m.tar", [layer], manifest=b"[{not json")
    with pytest.raises(CorruptArtifactError, match=r"manifest\.json"):
        seawall.open_image(f"docker-archive:{bad_manifest}", opts)
    files = oci_layout_members([layer])
    files["index.json"] = b"{\"manifests\": [}"
    with pytest.raises(CorruptArtifactError, match=r"index\.json"):
        seawall.open_image(f"oci:{write_oci_layout(tmp_path / 'o1', files)}", opts)
    files = oci_layout_members([layer])
    layer_blob = next(
        k for k, v in files.items() if k.startswith("blobs/") and v[:2] == b"\x1f\x8b"
    )
    del files[layer_blob]
    with pytest.raises(NotFoundError, match="layer"):
        seawall.open_image(f"oci-archive:{write_oci_archive(tmp_path / 'o2.tar', files)}", opts)
    files = oci_layout_members([layer])
    with pytest.raises(NotFoundError, match="nope"):
        seawall.open_image(f"oci:{write_oci_layout(tmp_path / 'o3', files)}:nope", opts)
    missing_layer = write_docker_archive(
        tmp_path / "ml.tar", [layer],
        manifest=json.dumps([{"Config": sha256(image_config([layer]))[7:] + ".json",
                              "Layers": ["gone/layer.tar"]}]).encode())
    with pytest.raises(NotFoundError, match=r"gone/layer\.tar"):
        seawall.open_image(f"docker-archive:{missing_layer}", opts)
    not_tar = tmp_path / "garbage.tar"
    not_tar.write_bytes(os.urandom(5000))
    with pytest.raises(CorruptArtifactError):
        seawall.open_image(f"docker-archive:{not_tar}", opts)


def test_outer_archive_symlink_cannot_reach_host(tmp_path: Path, opts: SourceOptions) -> None:
    archive = tmp_path / "sym.tar"
    with tarfile.open(archive, "w") as tar:
        info = tarfile.TarInfo("manifest.json")
        info.type = tarfile.SYMTYPE
        info.linkname = "/etc/hostname"
        tar.addfile(info)
    with pytest.raises(NotFoundError, match=r"manifest\.json"):
        seawall.open_image(f"docker-archive:{archive}", opts)


def test_cli_bad_archive_is_one_line_exit_2_and_writes_nothing(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    bad = work / "bad.tar"
    evil_layer = layer_tar([E("../../../../pwned", data=b"x")])
    write_docker_archive(bad, [evil_layer], config=b"{broken json")
    env = env_without_cache(tmp_path)
    before = sorted(p.name for p in work.iterdir())
    for ref in (f"docker-archive:{bad}", f"docker-archive:{work / 'missing.tar'}",
                f"oci:{work}", "oci-archive:" + str(bad)):
        proc = subprocess.run([sys.executable, "-m", "seawall.cli", "inspect", ref],
                              cwd=work, env=env, capture_output=True, text=True, check=False)
        if proc.returncode == 1 and "No module named seawall.cli.__main__" in proc.stderr:
            proc = subprocess.run([str(Path(sys.executable).parent / "seawall"), "inspect", ref],
                                  cwd=work, env=env, capture_output=True, text=True, check=False)
        assert proc.returncode == 2, proc.stderr
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("seawall: "), proc.stderr
        assert "Traceback" not in proc.stderr and proc.stdout == ""
    assert sorted(p.name for p in work.iterdir()) == before
    assert not (tmp_path / "pwned").exists()
    home = tmp_path / "home"
    assert not home.exists() or not any(home.rglob("*"))


def test_seawall_errors_are_single_line(tmp_path: Path, opts: SourceOptions) -> None:
    layer = layer_tar([E("f", data=b"x")])
    archive = write_docker_archive(tmp_path / "two.tar", [layer], manifest=json.dumps([
        {"Config": "a.json", "RepoTags": ["a:1"], "Layers": []},
        {"Config": "b.json", "RepoTags": ["b:1"], "Layers": []}]).encode())
    with pytest.raises(SeawallError) as exc:
        seawall.open_image(f"docker-archive:{archive}", opts)
    assert "a:1" in str(exc.value) and "\n" not in str(exc.value)
    with pytest.raises(NotFoundError, match=r"c:1"):
        seawall.open_image(f"docker-archive:{archive}:c:1", opts)
