"""The ``secret`` scanner: credentials in files and image metadata, sensitive files.

Rules are data (``seawall/rules/secrets/*.yaml``); :mod:`.engine` runs all of them in
one pass per file; :mod:`.analyzer` plugs the engine into the scan driver.
"""

from seawall.analyzers.secret.analyzer import SecretAnalyzer

__all__ = ["SecretAnalyzer"]
