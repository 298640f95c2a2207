#!/usr/bin/env python3
"""Example seawall plugin written with the Python SDK.

Finds accounts other than root with UID 0 in /etc/passwd (a classic backdoor) and
world-writable files under /etc. Runs standalone::

    ./uid0_accounts.py scan image docker-archive:app.tar
    ./uid0_accounts.py scan rootfs /srv/rootfs --format json

or hosted by seawall (drop it in a plugin directory)::

    seawall image docker-archive:app.tar --plugin-dir examples/plugins --plugin uid0-accounts
"""

from __future__ import annotations

from seawall.plugin_sdk import Plugin, ScanContext

plugin = Plugin(
    name="uid0-accounts",
    version="1.0.0",
    author="seawall examples",
    description="Non-root accounts with UID 0, world-writable files under /etc",
    tags=["example", "backdoor"],
    timeout=60,
)


@plugin.image()
@plugin.container()
@plugin.rootfs()
def scan(ctx: ScanContext) -> None:
    """Check /etc/passwd and the permissions of everything under /etc."""
    try:
        passwd = ctx.fs.read_bytes("/etc/passwd").decode("utf-8", "replace")
    except OSError:
        ctx.log("no /etc/passwd in this target", level="debug")
        passwd = ""
    for number, line in enumerate(passwd.splitlines(), start=1):
        fields = line.split(":")
        if len(fields) >= 4 and fields[2] == "0" and fields[0] != "root":
            ctx.report(
                rule_id="SWX-PY-001",
                category="backdoor",
                severity="high",
                title=f"Account {fields[0]!r} has UID 0",
                description="A second UID 0 account is a common persistence trick.",
                remediation="Remove the account or give it its own UID.",
                location={"path": "/etc/passwd", "line": number},
                evidence=f"{fields[0]}:x:0:{fields[3]}",
                tags={"attack": ["T1136.001"]},
            )
    try:
        entries = list(ctx.fs.walk("/etc"))
    except OSError:
        entries = []
    for info in entries:
        if info.is_file() and info.mode & 0o002:
            ctx.report(
                rule_id="SWX-PY-002",
                category="misconfig",
                severity="medium",
                title=f"World-writable file {info.path}",
                remediation="chmod o-w",
                location={"path": info.path},
            )


if __name__ == "__main__":
    plugin.main()
