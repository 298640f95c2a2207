"""The secret scanning engine: one pass per file for all rules, in bounded memory and in
time linear in the input, whatever the input.

A file is read in chunks (1 MiB by default). Each buffer is the new chunk plus a tail
of the previous one, so a secret that straddles a chunk boundary is still seen whole.

Candidates: the :class:`RuleMatcher` (one Hyperscan database of every rule regex, in
prefilter mode) reports where a rule may match, as match end offsets, in one linear
pass. Rules Hyperscan cannot take (or every rule, without Hyperscan) fall back to the
:class:`KeywordIndex`: a bounded window around each keyword hit. A rule's real regex
then runs only on *regions*: the bytes a match ending there could span (the rule's
maximum match width, clipped to the line for single-line rules), merged per rule
while they overlap, each region handed to the regex once. Each input byte is thus in
at most one region per rule, and the Python work per byte is bounded by the number of
rules: repeating a keyword or a PEM header cannot make it quadratic.
:class:`EngineWork` counts that work, so tests can assert it stays linear.

Matches whose end lies too close to the end of the buffer are left for the next
buffer, which still holds them in its carried tail. Memory is O(chunk + overlap).
"""

from __future__ import annotations

import bisect
import importlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from seawall.analyzers.secret.content_decoding import decoded_chunks
from seawall.analyzers.secret.content_sniff import (
    PRINTABLE_RUNS,
    SNIFF_BYTES,
    ContentKind,
    sniff_content,
)
from seawall.analyzers.secret.keyword_index import REGEX_KEYWORD, KeywordIndex
from seawall.analyzers.secret.rule_matcher import RuleMatcher, hyperscan_available
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

_sre_parse: Any = importlib.import_module("re._parser")

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

LOOKAHEAD = 256
"""Bytes after a candidate match end that a region keeps (up to the line end), so
``\\b`` and ``$`` see the real next byte."""
END_STRIDE = 64
"""Candidate ends of one rule closer than this on one line are reported once (see
:meth:`RuleMatcher.ends`); must stay below :data:`LOOKAHEAD`."""
MAX_VERDICTS = 4096
"""Value-filter verdicts remembered per buffer."""
MAX_MERGED_WINDOW = 64 * 1024
"""Overlapping regions of one rule are merged up to this size, so a line packed with
candidates (minified JS, ``AAAA...`` runs) costs one regex run per rule, not one per
candidate."""


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
    """Byte offset of the secret in the scanned text (the decoded text for UTF-16)."""
    evidence: str
    """The matched text with the secret masked."""
    entropy: float


@dataclass
class EngineWork:
    """What one scan cost, counted deterministically (tests bound it per input byte)."""

    candidates: int = 0
    """Candidate match ends and keyword hits of active rules the engine looked at (each
    once: those in a carried tail count in the buffer that handles them)."""
    regex_runs: int = 0
    """Regions handed to a rule regex."""
    regex_bytes: int = 0
    """Bytes in those regions."""
    verified: int = 0
    """Regex matches judged by the value filters."""


@dataclass
class ScanOutcome:
    """What scanning one file (or one metadata string) produced."""

    matches: list[SecretMatch] = field(default_factory=list)
    skipped: str | None = None
    """Why the content was not scanned (compressed data, too large), or None."""
    bytes_scanned: int = 0
    dropped_matches: int = 0
    """Matches beyond :attr:`ScanLimits.max_matches`."""
    content: ContentKind = field(default_factory=ContentKind)
    """How the content was read (as text, decoded from UTF-16, as printable runs)."""
    work: EngineWork = field(default_factory=EngineWork)


def _bounded_reader(read: Callable[[int], bytes], size: int) -> Callable[[int], bytes]:
    left = size

    def bounded(n: int) -> bytes:
        nonlocal left
        n = min(n, left)
        if n <= 0:
            return b""
        data = read(n)
        left -= len(data)
        if not data:
            left = 0
        return data

    return bounded


def _end_offset(hit: tuple[int, int]) -> int:
    return hit[1]


_WIDTHS: dict[tuple[str, bool, int], int] = {}


def _max_width(rule: ContentRule) -> int:
    """Longest match of the rule's regex, capped by what a chunk overlap can hold."""
    key = (rule.pattern.source, rule.multiline, rule.window + rule.lookbehind)
    if key not in _WIDTHS:
        _WIDTHS[key] = _parse_width(rule)
    return _WIDTHS[key]


def _parse_width(rule: ContentRule) -> int:
    try:
        width = int(_sre_parse.parse(rule.pattern.source.encode()).getwidth()[1])
    except (re.error, ValueError, OverflowError):
        width = MAX_WINDOW  # RE2-only syntax
    if width >= MAX_WINDOW:
        width = min(MAX_WINDOW, rule.window + rule.lookbehind) if not rule.multiline \
            else MAX_WINDOW
    return width


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
        self._width = [_max_width(r) for r in self.rules]
        self.matcher: RuleMatcher | None = None
        covered: set[int] = set()
        if use_hyperscan and hyperscan_available() and self.rules:
            self.matcher = RuleMatcher([r.pattern.source for r in self.rules])
            covered = set(self.matcher.covered)
            if not covered:
                self.matcher = None
        keywords: list[str] = []
        kw_index: dict[str, int] = {}
        self._rules_by_kw: list[list[int]] = []
        for ri, rule in enumerate(self.rules):
            if ri in covered:
                continue
            for kw in rule.keywords:
                if kw not in kw_index:
                    kw_index[kw] = len(keywords)
                    keywords.append(kw)
                    self._rules_by_kw.append([])
                self._rules_by_kw[kw_index[kw]].append(ri)
        self.index = KeywordIndex(keywords, use_hyperscan=use_hyperscan)
        self._rule_order = {r.id: i for i, r in enumerate(self.rules)}
        # A rule's keywords also constrain where it matches (a keyword must be near the
        # match, as when it was found from the keyword): checked for covered rules.
        self._needs_keyword = [ri in covered for ri in range(len(self.rules))]
        self._kw_literals = [
            tuple(k.encode() for k in r.keywords if not k.startswith(REGEX_KEYWORD))
            for r in self.rules
        ]
        self._kw_regexes = [
            tuple(re.compile(k[len(REGEX_KEYWORD):].encode()) for k in r.keywords
                  if k.startswith(REGEX_KEYWORD))
            for r in self.rules
        ]
        self._kw_longest = [max((len(k) for k in r.keywords), default=0) for r in self.rules]
        # Which rules run, per kind of input (computed once, not per file).
        self._active = {
            (False, False): [not r.config_only for r in self.rules],
            (True, False): [True] * len(self.rules),
            (False, True): [r.confidence == "high" and not r.config_only for r in self.rules],
        }
        self._active[(True, True)] = self._active[(False, True)]

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
                    config_style: bool | None = None, sniff: bool = True,
                    size: int | None = None) -> ScanOutcome:
        """Scan a stream given by ``read(n)`` (returns b"" at the end). Its first bytes
        decide how it is read (:func:`content_sniff.sniff_content`). ``size``, when
        known, is the stream's length: reads then ask for no more than is left (a
        buffered ``read(n)`` allocates ``n`` bytes first) and stop there."""
        if size is not None:
            read = _bounded_reader(read, size)
        if config_style is None:
            config_style = bool(CONFIG_STYLE_PATH.search(path))
        out = ScanOutcome()
        limits = self.limits
        # A stream longer than the sniffed head is read in two steps, so that a skipped
        # binary (a third of a typical root filesystem's bytes) is never read further.
        head = min(SNIFF_BYTES, limits.chunk_size)
        head_first = sniff and size is not None and size > head
        first = read(head if head_first else limits.chunk_size)
        kind = sniff_content(first[:SNIFF_BYTES]) if sniff else ContentKind()
        out.content = kind
        if kind.skipped:
            out.skipped = kind.skipped
            return out
        if head_first and len(first) == head:
            first += read(limits.chunk_size - head)
        active = self._active[(config_style, kind.encoding == PRINTABLE_RUNS)]
        chunks = decoded_chunks(first, read, kind, limits.chunk_size)
        buf = b""
        base = 0  # file offset of buf[0]
        base_line = 1  # line number at buf[0]
        process_from = 0  # candidates ending at or before this offset were handled
        seen: set[tuple[str, int]] = set()
        chunk = next(chunks, b"")
        while True:
            # Read one chunk ahead: a file that fits in one chunk is scanned in one pass.
            nxt = next(chunks, b"") if chunk else b""
            eof = not nxt
            out.bytes_scanned += len(chunk)
            if out.bytes_scanned > limits.max_file_size:
                # Keep what the scanned head produced; say the rest was not read. For a
                # binary, scanning its printable runs at all is a bonus (Trivy and
                # gitleaks skip binaries): its head is not an incomplete scan.
                out.skipped = (
                    f"binary content ({kind.what}): the first {limits.max_file_size} bytes"
                    " scanned" if kind.encoding == PRINTABLE_RUNS
                    else f"scan stopped at the {limits.max_file_size} byte limit")
                break
            buf += chunk
            process_to = len(buf) if eof else max(0, len(buf) - _OVERLAP // 2)
            self._scan_buffer(buf, base, base_line, process_from, process_to,
                              active, seen, out)
            if eof:
                break
            keep_from = max(0, len(buf) - _OVERLAP)
            base_line += buf.count(b"\n", 0, keep_from)
            base += keep_from
            # Only matches in the carried tail can be met again.
            seen = {k for k in seen if k[1] >= base}
            process_from = process_to - keep_from
            buf = buf[keep_from:]
            chunk = nxt
        out.matches = _prefer_specific(out.matches, self._rule_order)
        return out

    # -- one buffer ---------------------------------------------------------------

    def _regions(self, buf: bytes, lo: int, hi: int, active: Sequence[bool],
                 work: EngineWork) -> list[tuple[int, int, int]]:
        """(rule index, start, end) of every region a rule regex must run on."""
        regions: list[tuple[int, int, int]] = []
        if self.matcher is not None:
            ends = self.matcher.ends(buf, stride=END_STRIDE, boundary=lo)
            ends.sort(key=_end_offset)  # Hyperscan reports in end order; make sure
            regions += self._regions_from_ends(buf, ends, lo, hi, active, work)
        if self.index.keywords:
            per_rule: dict[int, set[tuple[int, int]]] = {}
            for kid, pos in self.index.find(buf):
                if pos < lo or pos >= hi:
                    continue
                work.candidates += 1
                for ri in self._rules_by_kw[kid]:
                    if active[ri]:
                        per_rule.setdefault(ri, set()).add(self._window(buf, pos,
                                                                        self.rules[ri]))
            regions += _merged(per_rule)
        return regions

    def _regions_from_ends(self, buf: bytes, ends: list[tuple[int, int]], lo: int, hi: int,
                           active: Sequence[bool], work: EngineWork
                           ) -> list[tuple[int, int, int]]:
        """Regions around candidate match ends (increasing), merged per rule. Every
        ``find``/``rfind`` below starts where the previous one of the same rule stopped
        or is bounded by the rule's width, so the cost is linear in the buffer."""
        n = len(buf)
        rules, widths = self.rules, self._width
        cur: dict[int, list[int]] = {}  # rule index -> [start, end] of its open region
        out: list[tuple[int, int, int]] = []
        for ri, e in ends:
            if e <= lo or e > hi or not active[ri]:
                continue
            work.candidates += 1
            p = e - 1  # last byte of the candidate match
            region = cur.get(ri)
            width = widths[ri]
            multiline = rules[ri].multiline
            if region is not None:
                s, t = region
                if p < t and t < n and buf[t] == 10:
                    continue  # inside the open region, which runs to this line's end
                joinable = p - width <= t
                if joinable and not multiline and p >= t:
                    joinable = buf.find(b"\n", t, p + 1) == -1  # same line
                if joinable:
                    # Reach LOOKAHEAD past the candidate (past the ends the matcher
                    # dropped after it, too), up to the line end.
                    want = p + LOOKAHEAD
                    if want <= t:
                        continue
                    nl = buf.find(b"\n", max(p, t), want)
                    end = nl if nl != -1 else min(n, want)
                    if end - s <= MAX_MERGED_WINDOW:
                        region[1] = end
                        continue
                out.append((ri, s, t))
            start = max(0, p - width)
            if multiline:
                nl = buf.rfind(b"\n", max(0, start - LOOKAHEAD), start)
            else:
                nl = buf.rfind(b"\n", start, p)
            if nl != -1:
                start = nl + 1
            nl = buf.find(b"\n", p, p + LOOKAHEAD)
            cur[ri] = [start, nl if nl != -1 else min(n, p + LOOKAHEAD)]
        out += [(ri, s, t) for ri, (s, t) in cur.items()]
        return out

    def _scan_buffer(self, buf: bytes, base: int, base_line: int, lo: int, hi: int,
                     active: Sequence[bool], seen: set[tuple[str, int]],
                     out: ScanOutcome) -> None:
        work = out.work
        found: list[tuple[int, int, int, Any, int]] = []
        for ri, ws, we in self._regions(buf, lo, hi, active, work):
            rule = self.rules[ri]
            work.regex_runs += 1
            work.regex_bytes += we - ws
            for m in rule.pattern.finditer(buf[ws:we]):
                gi = _secret_group(rule, m)
                found.append((ws + (m.start(gi) if gi else m.start()), ri, gi, m, ws))
        if not found:
            return
        found.sort(key=lambda f: f[0])
        line, counted = base_line, 0
        marks: list[int] | None = None  # inline-allow markers, found on first need
        # The value filters' verdict depends only on the match and its context: text
        # that repeats (generated files, crafted input) is judged once.
        verdicts: dict[tuple[Any, ...], bool] = {}
        for s_start, ri, gi, m, ws in found:
            rule = self.rules[ri]
            key = (rule.id, base + s_start)
            if key in seen:
                continue
            seen.add(key)
            work.verified += 1
            raw = m.group(gi) if gi else m.group(0)
            secret = raw.decode("utf-8", "replace")
            # Cheapest test first: most candidates of crafted or generated text fail the
            # value filters, whose verdict is remembered.
            context = _key_context(buf, ws, m, gi) if rule.generic else None
            verdict_key = (ri, m.group(0), m.groups(), context)
            keep = verdicts.get(verdict_key)
            if keep is None:
                keep = self._keep(rule, secret, m, context)
                if len(verdicts) >= MAX_VERDICTS:
                    verdicts.clear()
                verdicts[verdict_key] = keep
            if not keep:
                continue
            if self._needs_keyword[ri] and not self._keyword_near(ri, buf, ws + m.start(),
                                                                  ws + m.end()):
                continue
            if marks is None:
                marks = _allow_marks(buf)
            if marks and _line_has_mark(buf, s_start, marks):
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

    def _keyword_near(self, ri: int, buf: bytes, ms: int, me: int) -> bool:
        """Whether one of rule ``ri``'s keywords starts where a keyword hit's window
        (see :meth:`_window`) would have held the match ``buf[ms:me]``."""
        rule = self.rules[ri]
        lo = max(0, me - rule.window)
        hi = ms + rule.lookbehind + self._kw_longest[ri]
        if not rule.multiline:
            nl = buf.rfind(b"\n", lo, ms)
            lo = nl + 1 if nl != -1 else lo
            nl = buf.find(b"\n", me, hi)
            hi = nl if nl != -1 else hi
        near = buf[lo:hi]
        lowered = near.lower()
        if any(k in lowered for k in self._kw_literals[ri]):
            return True
        return any(rx.search(near) for rx in self._kw_regexes[ri])

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

    def _keep(self, rule: ContentRule, secret: str, m: Any,
              context: KeyContext | None = None) -> bool:
        if len(secret) < rule.min_length:
            return False
        if rule.entropy and shannon_entropy(secret) < rule.entropy:
            return False
        if any(p.search(secret) for p in rule.allow) or any(p.search(secret) for p in self.allow):
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


def _allow_marks(buf: bytes) -> list[int]:
    """Sorted offsets of every :data:`INLINE_ALLOW` marker in ``buf`` (one pass each)."""
    out: list[int] = []
    for marker in INLINE_ALLOW:
        pos = buf.find(marker)
        while pos != -1:
            out.append(pos)
            pos = buf.find(marker, pos + 1)
    out.sort()
    return out


def _line_has_mark(buf: bytes, pos: int, marks: list[int]) -> bool:
    """Whether an inline-allow marker lies on the line of ``pos`` (looking at most
    :data:`LINE_CONTEXT` bytes each side: a line that long is cut)."""
    lo = max(0, pos - LINE_CONTEXT)
    nl = buf.rfind(b"\n", lo, pos)
    start = nl + 1 if nl != -1 else lo
    nl = buf.find(b"\n", pos, pos + LINE_CONTEXT)
    end = nl if nl != -1 else pos + LINE_CONTEXT
    i = bisect.bisect_left(marks, start)
    return i < len(marks) and marks[i] < end


LINE_CONTEXT = 4096


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
    # Kept spans never overlap: sorted by start, only the neighbours of a new span can.
    starts: list[int] = []
    ends: list[int] = []
    for m in sorted(matches, key=rank):
        a, b = m.offset, m.offset + max(1, len(m.secret.encode()))
        i = bisect.bisect_left(starts, a)
        if (i > 0 and ends[i - 1] > a) or (i < len(starts) and starts[i] < b):
            continue
        kept.append(m)
        starts.insert(i, a)
        ends.insert(i, b)
    kept.sort(key=lambda m: m.offset)
    return kept
