"""Every built-in analyzer, registered in one place (Trivy's ``pkg/fanal/analyzer/all``).

This module registers the built-in classes in
:data:`seawall.analyzers.catalog.ANALYZERS` in the order of :data:`BUILTIN_ANALYZERS`
(the order analyzers run in and ``seawall plugin list`` shows), then the third-party
analyzers of the ``seawall.plugins`` entry point group. Whoever reads the table imports
this module at import time, so the table is complete before any scan starts, whatever
runs in parallel afterwards (a table filled on first use raced: two threads scanning at
once saw it half filled). Adding a built-in analyzer = adding its module and one line
here.
"""

from __future__ import annotations

from seawall.analyzers.backdoor.analyzer import BackdoorAnalyzer
from seawall.analyzers.catalog import (
    register_analyzer,
    register_entry_point_analyzers,
)
from seawall.analyzers.malware.analyzer import MalwareAnalyzer
from seawall.analyzers.misconfig.config_files_analyzer import ConfigFilesAnalyzer
from seawall.analyzers.misconfig.imageconfig_analyzer import ImageConfigAnalyzer
from seawall.analyzers.packages.analyzer import PackagesAnalyzer
from seawall.analyzers.privesc.analyzer import PrivescAnalyzer
from seawall.analyzers.secret.analyzer import SecretAnalyzer
from seawall.analyzers.vuln.analyzer import VulnAnalyzer
from seawall.analyzers.vuln.sbom_analyzer import SbomVulnAnalyzer
from seawall.analyzers.weakpass.analyzer import WeakpassAnalyzer

BUILTIN_ANALYZERS = (
    ImageConfigAnalyzer,
    ConfigFilesAnalyzer,
    PackagesAnalyzer,
    VulnAnalyzer,
    SbomVulnAnalyzer,
    BackdoorAnalyzer,
    MalwareAnalyzer,
    PrivescAnalyzer,
    SecretAnalyzer,
    WeakpassAnalyzer,
)
"""The built-in analyzer classes, in registration order."""

for _analyzer in BUILTIN_ANALYZERS:
    register_analyzer(_analyzer)

# Third-party analyzers after the built-ins: a built-in name always wins.
register_entry_point_analyzers()
