"""The ``weakpass`` scanner: offline dictionary attack on stored passwords.

One module per password store in :mod:`.services`; hashes are verified through the
system libcrypt (:mod:`.libcrypt`) or :mod:`.verifiers`; :mod:`.cracker` spreads the
work over every core; :mod:`.analyzer` plugs it into the scan driver.
"""

from seawall.analyzers.weakpass.analyzer import WeakpassAnalyzer

__all__ = ["WeakpassAnalyzer"]
