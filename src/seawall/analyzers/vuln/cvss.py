"""CVSS base scores from vector strings (OSV stores vectors, never numbers).

v3.0/v3.1: the base-score formula of the CVSS v3.1 specification (section 7.1) with
its ``Roundup``; v4.0 through the ``cvss`` package (its MacroVector lookup tables are
large and easy to get wrong by hand); v2 for old records only.
"""

from __future__ import annotations

import math

from seawall.model.finding import Severity

_AV = {"N": 0.85, "A": 0.62, "L": 0.55, "P": 0.2}
_AC = {"L": 0.77, "H": 0.44}
_PR_UNCHANGED = {"N": 0.85, "L": 0.62, "H": 0.27}
_PR_CHANGED = {"N": 0.85, "L": 0.68, "H": 0.5}
_UI = {"N": 0.85, "R": 0.62}
_CIA = {"H": 0.56, "L": 0.22, "N": 0.0}


class CvssVectorError(ValueError):
    """The vector string is not a valid CVSS base vector."""


def _roundup(value: float) -> float:
    """CVSS v3.1 Roundup: smallest one-decimal number >= value, free of float noise."""
    int_input = round(value * 100000)
    if int_input % 10000 == 0:
        return int_input / 100000.0
    return (math.floor(int_input / 10000) + 1) / 10.0


def _metrics(vector: str, prefix_required: bool) -> dict[str, str]:
    parts = vector.strip().split("/")
    if prefix_required:
        if not parts or not parts[0].startswith("CVSS:"):
            raise CvssVectorError(f"not a CVSS vector: {vector!r}")
        parts = parts[1:]
    out: dict[str, str] = {}
    for part in parts:
        key, sep, value = part.partition(":")
        if not sep:
            raise CvssVectorError(f"bad metric {part!r} in {vector!r}")
        out[key] = value
    return out


def cvss3_base_score(vector: str) -> float:
    """Base score of a ``CVSS:3.0/...`` or ``CVSS:3.1/...`` vector."""
    m = _metrics(vector, prefix_required=True)
    try:
        scope_changed = m["S"] == "C"
        if m["S"] not in ("U", "C"):
            raise KeyError("S")
        iss = 1 - (1 - _CIA[m["C"]]) * (1 - _CIA[m["I"]]) * (1 - _CIA[m["A"]])
        pr = (_PR_CHANGED if scope_changed else _PR_UNCHANGED)[m["PR"]]
        exploitability = 8.22 * _AV[m["AV"]] * _AC[m["AC"]] * pr * _UI[m["UI"]]
    except KeyError as exc:
        raise CvssVectorError(f"missing or bad metric {exc} in {vector!r}") from None
    impact = 7.52 * (iss - 0.029) - 3.25 * (iss - 0.02) ** 15 if scope_changed else 6.42 * iss
    if impact <= 0:
        return 0.0
    if scope_changed:
        return _roundup(min(1.08 * (impact + exploitability), 10))
    return _roundup(min(impact + exploitability, 10))


def cvss4_base_score(vector: str) -> float:
    """Base score of a ``CVSS:4.0/...`` vector (via the ``cvss`` package)."""
    try:
        from cvss import CVSS4
    except ImportError as exc:  # pragma: no cover - declared dependency
        raise CvssVectorError("the 'cvss' package is needed for CVSS v4 vectors") from exc
    try:
        return float(CVSS4(vector).base_score)
    except Exception as exc:  # the library raises its own hierarchy
        raise CvssVectorError(f"bad CVSS v4 vector {vector!r}: {exc}") from None


_AV2 = {"L": 0.395, "A": 0.646, "N": 1.0}
_AC2 = {"H": 0.35, "M": 0.61, "L": 0.71}
_AU2 = {"M": 0.45, "S": 0.56, "N": 0.704}
_CIA2 = {"N": 0.0, "P": 0.275, "C": 0.660}


def cvss2_base_score(vector: str) -> float:
    """Base score of a CVSS v2 vector (``AV:N/AC:L/Au:N/C:P/I:P/A:P``)."""
    text = vector[len("CVSS:2.0/") :] if vector.startswith("CVSS:2.0/") else vector
    m = _metrics(text, prefix_required=False)
    try:
        impact = 10.41 * (1 - (1 - _CIA2[m["C"]]) * (1 - _CIA2[m["I"]]) * (1 - _CIA2[m["A"]]))
        exploit = 20 * _AV2[m["AV"]] * _AC2[m["AC"]] * _AU2[m["Au"]]
    except KeyError as exc:
        raise CvssVectorError(f"missing or bad metric {exc} in {vector!r}") from None
    f_impact = 0 if impact == 0 else 1.176
    return round((0.6 * impact + 0.4 * exploit - 1.5) * f_impact + 1e-9, 1)


def base_score(vector: str) -> float:
    """Base score of any CVSS vector, by its version prefix."""
    if vector.startswith("CVSS:3."):
        return cvss3_base_score(vector)
    if vector.startswith("CVSS:4."):
        return cvss4_base_score(vector)
    return cvss2_base_score(vector)


def rating(score: float) -> Severity:
    """Qualitative rating (the same bands for v3 and v4; v2 scores are rated alike)."""
    if score >= 9.0:
        return Severity.CRITICAL
    if score >= 7.0:
        return Severity.HIGH
    if score >= 4.0:
        return Severity.MEDIUM
    if score > 0.0:
        return Severity.LOW
    return Severity.INFO
