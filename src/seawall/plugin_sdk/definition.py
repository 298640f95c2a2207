"""A plugin's definition (:class:`Plugin`): its commands, its manifest, and its
entry point, which runs them standalone or hosted.

::

    #!/usr/bin/env python3
    from seawall.plugin_sdk import Plugin

    plugin = Plugin("hello", version="1.0.0", description="Says hello to /etc/passwd")

    @plugin.image()
    @plugin.rootfs()
    def scan(ctx):
        if b"hello" in ctx.fs.read_bytes("/etc/passwd"):
            ctx.report(rule_id="HELLO-1", category="misconfig", severity="low",
                       title="hello in passwd", location={"path": "/etc/passwd"})

    if __name__ == "__main__":
        plugin.main()

* ``./hello info`` prints the manifest (this is how the host discovers it);
* ``./hello scan image docker-archive:x.tar`` runs standalone and prints a report
  (``--format table|json``);
* hosted, seawall starts ``./hello scan image`` with ``SEAWALL_RPC=1`` and speaks
  JSON-RPC over stdin/stdout (see ``docs/plugin-protocol.md``); ``ctx.fs`` then
  reads the target through the host, so the plugin never extracts an image.

Inside a command the plugin sees a :class:`ScanContext`; everything else (manifest,
argument parsing, the protocol) is the SDK's job.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NoReturn

from seawall.plugin_sdk.context import HostedContext, LocalContext, ScanContext
from seawall.plugins.manifest import COMMAND_TYPES, PluginCommand, PluginManifest

# Every plugin process pays for its imports at each start (and ``info`` runs at
# discovery): what only the hosted, standalone or reporting paths need is imported
# there, so ``info`` loads the manifest module and little else.
if TYPE_CHECKING:
    from seawall.plugins.jsonrpc import JsonRpcConnection


CommandFunc = Callable[["ScanContext"], Any]


@dataclass
class _Registered:
    command: PluginCommand
    func: CommandFunc


@dataclass
class Plugin:
    """A plugin: its manifest fields plus the commands registered with decorators."""

    name: str
    version: str = "0.1.0"
    author: str = ""
    description: str = ""
    tags: Sequence[str] = ()
    timeout: float | None = None
    """Seconds per target the host should allow (manifest ``timeout``)."""
    memory_limit_mb: int | None = None
    _commands: list[_Registered] = field(default_factory=list)

    # -- declaring commands ------------------------------------------------------------

    def command(
        self, type: str, path: Sequence[str] | None = None
    ) -> Callable[[CommandFunc], CommandFunc]:
        """Register a function as the command for targets of ``type`` (see
        :data:`~seawall.plugins.manifest.COMMAND_TYPES`); ``path`` defaults to
        ``["scan", type]``."""
        if type not in COMMAND_TYPES:
            raise ValueError(f"command type {type!r} is not one of {', '.join(COMMAND_TYPES)}")

        def deco(func: CommandFunc) -> CommandFunc:
            cmd = PluginCommand(type=type, path=tuple(path or ("scan", type)))
            self._commands.append(_Registered(cmd, func))
            return func

        return deco

    def image(self, path: Sequence[str] | None = None) -> Callable[[CommandFunc], CommandFunc]:
        """Decorator: the command for images."""
        return self.command("image", path)

    def container(self, path: Sequence[str] | None = None) -> Callable[[CommandFunc], CommandFunc]:
        """Decorator: the command for containers."""
        return self.command("container", path)

    def rootfs(self, path: Sequence[str] | None = None) -> Callable[[CommandFunc], CommandFunc]:
        """Decorator: the command for root filesystems and the host."""
        return self.command("rootfs", path)

    def config(self, path: Sequence[str] | None = None) -> Callable[[CommandFunc], CommandFunc]:
        """Decorator: the command for configuration/source trees (``seawall fs``)."""
        return self.command("config", path)

    def manifest(self) -> PluginManifest:
        """The manifest ``info`` prints."""
        return PluginManifest(
            name=self.name,
            version=self.version,
            commands=tuple(r.command for r in self._commands),
            author=self.author,
            description=self.description,
            tags=tuple(self.tags),
            timeout=self.timeout,
            memory_limit_mb=self.memory_limit_mb,
        )

    def _find(self, ctype: str | None, path: Sequence[str] | None) -> _Registered | None:
        for reg in self._commands:
            if path is not None and list(reg.command.path) == list(path):
                return reg
        for reg in self._commands:
            if reg.command.type == ctype:
                return reg
        return None

    # -- running ---------------------------------------------------------------------

    def main(self, argv: Sequence[str] | None = None) -> NoReturn:
        """Entry point: ``info``, hosted JSON-RPC (``SEAWALL_RPC=1``) or standalone."""
        args = list(sys.argv[1:] if argv is None else argv)
        if args[:1] == ["info"]:
            import json

            print(json.dumps(self.manifest().to_dict()))
            sys.exit(0)
        if os.environ.get("SEAWALL_RPC") == "1":
            sys.exit(self._serve())
        sys.exit(self._standalone(args))

    def _serve(self) -> int:
        from seawall.plugins.jsonrpc import METHOD_NOT_FOUND, JsonRpcConnection, RpcError

        # Our stdout is the protocol channel: keep a private handle on it and point
        # fd 1 at stderr, so a stray print() can never corrupt the stream.
        rpc_out = os.fdopen(os.dup(1), "wb", buffering=1024 * 1024)
        os.dup2(2, 1)
        rpc_in = os.fdopen(os.dup(0), "rb", buffering=1024 * 1024)
        # The reader thread must get the GIL back quickly after each pipe read, or
        # bulk fs reads convoy behind the plugin's own Python work (5 ms default).
        sys.setswitchinterval(0.0002)
        holder: dict[str, JsonRpcConnection] = {}

        def handle(method: str, params: Any) -> Any:
            if method != "run":
                raise RpcError(METHOD_NOT_FOUND, f"plugin {self.name} has no method {method!r}")
            return self._run_hosted(holder["conn"], params or {})

        conn = JsonRpcConnection(
            rpc_in, rpc_out, handle, threaded=lambda m: m == "run", name="host"
        )
        holder["conn"] = conn
        conn.start()
        conn.join()  # the host closes our stdin once it has our answer
        return 0

    def _run_hosted(self, conn: JsonRpcConnection, params: dict[str, Any]) -> dict[str, Any]:
        from seawall.plugins.jsonrpc import METHOD_NOT_FOUND, RpcError

        wanted = params.get("command") or {}
        reg = self._find(wanted.get("type"), wanted.get("path"))
        if reg is None:
            raise RpcError(METHOD_NOT_FOUND, f"no command {wanted!r} in plugin {self.name}")
        ctx = HostedContext(conn, params, reg.command)
        try:
            reg.func(ctx)
        except Exception as exc:
            ctx.settle()
            what = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            raise RpcError(-32000, what) from exc
        accepted = ctx.settle()
        return {"accepted": accepted, "rejected": ctx.rejected[:20]}

    def _standalone(self, args: list[str]) -> int:
        reg = None
        for candidate in sorted(self._commands, key=lambda r: -len(r.command.path)):
            n = len(candidate.command.path)
            if args[:n] == list(candidate.command.path):
                reg, args = candidate, args[n:]
                break
        usage = " | ".join(" ".join(r.command.path) + " REF" for r in self._commands)
        if reg is None:
            print(f"usage: {os.path.basename(sys.argv[0])} info | {usage}", file=sys.stderr)
            return 2
        import argparse

        parser = argparse.ArgumentParser(prog=f"{self.name} {' '.join(reg.command.path)}")
        parser.add_argument("ref", help="image reference, container id or directory")
        parser.add_argument("--format", "-f", default="table", help="table or json")
        parser.add_argument("--output", "-o", default=None, help="write the report here")
        opts = parser.parse_args(args)
        return _run_standalone(self, reg, opts.ref, opts.format, opts.output)


def _open_target(ctype: str, ref: str) -> Any:
    import seawall

    if ctype == "image":
        return seawall.open_image(ref)
    if ctype == "container":
        return seawall.open_container(ref)
    return seawall.open_rootfs(ref)


def _run_standalone(
    plugin: Plugin, reg: _Registered, ref: str, fmt: str, output: str | None
) -> int:
    from seawall.errors import SeawallError
    from seawall.model.report import ErrorEntry, Report
    from seawall.report.output import OutputSpec, write_outputs

    try:
        target = _open_target(reg.command.type, ref)
    except SeawallError as exc:
        print(f"{plugin.name}: {exc}", file=sys.stderr)
        return 2
    errors: list[ErrorEntry] = []
    with target:
        ctx = LocalContext(target, reg.command)
        try:
            reg.func(ctx)
        except Exception as exc:
            errors.append(ErrorEntry(f"plugin:{plugin.name}", f"{type(exc).__name__}: {exc}"))
        report = Report(
            target=target.target_info(),
            findings=ctx.findings,
            packages=ctx.packages,
            errors=errors,
        )
    write_outputs([report], [OutputSpec(fmt, output)])
    return 1 if errors else 0
