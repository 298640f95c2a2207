"""Which operating system a filesystem holds: os-release and the distro-specific files.

Order matters: ``/etc/os-release`` (then ``/usr/lib/os-release``) is authoritative
where present; the older release files fill in when it is missing or vague (Debian's
os-release has no VERSION_ID on testing/sid, ``/etc/debian_version`` does).
End-of-life is left to the EOL data module (``OSInfo.eol`` stays None here).
"""

from __future__ import annotations

import re

from seawall.fs.interface import FileSystem
from seawall.model.report import OSInfo

_MAX_RELEASE_FILE = 64 * 1024

#: os-release ``ID`` values that name the same family under another id.
_FAMILY_ALIASES = {
    "rhel": "redhat",
    "ol": "oracle",
    "opensuse-leap": "opensuse.leap",
    "opensuse-tumbleweed": "opensuse.tumbleweed",
    "sles": "suse",
    "amzn": "amazon",
    "almalinux": "alma",
    "rocky": "rocky",
    "mariner": "cbl-mariner",
}

_REDHAT_LIKE = re.compile(
    r"^(?P<name>[A-Za-z][A-Za-z .-]*?)\s+(?:Linux\s+)?release\s+(?P<ver>[\d.]+)"
    r"(?:\s*\((?P<code>[^)]*)\))?",
)


def parse_os_release(text: str) -> dict[str, str]:
    """Parse ``KEY=value`` lines with shell quoting as os-release(5) defines it."""
    out: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        value = re.sub(r"\\(.)", r"\1", value)
        out[key.strip()] = value
    return out


def _read_text(fs: FileSystem, path: str) -> str | None:
    try:
        if not fs.stat(path).is_file():
            return None
        return fs.read_bytes(path, 0, _MAX_RELEASE_FILE).decode("utf-8", "replace")
    except OSError:
        return None


def _from_os_release(fields: dict[str, str]) -> OSInfo | None:
    os_id = fields.get("ID", "").strip().lower()
    if not os_id:
        return None
    family = _FAMILY_ALIASES.get(os_id, os_id)
    version = fields.get("VERSION_ID", "")
    codename = fields.get("VERSION_CODENAME") or None
    if not codename and family == "ubuntu":
        codename = fields.get("UBUNTU_CODENAME") or None
    if not codename:
        match = re.search(r"\(([a-z]+)\)", fields.get("VERSION", ""))
        codename = match.group(1) if match else None
    return OSInfo(
        family=family,
        version=version,
        name=fields.get("PRETTY_NAME") or fields.get("NAME") or None,
        codename=codename,
    )


def _debian_version(fs: FileSystem) -> str | None:
    text = _read_text(fs, "/etc/debian_version")
    if not text:
        return None
    value = text.strip().splitlines()[0].strip() if text.strip() else ""
    return value or None


def _from_redhat_like(fs: FileSystem) -> OSInfo | None:
    for path, family in (
        ("/etc/centos-release", "centos"),
        ("/etc/rocky-release", "rocky"),
        ("/etc/almalinux-release", "alma"),
        ("/etc/oracle-release", "oracle"),
        ("/etc/fedora-release", "fedora"),
        ("/etc/redhat-release", "redhat"),
        ("/etc/system-release", "amazon"),
    ):
        text = _read_text(fs, path)
        if not text:
            continue
        match = _REDHAT_LIKE.match(text.strip())
        if not match:
            continue
        name = match.group("name").lower()
        if "centos" in name:
            family = "centos"
        elif "red hat" in name:
            family = "redhat"
        elif "fedora" in name:
            family = "fedora"
        elif "amazon" in name:
            family = "amazon"
        return OSInfo(
            family=family,
            version=match.group("ver"),
            name=text.strip().splitlines()[0],
            codename=match.group("code") or None,
        )
    return None


def detect_os(fs: FileSystem) -> OSInfo | None:
    """Detect the OS of a target filesystem, or None when nothing identifies one."""
    info: OSInfo | None = None
    for path in ("/etc/os-release", "/usr/lib/os-release"):
        text = _read_text(fs, path)
        if text:
            info = _from_os_release(parse_os_release(text))
            if info:
                break
    if info is not None and info.family == "alpine" and not info.version:
        release = _read_text(fs, "/etc/alpine-release")
        if release and release.strip():
            info.version = release.strip().splitlines()[0]
    if info is not None and info.family == "debian":
        precise = _debian_version(fs)
        # os-release says "12"; debian_version says "12.5" -- keep the major from
        # os-release (what advisories key on) unless os-release has none (testing/sid).
        if not info.version and precise:
            info.version = precise.split("/")[0]
    if info is not None:
        return info
    release = _read_text(fs, "/etc/alpine-release")
    if release and release.strip():
        return OSInfo(family="alpine", version=release.strip().splitlines()[0])
    redhat = _from_redhat_like(fs)
    if redhat:
        return redhat
    precise = _debian_version(fs)
    if precise:
        return OSInfo(family="debian", version=precise.split(".")[0].split("/")[0])
    return None
