"""Vulnerability scanning: installed packages matched against the offline DB.

The ``vuln`` analyzer (:mod:`.analyzer`) reads the package inventory fact (gathered
once per scan, per-layer cached; ``--scanners vuln`` alone gathers it too) and matches
it with :func:`match_packages`; the ``sbom-vuln`` analyzer (:mod:`.sbom_analyzer`)
matches the packages an SBOM lists (``seawall sbom-scan``). The Python API uses
:func:`match_packages` directly with an open :class:`VulnStore`.

Options (``ScanOptions.analyzer_options``): ``vuln.db_dir`` (else ``SEAWALL_DB_DIR``,
else ``~/.cache/seawall/db``), ``vuln.ignore_unfixed`` (else
``SEAWALL_IGNORE_UNFIXED``).
"""

from seawall.analyzers.vuln.analyzer import VulnAnalyzer
from seawall.analyzers.vuln.db.store import VulnStore
from seawall.analyzers.vuln.matching.matcher import match_packages

__all__ = ["VulnAnalyzer", "VulnStore", "match_packages"]
