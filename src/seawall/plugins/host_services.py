"""The services a hosted plugin may call: ``log``, ``report``, ``config.pull``,
``host.info`` and ``fs.*``. One instance per plugin run; it collects what the plugin
reported and what went wrong, with limits so a flooding plugin cannot exhaust us."""

from __future__ import annotations

import base64
import logging
import os
from collections.abc import Mapping
from typing import Any

from seawall._version import __version__
from seawall.model.finding import Finding
from seawall.model.package import Package
from seawall.plugins.bulk_channel import BulkChannel
from seawall.plugins.finding_schema import validate_finding, validate_package
from seawall.plugins.fs_service import FileSystemService
from seawall.plugins.jsonrpc import (
    INVALID_PARAMS,
    LIMIT_EXCEEDED,
    METHOD_NOT_FOUND,
    NOT_FOUND,
    RpcError,
)
from seawall.sources.interface import Image, Target

log = logging.getLogger("seawall.plugins")

PROTOCOL_VERSION = 1
MAX_LOG_MESSAGES = 2000
MAX_LOG_BYTES = 256 * 1024
MAX_FINDINGS = 100_000
MAX_CONFIG_BYTES = 64 * 1024 * 1024
_LEVELS = {
    "trace": logging.DEBUG,
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warn": logging.WARNING,
    "warning": logging.WARNING,
    "error": logging.ERROR,
    "fatal": logging.ERROR,  # a plugin never gets to be fatal for the host
}


class HostServices:
    """Dispatches a plugin's calls and collects its output."""

    def __init__(
        self,
        plugin: str,
        target: Target,
        config_files: Mapping[str, str] | None = None,
        bulk: BulkChannel | None = None,
    ) -> None:
        self.plugin = plugin
        self.target = target
        self.fs = FileSystemService(target, bulk)
        self._config_files = dict(config_files or {})
        self.findings: list[Finding] = []
        self.packages: list[Package] = []
        self.problems: list[str] = []
        """Non-fatal protocol problems (invalid findings, dropped logs ...)."""
        self.log_messages = 0
        self.log_bytes = 0
        self.log_dropped = 0
        self.invalid_reports = 0

    def handle(self, method: str, params: Any) -> Any:
        """The JSON-RPC handler."""
        if method.startswith("fs."):
            return self.fs.handle(method[3:], params)
        if method == "log":
            return self._log(params)
        if method == "report":
            return self._report(params)
        if method == "config.pull":
            return self._config_pull(params)
        if method == "host.info":
            return {
                "name": "seawall",
                "version": __version__,
                "protocol": PROTOCOL_VERSION,
                "services": ["log", "report", "config.pull", "host.info"]
                + [f"fs.{m}" for m in FileSystemService.METHODS],
            }
        raise RpcError(METHOD_NOT_FOUND, f"unknown method {method!r}")

    def _log(self, params: Any) -> dict[str, Any]:
        if not isinstance(params, dict):
            raise RpcError(INVALID_PARAMS, "log params must be an object")
        message = str(params.get("message", params.get("msg", "")))
        self.log_messages += 1
        self.log_bytes += len(message)
        if self.log_messages > MAX_LOG_MESSAGES or self.log_bytes > MAX_LOG_BYTES:
            self.log_dropped += 1
            return {"dropped": True}
        level = _LEVELS.get(str(params.get("level", "info")).lower(), logging.INFO)
        fields = params.get("fields")
        suffix = f" {fields}" if isinstance(fields, dict) and fields else ""
        log.log(level, "plugin %s: %s%s", self.plugin, message[:2000], str(suffix)[:2000])
        return {}

    def _fill_layer(self, finding: dict[str, Any]) -> dict[str, Any]:
        """Images: a finding about a path gets the layer that provides it, when the
        plugin did not say (plugins see the merged view by default)."""
        loc = finding.get("location")
        if not isinstance(self.target, Image) or not isinstance(loc, dict):
            return finding
        if loc.get("path") and not loc.get("layer") and isinstance(loc["path"], str):
            try:
                layer = self.target.fs.lstat(loc["path"]).layer
            except (OSError, ValueError):
                layer = None
            if layer:
                finding = {**finding, "location": {**loc, "layer": layer}}
        return finding

    def _report(self, params: Any) -> dict[str, Any]:
        if not isinstance(params, dict):
            raise RpcError(INVALID_PARAMS, "report params must be an object")
        findings = list(params.get("findings") or [])
        if "finding" in params:
            findings.append(params["finding"])
        packages = list(params.get("packages") or [])
        if "package" in params:
            packages.append(params["package"])
        if not findings and not packages:
            raise RpcError(INVALID_PARAMS, "report needs 'finding(s)' or 'package(s)'")
        if len(self.findings) + len(findings) > MAX_FINDINGS:
            self.problems.append(f"more than {MAX_FINDINGS} findings; the rest were dropped")
            raise RpcError(LIMIT_EXCEEDED, f"finding limit {MAX_FINDINGS} reached")
        accepted = 0
        rejected: list[str] = []
        for raw in findings:
            try:
                finding = validate_finding(self._fill_layer(raw) if isinstance(raw, dict) else raw)
            except (ValueError, KeyError, TypeError) as exc:
                rejected.append(f"invalid finding: {exc}")
                continue
            finding.extra.setdefault("plugin", self.plugin)
            self.findings.append(finding)
            accepted += 1
        for raw in packages:
            try:
                self.packages.append(validate_package(raw))
                accepted += 1
            except (ValueError, KeyError, TypeError) as exc:
                rejected.append(f"invalid package: {exc}")
        if rejected:
            self.invalid_reports += len(rejected)
            if self.invalid_reports <= 10:
                self.problems.extend(rejected)
            raise RpcError(INVALID_PARAMS, "; ".join(rejected)[:2000], {"accepted": accepted})
        return {"accepted": accepted}

    def _config_pull(self, params: Any) -> dict[str, Any]:
        if not isinstance(params, dict) or not isinstance(params.get("namespace"), str):
            raise RpcError(INVALID_PARAMS, "config.pull needs a 'namespace' string")
        namespace = params["namespace"]
        path = self._config_files.get(namespace)
        if path is None:
            raise RpcError(NOT_FOUND, f"no configuration for namespace {namespace!r}")
        try:
            if os.path.getsize(path) > MAX_CONFIG_BYTES:
                raise RpcError(LIMIT_EXCEEDED, f"configuration {namespace!r} is too large")
            with open(path, "rb") as fh:
                data = fh.read()
        except OSError as exc:
            raise RpcError(NOT_FOUND, f"configuration {namespace!r}: {exc.strerror}") from None
        try:
            return {"namespace": namespace, "encoding": "utf-8", "content": data.decode("utf-8")}
        except UnicodeDecodeError:
            return {
                "namespace": namespace,
                "encoding": "base64",
                "content": base64.b64encode(data).decode("ascii"),
            }
