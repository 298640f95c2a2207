"""Account backdoors: extra UID-0 users and accounts that need no password."""

from __future__ import annotations

from collections.abc import Iterator

from seawall.analyzers.backdoor.check_registry import CheckHit, backdoor_check
from seawall.analyzers.backdoor.scan_context import BackdoorContext
from seawall.model.finding import empty_password_subject

_NO_LOGIN = ("nologin", "false", "sync", "halt", "shutdown")


@backdoor_check("SW-BD-027", "Extra account with UID 0", "critical", ("T1136.001",),
                "Delete the account (userdel) or give it its own UID.")
def extra_uid0(ctx: BackdoorContext) -> Iterator[CheckHit]:
    """Any /etc/passwd entry other than root with UID 0 is root under another name."""
    for account in ctx.accounts:
        if account.uid == 0 and account.name != "root":
            yield CheckHit("/etc/passwd", f"account '{account.name}' has UID 0 (root)",
                           account.line, f"{account.name}:x:0:{account.gid}:...:{account.shell}")


@backdoor_check("SW-BD-028", "Account with an empty password", "high", ("T1078.003",),
                "Lock the account (passwd -l) or set a password; never ship passwordless logins.")
def empty_passwords(ctx: BackdoorContext) -> Iterator[CheckHit]:
    """Empty password field in /etc/shadow (or in /etc/passwd when shadow has no
    entry) for an account that has a login shell."""
    shadow = ctx.shadow
    for account in ctx.accounts:
        if account.shell.rsplit("/", 1)[-1] in _NO_LOGIN:
            continue
        if account.name in shadow:
            field, number = shadow[account.name]
            if field == "":
                yield CheckHit("/etc/shadow", f"'{account.name}' logs in without a password",
                               number, f"{account.name}::...",
                               subject=empty_password_subject("/etc/shadow", account.name))
        elif account.password_field == "":
            yield CheckHit("/etc/passwd", f"'{account.name}' logs in without a password",
                           account.line, f"{account.name}::...",
                           subject=empty_password_subject("/etc/passwd", account.name))
