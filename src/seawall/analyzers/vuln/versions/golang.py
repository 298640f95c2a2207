"""Go module versions: semver with a ``v`` prefix, pseudo-versions
(``v0.0.0-20191109021931-daa7c04131f5``, ordered as pre-releases, which is how the go
command orders them), ``+incompatible`` (build metadata, ignored), and Go toolchain
versions for ``stdlib``/``toolchain`` (``go1.21.3``, ``1.21rc2``, ``go1.20``)."""

from __future__ import annotations

import re
from typing import ClassVar

from seawall.analyzers.vuln.versions.interface import InvalidVersionError, VersionScheme
from seawall.analyzers.vuln.versions.semver import SemVer, parse_semver

_TOOLCHAIN = re.compile(r"^(?:go)?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:(rc|beta|alpha)(\d+))?$")


def toolchain_to_semver(version: str) -> str | None:
    """``go1.21rc2`` -> ``1.21.0-rc.2``, ``go1.20`` -> ``1.20.0`` (x/vuln's rule);
    None when ``version`` is not a Go toolchain version."""
    m = _TOOLCHAIN.match(version.strip())
    if not m:
        return None
    major, minor, patch, pre, pre_no = m.groups()
    out = f"{major}.{minor or 0}.{patch or 0}"
    if pre:
        out += f"-{pre}.{pre_no}"
    return out


class GoScheme(VersionScheme):
    """Go modules and the Go toolchain."""

    name: ClassVar[str] = "go"

    def parse(self, version: str) -> SemVer:
        """Parse a module version (``v1.2.3``, pseudo-version) or a toolchain version."""
        text = version.strip()
        if text.startswith("go") or not text.startswith("v"):
            converted = toolchain_to_semver(text)
            if converted is not None:
                return parse_semver(converted, scheme="go")
        if text.startswith("v") or text[:1].isdigit():
            return parse_semver(text, scheme="go")
        raise InvalidVersionError("go", version)
