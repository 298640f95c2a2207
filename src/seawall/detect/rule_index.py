"""Which rules can possibly match an event, decided from a few cheap fields.

Most rules require particular values of ``ka.stage``, ``ka.target.resource`` or
``ka.verb`` (through their ``and`` chains and macros). Those necessary values are read
off each rule's condition once; at run time the dispatch fields of an event select the
candidate rules (memoised per combination), and only those evaluate their full
condition. A rule whose condition does not pin a field is a candidate for every value
of it, so the index never drops a match: it only skips rules that cannot fire."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Generic, TypeVar

from seawall.detect.condition_syntax import And, Compare, MacroRef, Node, Not, Or, parse_condition

T = TypeVar("T")

Constraint = frozenset[str] | None
"""The values a field must have for a condition to hold (None: any value)."""


def _expand(values: Sequence[str], refs: Sequence[bool], lists: Mapping[str, Sequence[str]],
            seen: frozenset[str] = frozenset()) -> set[str]:
    out: set[str] = set()
    for value, bare in zip(values, refs, strict=True):
        if bare and value in lists and value not in seen:
            nested = list(lists[value])
            out |= _expand(nested, [True] * len(nested), lists, seen | {value})
        else:
            out.add(value)
    return out


def required_values(node: Node, field: str, macros: Mapping[str, Node],
                    lists: Mapping[str, Sequence[str]], depth: int = 0) -> Constraint:
    """Values ``field`` must take for ``node`` to hold (None when unconstrained)."""
    if depth > 50:
        return None
    if isinstance(node, Compare):
        if node.field != field:
            return None
        if node.op == "=":
            return frozenset(node.values)
        if node.op == "in":
            return frozenset(_expand(node.values, node.list_refs, lists))
        return None
    if isinstance(node, MacroRef):
        macro = macros.get(node.name)
        return None if macro is None else required_values(macro, field, macros, lists,
                                                          depth + 1)
    if isinstance(node, And):
        left = required_values(node.left, field, macros, lists, depth + 1)
        right = required_values(node.right, field, macros, lists, depth + 1)
        if left is None:
            return right
        return left if right is None else left & right
    if isinstance(node, Or):
        left = required_values(node.left, field, macros, lists, depth + 1)
        right = required_values(node.right, field, macros, lists, depth + 1)
        return None if left is None or right is None else left | right
    if isinstance(node, Not):
        return None
    return None


class CandidateIndex(Generic[T]):
    """Candidate items per combination of dispatch-field values."""

    def __init__(self, items: Sequence[T], conditions: Sequence[str],
                 fields: Sequence[str], readers: Sequence[Callable[[Any], Any]],
                 macros: Mapping[str, str], lists: Mapping[str, Sequence[str]]) -> None:
        parsed_macros: dict[str, Node] = {}
        for name, text in macros.items():
            try:
                parsed_macros[name] = parse_condition(text)
            except ValueError:
                continue  # the loader already refused broken macros
        self.items = list(items)
        self.readers = list(readers)
        self.constraints: list[tuple[Constraint, ...]] = []
        for condition in conditions:
            node = parse_condition(condition)
            self.constraints.append(tuple(required_values(node, f, parsed_macros, lists)
                                          for f in fields))
        self._memo: dict[tuple[Any, ...], list[T]] = {}

    def candidates(self, event: Any) -> list[T]:
        """The items whose dispatch constraints ``event`` meets."""
        key = tuple(read(event) for read in self.readers)
        found = self._memo.get(key)
        if found is None:
            found = [item for item, cons in zip(self.items, self.constraints, strict=True)
                     if all(c is None or (v is not None and str(v) in c)
                            for c, v in zip(cons, key, strict=True))]
            if len(self._memo) < 10_000:  # values are attacker-chosen: bound the memo
                self._memo[key] = found
        return found
