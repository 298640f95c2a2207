"""The offline vulnerability database: SQLite, built aside and swapped in atomically."""

from seawall.analyzers.vuln.db.errors import CorruptDatabaseError, NoDatabaseError
from seawall.analyzers.vuln.db.location import db_path, default_db_dir
from seawall.analyzers.vuln.db.store import VulnStore

__all__ = ["CorruptDatabaseError", "NoDatabaseError", "VulnStore", "db_path", "default_db_dir"]
