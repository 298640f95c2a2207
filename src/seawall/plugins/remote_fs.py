"""The plugin side of ``fs.*``: a :class:`~seawall.fs.interface.FileSystem` whose
every call is a JSON-RPC request to the host. Bulk reads ask for ``raw`` encoding
(bytes after the JSON line, no base64) and :meth:`RemoteFileSystem.read_many`
pipelines requests so small files do not each pay a round trip."""

from __future__ import annotations

import base64
import errno
import io
import itertools
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from typing import Any, BinaryIO

from seawall.fs.interface import FileInfo, FileType
from seawall.plugins.bulk_channel import BulkChannel
from seawall.plugins.jsonrpc import FS_ERROR, JsonRpcConnection, RpcError

#: Bytes asked for per ``fs.read`` call (the host caps at 16 MiB).
CHUNK = 8 * 1024 * 1024


def file_info_from_dict(d: dict[str, Any]) -> FileInfo:
    """Inverse of :func:`seawall.plugins.fs_service.file_info_to_dict`."""
    device = d.get("device")
    return FileInfo(
        path=d["path"],
        type=FileType(d["type"]),
        mode=int(d.get("mode", 0)),
        size=int(d.get("size", 0)),
        uid=int(d.get("uid", 0)),
        gid=int(d.get("gid", 0)),
        mtime=float(d.get("mtime", 0.0)),
        linkname=d.get("linkname"),
        layer=d.get("layer"),
        xattrs={k: base64.b64decode(v) for k, v in (d.get("xattrs") or {}).items()},
        device=(int(device[0]), int(device[1])) if device else None,
    )


def _os_error(err: RpcError, path: str) -> OSError:
    if err.code == FS_ERROR and isinstance(err.data, dict) and "errno" in err.data:
        code = int(err.data["errno"])
        return OSError(code, err.message, path)
    return OSError(errno.EIO, err.message, path)


class _RemoteRaw(io.RawIOBase):
    """Unbuffered reader of one remote file."""

    def __init__(self, fs: RemoteFileSystem, path: str) -> None:
        self._fs = fs
        self._path = path
        self._pos = 0
        self._eof = False

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, pos: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_SET:
            self._pos = pos
        elif whence == io.SEEK_CUR:
            self._pos += pos
        else:
            self._pos = self._fs.stat(self._path).size + pos
        self._eof = False
        return self._pos

    def tell(self) -> int:
        return self._pos

    def readinto(self, buffer: Any) -> int:
        if self._eof:
            return 0
        want = min(len(buffer), CHUNK)
        data, eof = self._fs.read_chunk(self._path, self._pos, want)
        n = len(data)
        buffer[:n] = data
        self._pos += n
        self._eof = eof or n == 0
        return n


class RemoteFileSystem:
    """FileSystem over the host's ``fs.*`` services (optionally one image layer)."""

    def __init__(
        self, conn: JsonRpcConnection, layer: str | None = None, bulk: BulkChannel | None = None
    ) -> None:
        self._conn = conn
        self._layer = layer
        self._bulk = bulk

    def _call(self, method: str, params: dict[str, Any]) -> Any:
        if self._layer is not None:
            params["layer"] = self._layer
        try:
            return self._conn.call(method, params)
        except RpcError as err:
            raise _os_error(err, str(params.get("path", params.get("top", "")))) from None

    def _read_params(self, path: str, offset: int, length: int) -> dict[str, Any]:
        params: dict[str, Any] = {
            "path": path,
            "offset": offset,
            "length": length,
            "encoding": "raw",
        }
        if self._layer is not None:
            params["layer"] = self._layer
        return params

    def read_chunk(self, path: str, offset: int, length: int) -> tuple[bytes, bool]:
        """One ``fs.read``: (data, eof)."""
        res = self._call("fs.read", self._read_params(path, offset, length))
        return res["data"], bool(res["eof"])

    def open(self, path: str) -> BinaryIO:
        """Buffered reader over ``fs.read`` (opening checks the path is a file)."""
        info = self.stat(path)
        if info.is_dir():
            raise IsADirectoryError(errno.EISDIR, "is a directory", path)
        return io.BufferedReader(_RemoteRaw(self, path), buffer_size=1024 * 1024)

    def read_bytes(self, path: str, offset: int = 0, length: int | None = None) -> bytes:
        """Read ``length`` bytes (all when None) from ``offset``."""
        parts: list[bytes] = []
        remaining = length
        while remaining is None or remaining > 0:
            want = CHUNK if remaining is None else min(CHUNK, remaining)
            data, eof = self.read_chunk(path, offset, want)
            parts.append(data)
            offset += len(data)
            if remaining is not None:
                remaining -= len(data)
            if eof or not data:
                break
        return b"".join(parts)

    def read_many(
        self, paths: Iterable[str], batch: int = 512
    ) -> Iterator[tuple[str, bytes | OSError]]:
        """Whole contents of many files: ``fs.readmany`` batches of up to ``batch``
        paths, two in flight so the host reads the next while we consume this one;
        bytes come through shared memory when the host offered it, else raw after
        the JSON line. Files come in request order, except that one a batch could not
        fit (over its byte budget) comes in a later batch."""
        bulk = self._bulk
        if bulk is not None and not bulk.in_use.acquire(blocking=False):
            bulk = None  # another reader owns the slots: use the pipe
        try:
            yield from self._read_many(iter(paths), batch, bulk)
        finally:
            if bulk is not None:
                bulk.in_use.release()

    def _read_many(
        self, it: Iterator[str], batch: int, bulk: BulkChannel | None
    ) -> Iterator[tuple[str, bytes | OSError]]:
        inflight: deque[tuple[Future[Any], int]] = deque()

        def request(chunk: list[str], slot: int) -> Future[Any]:
            params: dict[str, Any] = {"paths": chunk, "encoding": "raw"}
            if bulk is not None:
                params.update(encoding="shm", slot=slot)
            if self._layer is not None:
                params["layer"] = self._layer
            return self._conn.call_async("fs.readmany", params)

        def send(slot: int) -> None:
            chunk = list(itertools.islice(source, batch))
            if chunk:
                inflight.append((request(chunk, slot), slot))

        source: Iterator[str] = it
        send(0)
        send(1)
        while inflight:
            fut, slot = inflight.popleft()
            try:
                res = fut.result()
            except RpcError as err:
                raise _os_error(err, "") from None
            deferred: list[str] = []
            # Lazily: each file is copied out of the slot as the caller takes it, so
            # its bytes can be freed (and their memory reused) before the next one.
            yield from self._unpack(res, deferred)
            if deferred:  # did not fit this batch: first in this slot's next one
                source = itertools.chain(deferred, source)
            send(slot)  # only now: every byte of the slot has been copied out

    def _unpack(
        self, res: dict[str, Any], deferred: list[str]
    ) -> Iterator[tuple[str, bytes | OSError]]:
        """Split one ``fs.readmany`` answer into files (deferred ones set aside).
        Files yielded before a deferred one keep their order; deferred ones follow."""
        bulk = self._bulk if res.get("storage") == "shm" else None
        # Slicing the mmap (or the raw payload) makes the file's bytes in one copy.
        source: Any = bulk.map if bulk is not None else res["data"]
        pos = 0
        for entry in res["files"]:
            path = entry["path"]
            n = entry.get("length")
            if n is None:
                if "error" in entry:
                    problem = entry["error"]
                    yield path, OSError(int(problem["errno"]), problem["name"], path)
                elif entry.get("deferred"):  # did not fit this batch: the next one
                    deferred.append(path)
                continue
            if bulk is not None:
                pos = entry["offset"]
            data = source[pos : pos + n]
            pos += n
            if not entry["eof"]:
                try:
                    data += self.read_bytes(path, n)
                except OSError as exc:
                    yield path, exc
                    continue
            yield path, data

    def stat(self, path: str) -> FileInfo:
        """Metadata, following symlinks inside the target."""
        return file_info_from_dict(self._call("fs.stat", {"path": path}))

    def lstat(self, path: str) -> FileInfo:
        """Metadata of the entry itself."""
        return file_info_from_dict(self._call("fs.lstat", {"path": path}))

    def readlink(self, path: str) -> str:
        """A symlink's stored target."""
        return str(self._call("fs.readlink", {"path": path})["target"])

    def realpath(self, path: str) -> str:
        """Canonical path inside the target."""
        return str(self._call("fs.realpath", {"path": path})["path"])

    def listdir(self, path: str) -> list[str]:
        """Sorted names in a directory."""
        return list(self._call("fs.listdir", {"path": path})["names"])

    def exists(self, path: str) -> bool:
        """True when ``stat`` would succeed."""
        return bool(self._call("fs.exists", {"path": path})["exists"])

    def walk(
        self, top: str = "/", onerror: Callable[[OSError], None] | None = None
    ) -> Iterator[FileInfo]:
        """Every entry under ``top``, fetched a page at a time (the host reports what
        it could not read in the scan's errors; ``onerror`` is never called here)."""
        params: dict[str, Any] = {"top": top, "limit": 5000}
        while True:
            page = self._call("fs.walk", dict(params))
            for entry in page["entries"]:
                yield file_info_from_dict(entry)
            cursor = page.get("cursor")
            if not cursor:
                return
            params = {"cursor": cursor, "limit": 5000}
