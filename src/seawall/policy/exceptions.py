"""Exceptions: findings a user accepted, with a reason and an optional expiry.

Three sources share one model:

* inline Kubernetes annotation ``seawall.io/ignore`` on the object (or its pod
  template): entries ``RULE[,RULE...][: reason][; expires YYYY-MM-DD]`` separated by
  newlines or ``|``;
* Dockerfile comments ``# seawall:ignore=RULE[,RULE] [reason] [expires=YYYY-MM-DD]``;
* an exceptions file (YAML/JSON) with a list of rules matched by rule ID, path,
  resource and container globs.

An expired exception no longer suppresses: the finding is reported again, with the
lapsed exception noted in its ``extra``.
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

#: Annotation carrying inline exceptions on Kubernetes objects.
IGNORE_ANNOTATION = "seawall.io/ignore"
_EXPIRES = re.compile(r"expires\s*[=:]?\s*(\d{4}-\d{2}-\d{2})", re.IGNORECASE)


@dataclass(frozen=True)
class ExceptionRule:
    """One accepted risk."""

    rules: tuple[str, ...]
    """Rule ID globs (``SW-K8S-012``, ``SW-RBAC-*``)."""
    reason: str = ""
    expires: dt.date | None = None
    path: str | None = None
    """Glob on the finding's file path (exceptions file only)."""
    resource: str | None = None
    """Glob on ``Kind/namespace/name`` (exceptions file only)."""
    container: str | None = None
    """Glob on the container name (exceptions file only)."""
    origin: str = ""
    """Where the exception was declared (annotation, comment line, file)."""

    def expired(self, today: dt.date) -> bool:
        """True once the expiry date has passed (the expiry day itself still counts)."""
        return self.expires is not None and today > self.expires

    def matches(self, finding: Finding) -> bool:
        """Does this exception cover ``finding`` (ignoring expiry)?"""
        if not any(fnmatch.fnmatchcase(finding.rule_id, r) for r in self.rules):
            return False
        loc = finding.location
        for pattern, value in (
            (self.path, loc.path),
            (self.resource, loc.resource),
            (self.container, loc.container),
        ):
            if pattern is not None and not fnmatch.fnmatchcase(value or "", pattern):
                return False
        return True

    def describe(self) -> dict[str, Any]:
        """JSON form stored on suppressed findings."""
        out: dict[str, Any] = {
            "rules": list(self.rules),
            "reason": self.reason,
            "origin": self.origin,
        }
        if self.expires is not None:
            out["expires"] = self.expires.isoformat()
        return out


def _parse_date(text: str, where: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{where}: invalid expiry date {text!r} (want YYYY-MM-DD)") from None


def parse_inline(text: str, origin: str) -> list[ExceptionRule]:
    """Entries of a ``seawall.io/ignore`` annotation value."""
    out = []
    for entry in re.split(r"[\n|]", text):
        entry = entry.strip()
        if not entry:
            continue
        head, _, tail = entry.partition(":")
        expires = None
        m = _EXPIRES.search(tail)
        if m:
            expires = _parse_date(m.group(1), origin)
            tail = tail[: m.start()] + tail[m.end() :]
        rules = tuple(r.strip() for r in head.split(",") if r.strip())
        reason = tail.strip().strip(";").strip()
        if rules:
            out.append(ExceptionRule(rules, reason, expires, origin=origin))
    return out


def parse_comment(rule_ids: list[str], text: str, origin: str) -> ExceptionRule:
    """A Dockerfile ``# seawall:ignore=`` comment (its rest is reason and expiry)."""
    expires = None
    m = _EXPIRES.search(text)
    if m:
        expires = _parse_date(m.group(1), origin)
        text = text[: m.start()] + text[m.end() :]
    return ExceptionRule(tuple(rule_ids), text.strip(" :;-"), expires, origin=origin)


def load_exceptions_file(path: str) -> list[ExceptionRule]:
    """Read an exceptions file::

    exceptions:
      - rules: [SW-K8S-011]          # or rule: SW-K8S-011
        resource: Deployment/prod/*
        path: deploy/*.yaml
        container: sidecar
        reason: read-only root breaks the vendor agent
        expires: 2027-01-31
    """
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read exceptions file {path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise InputError(f"exceptions file {path} is not valid YAML: {exc}") from None
    entries = data.get("exceptions") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        raise InputError(f"exceptions file {path}: expected a list under 'exceptions'")
    out = []
    for index, raw in enumerate(entries):
        where = f"{path}: exception {index + 1}"
        if not isinstance(raw, dict):
            raise InputError(f"{where}: expected a mapping")
        rules = raw.get("rules", raw.get("rule"))
        rules = [rules] if isinstance(rules, str) else rules
        if not rules or not all(isinstance(r, str) for r in rules):
            raise InputError(f"{where}: 'rules' must name at least one rule ID")
        expires = raw.get("expires")
        if isinstance(expires, str):
            expires = _parse_date(expires, where)
        elif expires is not None and not isinstance(expires, dt.date):
            raise InputError(f"{where}: invalid expiry {expires!r}")
        out.append(
            ExceptionRule(
                tuple(rules),
                str(raw.get("reason") or ""),
                expires,
                path=raw.get("path"),
                resource=raw.get("resource"),
                container=raw.get("container"),
                origin=f"{path}#{index + 1}",
            )
        )
    return out


def apply_exceptions(finding: Finding, candidates: list[ExceptionRule], today: dt.date) -> bool:
    """True when a live exception suppresses ``finding`` (recorded in its extra);
    a matching but expired exception is noted and does not suppress."""
    expired = None
    for exc in candidates:
        if not exc.matches(finding):
            continue
        if exc.expired(today):
            expired = exc
            continue
        finding.extra["exception"] = exc.describe()
        return True
    if expired is not None:
        finding.extra["expired_exception"] = expired.describe()
    return False
