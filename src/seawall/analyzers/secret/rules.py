"""Secret rules as data: the rule model and the loader of ``seawall/rules/secrets/*.yaml``.

Two kinds of rule live in the same files:

* :class:`ContentRule` (``rules:``): keywords + a regex run on the content of text
  files and image metadata. Keywords are lower-case literals; the rule's regex only
  runs on a bounded window around a keyword hit.
* :class:`PathRule` (``path_rules:``): a sensitive file recognised by its path
  (``id_rsa``, ``.git-credentials``, kubeconfig...), optionally only when its first
  bytes match a content regex (``.npmrc`` with an ``_authToken``).
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import yaml

from seawall.analyzers.secret.regex_safety import UnsafePatternError, check_bounded
from seawall.errors import InputError
from seawall.model.finding import Severity

# libyaml's loader parses the rule files ~10x faster than the pure-Python one.
_YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
RULE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{2,80}$")
DEFAULT_WINDOW = 1024
"""Bytes on each side of a keyword hit a single-line rule's regex may look at."""
MAX_WINDOW = 16 * 1024
"""Largest window any rule may ask for (it also sizes the chunk overlap)."""


CONFIDENCES = ("high", "low")
"""Values of a content rule's ``confidence`` (default: ``low`` for ``generic`` rules)."""


class RuleError(InputError):
    """A secret rule (built-in or from a user's config) is malformed."""


class Re2UnavailableError(RuleError):
    """A rule needs RE2 (not provably bounded under ``re``) and google-re2 is missing."""


class CompiledPattern:
    """A bytes regex plus which engine runs it: Python ``re`` for patterns proven
    bounded by :mod:`regex_safety`, RE2 (linear time) for everything else."""

    def __init__(self, source: str, where: str) -> None:
        self.source = source
        try:
            check_bounded(source)
            self.engine = "re"
            self._re: Any = re.compile(source.encode())
        except UnsafePatternError as exc:
            self.engine = "re2"
            self._re = _compile_re2(source, where, str(exc))
        except re.error as exc:
            # RE2/Go syntax Python rejects (mid-pattern ``(?i)``): RE2 may still take it
            self.engine = "re2"
            self._re = _compile_re2(source, where, str(exc))

    def finditer(self, data: bytes) -> Iterable[Any]:
        """Matches in ``data`` (a bounded window)."""
        return self._re.finditer(data)

    def search(self, data: bytes) -> Any:
        """First match in ``data`` or None."""
        return self._re.search(data)


def _compile_re2(source: str, where: str, why: str) -> Any:
    try:
        import re2
    except ImportError:
        raise Re2UnavailableError(
            f"{where}: regex needs RE2 ({why}) and google-re2 is not installed"
        ) from None
    try:
        return re2.compile(source.encode())
    except Exception as exc:  # re2 raises its own error class
        raise RuleError(f"{where}: bad regex: {exc}") from None


@dataclass(frozen=True)
class ContentRule:
    """A secret recognised by its content."""

    id: str
    """Stable rule ID (``SW-SEC-AWS-001``)."""
    title: str
    """What the secret is, for humans."""
    severity: Severity
    family: str
    """Rule family (``aws``, ``github``, ``generic``) used for grouping and benches."""
    keywords: tuple[str, ...]
    """Lower-case literals; the regex runs only near one of them."""
    pattern: CompiledPattern
    secret_group: int | None = None
    """Capture group holding the secret; None = first group that took part, else all."""
    entropy: float = 0.0
    """Minimum Shannon entropy (bits/char) of the secret."""
    allow: tuple[re.Pattern[str], ...] = ()
    """Regexes on the secret that mark a known false positive."""
    generic: bool = False
    """Apply placeholder/identifier filtering (``password = "..."`` style rules)."""
    confidence: str = "high"
    """``high``: the secret has a format of its own (``AKIA...``, ``ghp_...``, a PEM
    block) and is reported wherever it is. ``low``: only the surroundings say it is a
    credential (a ``password =`` key, a ``--password`` flag), so it is not reported in
    files a package manager installed (see :mod:`secret.package_files`)."""
    config_only: bool = False
    """Only for config-style text: .env/.ini/.yaml/.properties files and image metadata."""
    generated: bool = False
    """The value must look machine-generated (letters mixed with digits or cases, no
    word or identifier shape, see :func:`value_filters.looks_generated`): for generic
    rules that also read unquoted values in code and prose."""
    multiline: bool = False
    """The match may span lines (PEM blocks): the window runs forward from the hit."""
    window: int = DEFAULT_WINDOW
    lookbehind: int = DEFAULT_WINDOW
    """Bytes before a keyword hit where a match may start (small for ``key = value``
    rules whose key holds the keyword: fewer start positions to try)."""
    min_length: int = 0
    enabled: bool = True
    """False: off unless the user's config lists it in ``enable_rules``."""
    description: str = ""
    remediation: str = ""
    references: tuple[str, ...] = ()


@dataclass(frozen=True)
class PathRule:
    """A sensitive file recognised by its path."""

    id: str
    title: str
    severity: Severity
    family: str
    path: re.Pattern[str]
    """Searched in the absolute path inside the target."""
    allow_paths: tuple[re.Pattern[str], ...] = ()
    content: CompiledPattern | None = None
    """When set, the file counts only if its first bytes match."""
    superseded_by: tuple[str, ...] = ()
    """Content-rule families whose finding in the same file replaces this one (an
    ``id_rsa`` whose key the private-key rule reports, with its line, once)."""
    description: str = ""
    remediation: str = ""
    references: tuple[str, ...] = ()


@dataclass
class RuleSet:
    """Every active rule."""

    content: list[ContentRule] = field(default_factory=list)
    paths: list[PathRule] = field(default_factory=list)

    def ids(self) -> list[str]:
        """All rule IDs."""
        return [r.id for r in self.content] + [r.id for r in self.paths]

    def without(self, disabled: Iterable[str]) -> RuleSet:
        """A copy without the rules whose ID is in ``disabled``."""
        gone = set(disabled)
        return RuleSet(
            [r for r in self.content if r.id not in gone],
            [r for r in self.paths if r.id not in gone],
        )


def _text(d: Mapping[str, Any], key: str, default: str = "") -> str:
    value = d.get(key, default)
    return str(value).strip() if value is not None else default


def _str_list(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


def _regexes(values: Any, where: str) -> tuple[re.Pattern[str], ...]:
    out = []
    for v in _str_list(values):
        try:
            out.append(re.compile(v))
        except re.error as exc:
            raise RuleError(f"{where}: bad allow regex {v!r}: {exc}") from None
    return tuple(out)


def _severity(value: Any, where: str) -> Severity:
    try:
        return Severity.parse(str(value or "high"))
    except ValueError:
        raise RuleError(f"{where}: unknown severity {value!r}") from None


def parse_content_rule(
    d: Mapping[str, Any], family: str, defaults: Mapping[str, Any]
) -> ContentRule:
    """Build a :class:`ContentRule` from its YAML mapping (``where`` errors name the ID)."""
    rid = _text(d, "id")
    where = f"secret rule {rid or '<no id>'}"
    if not RULE_ID.match(rid):
        raise RuleError(f"{where}: id must look like SW-SEC-AWS-001")
    regex = d.get("regex")
    if not regex:
        raise RuleError(f"{where}: regex is required")
    raw_keywords = d.get("keywords") or []
    if isinstance(raw_keywords, str) or not all(isinstance(k, str) for k in raw_keywords):
        raise RuleError(f"{where}: keywords must be a list of strings (quote 'a:' in YAML)")
    keywords = tuple(k if k.startswith("re:") else k.lower() for k in raw_keywords if k)
    if not keywords:
        raise RuleError(f"{where}: at least one keyword is required (prefilter)")
    window = int(d.get("window", DEFAULT_WINDOW))
    if not 16 <= window <= MAX_WINDOW:
        raise RuleError(f"{where}: window must be within 16..{MAX_WINDOW}")
    group = d.get("secret_group")
    generic = bool(d.get("generic", False))
    confidence = str(d.get("confidence", defaults.get("confidence"))
                     or ("low" if generic else "high")).lower()
    if confidence not in CONFIDENCES:
        raise RuleError(f"{where}: confidence must be one of {', '.join(CONFIDENCES)}")
    return ContentRule(
        id=rid,
        title=_text(d, "title") or rid,
        severity=_severity(d.get("severity", defaults.get("severity")), where),
        family=_text(d, "family") or family,
        keywords=keywords,
        pattern=CompiledPattern(str(regex), where),
        secret_group=int(group) if group is not None else None,
        entropy=float(d.get("entropy", 0.0)),
        allow=_regexes(d.get("allow"), where),
        generic=generic,
        confidence=confidence,
        config_only=bool(d.get("config_only", False)),
        generated=bool(d.get("generated", False)),
        multiline=bool(d.get("multiline", False)),
        window=window,
        lookbehind=min(window, int(d.get("lookbehind", window))),
        min_length=int(d.get("min_length", 0)),
        enabled=bool(d.get("enabled", True)),
        description=_text(d, "description") or _text(defaults, "description"),
        remediation=_text(d, "remediation") or _text(defaults, "remediation"),
        references=_str_list(d.get("references")) or _str_list(defaults.get("references")),
    )


def parse_path_rule(d: Mapping[str, Any], family: str, defaults: Mapping[str, Any]) -> PathRule:
    """Build a :class:`PathRule` from its YAML mapping."""
    rid = _text(d, "id")
    where = f"secret path rule {rid or '<no id>'}"
    if not RULE_ID.match(rid):
        raise RuleError(f"{where}: id must look like SW-SEC-FILE-001")
    try:
        path = re.compile(str(d["path"]))
    except KeyError:
        raise RuleError(f"{where}: path is required") from None
    except re.error as exc:
        raise RuleError(f"{where}: bad path regex: {exc}") from None
    content = d.get("content")
    return PathRule(
        id=rid,
        title=_text(d, "title") or rid,
        severity=_severity(d.get("severity", defaults.get("severity")), where),
        family=_text(d, "family") or family,
        path=path,
        allow_paths=_regexes(d.get("allow_paths"), where),
        content=CompiledPattern(str(content), where) if content else None,
        superseded_by=tuple(_str_list(d.get("superseded_by"))),
        description=_text(d, "description") or _text(defaults, "description"),
        remediation=_text(d, "remediation") or _text(defaults, "remediation"),
        references=_str_list(d.get("references")) or _str_list(defaults.get("references")),
    )


UNAVAILABLE_RULES: list[str] = []
"""Built-in rules skipped because they need RE2 and google-re2 is not installed."""


def parse_rule_document(doc: Any, source: str, skip_unavailable: bool = False) -> RuleSet:
    """Parse one rule file's YAML document (``family``, ``defaults``, ``rules``,
    ``path_rules``). ``skip_unavailable`` drops (and records in
    :data:`UNAVAILABLE_RULES`) rules that need the missing RE2 instead of failing."""
    if not isinstance(doc, Mapping):
        raise RuleError(f"{source}: expected a mapping with 'rules' and/or 'path_rules'")
    family = _text(doc, "family") or "custom"
    defaults = doc.get("defaults") or {}
    out = RuleSet()
    for d in doc.get("rules") or []:
        try:
            out.content.append(parse_content_rule(d, family, defaults))
        except Re2UnavailableError as exc:
            if not skip_unavailable:
                raise
            UNAVAILABLE_RULES.append(str(exc))
    for d in doc.get("path_rules") or []:
        out.paths.append(parse_path_rule(d, family, defaults))
    return out


def rule_documents() -> list[tuple[str, Any]]:
    """(file name, parsed YAML) of every built-in rule file, in name order."""
    base = resources.files("seawall").joinpath("rules", "secrets")
    docs = []
    for entry in sorted(base.iterdir(), key=lambda e: e.name):
        if entry.name.endswith((".yaml", ".yml")):
            text = entry.read_text(encoding="utf-8")
            docs.append((entry.name, yaml.load(text, Loader=_YAML_LOADER)))
    return docs


@functools.cache
def builtin_rules_digest() -> str:
    """sha256 (16 hex digits) over the built-in rule files: part of the analyzer's cache
    key, so a per-file result cached before a rule changed is not reused."""
    digest = hashlib.sha256()
    base = resources.files("seawall").joinpath("rules", "secrets")
    for entry in sorted(base.iterdir(), key=lambda e: e.name):
        if entry.name.endswith((".yaml", ".yml")):
            digest.update(entry.name.encode() + b"\0" + entry.read_bytes())
    return digest.hexdigest()[:16]


_BUILTIN: RuleSet | None = None


def load_builtin_rules() -> RuleSet:
    """The built-in rule set (parsed once per process). Duplicate IDs are a bug."""
    global _BUILTIN
    if _BUILTIN is None:
        merged = RuleSet()
        for name, doc in rule_documents():
            part = parse_rule_document(doc, f"rules/secrets/{name}", skip_unavailable=True)
            merged.content.extend(part.content)
            merged.paths.extend(part.paths)
        ids = merged.ids()
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise RuleError(f"duplicate secret rule ids: {', '.join(dupes)}")
        _BUILTIN = merged
    return _BUILTIN
