"""Where the tests find ../shared (the read-only data laid beside the repository).

Tests refer to it relative to the repository, never by an absolute path. When a module
needs data that is missing, :func:`require_shared` skips it on a developer machine but
fails it when ``CI`` is set: CI always has ../shared, so missing data there is a bug,
not a reason to pass silently.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DIR = REPO_ROOT.parent / "shared"


def shared_path(relative: str) -> Path:
    """``../shared/<relative>`` as an absolute path (it may not exist)."""
    return SHARED_DIR / relative


def require_shared(relative: str) -> Path:
    """``../shared/<relative>``; skip the caller when absent, fail instead under CI."""
    path = shared_path(relative)
    if not path.exists():
        message = f"{path} not present (tests read ../shared relative to the repository)"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return path


def shared_marker(relative: str) -> pytest.MarkDecorator:
    """A module/test mark: skip when ``../shared/<relative>`` is absent, except under
    ``CI``, where the mark is empty so the test runs and fails on the missing data."""
    present = shared_path(relative).exists() or bool(os.environ.get("CI"))
    return pytest.mark.skipif(not present, reason=f"../shared/{relative} not present")
