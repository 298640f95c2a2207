"""The user's secret-scanning configuration: a seawall YAML file or a gitleaks TOML file.

YAML (``seawall-secret.yaml``)::

    use_builtin_rules: true          # false: only the rules below
    disable_rules: [SW-SEC-GEN-004]
    enable_rules: [SW-SEC-KEY-004]   # rules that are off by default
    skip_paths: ['^/usr/share/doc/', '/node_modules/']   # regexes on the absolute path
    allow: ['^AKIA[A-Z0-9]{12}EXAMPLE$']                  # regexes on the secret value
    max_file_size: 16777216
    include_package_files: false     # true: report low-confidence rules in package files
    rules: [...]         # same schema as src/seawall/rules/secrets/*.yaml
    path_rules: [...]

gitleaks TOML (``.gitleaks.toml``): ``[extend] useDefault / disabledRules``,
``[[rules]]`` with ``id, description, regex, secretGroup, entropy, keywords, path``,
per-rule ``[[rules.allowlists]]`` / ``[rules.allowlist]`` (``regexes``, ``stopwords``,
``paths``) and global ``[allowlist]`` / ``[[allowlists]]``. Rules are RE2 syntax, so
patterns our bounded-``re`` check rejects run on RE2.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from seawall.analyzers.secret.rules import (
    RuleError,
    RuleSet,
    load_builtin_rules,
    parse_content_rule,
    parse_rule_document,
)
from seawall.errors import InputError


class SecretConfigError(InputError):
    """The secret configuration file cannot be read or is malformed."""


@dataclass
class SecretConfig:
    """Everything the user can change about secret scanning."""

    use_builtin_rules: bool = True
    disable_rules: set[str] = field(default_factory=set)
    enable_rules: set[str] = field(default_factory=set)
    """Built-in rules that are off by default (``enabled: false``) to turn on."""
    custom: RuleSet = field(default_factory=RuleSet)
    allow: list[re.Pattern[str]] = field(default_factory=list)
    """Secrets matching any of these are not reported."""
    skip_paths: list[re.Pattern[str]] = field(default_factory=list)
    """Files whose path matches are not read at all (reported as skipped)."""
    max_file_size: int | None = None
    include_package_files: bool = False
    """Report low-confidence findings in package-installed files too."""
    source: str = ""
    """The file this came from ('' for defaults); part of the cache key."""
    digest: str = ""

    def rule_set(self) -> RuleSet:
        """Built-in (unless disabled) plus custom rules, minus disabled IDs."""
        base = load_builtin_rules() if self.use_builtin_rules else RuleSet()
        merged = RuleSet(base.content + self.custom.content, base.paths + self.custom.paths)
        unknown = (self.disable_rules | self.enable_rules) - set(merged.ids())
        if unknown:
            raise SecretConfigError(
                f"{self.source}: unknown rule ids: {', '.join(sorted(unknown))}"
            )
        off = {r.id for r in merged.content if not r.enabled} - self.enable_rules
        return merged.without(self.disable_rules | off)

    def is_skipped(self, path: str) -> bool:
        """Does a skip pattern match ``path``?"""
        return any(p.search(path) for p in self.skip_paths)


def _regex_list(values: Any, where: str) -> list[re.Pattern[str]]:
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    out = []
    for v in values:
        try:
            out.append(re.compile(str(v)))
        except re.error as exc:
            raise SecretConfigError(f"{where}: bad regex {v!r}: {exc}") from None
    return out


def load_secret_config(path: str) -> SecretConfig:
    """Read a YAML (``.yaml``/``.yml``) or gitleaks TOML (``.toml``) config file."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise SecretConfigError(f"secret config {path}: {exc.strerror or exc}") from None
    digest = hashlib.sha256(raw).hexdigest()[:16]
    try:
        if p.suffix.lower() == ".toml":
            cfg = _from_gitleaks(tomllib.loads(raw.decode("utf-8")), path)
        else:
            cfg = _from_yaml(yaml.safe_load(raw.decode("utf-8")) or {}, path)
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        raise SecretConfigError(f"secret config {path}: cannot parse: {exc}") from None
    except RuleError as exc:
        raise SecretConfigError(f"secret config {path}: {exc}") from None
    cfg.source, cfg.digest = path, digest
    return cfg


def _from_yaml(doc: Any, where: str) -> SecretConfig:
    if not isinstance(doc, Mapping):
        raise SecretConfigError(f"secret config {where}: expected a mapping at the top level")
    known = {"use_builtin_rules", "disable_rules", "enable_rules", "skip_paths", "allow",
             "max_file_size", "include_package_files",
             "rules", "path_rules", "family", "defaults"}
    extra = set(doc) - known
    if extra:
        raise SecretConfigError(f"secret config {where}: unknown keys: {', '.join(sorted(extra))}")
    custom = parse_rule_document({"family": "custom", **doc}, where)
    size = doc.get("max_file_size")
    return SecretConfig(
        use_builtin_rules=bool(doc.get("use_builtin_rules", True)),
        disable_rules={str(r) for r in doc.get("disable_rules") or []},
        enable_rules={str(r) for r in doc.get("enable_rules") or []},
        custom=custom,
        allow=_regex_list(doc.get("allow"), where),
        skip_paths=_regex_list(doc.get("skip_paths"), where),
        max_file_size=int(size) if size is not None else None,
        include_package_files=bool(doc.get("include_package_files", False)),
    )


def _gitleaks_allowlists(node: Any) -> list[Mapping[str, Any]]:
    if node is None:
        return []
    return [node] if isinstance(node, Mapping) else list(node)


def _from_gitleaks(doc: Mapping[str, Any], where: str) -> SecretConfig:
    extend = doc.get("extend") or {}
    cfg = SecretConfig(
        use_builtin_rules=bool(extend.get("useDefault", False)),
        disable_rules={str(r) for r in extend.get("disabledRules") or []},
    )
    global_lists = _gitleaks_allowlists(doc.get("allowlist"))
    global_lists += _gitleaks_allowlists(doc.get("allowlists"))
    for al in global_lists:
        cfg.allow += _regex_list(al.get("regexes"), where)
        cfg.allow += [re.compile(re.escape(str(w)), re.I) for w in al.get("stopwords") or []]
        cfg.skip_paths += _regex_list(al.get("paths"), where)
    for r in doc.get("rules") or []:
        if "regex" not in r:
            continue  # path-only gitleaks rules have no content pattern to run
        allow: list[str] = []
        rule_lists = _gitleaks_allowlists(r.get("allowlist"))
        rule_lists += _gitleaks_allowlists(r.get("allowlists"))
        for al in rule_lists:
            allow += [str(x) for x in al.get("regexes") or []]
            allow += [re.escape(str(w)) for w in al.get("stopwords") or []]
        mapped = {
            "id": r.get("id"),
            "title": r.get("description") or r.get("id"),
            "severity": r.get("severity", "high"),
            "keywords": r.get("keywords") or [],
            "regex": r["regex"],
            "secret_group": r.get("secretGroup") or None,
            "entropy": r.get("entropy", 0.0),
            "allow": allow,
        }
        cfg.custom.content.append(parse_content_rule(mapped, "custom", {}))
    return cfg
