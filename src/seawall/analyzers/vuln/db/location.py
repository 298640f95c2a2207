"""Where the vulnerability database lives: ``--db-dir``, else ``SEAWALL_DB_DIR``, else
``$XDG_CACHE_HOME/seawall/db`` (``~/.cache/seawall/db``)."""

from __future__ import annotations

import os
from pathlib import Path

DB_FILENAME = "vuln.db"


def default_db_dir() -> Path:
    """The directory from the environment, or the per-user cache."""
    env = os.environ.get("SEAWALL_DB_DIR")
    if env:
        return Path(env).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "seawall" / "db"


def db_path(db_dir: str | os.PathLike[str] | None = None) -> Path:
    """Path of ``vuln.db`` inside ``db_dir`` (default: :func:`default_db_dir`)."""
    base = Path(db_dir).expanduser() if db_dir else default_db_dir()
    return base / DB_FILENAME
