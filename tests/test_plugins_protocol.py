"""The JSON-RPC transport and the host services, host and plugin ends joined by real
pipes in one process: ``fs.*`` through the wire must answer exactly what the target's
FileSystem answers, raw and base64 reads must agree, errors keep their errno."""

from __future__ import annotations

import base64
import errno
import importlib.util
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import seawall
from seawall.plugins.bulk_channel import BulkChannel
from seawall.plugins.host_services import HostServices
from seawall.plugins.jsonrpc import (
    FS_ERROR,
    INVALID_PARAMS,
    METHOD_NOT_FOUND,
    NOT_FOUND,
    JsonRpcConnection,
    RpcError,
)
from seawall.plugins.remote_fs import RemoteFileSystem
from seawall.sources.interface import Target

_spec = importlib.util.spec_from_file_location(
    "sw_image_archive", Path(__file__).parent / "fixtures" / "plugins" / "_image_archive.py"
)
assert _spec and _spec.loader
image_archive = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("sw_image_archive", image_archive)
_spec.loader.exec_module(image_archive)


def _refuse(method: str, params: Any) -> Any:
    raise RpcError(METHOD_NOT_FOUND, method)


class Wire:
    """Host services on one end, a plugin-side connection on the other."""

    def __init__(
        self,
        target: Target,
        config: dict[str, str] | None = None,
        bulk: BulkChannel | None = None,
    ) -> None:
        self.services = HostServices("wire-test", target, config, bulk)
        h2p_r, h2p_w = os.pipe()
        p2h_r, p2h_w = os.pipe()
        self.host = JsonRpcConnection(
            os.fdopen(p2h_r, "rb"), os.fdopen(h2p_w, "wb"), self.services.handle, name="plugin"
        )
        self.plugin = JsonRpcConnection(
            os.fdopen(h2p_r, "rb"), os.fdopen(p2h_w, "wb"), _refuse, name="host"
        )
        self.host.start()
        self.plugin.start()

    def close(self) -> None:
        self.plugin.close_write()
        self.host.join(5)
        self.host.close_write()
        self.plugin.join(5)


@pytest.fixture()
def rootfs(tmp_path: Path) -> Iterator[Target]:
    root = tmp_path / "root"
    (root / "etc").mkdir(parents=True)
    (root / "etc" / "passwd").write_text("root:x:0:0::/root:/bin/sh\n")
    (root / "data").mkdir()
    (root / "data" / "big.bin").write_bytes(os.urandom(3 * 1024 * 1024 + 7))
    for i in range(30):
        (root / "data" / f"f{i:02d}").write_text(f"file {i}\n")
    os.symlink("/etc/passwd", root / "link")
    os.symlink("../../../../../../etc/shadow", root / "escape")
    with seawall.open_rootfs(str(root)) as target:
        yield target


@pytest.fixture()
def wire(rootfs: Target) -> Iterator[Wire]:
    w = Wire(rootfs, {"rules": str(Path(rootfs.fs.root) / "etc" / "passwd")})  # type: ignore[attr-defined]
    yield w
    w.close()


def test_remote_fs_answers_what_the_target_fs_answers(rootfs: Target, wire: Wire) -> None:
    remote = RemoteFileSystem(wire.plugin)
    local = rootfs.fs
    assert list(remote.walk("/")) == list(local.walk("/"))  # 35 entries, paged at 5000
    for path in ("/etc/passwd", "/link", "/data", "/escape"):
        assert remote.lstat(path) == local.lstat(path)
    assert remote.stat("/link") == local.stat("/link")
    assert remote.readlink("/link") == "/etc/passwd"
    assert remote.realpath("/escape") == local.realpath("/escape") == "/etc/shadow"
    assert remote.listdir("/data") == local.listdir("/data")
    assert remote.exists("/link") and not remote.exists("/escape")
    assert remote.read_bytes("/data/big.bin") == local.read_bytes("/data/big.bin")
    assert remote.read_bytes("/data/big.bin", 1000, 5) == local.read_bytes("/data/big.bin", 1000, 5)
    with remote.open("/data/big.bin") as fh:
        fh.seek(3 * 1024 * 1024)
        assert fh.read() == local.read_bytes("/data/big.bin", 3 * 1024 * 1024)
    paths = [f"/data/f{i:02d}" for i in range(30)] + ["/missing"]
    got = dict(remote.read_many(paths, batch=8))
    assert got["/data/f07"] == b"file 7\n"
    assert isinstance(got["/missing"], FileNotFoundError)
    assert wire.services.fs.bytes_read > 3 * 1024 * 1024


def test_fs_errors_keep_their_errno(wire: Wire) -> None:
    remote = RemoteFileSystem(wire.plugin)
    with pytest.raises(FileNotFoundError):
        remote.stat("/nope")
    with pytest.raises(FileNotFoundError):
        remote.read_bytes("/escape")  # the link leads to /etc/shadow *inside* the root
    with pytest.raises(NotADirectoryError):
        remote.listdir("/etc/passwd")
    with pytest.raises(RpcError) as info:
        wire.plugin.call("fs.readlink", {"path": "/etc/passwd"})
    assert info.value.code == FS_ERROR
    assert info.value.data == {"errno": errno.EINVAL, "name": "EINVAL"}


def test_base64_read_walk_paging_and_params(wire: Wire) -> None:
    res = wire.plugin.call("fs.read", {"path": "/etc/passwd", "offset": 5, "length": 4})
    assert res == {
        "offset": 5,
        "eof": False,
        "length": 4,
        "data": base64.b64encode(b"x:0:").decode(),
    }
    tail = wire.plugin.call("fs.read", {"path": "etc/passwd", "offset": 18})
    assert base64.b64decode(tail["data"]) == b"/bin/sh\n" and tail["eof"] is True
    page = wire.plugin.call("fs.walk", {"top": "/data", "limit": 20})
    assert len(page["entries"]) == 20 and page["cursor"]
    rest = wire.plugin.call("fs.walk", {"cursor": page["cursor"], "limit": 20})
    assert len(rest["entries"]) == 11 and rest["cursor"] is None
    for bad in (
        {"path": ""},
        {"path": "/etc/passwd", "length": -1},
        {"path": "/x", "encoding": "hex"},
    ):
        with pytest.raises(RpcError) as info:
            wire.plugin.call("fs.read", bad)
        assert info.value.code == INVALID_PARAMS
    with pytest.raises(RpcError) as info:
        wire.plugin.call("fs.stat", {"path": "/etc", "layer": "sha256:00"})
    assert info.value.code == NOT_FOUND
    with pytest.raises(RpcError) as info:
        wire.plugin.call("fs.chmod", {"path": "/etc"})
    assert info.value.code == METHOD_NOT_FOUND


def test_host_info_config_pull_report_and_log(wire: Wire) -> None:
    info = wire.plugin.call("host.info")
    assert info["protocol"] == 1 and "fs.read" in info["services"]
    assert wire.plugin.call("config.pull", {"namespace": "rules"})["content"].startswith("root:")
    with pytest.raises(RpcError) as err:
        wire.plugin.call("config.pull", {"namespace": "other"})
    assert err.value.code == NOT_FOUND
    finding = {
        "rule_id": "X-1",
        "category": "secret",
        "severity": "HIGH",
        "title": "t",
        "location": {"path": "/etc/passwd", "line": 1},
    }
    assert wire.plugin.call("report", {"findings": [finding, finding]}) == {"accepted": 2}
    with pytest.raises(RpcError) as err:
        wire.plugin.call("report", {"finding": {**finding, "location": {"line": "one"}}})
    assert err.value.message == "invalid finding: location.line must be int"
    wire.plugin.notify("log", {"level": "info", "message": "hello"})
    assert wire.plugin.call("host.info")  # the notification was processed in order
    assert wire.services.log_messages == 1 and len(wire.services.findings) == 2


def test_layers_are_addressable_on_images(tmp_path: Path) -> None:
    path = tmp_path / "img.tar"
    lower, upper = image_archive.write_docker_archive(
        path,
        [{"a.txt": b"one\n", "b.txt": b"gone\n"}, {".wh.b.txt": b"", "a.txt": b"two\n"}],
    )
    with seawall.open_image(f"docker-archive:{path}") as image:
        wire = Wire(image)
        try:
            merged = RemoteFileSystem(wire.plugin)
            assert merged.read_bytes("/a.txt") == b"two\n"
            assert not merged.exists("/b.txt")
            assert RemoteFileSystem(wire.plugin, layer=lower).read_bytes("/b.txt") == b"gone\n"
            assert RemoteFileSystem(wire.plugin, layer=upper).read_bytes("/a.txt") == b"two\n"
            assert merged.lstat("/a.txt").layer == upper
            finding = {
                "rule_id": "X",
                "category": "misconfig",
                "severity": "low",
                "title": "t",
                "location": {"path": "/a.txt"},
            }
            wire.plugin.call("report", {"finding": finding})
            assert wire.services.findings[0].location.layer == upper  # filled in by the host
        finally:
            wire.close()


def test_peer_closing_fails_pending_calls(rootfs: Target) -> None:
    wire = Wire(rootfs)
    wire.host.close_write()  # the host goes away: the plugin's next call cannot succeed
    with pytest.raises(ConnectionError):
        wire.plugin.call("host.info", timeout=5)
    wire.plugin.close_write()


def test_a_call_to_a_vanished_peer_fails_once_and_never_raises() -> None:
    """The peer is gone: its output ends (the reader fails pending calls) while the
    request cannot be written (the write fails the same call). Whichever comes
    first completes the future; the other must not try again."""
    for _ in range(200):
        peer_out_r, peer_out_w = os.pipe()
        peer_in_r, peer_in_w = os.pipe()
        os.close(peer_out_w)  # the peer wrote nothing and exited...
        os.close(peer_in_r)  # ...so nothing reads what we write (EPIPE)
        with open(peer_out_r, "rb") as rfile, open(peer_in_w, "wb") as wfile:
            conn = JsonRpcConnection(rfile, wfile, lambda m, p: None, name="gone")
            conn.start()
            future = conn.call_async("run", {"pad": "x" * 65536})
            with pytest.raises(ConnectionError):
                future.result(timeout=5)
            conn.join(5)
            assert conn.closed.is_set()
            conn.close_write()


def test_sdk_and_host_are_separate_modules() -> None:
    """"Plugin" means the host (``seawall.plugins``); what plugin authors import is
    ``seawall.plugin_sdk``, and the host never imports it."""
    import ast

    import seawall.plugin_sdk as sdk

    assert importlib.util.find_spec("seawall.plugin") is None
    assert sdk.Plugin.__module__ == "seawall.plugin_sdk.definition"
    assert sdk.ScanContext.__module__ == "seawall.plugin_sdk.context"
    assert sdk.Finding.__name__ == "Finding" and sdk.Package.__name__ == "Package"
    host = Path(seawall.__file__).parent / "plugins"
    for module in host.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text())):
            if isinstance(node, ast.ImportFrom | ast.Import):
                names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [
                    a.name for a in node.names
                ]
                assert not any(n.startswith("seawall.plugin_sdk") for n in names), module
    examples = Path(__file__).parent.parent / "examples" / "plugins"
    assert "from seawall.plugin_sdk import" in (examples / "uid0_accounts.py").read_text()


def test_read_many_through_shared_memory_slots(rootfs: Target) -> None:
    # 1 MiB slots: the 3 MiB file does not fit a batch and comes back deferred/partial.
    host_side = BulkChannel.create(slot_size=1024 * 1024)
    assert host_side is not None
    plugin_side = BulkChannel.attach(host_side.fd, host_side.slot_size, host_side.slots)
    wire = Wire(rootfs, bulk=host_side)
    try:
        remote = RemoteFileSystem(wire.plugin, bulk=plugin_side)
        paths = [i.path for i in rootfs.fs.walk("/") if i.is_file()]
        got = dict(remote.read_many(paths, batch=4))
        assert got == {p: rootfs.fs.read_bytes(p) for p in paths}
        res = wire.plugin.call(
            "fs.readmany", {"paths": ["/etc/passwd"], "encoding": "shm", "slot": 1}
        )
        assert res["storage"] == "shm" and res["files"][0]["offset"] == 1024 * 1024
        with pytest.raises(RpcError):
            wire.plugin.call("fs.readmany", {"paths": [], "encoding": "shm", "slot": 2})
    finally:
        wire.close()
        plugin_side.close()
        host_side.close()


def test_read_many_of_an_image_through_shared_memory_slots(tmp_path: Path) -> None:
    # An image's filesystem fills a slot in one call (read_many_into); 1 MiB slots so
    # the 1.5 MiB file comes partial and the files after a full slot come deferred.
    path = tmp_path / "img.tar"
    files = {f"f{i}.bin": bytes([i]) * (300_000 + i) for i in range(6)}
    files["huge.bin"] = b"H" * 1_500_000
    image_archive.write_docker_archive(path, [files, {"f0.bin": b"top\n"}])
    host_side = BulkChannel.create(slot_size=1024 * 1024)
    assert host_side is not None
    plugin_side = BulkChannel.attach(host_side.fd, host_side.slot_size, host_side.slots)
    with seawall.open_image(f"docker-archive:{path}") as image:
        wire = Wire(image, bulk=host_side)
        try:
            remote = RemoteFileSystem(wire.plugin, bulk=plugin_side)
            paths = ["/missing", *sorted(f"/{name}" for name in files)]
            got = dict(remote.read_many(paths, batch=4))
            assert isinstance(got.pop("/missing"), OSError)
            assert got == {p: image.fs.read_bytes(p) for p in paths[1:]}
            assert got["/f0.bin"] == b"top\n"
        finally:
            wire.close()
            plugin_side.close()
            host_side.close()
