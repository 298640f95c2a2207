"""Matching installed packages to advisories."""

from seawall.analyzers.vuln.matching.matcher import MatchOptions, match_packages

__all__ = ["MatchOptions", "match_packages"]
