"""Compile a parsed condition into nested Python closures over declared fields.

Semantics, for rule authors:
- A field that the event lacks makes every comparison on it false (``!=`` included);
  only ``not`` turns that around.
- Multi-valued fields (``ka.user.groups``) hold for ``= != contains startswith ...`` when
  one element does; ``in`` holds when every element is in the set (and there is one);
  ``intersects`` when one is.
- Literals are converted to the field's type once, at compile time (``code = 2x`` on an
  integer field is a compile error); string operators on integers read the decimal text.
"""

from __future__ import annotations

import fnmatch
import ipaddress
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from seawall.detect.condition_syntax import And, Compare, MacroRef, Node, Not, Or
from seawall.detect.event import Event, EventSchema, FieldType, field_getter

Predicate = Callable[[Event], bool]


class ConditionCompileError(ValueError):
    """A condition that parses but means nothing (unknown field or macro, bad literal)."""

    def __init__(self, message: str, column: int = 0) -> None:
        super().__init__(message + (f" (column {column})" if column else ""))
        self.column = column


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


def _literal(raw: str, ftype: FieldType, op: str, column: int) -> Any:
    if ftype is FieldType.INT and op in ("=", "!=", "<", "<=", ">", ">=", "in", "intersects"):
        try:
            return int(raw)
        except ValueError:
            raise ConditionCompileError(f"{raw!r} is not an integer", column) from None
    if ftype in (FieldType.BOOL, FieldType.BOOL_LIST) and op in ("=", "!=", "in", "intersects"):
        low = raw.lower()
        if low not in ("true", "false"):
            raise ConditionCompileError(f"{raw!r} is not true/false", column)
        return low == "true"
    if op in ("<", "<=", ">", ">="):
        raise ConditionCompileError(f"{op} needs an integer field", column)
    return raw


def _element_test(op: str, values: Sequence[Any], column: int) -> Callable[[Any], bool]:
    """A test of one (non-list) field value against the literal(s)."""
    if op in ("=", "!="):
        want = values[0]
        if isinstance(want, str):
            if op == "=":
                return lambda v: _text(v) == want
            return lambda v: _text(v) != want
        if op == "=":
            return lambda v: v == want and type(v) is type(want)
        return lambda v: v != want or type(v) is not type(want)
    if op in ("<", "<=", ">", ">="):
        bound = values[0]
        compare = {"<": int.__lt__, "<=": int.__le__, ">": int.__gt__, ">=": int.__ge__}[op]
        return lambda v: isinstance(v, int) and compare(v, bound)
    if op == "contains":
        needle = values[0]
        return lambda v: needle in _text(v)
    if op == "icontains":
        lowered = values[0].lower()
        return lambda v: lowered in _text(v).lower()
    if op == "startswith":
        prefix = values[0]
        return lambda v: _text(v).startswith(prefix)
    if op == "endswith":
        suffix = values[0]
        return lambda v: _text(v).endswith(suffix)
    if op == "glob":
        pattern = values[0]
        return lambda v: fnmatch.fnmatchcase(_text(v), pattern)
    if op in ("in", "intersects"):
        members = frozenset(values)
        if all(isinstance(m, str) for m in members):
            return lambda v: _text(v) in members
        return lambda v: v in members
    if op == "pmatch":
        prefixes = tuple(p.rstrip("/") for p in values)

        def under(v: Any) -> bool:
            path = _text(v)
            return any(p == "" or path == p or path.startswith(p + "/") for p in prefixes)

        return under
    if op == "cidr":
        try:
            nets = [ipaddress.ip_network(v, strict=False) for v in values]
        except ValueError as exc:
            raise ConditionCompileError(f"bad network in cidr list: {exc}", column) from None

        def inside(v: Any) -> bool:
            try:
                addr = ipaddress.ip_address(_text(v))
            except ValueError:
                return False
            return any(addr in net for net in nets)

        return inside
    raise ConditionCompileError(f"unknown operator {op!r}", column)


def _operands(node: Node, kind: type[And] | type[Or]) -> list[Node]:
    """The operands of a chain of ``kind`` (And or Or) nodes, left to right."""
    if (isinstance(node, And) and kind is And) or (isinstance(node, Or) and kind is Or):
        assert isinstance(node, And | Or)
        return _operands(node.left, kind) + _operands(node.right, kind)
    return [node]


def _string_test(get: Callable[[Event], Any], op: str, values: Sequence[Any]
                 ) -> Predicate | None:
    """Direct tests for string fields (their value is a str or None), which skip the
    generic path's conversions; None for operators without one."""
    if op == "=":
        want = values[0]
        return lambda ev: get(ev) == want
    if op == "!=":
        other = values[0]
        return lambda ev: (v := get(ev)) is not None and v != other
    if op in ("in", "intersects"):
        members = frozenset(values)
        return lambda ev: get(ev) in members
    if op == "startswith":
        prefix = values[0]
        return lambda ev: (v := get(ev)) is not None and v.startswith(prefix)
    if op == "endswith":
        suffix = values[0]
        return lambda ev: (v := get(ev)) is not None and v.endswith(suffix)
    if op == "contains":
        needle = values[0]
        return lambda ev: (v := get(ev)) is not None and needle in v
    return None


class ConditionCompiler:
    """Compiles conditions of one source against its schema, lists and macros."""

    def __init__(self, schema: EventSchema, lists: Mapping[str, Sequence[str]],
                 macros: Mapping[str, Node]) -> None:
        self.schema = schema
        self.lists = lists
        self.macros = macros
        self._macro_cache: dict[str, Predicate] = {}
        self._in_progress: list[str] = []

    def expand_list(self, name: str, seen: frozenset[str] = frozenset()) -> list[str]:
        """A list's items with nested list names expanded."""
        if name in seen:
            raise ConditionCompileError(f"list {name!r} includes itself")
        out: list[str] = []
        for item in self.lists[name]:
            if item in self.lists:
                out.extend(self.expand_list(item, seen | {name}))
            else:
                out.append(item)
        return out

    def compile(self, node: Node) -> Predicate:
        """The predicate of a parsed condition."""
        if isinstance(node, And | Or):
            # a and b and c is one closure looping over its operands, not a nest of them
            parts = tuple(self.compile(n) for n in _operands(node, type(node)))
            if isinstance(node, And):
                if len(parts) == 2:
                    first, second = parts
                    return lambda ev: first(ev) and second(ev)

                def every_part(ev: Event) -> bool:
                    for part in parts:  # noqa: SIM110 - a plain loop beats all(genexpr) here
                        if not part(ev):
                            return False
                    return True

                return every_part
            if len(parts) == 2:
                first, second = parts
                return lambda ev: first(ev) or second(ev)

            def any_part(ev: Event) -> bool:
                for part in parts:  # noqa: SIM110 - a plain loop beats any(genexpr) here
                    if part(ev):
                        return True
                return False

            return any_part
        if isinstance(node, Not):
            inner = self.compile(node.operand)
            return lambda ev: not inner(ev)
        if isinstance(node, MacroRef):
            return self._macro(node)
        return self._compare(node)

    def _macro(self, node: MacroRef) -> Predicate:
        name = node.name
        if name in self._macro_cache:
            return self._macro_cache[name]
        if name not in self.macros:
            raise ConditionCompileError(f"unknown field or macro {name!r}", node.column)
        if name in self._in_progress:
            raise ConditionCompileError(f"macro {name!r} refers to itself", node.column)
        self._in_progress.append(name)
        try:
            pred = self.compile(self.macros[name])
        except ConditionCompileError as exc:
            raise ConditionCompileError(f"in macro {name!r}: {exc}") from None
        finally:
            self._in_progress.pop()
        self._macro_cache[name] = pred
        return pred

    def field(self, name: str, column: int = 0) -> tuple[Callable[[Event], Any], FieldType]:
        """The cached getter and type of a declared field."""
        resolved = self.schema.resolve(name)
        if resolved is None:
            raise ConditionCompileError(
                f"{name!r} is not a field of source {self.schema.source}", column)
        key, ftype, extract = resolved
        return field_getter(key, extract), ftype

    def _compare(self, node: Compare) -> Predicate:
        get, ftype = self.field(node.field, node.column)
        if node.op == "exists":
            return lambda ev: (v := get(ev)) is not None and v != []
        raw_values: list[str] = []
        for value, bare in zip(node.values, node.list_refs, strict=True):
            if bare and value in self.lists and node.op in ("in", "intersects", "pmatch", "cidr"):
                raw_values.extend(self.expand_list(value))
            else:
                raw_values.append(value)
        values = [_literal(v, ftype, node.op, node.column) for v in raw_values]
        if node.op in ("in", "intersects") and not values:
            return lambda ev: False
        if ftype is FieldType.STR:
            fast = _string_test(get, node.op, values)
            if fast is not None:
                return fast
        test = _element_test(node.op, values, node.column)
        if not ftype.is_list:
            def scalar(ev: Event) -> bool:
                v = get(ev)
                return v is not None and test(v)

            return scalar
        if node.op == "in":
            def every(ev: Event) -> bool:
                v = get(ev)
                return bool(v) and all(test(x) for x in v)

            return every

        def anyone(ev: Event) -> bool:
            v = get(ev)
            return bool(v) and any(test(x) for x in v)

        return anyone
