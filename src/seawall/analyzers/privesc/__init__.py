"""The ``privesc`` scanner: setuid binaries, sudoers, capabilities, writable auth
files and PATH entries, root-equivalent groups."""

from seawall.analyzers.privesc.analyzer import PrivescAnalyzer

__all__ = ["PrivescAnalyzer"]
