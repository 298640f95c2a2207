"""Validation of findings and packages a plugin reports (they are untrusted input:
a plugin's mistake becomes an error entry, never a broken report)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from seawall.model.finding import Category, Finding, Severity
from seawall.model.package import Package

_FINDING_KEYS = {
    "id",
    "rule_id",
    "category",
    "severity",
    "title",
    "description",
    "remediation",
    "location",
    "package",
    "evidence",
    "references",
    "tags",
    "extra",
}
_LOCATION_KEYS = {"path": str, "layer": str, "line": int, "resource": str, "container": str}
_PACKAGE_REF_KEYS = {"name": str, "version": str, "fixed_version": str, "type": str, "purl": str}
_MAX_TEXT = 64 * 1024
#: Evidence is meant to be a masked excerpt, never a whole file or secret.
MAX_EVIDENCE = 1024


def _text(d: dict[str, Any], key: str, required: bool = False, limit: int = _MAX_TEXT) -> None:
    if key not in d or d[key] is None:
        if required:
            raise ValueError(f"missing {key!r}")
        return
    value = d[key]
    if not isinstance(value, str):
        raise ValueError(f"{key!r} must be a string")
    if required and not value.strip():
        raise ValueError(f"{key!r} must not be empty")
    if len(value) > limit:
        raise ValueError(f"{key!r} is longer than {limit} characters")


def _typed_object(value: Any, schema: Mapping[str, type], what: str) -> None:
    if not isinstance(value, dict):
        raise ValueError(f"{what!r} must be an object")
    for key, item in value.items():
        if key not in schema:
            raise ValueError(f"unknown field {what}.{key}")
        if item is not None and (isinstance(item, bool) or not isinstance(item, schema[key])):
            raise ValueError(f"{what}.{key} must be {schema[key].__name__}")


def validate_finding(data: Any) -> Finding:
    """A :class:`Finding` from a plugin's JSON, or ``ValueError`` saying what is wrong."""
    if not isinstance(data, dict):
        raise ValueError("a finding must be a JSON object")
    unknown = sorted(set(data) - _FINDING_KEYS)
    if unknown:
        raise ValueError(f"unknown field(s) {', '.join(unknown)}")
    _text(data, "rule_id", required=True, limit=200)
    _text(data, "title", required=True, limit=1000)
    for key in ("description", "remediation", "id"):
        _text(data, key)
    _text(data, "evidence", limit=MAX_EVIDENCE)
    category = data.get("category")
    if category not in {c.value for c in Category}:
        raise ValueError(
            f"category {category!r} is not one of {', '.join(c.value for c in Category)}"
        )
    severity = data.get("severity")
    if not isinstance(severity, str):
        raise ValueError("'severity' must be a string")
    try:
        Severity.parse(severity)
    except ValueError:
        raise ValueError(
            f"severity {severity!r} is not one of critical, high, medium, low, unknown, info"
        ) from None
    if data.get("location") is not None:
        _typed_object(data["location"], _LOCATION_KEYS, "location")
    if data.get("package") is not None:
        _typed_object(data["package"], _PACKAGE_REF_KEYS, "package")
        _text(data["package"], "name", required=True)
        _text(data["package"], "version", required=True)
    refs = data.get("references") or []
    if not isinstance(refs, list) or not all(isinstance(r, str) for r in refs):
        raise ValueError("'references' must be a list of strings")
    tags = data.get("tags") or {}
    if not isinstance(tags, dict) or not all(
        isinstance(v, list) and all(isinstance(x, str) for x in v) for v in tags.values()
    ):
        raise ValueError("'tags' must map names to lists of strings")
    if data.get("extra") is not None and not isinstance(data["extra"], dict):
        raise ValueError("'extra' must be an object")
    return Finding.from_dict(data)


def validate_package(data: Any) -> Package:
    """A :class:`Package` from a plugin's JSON, or ``ValueError``."""
    if not isinstance(data, dict):
        raise ValueError("a package must be a JSON object")
    for key in ("name", "version", "type"):
        _text(data, key, required=True, limit=1000)
    for key in ("purl", "source_name", "source_version", "arch", "layer", "path"):
        _text(data, key, limit=4096)
    return Package.from_dict(data)
