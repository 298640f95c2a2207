"""Version ordering per ecosystem, exactly as the native tools order versions."""

from seawall.analyzers.vuln.versions.interface import (
    InvalidVersionError,
    UnknownEcosystemError,
    VersionError,
    VersionScheme,
)
from seawall.analyzers.vuln.versions.registry import (
    PACKAGE_TYPE_ECOSYSTEMS,
    parse_version,
    scheme_for_ecosystem,
    scheme_for_package_type,
)

__all__ = [
    "PACKAGE_TYPE_ECOSYSTEMS",
    "InvalidVersionError",
    "UnknownEcosystemError",
    "VersionError",
    "VersionScheme",
    "parse_version",
    "scheme_for_ecosystem",
    "scheme_for_package_type",
]
