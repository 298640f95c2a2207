"""A small, safe expression language for YAML custom rules.

An expression is a mapping with exactly one form:

* ``{all: [expr, ...]}``, ``{any: [expr, ...]}``, ``{not: expr}``;
* a test on a JSON path: ``{path: P, equals: V}``, ``{path: P, in: [V, ...]}``,
  ``{path: P, exists: true|false}``, ``{path: P, regex: "..."}``, with an optional
  ``match: any|all`` deciding how the values of a wildcard path combine (default any).

Paths are dotted keys with ``[N]`` indexes and ``[*]`` wildcards; quote keys that
contain dots: ``spec.template.metadata.annotations["seawall.io/team"]``. Nothing is
ever evaluated as code.
"""

from __future__ import annotations

import re
from typing import Any

from seawall.errors import InputError

_MISSING = object()
_TOKEN = re.compile(r"""\.?([A-Za-z0-9_\-/$@]+)|\[(\*|\d+)\]|\[["']([^"']+)["']\]""")
_OPERATORS = ("equals", "in", "exists", "regex")
MAX_DEPTH = 50
MAX_REGEX = 1000


def parse_path(path: str) -> list[str | int | None]:
    """Path text to steps: key (str), index (int) or wildcard (None)."""
    steps: list[str | int | None] = []
    pos = 0
    while pos < len(path):
        m = _TOKEN.match(path, pos)
        if not m or m.end() == pos:
            raise InputError(f"invalid path {path!r} at offset {pos}")
        if m.group(1) is not None:
            steps.append(m.group(1))
        elif m.group(2) is not None:
            steps.append(None if m.group(2) == "*" else int(m.group(2)))
        else:
            steps.append(m.group(3))
        pos = m.end()
    return steps


def resolve(data: Any, steps: list[str | int | None]) -> list[Any]:
    """Every value the path reaches (missing branches contribute nothing)."""
    current = [data]
    for step in steps:
        nxt: list[Any] = []
        for value in current:
            if step is None:
                if isinstance(value, list):
                    nxt.extend(value)
                elif isinstance(value, dict):
                    nxt.extend(value.values())
            elif isinstance(step, int):
                if isinstance(value, list) and step < len(value):
                    nxt.append(value[step])
            elif isinstance(value, dict) and step in value:
                nxt.append(value[step])
        current = nxt
    return current


class Expression:
    """A validated, compiled expression."""

    def __init__(self, spec: Any, where: str, depth: int = 0) -> None:
        if depth > MAX_DEPTH:
            raise InputError(f"{where}: expression nested deeper than {MAX_DEPTH}")
        if not isinstance(spec, dict):
            raise InputError(f"{where}: an expression must be a mapping")
        self.where = where
        self.children: list[Expression] = []
        if "all" in spec or "any" in spec:
            self.kind = "all" if "all" in spec else "any"
            items = spec[self.kind]
            if len(spec) != 1 or not isinstance(items, list) or not items:
                raise InputError(f"{where}: '{self.kind}' takes a non-empty list and nothing else")
            self.children = [Expression(i, where, depth + 1) for i in items]
        elif "not" in spec:
            if len(spec) != 1:
                raise InputError(f"{where}: 'not' takes one expression and nothing else")
            self.kind = "not"
            self.children = [Expression(spec["not"], where, depth + 1)]
        else:
            self._leaf(spec, where)

    def _leaf(self, spec: dict[str, Any], where: str) -> None:
        ops = [op for op in _OPERATORS if op in spec]
        unknown = set(spec) - {"path", "match", *_OPERATORS}
        if "path" not in spec or len(ops) != 1 or unknown:
            raise InputError(
                f"{where}: a test needs 'path' and exactly one of {', '.join(_OPERATORS)}"
                + (f" (unknown keys: {', '.join(sorted(unknown))})" if unknown else "")
            )
        self.kind = ops[0]
        self.steps = parse_path(str(spec["path"]))
        self.quantifier = str(spec.get("match", "any"))
        if self.quantifier not in ("any", "all"):
            raise InputError(f"{where}: match must be any or all")
        self.operand = spec[self.kind]
        if self.kind == "in" and not isinstance(self.operand, list):
            raise InputError(f"{where}: 'in' takes a list")
        if self.kind == "exists" and not isinstance(self.operand, bool):
            raise InputError(f"{where}: 'exists' takes true or false")
        if self.kind == "regex":
            if not isinstance(self.operand, str) or len(self.operand) > MAX_REGEX:
                raise InputError(
                    f"{where}: 'regex' takes a string of at most {MAX_REGEX} characters"
                )
            try:
                self.pattern = re.compile(self.operand)
            except re.error as exc:
                raise InputError(f"{where}: invalid regex: {exc}") from None

    def evaluate(self, data: Any) -> bool:
        """Evaluate against parsed data."""
        if self.kind == "all":
            return all(c.evaluate(data) for c in self.children)
        if self.kind == "any":
            return any(c.evaluate(data) for c in self.children)
        if self.kind == "not":
            return not self.children[0].evaluate(data)
        values = resolve(data, self.steps)
        if self.kind == "exists":
            return bool(values) == self.operand
        results = [self._test(v) for v in values]
        if self.quantifier == "all":
            return bool(results) and all(results)
        return any(results)

    def _test(self, value: Any) -> bool:
        if self.kind == "equals":
            return bool(value == self.operand)
        if self.kind == "in":
            return value in self.operand
        return (
            isinstance(value, str | int | float | bool)
            and self.pattern.search(str(value)) is not None
        )
