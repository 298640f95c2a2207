"""The ``fs.*`` host services: a plugin reads the target through the host's
FileSystem (an image is never extracted for it), optionally one layer at a time."""

from __future__ import annotations

import base64
import errno
import itertools
from collections.abc import Iterator
from typing import Any

from seawall.fs.interface import FileInfo, FileSystem
from seawall.plugins.bulk_channel import BulkChannel
from seawall.plugins.jsonrpc import FS_ERROR, INVALID_PARAMS, NOT_FOUND, RawResult, RpcError
from seawall.sources.interface import Image, Target

#: Largest chunk one ``fs.read`` returns (callers loop on ``eof``).
MAX_READ = 16 * 1024 * 1024
#: Most paths and bytes one ``fs.readmany`` answers (the rest come back ``deferred``).
MAX_BATCH_PATHS = 4096
MAX_BATCH_BYTES = 32 * 1024 * 1024
DEFAULT_WALK_PAGE = 1000
MAX_WALK_PAGE = 10000
_MAX_OPEN_WALKS = 64


def file_info_to_dict(info: FileInfo) -> dict[str, Any]:
    """JSON form of a :class:`FileInfo` (only the fields that are set)."""
    out: dict[str, Any] = {
        "path": info.path,
        "type": info.type.value,
        "mode": info.mode,
        "size": info.size,
        "uid": info.uid,
        "gid": info.gid,
        "mtime": info.mtime,
    }
    if info.linkname is not None:
        out["linkname"] = info.linkname
    if info.layer is not None:
        out["layer"] = info.layer
    if info.device is not None:
        out["device"] = list(info.device)
    if info.xattrs:
        out["xattrs"] = {k: base64.b64encode(v).decode() for k, v in info.xattrs.items()}
    return out


def _fs_error(exc: OSError, path: str) -> RpcError:
    code = exc.errno or errno.EIO
    name = errno.errorcode.get(code, "EIO")
    return RpcError(FS_ERROR, f"{name}: {path}", {"errno": code, "name": name})


def _path(params: dict[str, Any], key: str = "path") -> str:
    value = params.get(key)
    if not isinstance(value, str) or not value:
        raise RpcError(INVALID_PARAMS, f"'{key}' must be a non-empty string")
    return value if value.startswith("/") else "/" + value


def _checked(path: str) -> str:
    """A ``readmany`` path, absolute (per-file problems are per-file errors)."""
    if not path:
        raise OSError(errno.EINVAL, "bad path")
    return path if path.startswith("/") else "/" + path


def _error_entry(path: str, exc: OSError) -> dict[str, Any]:
    code = exc.errno or errno.EIO
    return {"path": path, "error": {"errno": code, "name": errno.errorcode.get(code, "EIO")}}


class _OpenReadInto:
    """``read_into`` for a FileSystem without one: ``open`` + ``readinto`` (a
    buffered reader fills a large buffer with direct reads, no intermediate copy)."""

    def __init__(self, fs: FileSystem) -> None:
        self._fs = fs

    def __call__(self, path: str, buffer: memoryview) -> tuple[int, bool]:
        with self._fs.open(path) as stream:
            fh: Any = stream  # every FileSystem's open() gives a reader with readinto
            n = 0
            while n < len(buffer):
                got = fh.readinto(buffer[n:])
                if not got:
                    return n, True
                n += got
            return n, not fh.read(1)


def _int(params: dict[str, Any], key: str, default: int, low: int, high: int) -> int:
    value = params.get(key, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise RpcError(INVALID_PARAMS, f"'{key}' must be an integer in [{low}, {high}]")
    return value


#: First read per file: most files are smaller, and asking for 16 MiB up front would
#: allocate (and fault in) 16 MiB per file.
_PROBE = 256 * 1024


def read_bounded(fs: FileSystem, path: str, offset: int, want: int) -> tuple[memoryview, bool]:
    """At most ``want`` bytes from ``offset``, and whether the file ends there."""
    if hasattr(fs, "read_into"):
        # Indexed (image/layer) filesystems size reads by the file, never by the
        # length asked for: one read, no probe, no concatenation.
        data = fs.read_bytes(path, offset, want + 1)
    else:
        probe = min(want, _PROBE)
        data = fs.read_bytes(path, offset, probe + 1)
        if len(data) > probe and probe < want:
            rest = fs.read_bytes(path, offset + len(data), want - len(data) + 1)
            data = b"".join((data, rest))
    view = memoryview(data)
    return view[:want], len(view) <= want


class FileSystemService:
    """Answers ``fs.*`` calls over a target (and its layers, for images)."""

    METHODS = (
        "stat",
        "lstat",
        "listdir",
        "walk",
        "read",
        "readmany",
        "readlink",
        "realpath",
        "exists",
    )

    def __init__(self, target: Target, bulk: BulkChannel | None = None) -> None:
        self._target = target
        self._bulk = bulk
        self._layers: dict[str, FileSystem] = {}
        if isinstance(target, Image):
            for layer in target.layers:
                self._layers.setdefault(layer.diff_id, layer.fs)
        self._walks: dict[str, Iterator[FileInfo]] = {}
        self._walk_ids = itertools.count(1)
        self.bytes_read = 0

    def _fs(self, params: dict[str, Any]) -> FileSystem:
        layer = params.get("layer")
        if layer is None:
            return self._target.fs
        if not isinstance(layer, str) or layer not in self._layers:
            raise RpcError(NOT_FOUND, f"no layer {layer!r} in this target")
        return self._layers[layer]

    def handle(self, name: str, params: Any) -> Any:
        """Dispatch ``fs.<name>``."""
        if params is None:
            params = {}
        if not isinstance(params, dict):
            raise RpcError(INVALID_PARAMS, "params must be an object")
        handler = getattr(self, f"_{name}", None)
        if name not in self.METHODS or handler is None:
            raise RpcError(-32601, f"unknown method fs.{name}")
        fs = self._fs(params)
        try:
            return handler(fs, params)
        except OSError as exc:
            raise _fs_error(exc, str(params.get("path", params.get("top", "")))) from None

    def _stat(self, fs: FileSystem, p: dict[str, Any]) -> dict[str, Any]:
        return file_info_to_dict(fs.stat(_path(p)))

    def _lstat(self, fs: FileSystem, p: dict[str, Any]) -> dict[str, Any]:
        return file_info_to_dict(fs.lstat(_path(p)))

    def _exists(self, fs: FileSystem, p: dict[str, Any]) -> dict[str, Any]:
        return {"exists": fs.exists(_path(p))}

    def _listdir(self, fs: FileSystem, p: dict[str, Any]) -> dict[str, Any]:
        return {"names": fs.listdir(_path(p))}

    def _readlink(self, fs: FileSystem, p: dict[str, Any]) -> dict[str, Any]:
        return {"target": fs.readlink(_path(p))}

    def _realpath(self, fs: FileSystem, p: dict[str, Any]) -> dict[str, Any]:
        return {"path": fs.realpath(_path(p))}

    def _read(self, fs: FileSystem, p: dict[str, Any]) -> Any:
        path = _path(p)
        offset = _int(p, "offset", 0, 0, 2**62)
        length = _int(p, "length", MAX_READ, 0, MAX_READ)
        encoding = p.get("encoding", "base64")
        if encoding not in ("base64", "raw"):
            raise RpcError(INVALID_PARAMS, "'encoding' must be 'base64' or 'raw'")
        view, eof = read_bounded(fs, path, offset, length)
        self.bytes_read += len(view)
        meta: dict[str, Any] = {"offset": offset, "eof": eof}
        if encoding == "raw":
            return RawResult(meta, view)
        meta["length"] = len(view)
        meta["data"] = base64.b64encode(view).decode("ascii")
        return meta

    def _readmany(self, fs: FileSystem, p: dict[str, Any]) -> Any:
        """Many small files in one round trip (per-call overhead, not bandwidth, is
        what limits reading thousands of small files over RPC)."""
        paths = p.get("paths")
        if not isinstance(paths, list) or len(paths) > MAX_BATCH_PATHS:
            raise RpcError(INVALID_PARAMS, f"'paths' must be a list of <= {MAX_BATCH_PATHS}")
        encoding = p.get("encoding", "base64")
        if encoding not in ("base64", "raw", "shm"):
            raise RpcError(INVALID_PARAMS, "'encoding' must be 'base64', 'raw' or 'shm'")
        if encoding == "shm":
            if self._bulk is None:
                raise RpcError(INVALID_PARAMS, "no shared-memory channel in this run")
            slot = _int(p, "slot", 0, 0, self._bulk.slots - 1)
            return self._readmany_shm(fs, paths, self._bulk, slot)
        files: list[dict[str, Any]] = []
        chunks: list[memoryview] = []
        total = 0
        for raw_path in paths:
            path = raw_path if isinstance(raw_path, str) else ""
            if total >= MAX_BATCH_BYTES:
                files.append({"path": path, "deferred": True})
                continue
            try:
                want = min(MAX_READ, MAX_BATCH_BYTES - total)
                view, eof = read_bounded(fs, _checked(path), 0, want)
            except OSError as exc:
                files.append(_error_entry(path, exc))
                continue
            entry: dict[str, Any] = {"path": path, "length": len(view), "eof": eof}
            if encoding == "base64":
                entry["data"] = base64.b64encode(view).decode("ascii")
            else:
                chunks.append(view)
            files.append(entry)
            total += len(view)
        self.bytes_read += total
        if encoding == "raw":
            return RawResult({"files": files}, chunks)
        return {"files": files, "storage": encoding}

    def _readmany_shm(
        self, fs: FileSystem, paths: list[Any], bulk: BulkChannel, slot: int
    ) -> dict[str, Any]:
        """``fs.readmany`` into a shared-memory slot: each file is read straight into
        the slot (``preadv`` on the layer tar when the filesystem has ``read_into``),
        so its bytes are copied once, by the kernel, as an in-process read would.

        A file that does not fit whole in what is left of the slot is deferred with
        everything after it (the plugin asks again with a fresh slot); only the
        first file of a batch can come back partial (``eof: false``)."""
        view = bulk.view
        start, end = bulk.slot_bounds(slot)
        read_many_into = getattr(fs, "read_many_into", None)
        if read_many_into is not None and all(
            type(path) is str and path[:1] == "/" for path in paths
        ):
            return self._readmany_shm_batched(read_many_into, paths, view[start:end], start)
        read_into = getattr(fs, "read_into", None) or _OpenReadInto(fs)
        pos = start
        files: list[dict[str, Any]] = []
        full = False
        for raw_path in paths:
            path = raw_path if isinstance(raw_path, str) else ""
            if full:
                files.append({"path": path, "deferred": True})
                continue
            try:
                full_path = path if path[:1] == "/" else _checked(path)
                n, eof = read_into(full_path, view[pos:end])
            except OSError as exc:
                files.append(_error_entry(path, exc))
                continue
            if not eof and pos > start:
                files.append({"path": path, "deferred": True})
                full = True
                continue
            files.append({"path": path, "offset": pos, "length": n, "eof": eof})
            pos += n
            full = pos >= end
        self.bytes_read += pos - start
        return {"files": files, "storage": "shm"}

    def _readmany_shm_batched(
        self, read_many_into: Any, paths: list[str], slot: memoryview, start: int
    ) -> dict[str, Any]:
        """:meth:`_readmany_shm` over a filesystem that fills the slot in one call
        (``IndexedFileSystem.read_many_into``): same answer, ~1 µs less per file."""
        results = read_many_into(paths, slot)
        files: list[dict[str, Any]] = []
        append = files.append
        used = 0
        for path, result in zip(paths, results, strict=False):
            if type(result) is tuple:
                pos, n, eof = result
                append({"path": path, "offset": start + pos, "length": n, "eof": eof})
                used = pos + n
            else:
                append(_error_entry(path, result))
        files.extend({"path": path, "deferred": True} for path in paths[len(results) :])
        self.bytes_read += used
        return {"files": files, "storage": "shm"}

    def _walk(self, fs: FileSystem, p: dict[str, Any]) -> dict[str, Any]:
        limit = _int(p, "limit", DEFAULT_WALK_PAGE, 1, MAX_WALK_PAGE)
        cursor = p.get("cursor")
        if cursor is not None:
            it = self._walks.pop(str(cursor), None)
            if it is None:
                raise RpcError(NOT_FOUND, f"unknown or finished walk cursor {cursor!r}")
        else:
            if len(self._walks) >= _MAX_OPEN_WALKS:
                self._walks.pop(next(iter(self._walks)))
            it = iter(fs.walk(_path(p, "top") if "top" in p else "/"))
        entries = [file_info_to_dict(info) for info in itertools.islice(it, limit)]
        if len(entries) < limit:
            return {"entries": entries, "cursor": None}
        new_cursor = f"w{next(self._walk_ids)}"
        self._walks[new_cursor] = it
        return {"entries": entries, "cursor": new_cursor}
