"""License names as package metadata writes them, mapped to SPDX identifiers where the
meaning is unambiguous (Debian DEP-5 short names, common free-text spellings)."""

from __future__ import annotations

import re
from functools import lru_cache

# DEP-5 short names (https://dep-team.pages.debian.net/deps/dep5/#license-short-name)
# and frequent metadata spellings whose SPDX id is certain.
_ALIASES = {
    "expat": "MIT",
    "mit": "MIT",
    "mit license": "MIT",
    "mit/x11": "MIT",
    "apache-2.0": "Apache-2.0",
    "apache 2.0": "Apache-2.0",
    "apache-2": "Apache-2.0",
    "apache license 2.0": "Apache-2.0",
    "apache license, version 2.0": "Apache-2.0",
    "apache software license": "Apache-2.0",
    "bsd-2-clause": "BSD-2-Clause",
    "bsd-3-clause": "BSD-3-Clause",
    "bsd-4-clause": "BSD-4-Clause",
    "isc": "ISC",
    "zlib": "Zlib",
    "psf-2": "PSF-2.0",
    "psf": "PSF-2.0",
    "python": "Python-2.0",
    "mpl-1.1": "MPL-1.1",
    "mpl-2.0": "MPL-2.0",
    "artistic": "Artistic-1.0-Perl",
    "artistic-2.0": "Artistic-2.0",
    "cc0-1.0": "CC0-1.0",
    "cc0": "CC0-1.0",
    "openssl": "OpenSSL",
    "curl": "curl",
    "unlicense": "Unlicense",
    "wtfpl": "WTFPL",
    "0bsd": "0BSD",
    "x11": "X11",
    "sleepycat": "Sleepycat",
    "ftl": "FTL",
    "ruby": "Ruby",
    "epl-1.0": "EPL-1.0",
    "epl-2.0": "EPL-2.0",
    "cddl-1.0": "CDDL-1.0",
    "bsl-1.0": "BSL-1.0",
    "gfdl-1.2+": "GFDL-1.2-or-later",
    "gfdl-1.3+": "GFDL-1.3-or-later",
    "gfdl-1.3": "GFDL-1.3-only",
}

_GNU = re.compile(
    r"^(?P<kind>a?gpl|lgpl)[- ]?v?(?P<ver>\d(?:\.\d)?)(?P<plus>\+)?(?:-only|-or-later)?$",
    re.IGNORECASE,
)
_GNU_PLUS_SUFFIX = re.compile(r"-or-later$", re.IGNORECASE)


@lru_cache(maxsize=4096)
def normalize_license(name: str) -> str:
    """SPDX id for a license name when certain, else the name unchanged (trimmed)."""
    value = name.strip().strip(",;")
    if not value:
        return ""
    alias = _ALIASES.get(value.lower())
    if alias:
        return alias
    match = _GNU.match(value)
    if match:
        kind = match.group("kind").upper()
        version = match.group("ver")
        if "." not in version:
            version += ".0"
        later = bool(match.group("plus")) or bool(_GNU_PLUS_SUFFIX.search(value))
        return f"{kind}-{version}-{'or-later' if later else 'only'}"
    return value
