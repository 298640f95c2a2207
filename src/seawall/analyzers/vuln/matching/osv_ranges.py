"""Is a version inside an OSV ``affected`` entry? (OSV schema, "Evaluation").

``ECOSYSTEM`` ranges use the ecosystem's ordering, ``SEMVER`` ranges SemVer (the Go
ordering for Go, which also reads toolchain versions), ``GIT`` ranges are ignored
(commits cannot be compared without the repository). Ranges whose bounds do not parse
are skipped, so one bad advisory never hides the others.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from seawall.analyzers.vuln.db.store import AffectedRow
from seawall.analyzers.vuln.versions import VersionScheme, parse_version
from seawall.analyzers.vuln.versions.golang import GoScheme
from seawall.analyzers.vuln.versions.interface import VersionError
from seawall.analyzers.vuln.versions.semver import NpmRange, SemVer, SemVerScheme, parse_semver

log = logging.getLogger(__name__)
_SEMVER = SemVerScheme()
_GO = GoScheme()
_EVENT_ORDER = {"introduced": 0, "last_affected": 1, "fixed": 2, "limit": 3}


@dataclass(frozen=True)
class RangeVerdict:
    """Outcome for one affected entry."""

    affected: bool
    fixed_versions: tuple[str, ...] = ()
    """Fix versions of the interval(s) that contain the installed version."""


def _range_scheme(range_type: str, ecosystem_scheme: VersionScheme) -> VersionScheme | None:
    if range_type == "ECOSYSTEM":
        return ecosystem_scheme
    if range_type == "SEMVER":
        return _GO if isinstance(ecosystem_scheme, GoScheme) else _SEMVER
    return None


_Prepared = list[tuple[Any, int, str, str]]
_PREPARED: dict[int, tuple[list[dict[str, Any]], str, _Prepared]] = {}


def _prepare(events: list[dict[str, Any]], scheme: VersionScheme) -> _Prepared:
    """Parse and sort a range's events once per events list (rows are cached by the
    matcher, so the same list object comes back for every package of that name)."""
    cached = _PREPARED.get(id(events))
    if cached is not None and cached[0] is events and cached[1] == scheme.name:
        return cached[2]
    keyed = []
    for ev in events:
        kind, value = next(iter(ev.items()))
        if kind not in _EVENT_ORDER:
            continue
        bound = None if (kind == "introduced" and str(value) == "0") else parse_version(
            scheme, str(value))
        keyed.append((bound, _EVENT_ORDER[kind], kind, str(value)))
    keyed.sort(key=lambda k: k[1])
    zero = [k for k in keyed if k[0] is None]
    rest = sorted((k for k in keyed if k[0] is not None), key=_SortKey)
    prepared = zero + rest
    if len(_PREPARED) > 200_000:
        _PREPARED.clear()
    _PREPARED[id(events)] = (events, scheme.name, prepared)
    return prepared


def _events_verdict(version: str, events: list[dict[str, Any]], scheme: VersionScheme
                    ) -> RangeVerdict | None:
    try:
        v = parse_version(scheme, version)
        prepared = _prepare(events, scheme)
    except (VersionError, StopIteration, AttributeError):
        return None
    affected = False
    fixes: list[str] = []
    pending_fix = False
    for bound, _, kind, text in prepared:
        if kind == "introduced":
            if bound is None or v >= bound:
                affected = True
                pending_fix = True
        elif kind == "fixed":
            if v >= bound:
                affected = False
            elif affected and pending_fix:
                fixes.append(text)
                pending_fix = False
        elif kind == "last_affected":
            if v > bound:
                affected = False
            pending_fix = False
        elif kind == "limit" and v >= bound:
            affected = False
    return RangeVerdict(affected, tuple(fixes) if affected else ())


class _SortKey:
    """Sort events by parsed version (parsed versions only support comparisons)."""

    __slots__ = ("k",)

    def __init__(self, k: tuple[Any, int, str, str]) -> None:
        self.k = k

    def __lt__(self, other: _SortKey) -> bool:
        a, b = self.k[0], other.k[0]
        if a < b:
            return True
        if b < a:
            return False
        return self.k[1] < other.k[1]


def _cargo_requirement(req: str) -> NpmRange:
    """Cargo ``>= 1.2, < 2`` / bare ``1.2.3`` (caret) to the npm range grammar."""
    parts = []
    for piece in req.split(","):
        piece = piece.strip()
        parts.append("^" + piece if piece[:1].isdigit() else piece)
    return NpmRange(" ".join(parts))


def _next_fix(version: str, fixed: list[str]) -> list[str]:
    """The smallest of ``fixed`` above ``version`` (the upgrade that fixes it)."""
    installed = parse_semver(version, scheme="npm")
    best: tuple[SemVer, str] | None = None
    for candidate in fixed:
        try:
            parsed = parse_semver(str(candidate), scheme="npm")
        except VersionError:
            continue
        if installed < parsed and (best is None or parsed < best[0]):
            best = (parsed, str(candidate))
    return [best[1]] if best else []


def evaluate(version: str, row: AffectedRow, scheme: VersionScheme) -> RangeVerdict:
    """Evaluate an installed version against one affected entry."""
    fixes: list[str] = []
    hit = False
    for rng in row.ranges:
        rtype = rng.get("type", "")
        try:
            if rtype == "NPM_RANGE":
                if version not in NpmRange(str(rng.get("expr", ""))):
                    continue
                patched = rng.get("patched")
                if patched and version in NpmRange(str(patched)):
                    continue  # the data says this version has the fix
                hit = True
                fixes.extend(_next_fix(version, rng.get("fixed") or []))
                continue
            if rtype == "CARGO_REQS":
                safe = [*rng.get("patched", []), *rng.get("unaffected", [])]
                if not any(version in _cargo_requirement(r) for r in safe):
                    hit = True
                continue
        except VersionError:
            continue
        rscheme = _range_scheme(rtype, scheme)
        if rscheme is None:
            continue
        verdict = _events_verdict(version, rng.get("events") or [], rscheme)
        if verdict is None:
            log.debug("skipping unusable range of %s for %s", row.advisory_id, version)
            continue
        if verdict.affected:
            hit = True
            fixes.extend(verdict.fixed_versions)
    if not hit and version in row.versions:
        return RangeVerdict(True)
    if not hit and row.versions:
        # versions lists are exact strings, but PEP 440 "2.2" is "2.2.0"
        try:
            v = parse_version(scheme, version)
            for listed in row.versions:
                try:
                    if parse_version(scheme, listed) == v:
                        return RangeVerdict(True)
                except VersionError:
                    continue
        except VersionError:
            pass
    return RangeVerdict(hit, tuple(dict.fromkeys(fixes)))
