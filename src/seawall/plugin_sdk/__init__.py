"""The Python SDK for writing seawall plugins: write a scanner once, run it
standalone or hosted by seawall (the host itself is :mod:`seawall.plugins`).

::

    #!/usr/bin/env python3
    from seawall.plugin_sdk import Plugin, ScanContext

    plugin = Plugin("hello", version="1.0.0", description="Says hello to /etc/passwd")

    @plugin.image()
    @plugin.rootfs()
    def scan(ctx: ScanContext) -> None:
        if b"hello" in ctx.fs.read_bytes("/etc/passwd"):
            ctx.report(rule_id="HELLO-1", category="misconfig", severity="low",
                       title="hello in passwd", location={"path": "/etc/passwd"})

    if __name__ == "__main__":
        plugin.main()

See :mod:`seawall.plugin_sdk.definition` and ``docs/plugin-protocol.md``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from seawall.plugin_sdk.context import ScanContext
from seawall.plugin_sdk.definition import Plugin

if TYPE_CHECKING:
    from seawall.model.finding import Finding
    from seawall.model.package import Package

__all__ = ["Finding", "Package", "Plugin", "ScanContext"]


def __getattr__(name: str) -> Any:
    """``Finding`` and ``Package`` on first use: every plugin process pays for its
    imports at each start, and most never build one by hand."""
    if name == "Finding":
        from seawall.model.finding import Finding

        return Finding
    if name == "Package":
        from seawall.model.package import Package

        return Package
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
