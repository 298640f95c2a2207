"""Vulnerability scanning: installed packages matched against the offline DB.

The ``vuln`` analyzer (:mod:`.analyzer`) reads the package inventory fact (gathered
once per scan, per-layer cached; ``--scanners vuln`` alone gathers it too) and matches
it with :func:`match_packages`. Other callers (``sbom-scan``, the Python API) use
:func:`match_packages` directly with an open :class:`VulnStore`.

Options (``ScanOptions.analyzer_options``): ``vuln.db_dir`` (else ``SEAWALL_DB_DIR``,
else ``~/.cache/seawall/db``), ``vuln.ignore_unfixed`` (else
``SEAWALL_IGNORE_UNFIXED``).
"""

from seawall.analyzers.vuln.analyzer import VulnAnalyzer
from seawall.analyzers.vuln.db.store import VulnStore
from seawall.analyzers.vuln.matching.matcher import match_packages

# Registers the ``sbom-vuln`` scanner (``seawall sbom-scan``) next to ``vuln``.
from seawall.analyzers.vuln import sbom_analyzer as _sbom_analyzer  # noqa: E402

__all__ = ["VulnAnalyzer", "VulnStore", "_sbom_analyzer", "match_packages"]
