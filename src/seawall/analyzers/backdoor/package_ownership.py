"""Which files the package manager installed (dpkg ``info/*.list``, apk
``installed``), so checks can tell a distribution's own PAM module, kernel module or
systemd unit from one somebody dropped in.

usrmerge makes ``/lib/x`` and ``/usr/lib/x`` the same file while dpkg lists only one
spelling, so paths are compared in a canonical ``/usr`` form. When the image has no
package database at all, :attr:`PackageOwnership.known` is False and ownership-based
checks stay silent rather than flag every file.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from seawall.fs.interface import FileSystem

DPKG_INFO = "/var/lib/dpkg/info"
APK_INSTALLED = ("/lib/apk/db/installed", "/usr/lib/apk/db/installed")
MAX_LIST_BYTES = 32 * 1024 * 1024
_MERGED = ("/bin/", "/sbin/", "/lib/", "/lib32/", "/lib64/", "/libx32/")


def canonical(path: str) -> str:
    """``/lib/x`` -> ``/usr/lib/x`` (usrmerge), other paths unchanged."""
    for prefix in _MERGED:
        if path.startswith(prefix):
            return "/usr" + path
    return path


@dataclass
class PackageOwnership:
    """The set of package-owned paths (canonical form)."""

    owned: set[str] = field(default_factory=set)
    known: bool = False
    """True when a package database was found and read."""

    def owns(self, path: str) -> bool:
        """Was ``path`` installed by a package? (False when unknown.)"""
        return canonical(path) in self.owned


def load_package_ownership(fs: FileSystem) -> PackageOwnership:
    """Read every dpkg ``*.list`` and apk ``installed`` database in ``fs``."""
    out = PackageOwnership()
    try:
        names = fs.listdir(DPKG_INFO)
    except OSError:
        names = []
    for name in names:
        if not name.endswith(".list"):
            continue
        try:
            data = fs.read_bytes(f"{DPKG_INFO}/{name}", 0, MAX_LIST_BYTES)
        except OSError:
            continue
        out.known = True
        for line in data.decode("utf-8", errors="replace").splitlines():
            if line.startswith("/"):
                out.owned.add(canonical(line.rstrip()))
    for db in APK_INSTALLED:
        try:
            data = fs.read_bytes(db, 0, MAX_LIST_BYTES)
        except OSError:
            continue
        out.known = True
        directory = ""
        for line in data.decode("utf-8", errors="replace").splitlines():
            if line.startswith("F:"):
                directory = "/" + line[2:].strip("/")
            elif line.startswith("R:"):
                out.owned.add(canonical(f"{directory.rstrip('/')}/{line[2:]}"))
    return out
