"""The registered checks of each domain, every built-in check module loaded."""

from __future__ import annotations

import seawall.analyzers.misconfig.all  # noqa: F401 - every built-in check bound
from seawall.analyzers.misconfig.registry import CHECKS, CheckBinding


def checks_for(domain: str) -> list[CheckBinding]:
    """The registered checks of one domain, in registration order."""
    return [b for _, b in CHECKS.items() if b.domain == domain]
