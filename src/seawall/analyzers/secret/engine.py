"""The secret scanning engine: one pass per file for all rules, in bounded memory.

A file is read in chunks (1 MiB by default). Each buffer is the new chunk plus a tail
of the previous one, so a secret that straddles a chunk boundary is still seen whole.
The keyword index finds every rule keyword in the buffer in one pass; a rule's regex
then runs only on a bounded window around each hit (the hit's line, at most
``rule.window`` bytes each side; PEM-style rules look forward from the hit). Hits too
close to the end of the buffer are left for the next buffer, which still holds them in
its carried tail. Memory is O(chunk + overlap); regex work is O(hits x window).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from seawall.analyzers.secret.content_sniff import SNIFF_BYTES, binary_reason
from seawall.analyzers.secret.keyword_index import KeywordIndex
from seawall.analyzers.secret.rules import MAX_WINDOW, ContentRule, RuleSet
from seawall.analyzers.secret.value_filters import (
    is_code_shape_credential,
    is_documented_example,
    is_keyword_echo,
    is_placeholder,
    is_setting_key,
    looks_generated,
    looks_like_identifier,
    looks_like_reference,
    masked_evidence,
    shannon_entropy,
)

CONFIG_STYLE_PATH = re.compile(
    r"(?i)(?:\.(?:env|ini|cfg|conf|config|cnf|properties|ya?ml|toml|tfvars|sh|bash|zsh"
    r"|envrc|service|example|sample|template|dist|list|md|rst|adoc)"
    r"|/\.?env(?:\.[\w.-]{1,40})?|/(?:docker|container)file(?:\.[\w.-]{1,40})?"
    r"|_history|/\.netrc|/\.pgpass|/credentials)$|^/etc/"
)
"""Files whose ``KEY=value`` / ``key: value`` lines assign literal values."""

INLINE_ALLOW = (b"seawall:allow", b"gitleaks:allow", b"pragma: allowlist secret")
"""Markers on a line that silence findings on that line."""

_OVERLAP = 2 * MAX_WINDOW + 1024


@dataclass(frozen=True)
class ScanLimits:
    """Resource bounds of one file scan."""

    max_file_size: int = 32 * 1024 * 1024
    """Bytes scanned per file; larger files are skipped with a reason."""
    chunk_size: int = 1024 * 1024
    """Bytes read per step."""
    max_matches: int = 500
    """Matches kept per file (the rest are counted, not kept)."""


@dataclass(frozen=True)
class SecretMatch:
    """One secret found in one place."""

    rule: ContentRule
    secret: str
    """The secret text (never put in outputs: use :attr:`evidence`)."""
    line: int
    """1-based line of the match start."""
    offset: int
    """Byte offset of the secret in the file."""
    evidence: str
    """The matched text with the secret masked."""
    entropy: float


@dataclass
class ScanOutcome:
    """What scanning one file (or one metadata string) produced."""

    matches: list[SecretMatch] = field(default_factory=list)
    skipped: str | None = None
    """Why the content was not scanned (binary, too large), or None."""
    bytes_scanned: int = 0
    dropped_matches: int = 0
    """Matches beyond :attr:`ScanLimits.max_matches`."""


class SecretEngine:
    """Runs a :class:`RuleSet`'s content rules over files and strings."""

    def __init__(
        self,
        rules: RuleSet,
        limits: ScanLimits | None = None,
        use_hyperscan: bool = True,
        allow: tuple[re.Pattern[str], ...] = (),
    ) -> None:
        self.rules = list(rules.content)
        self.limits = limits or ScanLimits()
        self.allow = allow
        keywords: list[str] = []
        kw_index: dict[str, int] = {}
        self._rules_by_kw: list[list[int]] = []
        for ri, rule in enumerate(self.rules):
            for kw in rule.keywords:
                if kw not in kw_index:
                    kw_index[kw] = len(keywords)
                    keywords.append(kw)
                    self._rules_by_kw.append([])
                self._rules_by_kw[kw_index[kw]].append(ri)
        self.index = KeywordIndex(keywords, use_hyperscan=use_hyperscan)
        self._rule_order = {r.id: i for i, r in enumerate(self.rules)}

    # -- entry points -------------------------------------------------------------

    def scan_bytes(self, data: bytes, path: str = "", config_style: bool | None = None,
                   sniff: bool = True) -> ScanOutcome:
        """Scan an in-memory buffer (image metadata, small files)."""
        pos = 0

        def read(n: int) -> bytes:
            nonlocal pos
            chunk = data[pos : pos + n]
            pos += len(chunk)
            return chunk

        return self.scan_reader(read, path, config_style, sniff)

    def scan_reader(self, read: Callable[[int], bytes], path: str = "",
                    config_style: bool | None = None, sniff: bool = True) -> ScanOutcome:
        """Scan a stream given by ``read(n)`` (returns b"" at the end)."""
        if config_style is None:
            config_style = bool(CONFIG_STYLE_PATH.search(path))
        active = [r for r in self.rules if config_style or not r.config_only]
        active_ids = {id(r) for r in active}
        out = ScanOutcome()
        limits = self.limits
        buf = b""
        base = 0  # file offset of buf[0]
        base_line = 1  # line number at buf[0]
        process_from = 0  # hits before this buffer offset were handled already
        seen: set[tuple[str, int]] = set()
        first = True
        while True:
            chunk = read(limits.chunk_size)
            if first:
                first = False
                reason = binary_reason(chunk[:SNIFF_BYTES]) if sniff else None
                if reason:
                    out.skipped = reason
                    return out
            out.bytes_scanned += len(chunk)
            if out.bytes_scanned > limits.max_file_size:
                # Keep what the scanned head produced; say the rest was not read.
                out.skipped = f"scan stopped at the {limits.max_file_size} byte limit"
                break
            eof = not chunk
            buf += chunk
            process_to = len(buf) if eof else max(0, len(buf) - _OVERLAP // 2)
            self._scan_buffer(buf, base, base_line, process_from, process_to,
                              active_ids, seen, out)
            if eof:
                break
            keep_from = max(0, len(buf) - _OVERLAP)
            base_line += buf.count(b"\n", 0, keep_from)
            base += keep_from
            process_from = process_to - keep_from
            buf = buf[keep_from:]
        out.matches = _prefer_specific(out.matches, self._rule_order)
        return out

    # -- one buffer ---------------------------------------------------------------

    def _scan_buffer(self, buf: bytes, base: int, base_line: int, lo: int, hi: int,
                     active_ids: set[int], seen: set[tuple[str, int]],
                     out: ScanOutcome) -> None:
        per_rule: dict[int, set[tuple[int, int]]] = {}
        for kid, pos in self.index.find(buf):
            if pos < lo or pos >= hi:
                continue
            for ri in self._rules_by_kw[kid]:
                rule = self.rules[ri]
                if id(rule) not in active_ids:
                    continue
                per_rule.setdefault(ri, set()).add(self._window(buf, pos, rule))
        found: list[tuple[int, ContentRule, Any, int]] = []
        for ri, ws, we in _merged(per_rule):
            rule = self.rules[ri]
            for m in rule.pattern.finditer(buf[ws:we]):
                gi = _secret_group(rule, m)
                found.append((ws + (m.start(gi) if gi else m.start()), rule, m, ws))
        found.sort(key=lambda f: f[0])
        line, counted = base_line, 0
        for s_start, rule, m, ws in found:
            gi = _secret_group(rule, m)
            key = (rule.id, base + s_start)
            if key in seen:
                continue
            seen.add(key)
            raw = m.group(gi) if gi else m.group(0)
            secret = raw.decode("utf-8", "replace")
            line_text = _line_at(buf, s_start)
            if not self._keep(rule, secret, m, line_text, _key_context(buf, ws, m, gi)):
                continue
            # PEM bodies start after the BEGIN line's newline: report the BEGIN line.
            at = s_start if not rule.multiline else ws + m.start()
            if at < counted:
                at = counted
            line += buf.count(b"\n", counted, at)
            counted = at
            if len(out.matches) >= self.limits.max_matches:
                out.dropped_matches += 1
                continue
            out.matches.append(SecretMatch(
                rule=rule, secret=secret, line=line, offset=base + s_start,
                evidence=masked_evidence(m.group(0).decode("utf-8", "replace"), secret),
                entropy=round(shannon_entropy(secret), 3),
            ))

    @staticmethod
    def _window(buf: bytes, pos: int, rule: ContentRule) -> tuple[int, int]:
        w = rule.window
        lo_bound = max(0, pos - rule.lookbehind)
        nl = buf.rfind(b"\n", lo_bound, pos)
        ws = lo_bound if nl == -1 else nl + 1
        if rule.multiline:
            return ws, min(len(buf), pos + w)
        nl = buf.find(b"\n", pos, pos + w)
        we = min(len(buf), pos + w) if nl == -1 else nl
        return ws, we

    def _keep(self, rule: ContentRule, secret: str, m: Any, line_text: bytes,
              context: KeyContext | None = None) -> bool:
        if len(secret) < rule.min_length:
            return False
        if rule.entropy and shannon_entropy(secret) < rule.entropy:
            return False
        if any(p.search(secret) for p in rule.allow) or any(p.search(secret) for p in self.allow):
            return False
        if any(marker in line_text for marker in INLINE_ALLOW):
            return False
        if is_documented_example(secret):
            return False
        if rule.generated and not looks_generated(secret):
            return False
        if rule.generic:
            ctx = context or KeyContext()
            key = ctx.prefix + _named(m, "key")
            if is_placeholder(secret) or is_keyword_echo(secret, key) or is_setting_key(key):
                return False
            if not is_code_shape_credential(_named(m, "key"), ctx.before, ctx.between,
                                            ctx.after):
                return False
            if _named(m, "bare") and secret[-1] in ",);":
                return False
            # A config file's unquoted value is a literal: only a dotted name is a reference.
            if _named(m, "bare") and (looks_like_reference(secret) if rule.config_only
                                      else looks_like_identifier(secret)):
                return False
        return True


_KEY_CHARS = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")


@dataclass(frozen=True)
class KeyContext:
    """The text around a generic rule's ``key`` group that the value filters judge
    (see :func:`value_filters.is_code_shape_credential`)."""

    prefix: str = ""
    """Identifier characters just before the key group (``DB_`` of ``DB_PASSWORD``):
    the regexes start at the keyword, which is much cheaper than a leading ``\\w{0,40}``."""
    before: str = ""
    """Up to :data:`CONTEXT_BYTES` before the whole key (prefix included)."""
    between: str = ""
    """From the end of the key group to the start of the secret (the separator)."""
    after: str = ""
    """Up to :data:`CONTEXT_BYTES` after the match."""


CONTEXT_BYTES = 40


def _key_context(buf: bytes, ws: int, m: Any, gi: int) -> KeyContext:
    idx = m.re.groupindex.get("key", m.re.groupindex.get(b"key", 0))
    if not idx or m.start(idx) < 0:
        return KeyContext()
    end = ws + m.start(idx)
    start = end
    while start > 0 and end - start < 40 and buf[start - 1] in _KEY_CHARS:
        start -= 1
    between = buf[ws + m.end(idx) : ws + m.start(gi)] if gi and m.start(gi) >= m.end(idx) else b""
    stop = ws + m.end()
    return KeyContext(
        prefix=buf[start:end].decode("ascii", "replace"),
        before=buf[max(0, start - CONTEXT_BYTES) : start].decode("utf-8", "replace"),
        between=between.decode("utf-8", "replace"),
        after=buf[stop : stop + CONTEXT_BYTES].decode("utf-8", "replace"),
    )


MAX_MERGED_WINDOW = 64 * 1024
"""Overlapping windows of one rule are merged up to this size, so a line packed with
keyword hits (minified JS, ``AAAA...`` runs) costs one pass per rule, not one per hit."""


def _merged(per_rule: dict[int, set[tuple[int, int]]]) -> list[tuple[int, int, int]]:
    out: list[tuple[int, int, int]] = []
    for ri, spans in per_rule.items():
        cur_s, cur_e = -1, -1
        for ws, we in sorted(spans):
            if cur_s >= 0 and ws <= cur_e and we - cur_s <= MAX_MERGED_WINDOW:
                cur_e = max(cur_e, we)
                continue
            if cur_s >= 0:
                out.append((ri, cur_s, cur_e))
            cur_s, cur_e = ws, we
        if cur_s >= 0:
            out.append((ri, cur_s, cur_e))
    return out


def _named(m: Any, name: str) -> str:
    """A named group's text ('' when absent or not taking part)."""
    idx = m.re.groupindex.get(name, m.re.groupindex.get(name.encode(), 0))
    if not idx:
        return ""
    value = m.group(idx)
    return value.decode("utf-8", "replace") if value else ""


def _secret_group(rule: ContentRule, m: Any) -> int:
    """Index of the group holding the secret (0 = whole match): ``secret_group`` when
    set, else the first unnamed group taking part, else the named group ``bare``
    (generic rules put unquoted values there)."""
    if rule.secret_group is not None:
        return rule.secret_group if m.group(rule.secret_group) is not None else 0
    groupindex = m.re.groupindex
    named = set(groupindex.values())
    for i in range(1, m.re.groups + 1):
        if i not in named and m.group(i) is not None:
            return i
    bare = groupindex.get("bare", groupindex.get(b"bare", 0))
    return int(bare) if bare and m.group(bare) is not None else 0


def _line_at(buf: bytes, pos: int) -> bytes:
    start = buf.rfind(b"\n", max(0, pos - 4096), pos) + 1
    end = buf.find(b"\n", pos, pos + 4096)
    return buf[start : end if end != -1 else pos + 4096]


def _prefer_specific(matches: list[SecretMatch],
                     rule_order: dict[str, int] | None = None) -> list[SecretMatch]:
    """One match per secret: where matches overlap (two rules read the same bytes, such
    as a generic ``password = ...`` rule and the unquoted-value rule, or a generic rule
    and a rule for that service's format), keep the specific rule's, then the more
    severe, then the rule listed first (``rule_order``: rule id -> position)."""
    if len(matches) < 2:
        return matches
    order = rule_order or {}

    def rank(m: SecretMatch) -> tuple[int, int, int]:
        return (int(m.rule.generic), -m.rule.severity.rank, order.get(m.rule.id, 0))

    kept: list[SecretMatch] = []
    spans: list[tuple[int, int]] = []
    for m in sorted(matches, key=rank):
        a, b = m.offset, m.offset + max(1, len(m.secret.encode()))
        if any(a < e and s < b for s, e in spans):
            continue
        kept.append(m)
        spans.append((a, b))
    kept.sort(key=lambda m: m.offset)
    return kept
