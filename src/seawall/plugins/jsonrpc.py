"""JSON-RPC 2.0 over a pair of byte streams, one JSON object per line, both ways.

Either side may call the other at any time; requests are matched to responses by
``id``, so many calls can be in flight (a plugin pipelines ``fs.read`` calls while
the host's own ``run`` call is still pending). Used by the host and by the Python
plugin SDK alike.

One extension for bulk data: a *response* whose ``result`` is an object with
``"encoding": "raw"`` and an integer ``"length"`` is followed on the stream by exactly
that many raw bytes (like HTTP's Content-Length), which the reader puts into
``result["data"]``. Only a caller that asked for it (``fs.read`` with
``"encoding": "raw"``) ever receives one; plain newline-delimited JSON (base64 data)
stays the default, so a shell plugin never sees raw bytes.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, BinaryIO

log = logging.getLogger(__name__)

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603
#: Application errors (the -32000..-32099 range is reserved for implementations).
FS_ERROR = -32001
NOT_FOUND = -32004
LIMIT_EXCEEDED = -32005

#: Default cap on one message line (and on one raw payload).
MAX_MESSAGE_BYTES = 64 * 1024 * 1024


class RpcError(Exception):
    """An error object of a response (raised by handlers, raised from calls)."""

    def __init__(self, code: int, message: str, data: Any = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.data = data

    def to_dict(self) -> dict[str, Any]:
        """The JSON-RPC ``error`` member."""
        out: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.data is not None:
            out["data"] = self.data
        return out


class PeerClosedError(ConnectionError):
    """The other side closed its output (exited or crashed) with calls pending."""


@dataclass
class RawResult:
    """A handler's result whose bulk bytes travel after the JSON line."""

    meta: dict[str, Any]
    """The JSON ``result`` (``encoding``/``length`` are added when sent)."""
    payload: bytes | memoryview | list[memoryview]
    """The bytes that follow the line (a list is sent back to back, uncopied)."""

    def size(self) -> int:
        """Payload length in bytes."""
        if isinstance(self.payload, list):
            return sum(len(c) for c in self.payload)
        return len(self.payload)


Handler = Callable[[str, Any], Any]
"""``handler(method, params) -> result``: raise :class:`RpcError` to answer an error,
return :class:`RawResult` to answer with raw bytes. Called for notifications too
(the result is then dropped)."""


class JsonRpcConnection:
    """One JSON-RPC peer over ``rfile`` (what the other side writes) and ``wfile``.

    Incoming requests run on the reader thread (keep them quick) unless
    ``threaded(method)`` is true, then on a worker thread. ``on_violation`` is told
    about every malformed message; the connection answers it with an error and goes
    on, the owner decides when enough is enough.
    """

    def __init__(
        self,
        rfile: BinaryIO,
        wfile: BinaryIO,
        handler: Handler,
        *,
        threaded: Callable[[str], bool] | None = None,
        on_violation: Callable[[str], None] | None = None,
        max_message: int = MAX_MESSAGE_BYTES,
        name: str = "peer",
    ) -> None:
        self._rfile = rfile
        self._wfile = wfile
        self._handler = handler
        self._threaded = threaded or (lambda _method: False)
        self._on_violation = on_violation or (lambda msg: log.warning("%s: %s", name, msg))
        self._max = max_message
        self._name = name
        self._ids = itertools.count(1)
        self._pending: dict[int, Future[Any]] = {}
        """Calls awaiting an answer. A future is completed only by the thread that
        removes it from here (under ``_lock``), so it is completed exactly once."""
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None
        self._reader: threading.Thread | None = None
        self.closed = threading.Event()
        """Set when the peer's stream ended."""

    # -- lifecycle -------------------------------------------------------------------

    def start(self) -> None:
        """Start the reader thread."""
        self._reader = threading.Thread(
            target=self._read_loop, name=f"jsonrpc-{self._name}", daemon=True
        )
        self._reader.start()

    def close_write(self, timeout: float = 1.0) -> bool:
        """Close our output (the peer sees EOF: the polite way to say goodbye).

        Gives up (False) after ``timeout`` s when a write is stuck on a peer that
        does not read: killing the peer unblocks it, then the owner closes the pipe."""
        if not self._write_lock.acquire(timeout=timeout):
            return False
        try:
            with contextlib.suppress(OSError, ValueError):
                self._wfile.close()
        finally:
            self._write_lock.release()
        return True

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the reader to see the end of the peer's stream; False when it
        is still reading after ``timeout``."""
        done = True
        if self._reader is not None:
            self._reader.join(timeout)
            done = not self._reader.is_alive()
        if self._pool is not None:
            self._pool.shutdown(wait=False)
        return done

    # -- outgoing ----------------------------------------------------------------------

    def call_async(self, method: str, params: Any = None) -> Future[Any]:
        """Send a request; the future gets the result, an :class:`RpcError` or a
        :class:`PeerClosedError`."""
        fut: Future[Any] = Future()
        with self._lock:
            if self.closed.is_set():
                fut.set_exception(PeerClosedError(f"{self._name} closed the connection"))
                return fut
            req_id = next(self._ids)
            self._pending[req_id] = fut
        msg: dict[str, Any] = {"jsonrpc": "2.0", "id": req_id, "method": method}
        if params is not None:
            msg["params"] = params
        try:
            self._send(msg)
        except (OSError, ValueError) as exc:
            # Whoever takes the future out of ``_pending`` completes it: when the
            # reader saw the peer's EOF first, ``_shut_down`` already did.
            with self._lock:
                owned = self._pending.pop(req_id, None)
            if owned is not None:
                owned.set_exception(PeerClosedError(f"cannot write to {self._name}: {exc}"))
        return fut

    def call(self, method: str, params: Any = None, timeout: float | None = None) -> Any:
        """Send a request and wait for its result."""
        return self.call_async(method, params).result(timeout)

    def notify(self, method: str, params: Any = None) -> None:
        """Send a notification (no response, no round trip)."""
        msg: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            msg["params"] = params
        self._send(msg)

    def _send(
        self, msg: dict[str, Any], payload: bytes | memoryview | list[memoryview] | None = None
    ) -> None:
        line = json.dumps(msg, separators=(",", ":")).encode() + b"\n"
        with self._write_lock:
            self._wfile.write(line)
            if isinstance(payload, list):
                # One big write beats thousands of small ones through an 8 KiB buffer.
                self._wfile.write(b"".join(payload))
            elif payload is not None and len(payload):
                self._wfile.write(payload)
            self._wfile.flush()

    def _reply(self, req_id: Any, result: Any) -> None:
        try:
            if isinstance(result, RawResult):
                meta = dict(result.meta)
                meta["encoding"] = "raw"
                meta["length"] = result.size()
                self._send({"jsonrpc": "2.0", "id": req_id, "result": meta}, result.payload)
            else:
                self._send({"jsonrpc": "2.0", "id": req_id, "result": result})
        except (OSError, ValueError):
            pass  # the peer is gone; the reader will notice

    def _reply_error(self, req_id: Any, err: RpcError) -> None:
        with contextlib.suppress(OSError, ValueError):
            self._send({"jsonrpc": "2.0", "id": req_id, "error": err.to_dict()})

    # -- incoming ----------------------------------------------------------------------

    def _read_loop(self) -> None:
        try:
            while True:
                line = self._rfile.readline(self._max + 1)
                if not line:
                    break
                if len(line) > self._max:
                    self._on_violation(f"message longer than {self._max} bytes")
                    break
                line = line.strip()
                if line:
                    self._handle_line(line)
        except (OSError, ValueError, EOFError) as exc:
            log.debug("%s: read failed: %s", self._name, exc)
        finally:
            self._shut_down()

    def _shut_down(self) -> None:
        with self._lock:
            self.closed.set()
            pending, self._pending = self._pending, {}
        for fut in pending.values():  # taken out under the lock: ours alone to complete
            fut.set_exception(PeerClosedError(f"{self._name} closed its output"))

    def _handle_line(self, line: bytes) -> None:
        try:
            msg = json.loads(line)
        except ValueError:
            self._on_violation(f"not JSON: {line[:80]!r}")
            self._reply_error(None, RpcError(PARSE_ERROR, "parse error"))
            return
        if not isinstance(msg, dict) or msg.get("jsonrpc") != "2.0":
            self._on_violation(f"not a JSON-RPC 2.0 message: {line[:80]!r}")
            self._reply_error(
                None, RpcError(INVALID_REQUEST, "invalid request (batches are not supported)")
            )
            return
        if "method" in msg:
            self._handle_request(msg)
        elif "id" in msg and ("result" in msg or "error" in msg):
            self._handle_response(msg)
        else:
            self._on_violation(f"neither request nor response: {line[:80]!r}")

    def _handle_request(self, msg: dict[str, Any]) -> None:
        method = msg["method"]
        if not isinstance(method, str):
            self._on_violation("request method is not a string")
            if "id" in msg:
                self._reply_error(msg["id"], RpcError(INVALID_REQUEST, "method must be a string"))
            return
        if self._threaded(method):
            if self._pool is None:
                self._pool = ThreadPoolExecutor(4, thread_name_prefix=f"jsonrpc-{self._name}")
            self._pool.submit(self._dispatch, msg)
        else:
            self._dispatch(msg)

    def _dispatch(self, msg: dict[str, Any]) -> None:
        is_call = "id" in msg
        try:
            result = self._handler(msg["method"], msg.get("params"))
        except RpcError as err:
            if is_call:
                self._reply_error(msg["id"], err)
            return
        except Exception as exc:
            log.debug("%s: handler for %s failed", self._name, msg["method"], exc_info=True)
            if is_call:
                self._reply_error(
                    msg["id"], RpcError(INTERNAL_ERROR, f"{type(exc).__name__}: {exc}")
                )
            return
        if is_call:
            self._reply(msg["id"], result)

    def _handle_response(self, msg: dict[str, Any]) -> None:
        result = msg.get("result")
        if isinstance(result, dict) and result.get("encoding") == "raw":
            length = result.get("length")
            if not isinstance(length, int) or not 0 <= length <= self._max:
                self._on_violation(f"bad raw payload length {length!r}")
                raise ValueError("unframed raw payload")  # the stream is lost: stop
            result["data"] = _read_exact(self._rfile, length)
        with self._lock:
            fut = self._pending.pop(msg["id"], None) if type(msg["id"]) is int else None
        if fut is None:
            self._on_violation(f"response to unknown id {msg['id']!r}")
            return
        err = msg.get("error")
        if err is not None:
            if isinstance(err, dict):
                fut.set_exception(
                    RpcError(
                        int(err.get("code", INTERNAL_ERROR)),
                        str(err.get("message", "")),
                        err.get("data"),
                    )
                )
            else:
                fut.set_exception(RpcError(INTERNAL_ERROR, str(err)))
        else:
            fut.set_result(result)


def _read_exact(rfile: BinaryIO, n: int) -> bytes:
    data = rfile.read(n)
    if data is None or len(data) != n:
        raise EOFError(f"stream ended inside a {n}-byte raw payload")
    return data
