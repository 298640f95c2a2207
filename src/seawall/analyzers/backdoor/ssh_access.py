"""SSH persistence: sshd_config options, authorized_keys baked into the image, sshd
replaced by a wrapper script, and the su/chsh -> sshd "rootok" symlink trick."""

from __future__ import annotations

import re
from collections.abc import Iterator

from seawall.analyzers.backdoor.check_registry import CheckHit, backdoor_check
from seawall.analyzers.backdoor.scan_context import TEMP_DIRS, BackdoorContext
from seawall.model.finding import Severity

SSHD_BINARIES = ("/usr/sbin/sshd", "/usr/bin/sshd", "/sbin/sshd")
_KEY_TYPES = re.compile(r"(?:^|\s)((?:ssh|ecdsa|sk)-[\w@.-]+)\s+([A-Za-z0-9+/=]{20,})(?:\s+(.*))?$")
_DANGEROUS_OPTIONS = re.compile(r"(?:^|,)\s*(command|environment|tunnel|permitopen)=", re.I)
_REMEDIATION_CONF = (
    "Fix sshd_config (sshd -T shows the effective values); do not ship sshd in images."
)


def sshd_config_lines(ctx: BackdoorContext) -> Iterator[tuple[str, int, str, str]]:
    """(file, line number, keyword lower-cased, value) of sshd_config and its
    sshd_config.d drop-ins, outside ``Match`` blocks' bodies too (they count)."""
    for path in ("/etc/ssh/sshd_config", *ctx.files_in("/etc/ssh/sshd_config.d")):
        for number, line in ctx.lines(path):
            text = line.split("#", 1)[0].strip()
            if not text:
                continue
            keyword, _, value = text.replace("=", " ", 1).partition(" ")
            yield path, number, keyword.lower(), value.strip()


@backdoor_check("SW-BD-020", "sshd fetches keys from a command or an unusual file", "high",
                ("T1098.004",), _REMEDIATION_CONF)
def sshd_key_sources(ctx: BackdoorContext) -> Iterator[CheckHit]:
    """AuthorizedKeysCommand (any program can then grant access) and
    AuthorizedKeysFile outside ~/.ssh and /etc/ssh."""
    for path, number, keyword, value in sshd_config_lines(ctx):
        if keyword == "authorizedkeyscommand" and value.lower() != "none":
            yield CheckHit(path, f"AuthorizedKeysCommand {value} decides who may log in",
                           number, f"AuthorizedKeysCommand {value}")
        elif keyword == "authorizedkeysfile":
            for entry in value.split():
                normal = entry.startswith((".ssh/", "%h/.ssh/", "/etc/ssh/")) or entry == "none"
                if not normal or entry.startswith(TEMP_DIRS):
                    yield CheckHit(path, f"keys are also read from {entry}", number,
                                   f"AuthorizedKeysFile {value}")


@backdoor_check("SW-BD-021", "sshd allows empty passwords", "high", ("T1098",),
                _REMEDIATION_CONF)
def sshd_empty_passwords(ctx: BackdoorContext) -> Iterator[CheckHit]:
    """PermitEmptyPasswords yes; critical together with PermitRootLogin yes."""
    lines = list(sshd_config_lines(ctx))
    # OpenSSH keeps the first value it reads for a keyword.
    root = next((v.lower() for _, _, k, v in lines if k == "permitrootlogin"), "")
    for path, number, keyword, value in lines:
        if keyword == "permitemptypasswords" and value.lower() == "yes":
            severe = root == "yes"
            why = "accounts without a password can log in over SSH"
            if severe:
                why += ", root included (PermitRootLogin yes)"
            yield CheckHit(path, why, number, f"PermitEmptyPasswords {value}",
                           Severity.CRITICAL if severe else None)
            break


@backdoor_check("SW-BD-022", "SSH authorized_keys baked into the image", "high",
                ("T1098.004",), "Remove the key file; inject keys at deploy time if SSH is needed.")
def baked_authorized_keys(ctx: BackdoorContext) -> Iterator[CheckHit]:
    """Keys in root's and users' authorized_keys(2); forced-command/environment
    options make it critical. Only key type and comment are shown."""
    for home in ctx.home_dirs:
        for name in ("authorized_keys", "authorized_keys2"):
            path = f"{home.rstrip('/')}/.ssh/{name}"
            for number, line in ctx.lines(path):
                text = line.strip()
                match = _KEY_TYPES.search(text)
                if not match or text.startswith("#"):
                    continue
                options = text[: match.start()].strip()
                shown = f"{match.group(1)} {match.group(2)[:12]}... {match.group(3) or ''}".strip()
                if options and _DANGEROUS_OPTIONS.search(options):
                    yield CheckHit(path, f"key with options {options[:80]} grants access",
                                   number, shown, Severity.CRITICAL)
                else:
                    yield CheckHit(path, "a key that grants SSH access ships in the image",
                                   number, shown)


@backdoor_check("SW-BD-023", "sshd binary replaced by a script", "critical", ("T1554",),
                "Reinstall openssh-server from the distribution.")
def sshd_wrapper(ctx: BackdoorContext) -> Iterator[CheckHit]:
    """The classic wrapper: /usr/sbin/sshd is a script that runs the real daemon
    (moved elsewhere) after setting up a backdoor."""
    for path in SSHD_BINARIES:
        info = ctx.info(path)
        if info is None or not info.is_file():
            continue
        head = ctx.read_bytes(path, 256) or b""
        if head and not head.startswith(b"\x7fELF"):
            first = head.split(b"\n", 1)[0].decode("utf-8", errors="replace")
            yield CheckHit(path, "sshd is not an ELF executable", 1, first)


@backdoor_check("SW-BD-024", "su/chsh/chfn/runuser is a symlink to sshd (rootok backdoor)",
                "critical", ("T1556",), "Delete the symlink; reinstall the real binary.")
def sshd_rootok_symlink(ctx: BackdoorContext) -> Iterator[CheckHit]:
    """sshd started under one of these names accepts any password via PAM's
    pam_rootok; the walk collects every symlink with such a name."""
    for path in ctx.candidates.get("symlink-login", []):
        info = ctx.info(path)
        if info is not None and info.linkname and info.linkname.rsplit("/", 1)[-1] == "sshd":
            yield CheckHit(path, f"{path} -> {info.linkname}", None, info.linkname)
