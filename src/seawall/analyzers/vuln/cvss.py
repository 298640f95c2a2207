"""CVSS base scores from vector strings (OSV stores vectors, never numbers), through
the ``cvss`` package (RedHatProductSecurity/cvss): it implements the v2, v3.0/v3.1 and
v4.0 specifications with their rounding rules and v4's MacroVector tables, which are
easy to get subtly wrong by hand. Scores map to ratings with NVD's bands."""

from __future__ import annotations

from cvss import CVSS2, CVSS3, CVSS4, CVSSError

from seawall.model.finding import Severity


class CvssVectorError(ValueError):
    """The vector string is not a valid CVSS base vector."""


def base_score(vector: str) -> float:
    """Base score of any CVSS vector, by its version prefix (``CVSS:3.1/``,
    ``CVSS:4.0/``; no prefix or ``CVSS:2.0/`` is v2)."""
    text = vector.strip()
    try:
        if text.startswith("CVSS:3."):
            return float(CVSS3(text).base_score)
        if text.startswith("CVSS:4."):
            return float(CVSS4(text).base_score)
        if text.startswith("CVSS:2.0/"):
            text = text[len("CVSS:2.0/") :]
        elif text.startswith("CVSS:"):
            raise CvssVectorError(f"unsupported CVSS version in {vector!r}")
        return float(CVSS2(text).base_score)
    except (CVSSError, KeyError, ValueError, IndexError) as exc:
        if isinstance(exc, CvssVectorError):
            raise
        raise CvssVectorError(f"bad CVSS vector {vector!r}: {exc}") from None


def rating(score: float) -> Severity:
    """NVD's qualitative rating of a v3.x/v4.0 score (v2 scores are rated on the same
    bands): 9.0-10 critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low, 0.0 none."""
    if score >= 9.0:
        return Severity.CRITICAL
    if score >= 7.0:
        return Severity.HIGH
    if score >= 4.0:
        return Severity.MEDIUM
    if score > 0.0:
        return Severity.LOW
    return Severity.INFO
