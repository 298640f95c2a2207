"""Grafana: ``[security] admin_password`` in grafana.ini (plaintext) and the ``user``
table of ``grafana.db`` (SQLite; password = hex PBKDF2-HMAC-SHA256(pw, salt, 10000, 50),
grafana ``pkg/util/encoding.go``)."""

from __future__ import annotations

import os
import sqlite3
import tempfile

from seawall.analyzers.weakpass.credentials import Credential, ParseOutcome
from seawall.analyzers.weakpass.service_parser import ServiceParser, register_service, text_lines


@register_service
class GrafanaIniParser(ServiceParser):
    """grafana.ini / custom.ini / defaults.ini."""

    name = "grafana"

    def wants(self, path: str) -> bool:
        """ini files in a grafana directory."""
        return "grafana" in path and path.endswith(".ini")

    def parse(self, path: str, data: bytes) -> ParseOutcome:
        """Only the ``[security]`` section's admin_password (``;`` lines are comments)."""
        out = ParseOutcome()
        section, user = "", "admin"
        for n, raw in enumerate(text_lines(data), 1):
            line = raw.strip()
            if not line or line.startswith((";", "#")):
                continue
            if line.startswith("["):
                section = line.strip("[]").strip().lower()
                continue
            key, sep, value = line.partition("=")
            if section != "security" or not sep:
                continue
            key, value = key.strip(), value.strip().strip('"')
            if key == "admin_user":
                user = value
            elif key == "admin_password" and not value.startswith("$__"):
                out.credentials.append(Credential(self.name, user, "plain", value, path, n,
                                                  privileged=True))
        return out


@register_service
class GrafanaDbParser(ServiceParser):
    """The SQLite database."""

    name = "grafana-db"
    max_bytes = 256 * 1024 * 1024

    def wants(self, path: str) -> bool:
        """``grafana.db`` anywhere."""
        return path.endswith("/grafana.db")

    def parse(self, path: str, data: bytes) -> ParseOutcome:
        """SQLite needs a file: the bytes go to a private temp file, opened read-only."""
        out = ParseOutcome()
        fd, tmp = tempfile.mkstemp(suffix=".db")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            con = sqlite3.connect(f"file:{tmp}?mode=ro", uri=True)
            try:
                rows = con.execute("SELECT login, password, salt, is_admin FROM user").fetchall()
            finally:
                con.close()
        except sqlite3.Error as exc:
            out.skipped.append(f"{path}: not a readable Grafana database ({exc})")
            return out
        finally:
            os.unlink(tmp)
        for login, password, salt, is_admin in rows:
            if not password or not salt:
                continue
            out.context_words.append(str(login))
            out.credentials.append(Credential("grafana", str(login), "grafana-pbkdf2",
                                              f"{salt}${password}", path,
                                              privileged=bool(is_admin)))
        return out
