"""``--baseline OLD.json``: report only the findings that are new since a saved report.

Findings are compared by their stable id (rule, place, package -- never wording or line
numbers), so a finding that merely moved lines is not "new". Findings that OLD had
suppressed count as known too.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from seawall.errors import InputError


def _documents(data: Any, path: str) -> list[dict[str, Any]]:
    docs = data if isinstance(data, list) else [data]
    if not docs or not all(isinstance(d, dict) and "findings" in d for d in docs):
        raise InputError(f"baseline {path} is not a seawall JSON report (no 'findings')")
    return docs


def load_baseline_ids(path: str) -> frozenset[str]:
    """Finding ids of a saved ``--format json`` report (one document or an array)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read baseline {path}: {exc.strerror or exc}") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"baseline {path} is not JSON: {exc}") from None
    ids: set[str] = set()
    for doc in _documents(data, path):
        for key in ("findings", "suppressed"):
            for finding in doc.get(key) or []:
                if isinstance(finding, dict) and finding.get("id"):
                    ids.add(str(finding["id"]))
    return frozenset(ids)
