"""Ignore files: findings a team accepted, by ID, path or package, with an expiry.

Two formats, both auto-loaded from the working directory (as Trivy loads
``.trivyignore``) unless ``--ignorefile`` names files explicitly:

``.seawallignore`` -- one rule ID (``CVE-2023-0286``, ``SW-SEC-AWS-001``, globs allowed)
or finding id per line, ``#`` comments, an optional ``exp:YYYY-MM-DD`` after the ID::

    CVE-2023-0286            # openssl, not reachable
    SW-SEC-GENERIC-* exp:2026-12-31

``seawall-ignore.yaml`` -- entries that may also narrow by path glob and package purl::

    ignore:
      - id: CVE-2023-0286               # rule ID or finding id (or rule_id: ...)
        path: /usr/lib/**               # glob on the finding's path
        purl: pkg:deb/debian/openssl    # with or without @version
        expires: 2026-12-31
        statement: not reachable from the service entry point

An entry whose expiry date has passed stops suppressing; the caller warns about it.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from seawall.errors import InputError
from seawall.model.finding import Finding

#: Files loaded from the working directory when no ``--ignorefile`` is given.
DEFAULT_IGNORE_FILES = (".seawallignore", "seawall-ignore.yaml", "seawall-ignore.yml")
_EXP = re.compile(r"^exp:(\S+)$")


@dataclass(frozen=True)
class IgnoreRule:
    """One entry of an ignore file."""

    id: str | None = None
    """Glob on the rule ID, or an exact finding id."""
    rule_id: str | None = None
    """Glob on the rule ID only."""
    path: str | None = None
    """Glob on the finding's location path (``**`` crosses directories)."""
    purl: str | None = None
    """Package URL of the finding's package; without ``@version`` any version matches."""
    expires: dt.date | None = None
    """Last day the entry suppresses."""
    statement: str = ""
    """Why the finding is accepted."""
    origin: str = ""
    """``file:line`` or ``file#entry`` where the entry was written."""

    def expired(self, today: dt.date) -> bool:
        """True after the expiry day."""
        return self.expires is not None and today > self.expires

    def matches(self, finding: Finding) -> bool:
        """Does the entry cover ``finding`` (expiry aside)?"""
        if self.id is not None and not (
            finding.id == self.id or fnmatch.fnmatchcase(finding.rule_id, self.id)
        ):
            return False
        if self.rule_id is not None and not fnmatch.fnmatchcase(finding.rule_id, self.rule_id):
            return False
        if self.path is not None and not _path_matches(finding.location.path or "", self.path):
            return False
        return self.purl is None or purl_matches(self.purl, _finding_purl(finding))

    def describe(self) -> dict[str, Any]:
        """JSON form recorded on the findings it suppresses (or failed to, once expired)."""
        out: dict[str, Any] = {"kind": "ignorefile", "origin": self.origin}
        if self.statement:
            out["statement"] = self.statement
        if self.expires is not None:
            out["expires"] = self.expires.isoformat()
        return out


def _finding_purl(finding: Finding) -> str:
    return (finding.package.purl or "") if finding.package else ""


def _path_matches(path: str, pattern: str) -> bool:
    # fnmatch's * already crosses "/"; ** is accepted for people used to gitignore.
    pattern = pattern.replace("**", "*")
    return fnmatch.fnmatchcase(path, pattern) or fnmatch.fnmatchcase(path.lstrip("/"), pattern)


def purl_base(purl: str) -> str:
    """A purl without qualifiers and subpath (``?arch=...``, ``#...``)."""
    return purl.split("#", 1)[0].split("?", 1)[0]


def purl_matches(pattern: str, purl: str) -> bool:
    """``pattern`` names ``purl``: equal ignoring qualifiers, or equal up to the version
    when ``pattern`` has none."""
    if not purl:
        return False
    want, have = purl_base(pattern), purl_base(purl)
    if want == have:
        return True
    return "@" not in want and have.split("@", 1)[0] == want


def parse_date(text: str, where: str) -> dt.date:
    """``YYYY-MM-DD`` or an input error naming ``where``."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"{where}: invalid expiry date {text!r} (want YYYY-MM-DD)") from None


def parse_seawallignore(text: str, origin: str) -> list[IgnoreRule]:
    """Entries of a ``.seawallignore`` file."""
    rules = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        where = f"{origin}:{number}"
        fields = line.split()
        expires = None
        for extra in fields[1:]:
            m = _EXP.match(extra)
            if not m:
                raise InputError(f"{where}: unexpected {extra!r} (want ID [exp:YYYY-MM-DD])")
            expires = parse_date(m.group(1), where)
        comment = raw.split("#", 1)[1].strip() if "#" in raw else ""
        rules.append(IgnoreRule(id=fields[0], expires=expires, statement=comment, origin=where))
    return rules


def parse_ignore_yaml(text: str, origin: str) -> list[IgnoreRule]:
    """Entries of a ``seawall-ignore.yaml`` file (a list under ``ignore``, or a bare list)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InputError(f"{origin} is not valid YAML: {str(exc).splitlines()[0]}") from None
    entries = data.get("ignore", data.get("ignores")) if isinstance(data, dict) else data
    if data is None or entries is None:
        return []
    if not isinstance(entries, list):
        raise InputError(f"{origin}: expected a list of entries under 'ignore'")
    rules = []
    for index, raw in enumerate(entries, start=1):
        where = f"{origin}#{index}"
        if not isinstance(raw, dict):
            raise InputError(f"{where}: expected a mapping with id/rule_id/path/purl")
        unknown = set(raw) - {"id", "rule_id", "path", "purl", "expires", "statement", "reason"}
        if unknown:
            raise InputError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
        values = {k: raw.get(k) for k in ("id", "rule_id", "path", "purl")}
        if not any(values.values()):
            raise InputError(f"{where}: needs at least one of id, rule_id, path, purl")
        for key, value in values.items():
            if value is not None and not isinstance(value, str | int):
                raise InputError(f"{where}: {key} must be a string")
        expires = raw.get("expires")
        if isinstance(expires, str):
            expires = parse_date(expires, where)
        elif isinstance(expires, dt.datetime):
            expires = expires.date()
        elif expires is not None and not isinstance(expires, dt.date):
            raise InputError(f"{where}: invalid expires {expires!r} (want YYYY-MM-DD)")
        rules.append(IgnoreRule(
            id=str(values["id"]) if values["id"] is not None else None,
            rule_id=str(values["rule_id"]) if values["rule_id"] is not None else None,
            path=values["path"], purl=values["purl"], expires=expires,
            statement=str(raw.get("statement") or raw.get("reason") or ""), origin=where,
        ))
    return rules


def load_ignore_file(path: str) -> list[IgnoreRule]:
    """Read one ignore file; YAML when it ends in ``.yaml``/``.yml``."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read ignore file {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise InputError(f"ignore file {path} is not UTF-8 text") from None
    if path.endswith((".yaml", ".yml")):
        return parse_ignore_yaml(text, path)
    return parse_seawallignore(text, path)


def discover_ignore_files(directory: str = ".") -> list[str]:
    """The default ignore files present in ``directory``."""
    found = []
    for name in DEFAULT_IGNORE_FILES:
        candidate = Path(directory) / name
        if candidate.is_file():
            found.append(str(candidate) if directory != "." else name)
    return found
