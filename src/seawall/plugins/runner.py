"""Running one plugin command against one target, isolated: whatever the plugin does
(crash, hang, garbage on stdout, log floods, invalid findings) ends as error entries
in the outcome, never as an exception in the host."""

from __future__ import annotations

import logging
import tempfile
import threading
import time
from collections.abc import Mapping
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import Any

from seawall.model.finding import Finding
from seawall.model.package import Package
from seawall.model.report import ErrorEntry
from seawall.plugins.bulk_channel import BulkChannel
from seawall.plugins.discovery import DiscoveredPlugin
from seawall.plugins.host_services import PROTOCOL_VERSION, HostServices
from seawall.plugins.jsonrpc import JsonRpcConnection, PeerClosedError, RpcError
from seawall.plugins.manifest import PluginCommand
from seawall.plugins.process import (
    DEFAULT_MEMORY_LIMIT_MB,
    PluginProcess,
    describe_returncode,
    plugin_environment,
)
from seawall.sources.interface import Container, Image, Target

log = logging.getLogger("seawall.plugins")

#: Seconds a plugin may take per target when neither its manifest nor the user says.
DEFAULT_TIMEOUT = 300.0
#: Malformed messages tolerated before the plugin is stopped.
MAX_VIOLATIONS = 20
#: Seconds a plugin gets to exit after answering ``run`` and seeing EOF on stdin.
EXIT_GRACE = 5.0


@dataclass
class PluginOutcome:
    """What one plugin run produced."""

    plugin: str
    findings: list[Finding] = field(default_factory=list)
    packages: list[Package] = field(default_factory=list)
    errors: list[ErrorEntry] = field(default_factory=list)
    failed: bool = False
    """True when the plugin did not complete cleanly (the scan is incomplete)."""
    duration_s: float = 0.0
    bytes_read: int = 0
    """Bytes the plugin read through ``fs.read``."""


def run_params(
    target: Target, command: PluginCommand, bulk: BulkChannel | None = None
) -> dict[str, Any]:
    """The ``run`` request's params: the command, what the target is, and the
    shared-memory channel for bulk reads when there is one."""
    info = target.target_info().to_dict()
    if isinstance(target, Image):
        info["layers"] = info.get("layers") or [
            {"diff_id": layer.diff_id, "created_by": layer.info.created_by}
            for layer in target.layers
        ]
        info["config"] = target.config
    elif isinstance(target, Container):
        info["inspect"] = target.inspect
    params = {"protocol": PROTOCOL_VERSION, "command": command.to_dict(), "target": info}
    if bulk is not None:
        params["bulk"] = bulk.describe()
    return params


def run_plugin(
    plugin: DiscoveredPlugin,
    command: PluginCommand,
    target: Target,
    *,
    timeout: float | None = None,
    config_files: Mapping[str, str] | None = None,
) -> PluginOutcome:
    """Spawn ``plugin`` hosted, call its ``command`` on ``target``, collect its
    reports. ``timeout`` overrides the manifest's.

    Never raises: should hosting itself go wrong, the outcome is a failed run whose
    error says so (the scan is then incomplete), not the end of the scan."""
    try:
        return _host(plugin, command, target, timeout, config_files)
    except Exception as exc:
        log.warning("hosting plugin %s failed", plugin.name, exc_info=True)
        return PluginOutcome(
            plugin=plugin.name,
            failed=True,
            errors=[
                ErrorEntry(
                    f"plugin:{plugin.name}",
                    f"internal error while hosting the plugin: {type(exc).__name__}: {exc}",
                )
            ],
        )


def _host(
    plugin: DiscoveredPlugin,
    command: PluginCommand,
    target: Target,
    timeout: float | None,
    config_files: Mapping[str, str] | None,
) -> PluginOutcome:
    name = plugin.name
    scope = f"plugin:{name}"
    out = PluginOutcome(plugin=name)
    manifest = plugin.manifest
    limit = timeout or manifest.timeout or DEFAULT_TIMEOUT
    bulk = BulkChannel.create()
    services = HostServices(name, target, config_files, bulk)
    started = time.monotonic()

    def fail(message: str) -> None:
        out.failed = True
        out.errors.append(ErrorEntry(scope, message))

    with tempfile.TemporaryDirectory(
        prefix=f"seawall-plugin-{name}-", ignore_cleanup_errors=True
    ) as workdir:
        proc = PluginProcess(
            [plugin.path, *command.path],
            env=plugin_environment(name, hosted=True),
            cwd=workdir,
            memory_mb=manifest.memory_limit_mb or DEFAULT_MEMORY_LIMIT_MB,
            name=name,
            pass_fds=(bulk.fd,) if bulk else (),
        )
        try:
            proc.start()
        except OSError as exc:
            fail(f"cannot start {plugin.path}: {exc.strerror or exc}")
            if bulk:
                bulk.close()
            return out
        violations: list[str] = []  # the first one only; the rest are counted
        count = [0]
        lock = threading.Lock()

        def on_violation(message: str) -> None:
            with lock:
                count[0] += 1
                if not violations:
                    violations.append(message)
                if count[0] == MAX_VIOLATIONS:
                    proc.kill()

        conn = JsonRpcConnection(
            proc.stdout, proc.stdin, services.handle, on_violation=on_violation, name=name
        )
        conn.start()
        try:
            _converse(conn, proc, run_params(target, command, bulk), limit, fail)
        finally:
            conn.close_write()
            if proc.wait(EXIT_GRACE) is None:
                proc.kill()
            proc.reap()
            # Everything the plugin wrote before it exited is read (and its reports
            # recorded) before the outcome is assembled from them.
            drained = conn.join(2)
            proc.close(stdout_drained=drained)
            if bulk and drained:
                bulk.close()  # else a handler may still be copying into it: left mapped
        if violations:
            if count[0] >= MAX_VIOLATIONS:
                how = f"stopped after {MAX_VIOLATIONS} malformed messages"
            else:
                how = f"sent {count[0]} malformed message(s)"
            fail(f"{how}, first: {violations[0]}")
        if proc.returncode not in (0, None) and not out.failed:
            fail(f"answered but then {describe_returncode(proc.returncode)}")
        if not drained:
            fail("a process it started outside its process group still holds its output")
    if services.log_dropped or proc.stderr_dropped:
        fail(
            f"flooded its log: {services.log_dropped} log message(s) and "
            f"{proc.stderr_dropped} stderr byte(s) dropped"
        )
    for problem in services.problems:
        out.errors.append(ErrorEntry(scope, problem))
    if services.invalid_reports > 10:
        out.errors.append(
            ErrorEntry(scope, f"{services.invalid_reports - 10} more invalid reports")
        )
    out.findings = list(services.findings)  # copies: an undrained reader may still add
    out.packages = list(services.packages)
    out.bytes_read = services.fs.bytes_read
    out.duration_s = time.monotonic() - started
    return out


def _converse(
    conn: JsonRpcConnection,
    proc: PluginProcess,
    params: dict[str, Any],
    limit: float,
    fail: Any,
) -> None:
    """Send ``run`` and wait for its answer, turning every way it can go wrong into
    one error message."""
    future = conn.call_async("run", params)
    try:
        future.result(timeout=limit)
    except FutureTimeout:
        proc.kill()
        fail(f"timed out after {limit:g}s (killed)")
    except RpcError as err:
        fail(f"command failed: {err.message[:500]}")
    except PeerClosedError:
        code = proc.wait(EXIT_GRACE)
        if code is not None:
            proc.finish_stderr(2)  # its last words may still be in the pipe
        tail = " | ".join(proc.stderr_tail())
        how = "was stopped" if proc.killed_by_host else "crashed"
        detail = describe_returncode(code)
        fail(f"{how} before answering ({detail})" + (f"; stderr: {tail[-500:]}" if tail else ""))
