"""Load rule files (YAML lists of ``list``, ``macro``, ``rule`` and ``override`` items,
Falco-style) into a compiled :class:`RuleSet`. Later files tune earlier ones: a list or
macro defined again replaces it (``append: true`` extends a list), an ``override`` item
disables a rule, changes its severity or adds exception values. Any error names
``file:line`` and nothing of the load is kept."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from seawall.detect.condition_compiler import ConditionCompileError, ConditionCompiler, Predicate
from seawall.detect.condition_syntax import (
    And,
    Compare,
    ConditionSyntaxError,
    Node,
    Not,
    Or,
    parse_condition,
)
from seawall.detect.event import Event, FieldType
from seawall.detect.rule import CountWindow, FirstSeen, Rule, SequenceWindow, Stateful
from seawall.detect.schemas import schema_for
from seawall.errors import InputError
from seawall.model.finding import Severity

_OUTPUT_FIELD = re.compile(r"%([A-Za-z_][\w.]*(?:\[[^\]\s]*\])?)")
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$")
_RULE_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]*$")


class RuleFileError(InputError):
    """A rule file that cannot be loaded; the message starts with ``file:line:``."""


class _LineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """SafeLoader that records each mapping's line as ``__line__``."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _strip_lines(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_lines(v) for k, v in value.items() if k != "__line__"}
    if isinstance(value, list):
        return [_strip_lines(v) for v in value]
    return value


@dataclass
class _Item:
    data: dict[str, Any]
    origin: str

    def fail(self, message: str) -> RuleFileError:
        return RuleFileError(f"{self.origin}: {message}")

    def text(self, key: str, default: str | None = None) -> str:
        value = self.data.get(key, default)
        if not isinstance(value, str):
            raise self.fail(f"{key!r} must be a string")
        return value

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str | int | float) for v in value):
            raise self.fail(f"{key!r} must be a list of strings")
        return tuple(str(v) for v in value)


@dataclass
class _Exception:
    name: str
    fields: tuple[str, ...]
    comps: tuple[str, ...]
    values: list[list[Any]]


@dataclass
class _PendingRule:
    item: _Item
    exceptions: list[_Exception] = field(default_factory=list)
    severity: Severity | None = None
    enabled: bool = True


def builtin_rule_paths() -> list[Path]:
    """The rule files shipped in the package (``rules/detect/<source>/*.yaml``)."""
    root = resources.files("seawall").joinpath("rules", "detect")
    out: list[Path] = []
    for source_dir in sorted(Path(str(root)).iterdir()):
        if source_dir.is_dir():
            out.extend(sorted(source_dir.glob("*.yaml")))
    return out


def expand_rule_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files of ``--rules FILE|DIR`` arguments (a directory gives its ``*.yaml``/``*.yml``)."""
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            out.extend(sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml")))
        elif path.is_file():
            out.append(path)
        else:
            raise RuleFileError(f"{path}: no such rule file or directory")
    return out


def _duration(item: _Item, value: Any) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    match = _DURATION.match(str(value).strip()) if isinstance(value, str) else None
    if not match:
        raise item.fail(f"bad duration {value!r} (use e.g. 60s, 5m, 1h)")
    scale = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, None: 1}[match.group(2)]
    return float(match.group(1)) * scale


@dataclass
class RuleSet:
    """Compiled rules with the lists and macros they were compiled against."""

    rules: list[Rule]
    lists: dict[str, list[str]]
    macros: dict[str, str]
    files: list[str]

    def enabled(self) -> list[Rule]:
        """Rules that run."""
        return [r for r in self.rules if r.enabled]

    def by_id(self, rule_id: str) -> Rule | None:
        """A rule by id."""
        return next((r for r in self.rules if r.id == rule_id), None)


def _read_items(path: Path) -> list[_Item]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleFileError(f"{path}: cannot read: {exc}") from None
    try:
        docs = yaml.load(text, Loader=_LineLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise RuleFileError(f"{path}{line}: YAML syntax error: {problem}") from None
    if docs is None:
        return []
    if not isinstance(docs, list):
        raise RuleFileError(f"{path}:1: a rule file is a YAML list of list/macro/rule items")
    items = []
    for index, doc in enumerate(docs):
        if not isinstance(doc, dict):
            raise RuleFileError(f"{path}: item {index + 1} is not a mapping")
        items.append(_Item(doc, f"{path}:{doc.get('__line__', '?')}"))
    return items


def _parse_exceptions(item: _Item, raw: Any) -> list[_Exception]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise item.fail("'exceptions' must be a list")
    out = []
    for entry in raw:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise item.fail("each exception needs a 'name'")
        fields = entry.get("fields", [])
        comps = entry.get("comps", [])
        values = _strip_lines(entry.get("values", []))
        if not isinstance(fields, list) or not isinstance(values, list):
            raise item.fail(f"exception {entry['name']!r}: fields and values must be lists")
        if comps and len(comps) != len(fields):
            raise item.fail(f"exception {entry['name']!r}: comps and fields differ in length")
        rows = []
        for row in values:
            row = row if isinstance(row, list) and len(fields) > 1 else [row]
            if len(row) != len(fields):
                raise item.fail(f"exception {entry['name']!r}: a value row has {len(row)} "
                                f"items for {len(fields)} fields")
            rows.append(row)
        out.append(_Exception(entry["name"], tuple(fields), tuple(comps), rows))
    return out


class _Loading:
    def __init__(self) -> None:
        self.lists: dict[str, list[str]] = {}
        self.macros: dict[str, tuple[str, _Item]] = {}
        self.rules: dict[str, _PendingRule] = {}
        self.order: list[str] = []

    def add(self, item: _Item) -> None:
        data = item.data
        kinds = [k for k in ("list", "macro", "rule", "override") if k in data]
        if len(kinds) != 1:
            raise item.fail("an item has exactly one of list, macro, rule, override")
        kind = kinds[0]
        name = data[kind]
        if not isinstance(name, str) or not name:
            raise item.fail(f"{kind} name must be a non-empty string")
        if kind == "list":
            items = data.get("items", [])
            if not isinstance(items, list) or not all(isinstance(v, str | int | float | bool)
                                                      for v in items):
                raise item.fail(f"list {name!r}: items must be a list of scalars")
            values = [str(v).lower() if isinstance(v, bool) else str(v) for v in items]
            if data.get("append") and name in self.lists:
                self.lists[name] = self.lists[name] + values
            else:
                self.lists[name] = values
        elif kind == "macro":
            condition = item.text("condition")
            try:
                parse_condition(condition)
            except ConditionSyntaxError as exc:
                raise item.fail(f"macro {name!r}: {exc}") from None
            if data.get("append") and name in self.macros:
                condition = f"({self.macros[name][0]}) or ({condition})"
            self.macros[name] = (condition, item)
        elif kind == "rule":
            if not _RULE_ID.match(name):
                raise item.fail(f"bad rule id {name!r}")
            if name in self.rules:
                raise item.fail(f"rule {name!r} is already defined at "
                                f"{self.rules[name].item.origin} (use an override item)")
            pending = _PendingRule(item, _parse_exceptions(item, data.get("exceptions")))
            self.rules[name] = pending
            self.order.append(name)
        else:
            self.override(name, item)

    def override(self, name: str, item: _Item) -> None:
        pending = self.rules.get(name)
        if pending is None:
            raise item.fail(f"override of unknown rule {name!r}")
        data = item.data
        if "enabled" in data:
            if not isinstance(data["enabled"], bool):
                raise item.fail("'enabled' must be true or false")
            pending.enabled = data["enabled"]
        if "severity" in data:
            try:
                pending.severity = Severity.parse(str(data["severity"]))
            except ValueError:
                raise item.fail(f"bad severity {data['severity']!r}") from None
        for extra in _parse_exceptions(item, data.get("exceptions")):
            existing = next((e for e in pending.exceptions if e.name == extra.name), None)
            if existing is None:
                pending.exceptions.append(extra)
            elif extra.fields and extra.fields != existing.fields:
                raise item.fail(f"exception {extra.name!r}: fields differ from the rule's")
            else:
                existing.values.extend(extra.values)


def _exception_node(exc: _Exception) -> Node | None:
    """``not (f1 c1 v1 and f2 c2 v2) and not (...)`` for each value row, as AST."""
    rows: list[Node] = []
    for row in exc.values:
        parts: list[Node] = []
        for index, (fname, value) in enumerate(zip(exc.fields, row, strict=True)):
            comp = exc.comps[index] if exc.comps else ("in" if isinstance(value, list) else "=")
            values = tuple(str(v) for v in value) if isinstance(value, list) else (str(value),)
            parts.append(Compare(fname, comp, values, tuple(False for _ in values), 0))
        node = parts[0]
        for part in parts[1:]:
            node = And(node, part)
        rows.append(node)
    if not rows:
        return None
    combined = rows[0]
    for row_node in rows[1:]:
        combined = Or(combined, row_node)
    return Not(combined)


def _format_value(value: Any) -> str:
    if value is None:
        return "<NA>"
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ",".join(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int):
        return str(value)
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


def _compile_rule(name: str, pending: _PendingRule, compiler: ConditionCompiler) -> Rule:
    item = pending.item
    data = item.data
    try:
        node = parse_condition(item.text("condition"))
    except ConditionSyntaxError as exc:
        raise item.fail(f"rule {name}: condition: {exc}") from None
    for exc_spec in pending.exceptions:
        extra = _exception_node(exc_spec)
        if extra is not None:
            node = And(node, extra)
    try:
        predicate = compiler.compile(node)
    except ConditionCompileError as exc:
        raise item.fail(f"rule {name}: condition: {exc}") from None
    output = " ".join(item.text("output", item.text("title")).split())
    field_names = [f.rstrip(".") for f in _OUTPUT_FIELD.findall(output)]
    field_names += [f for f in item.strings("output_fields") if f not in field_names]
    getters = []
    try:
        for fname in field_names:
            getters.append((fname, compiler.field(fname)[0]))
    except ConditionCompileError as exc:
        raise item.fail(f"rule {name}: output: {exc}") from None

    # The template split once into (literal, field or None) pieces; a field name's
    # trailing dots are sentence punctuation, kept as text.
    pieces: list[tuple[str, str | None]] = []
    position = 0
    for match in _OUTPUT_FIELD.finditer(output):
        referenced = match.group(1).rstrip(".")
        pieces.append((output[position:match.start()], referenced))
        position = match.start() + 1 + len(referenced)
    pieces.append((output[position:], None))

    def render(ev: Event) -> tuple[str, dict[str, Any]]:
        values = {fname: get(ev) for fname, get in getters}
        text = "".join(literal + (_format_value(values[fname]) if fname else "")
                       for literal, fname in pieces)
        return text, values

    severity_text = str(data.get("severity", ""))
    try:
        severity = pending.severity or Severity.parse(severity_text)
    except ValueError:
        raise item.fail(f"rule {name}: bad severity {severity_text!r}") from None
    examples = data.get("examples") or {}
    if not isinstance(examples, dict):
        raise item.fail(f"rule {name}: 'examples' must map match/no_match to lists")
    return Rule(
        id=name, title=item.text("title"), severity=severity,
        description=" ".join(item.text("description", "").split()),
        remediation=" ".join(item.text("remediation", "").split()),
        source=item.text("source", "k8s_audit"), condition_text=item.text("condition"),
        output=output, output_fields=tuple(field_names), predicate=predicate, render=render,
        attack=item.strings("attack"), ms_matrix=item.strings("ms_matrix"),
        falco=item.strings("falco"), tags=item.strings("tags"),
        references=item.strings("references"),
        stateful=_stateful(item, name, compiler), enabled=pending.enabled and data.get(
            "enabled", True) is not False, origin=item.origin,
        examples={k: _strip_lines(v) for k, v in examples.items() if k != "__line__"},
    )


def _keys(item: _Item, spec: dict[str, Any], key: str, compiler: ConditionCompiler
          ) -> tuple[str, ...]:
    names = spec.get(key)
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        raise item.fail(f"'{key}' must be a non-empty list of fields")
    for fname in names:
        try:
            compiler.field(fname)
        except ConditionCompileError as exc:
            raise item.fail(str(exc)) from None
    return tuple(names)


def _stateful(item: _Item, name: str, compiler: ConditionCompiler) -> Stateful | None:
    data = item.data
    present = [k for k in ("count", "sequence", "first_seen") if k in data]
    if not present:
        return None
    if len(present) > 1:
        raise item.fail(f"rule {name}: only one of count, sequence, first_seen")
    kind = present[0]
    spec = data[kind]
    if not isinstance(spec, dict):
        raise item.fail(f"rule {name}: '{kind}' must be a mapping")
    key = _keys(item, spec, "key", compiler)
    if kind == "first_seen":
        return FirstSeen(key, _keys(item, spec, "value", compiler))
    seconds = _duration(item, spec.get("window"))
    if kind == "count":
        threshold = spec.get("threshold")
        if not isinstance(threshold, int) or threshold < 1:
            raise item.fail(f"rule {name}: count threshold must be a positive integer")
        return CountWindow(key, seconds, threshold)
    steps_raw = spec.get("steps")
    if not isinstance(steps_raw, list) or len(steps_raw) < 2:
        raise item.fail(f"rule {name}: a sequence needs at least two steps")
    steps: list[Predicate] = []
    for index, step in enumerate(steps_raw, 1):
        if not isinstance(step, str):
            raise item.fail(f"rule {name}: step {index} must be a condition string")
        try:
            steps.append(compiler.compile(parse_condition(step)))
        except (ConditionSyntaxError, ConditionCompileError) as exc:
            raise item.fail(f"rule {name}: step {index}: {exc}") from None
    return SequenceWindow(key, seconds, tuple(steps))


def _disabled(rule: Rule, disable: Sequence[str]) -> bool:
    for entry in disable:
        if entry.startswith("tag:"):
            if entry[4:] in rule.tags:
                return True
        elif entry == rule.id:
            return True
    return False


def load_rule_set(extra_paths: Sequence[str | Path] = (), disable: Sequence[str] = (),
                  builtin: bool = True, extra_items: Sequence[dict[str, Any]] = (),
                  extra_origin: str = "<tuning>") -> RuleSet:
    """Load the built-in rules, then ``extra_paths`` (files or directories) in order,
    then ``extra_items`` (already-parsed items, e.g. a rule example's tuning), and
    disable the rules named by ``disable`` (ids or ``tag:T``). Raises
    :class:`RuleFileError` on the first problem; nothing half-loaded is returned."""
    files = (builtin_rule_paths() if builtin else []) + expand_rule_paths(extra_paths)
    loading = _Loading()
    for path in files:
        for item in _read_items(path):
            loading.add(item)
    for index, raw in enumerate(extra_items):
        if not isinstance(raw, dict):
            raise RuleFileError(f"{extra_origin}: item {index + 1} is not a mapping")
        loading.add(_Item(dict(raw), f"{extra_origin}:{raw.get('__line__', index + 1)}"))
    macros = {}
    for mname, (text, item) in loading.macros.items():
        try:
            macros[mname] = parse_condition(text)
        except ConditionSyntaxError as exc:
            raise item.fail(f"macro {mname!r}: {exc}") from None
    compilers: dict[str, ConditionCompiler] = {}
    rules = []
    for name in loading.order:
        pending = loading.rules[name]
        source = pending.item.data.get("source", "k8s_audit")
        schema = schema_for(str(source))
        if schema is None:
            raise pending.item.fail(f"rule {name}: unknown source {source!r}")
        compiler = compilers.setdefault(schema.source,
                                        ConditionCompiler(schema, loading.lists, macros))
        rules.append(_compile_rule(name, pending, compiler))
    known = {r.id for r in rules} | {t for r in rules for t in ("tag:" + x for x in r.tags)}
    unknown = [d for d in disable if d not in known]
    if unknown:
        raise InputError(f"--disable-rule: no rule or tag {unknown[0]!r}")
    for rule in rules:
        if _disabled(rule, disable):
            rule.enabled = False
    return RuleSet(rules, loading.lists, {k: v[0] for k, v in loading.macros.items()},
                   [str(f) for f in files])


__all__ = ["FieldType", "RuleFileError", "RuleSet", "builtin_rule_paths", "load_rule_set"]
