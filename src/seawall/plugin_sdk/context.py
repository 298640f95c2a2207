"""What a plugin command sees (:class:`ScanContext`), standalone or hosted: the target's
filesystem, and sinks for findings, packages, logs and config. The plugin's
:class:`~seawall.plugin_sdk.Plugin` builds one per run; the heavy modules are imported
only on the path that needs them."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from seawall.plugins.manifest import PluginCommand

if TYPE_CHECKING:
    from concurrent.futures import Future

    from seawall.fs.interface import FileSystem
    from seawall.model.finding import Finding
    from seawall.model.package import Package
    from seawall.plugins.bulk_channel import BulkChannel
    from seawall.plugins.jsonrpc import JsonRpcConnection


class ScanContext:
    """What a plugin command gets: the target, its filesystem, and the sinks."""

    def __init__(self, target: dict[str, Any], fs: FileSystem, command: PluginCommand) -> None:
        self.target = target
        """The report's ``target`` object, plus ``layers`` and ``config`` for images
        and ``inspect`` for containers."""
        self.fs = fs
        """The target's (merged) filesystem."""
        self.command = command

    @property
    def kind(self) -> str:
        """image | container | directory | host."""
        return str(self.target.get("kind", ""))

    @property
    def layers(self) -> list[str]:
        """diff_ids of an image's layers, bottom to top (empty for other targets)."""
        return [layer["diff_id"] for layer in self.target.get("layers", [])]

    def layer_fs(self, diff_id: str) -> FileSystem:
        """One layer's own filesystem."""
        raise NotImplementedError

    def read_many(self, paths: Iterable[str]) -> Iterator[tuple[str, bytes | OSError]]:
        """Contents of many files, in order (pipelined when hosted, where a file a
        batch could not fit comes a batch later)."""
        for path in paths:
            try:
                yield path, self.fs.read_bytes(path)
            except OSError as exc:
                yield path, exc

    def report(self, finding: Finding | dict[str, Any] | None = None, **fields: Any) -> None:
        """Report a finding: a :class:`Finding`, its JSON dict, or its fields as
        keyword arguments (``rule_id=..., category=..., severity=..., title=...``)."""
        raise NotImplementedError

    def report_package(self, package: Package | dict[str, Any]) -> None:
        """Report an installed package (SBOM)."""
        raise NotImplementedError

    def log(self, message: str, level: str = "info", **fields: Any) -> None:
        """A log line in the host's log (stderr when standalone)."""
        extra = " ".join(f"{k}={v}" for k, v in fields.items())
        print(f"{level}: {message} {extra}".rstrip(), file=sys.stderr)

    def config(self, namespace: str) -> str | bytes | None:
        """A configuration file the host pushes (``--plugin-config``), or None."""
        return None


def _finding_dict(
    finding: Finding | dict[str, Any] | None, fields: dict[str, Any]
) -> dict[str, Any]:
    if finding is not None and not isinstance(finding, dict):
        return finding.to_dict()  # a Finding
    data = dict(finding or {})
    data.update(fields)
    return data


class LocalContext(ScanContext):
    """Standalone runs: the target is opened in-process."""

    def __init__(self, target: Any, command: PluginCommand) -> None:
        info = target.target_info().to_dict()
        layers: dict[str, FileSystem] = {}
        if getattr(target, "kind", "") == "image":
            info["layers"] = info.get("layers") or [
                {"diff_id": lay.diff_id, "created_by": lay.info.created_by} for lay in target.layers
            ]
            info["config"] = target.config
            layers = {lay.diff_id: lay.fs for lay in target.layers}
        elif getattr(target, "kind", "") == "container":
            info["inspect"] = target.inspect
        super().__init__(info, target.fs, command)
        self._layers = layers
        self.findings: list[Finding] = []
        self.packages: list[Package] = []

    def layer_fs(self, diff_id: str) -> FileSystem:
        return self._layers[diff_id]

    def report(self, finding: Finding | dict[str, Any] | None = None, **fields: Any) -> None:
        from seawall.plugins.finding_schema import validate_finding

        self.findings.append(validate_finding(_finding_dict(finding, fields)))

    def report_package(self, package: Package | dict[str, Any]) -> None:
        from seawall.model.package import Package

        self.packages.append(
            package if isinstance(package, Package) else Package.from_dict(package)
        )


class HostedContext(ScanContext):
    """Hosted runs: everything goes through the JSON-RPC connection."""

    def __init__(self, conn: JsonRpcConnection, params: dict[str, Any], command: PluginCommand):
        from seawall.plugins.remote_fs import RemoteFileSystem

        self._bulk = _attach_bulk(params.get("bulk"))
        fs = RemoteFileSystem(conn, bulk=self._bulk)
        super().__init__(dict(params.get("target") or {}), fs, command)
        self._conn = conn
        self._pending: list[Future[Any]] = []
        self.rejected: list[str] = []

    def layer_fs(self, diff_id: str) -> FileSystem:
        from seawall.plugins.remote_fs import RemoteFileSystem

        return RemoteFileSystem(self._conn, layer=diff_id, bulk=self._bulk)

    def read_many(self, paths: Iterable[str]) -> Iterator[tuple[str, bytes | OSError]]:
        return self.fs.read_many(paths)  # type: ignore[attr-defined]

    def report(self, finding: Finding | dict[str, Any] | None = None, **fields: Any) -> None:
        # Not awaited one by one: reports stream while the scan goes on.
        data = _finding_dict(finding, fields)
        self._pending.append(self._conn.call_async("report", {"finding": data}))

    def report_package(self, package: Package | dict[str, Any]) -> None:
        data = dict(package) if isinstance(package, dict) else package.to_dict()
        self._pending.append(self._conn.call_async("report", {"package": data}))

    def log(self, message: str, level: str = "info", **fields: Any) -> None:
        self._conn.notify("log", {"level": level, "message": message, "fields": fields})

    def config(self, namespace: str) -> str | bytes | None:
        from seawall.plugins.jsonrpc import RpcError

        try:
            res = self._conn.call("config.pull", {"namespace": namespace})
        except RpcError:
            return None
        if res.get("encoding") == "base64":
            import base64

            return base64.b64decode(res["content"])
        return str(res["content"])

    def settle(self) -> int:
        """Wait for every report's answer; returns how many were accepted."""
        from seawall.plugins.jsonrpc import RpcError

        accepted = 0
        for fut in self._pending:
            try:
                accepted += int(fut.result().get("accepted", 0))
            except RpcError as err:
                self.rejected.append(err.message)
        return accepted


def _attach_bulk(desc: Any) -> BulkChannel | None:
    """Map the host's shared-memory channel, when offered and usable."""
    if not isinstance(desc, dict):
        return None
    from seawall.plugins.bulk_channel import BulkChannel

    try:
        return BulkChannel.attach(int(desc["fd"]), int(desc["slot_size"]), int(desc["slots"]))
    except (KeyError, TypeError, ValueError, OSError):
        return None  # plain pipe reads still work
