"""Every built-in analyzer, imported in one place (Trivy's ``pkg/fanal/analyzer/all``).

Each analyzer module registers its class in :data:`seawall.analyzers.catalog.ANALYZERS`
when imported; this module imports them all, in the order ``--scanners`` defaults and
reports list them, and then adds the third-party analyzers of the ``seawall.plugins``
entry point group. Whoever reads the table imports this module at import time, so the
table is complete before any scan starts, whatever runs in parallel afterwards (a table
filled on first use raced: two threads scanning at once saw it half filled).
Adding a built-in analyzer = adding its module and one line here.
"""

from __future__ import annotations

from seawall.analyzers.backdoor.analyzer import BackdoorAnalyzer
from seawall.analyzers.catalog import register_entry_point_analyzers
from seawall.analyzers.malware.analyzer import MalwareAnalyzer
from seawall.analyzers.misconfig.imageconfig_analyzer import ImageConfigAnalyzer
from seawall.analyzers.packages.analyzer import PackagesAnalyzer
from seawall.analyzers.privesc.analyzer import PrivescAnalyzer
from seawall.analyzers.secret.analyzer import SecretAnalyzer
from seawall.analyzers.vuln.analyzer import VulnAnalyzer
from seawall.analyzers.weakpass.analyzer import WeakpassAnalyzer

BUILTIN_ANALYZERS = (
    BackdoorAnalyzer,
    MalwareAnalyzer,
    ImageConfigAnalyzer,
    PackagesAnalyzer,
    PrivescAnalyzer,
    SecretAnalyzer,
    VulnAnalyzer,
    WeakpassAnalyzer,
)
"""The built-in analyzer classes, in registration order."""

# Third-party analyzers after the built-ins: a built-in name always wins.
register_entry_point_analyzers()
