"""YAML/JSON loading with hard limits: hostile input must not exhaust time or memory.

PyYAML's C loader builds aliases as shared Python objects, so an alias bomb
("billion laughs") is small in memory until something walks it. Every document
that defines anchors is therefore measured as the tree it *expands* to (memoised
by object identity, linear in the real object count) and rejected above
:data:`MAX_EXPANDED_NODES`; self-referencing anchors are rejected as well.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml

try:  # the C loader is ~10x faster; fall back to the pure-Python one
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

#: Largest number of nodes a document may expand to through aliases.
MAX_EXPANDED_NODES = 1_000_000
#: Deepest nesting accepted (deeper input is almost certainly hostile).
MAX_DEPTH = 200

_DOC_SEPARATOR = re.compile(r"^(---|\.\.\.)(\s|$)")


class DocumentError(ValueError):
    """A document could not be loaded; ``line`` is 1-based within its file."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


@dataclass
class LoadedDocument:
    """One YAML document of a (multi-document) file."""

    data: Any
    """The parsed value (None for an empty document)."""
    line: int
    """1-based line where the document starts in its file."""
    text: str
    """The document's own text (for finding lines of fields)."""
    helm_source: str | None = None
    """Template path from a Helm ``# Source:`` comment, when present."""


def _expanded_size(value: Any) -> int:
    """Number of nodes ``value`` has once every alias is expanded (iterative)."""
    sizes: dict[int, int] = {}
    in_progress: set[int] = set()
    stack: list[tuple[Any, int, bool]] = [(value, 0, False)]
    while stack:
        node, depth, children_done = stack.pop()
        if not isinstance(node, dict | list):
            continue
        key = id(node)
        if children_done:
            children = node.values() if isinstance(node, dict) else node
            total = 1
            for child in children:
                if isinstance(child, dict | list):
                    total += sizes[id(child)]
                else:
                    total += 1
            if total > MAX_EXPANDED_NODES:
                raise DocumentError(
                    f"document expands to more than {MAX_EXPANDED_NODES} nodes (alias bomb?)"
                )
            sizes[key] = total
            in_progress.discard(key)
            continue
        if key in sizes:
            continue
        if key in in_progress:
            raise DocumentError("self-referencing YAML anchor")
        if depth > MAX_DEPTH:
            raise DocumentError(f"document nested deeper than {MAX_DEPTH} levels")
        in_progress.add(key)
        stack.append((node, depth, True))
        children = node.values() if isinstance(node, dict) else node
        for child in children:
            if isinstance(child, dict | list):
                if id(child) in in_progress and id(child) not in sizes:
                    raise DocumentError("self-referencing YAML anchor")
                stack.append((child, depth + 1, False))
    return sizes.get(id(value), 1)


def _check_depth(value: Any) -> None:
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise DocumentError(f"document nested deeper than {MAX_DEPTH} levels")
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)


_SAFE = yaml.SafeLoader("")
_STR = "tag:yaml.org,2002:str"
_SCALARS = {
    "tag:yaml.org,2002:null": lambda n: None,
    "tag:yaml.org,2002:bool": lambda n: n.value.lower() in ("yes", "true", "on", "y"),
    "tag:yaml.org,2002:int": _SAFE.construct_yaml_int,
    "tag:yaml.org,2002:float": _SAFE.construct_yaml_float,
    "tag:yaml.org,2002:binary": _SAFE.construct_yaml_binary,
    # timestamps stay strings, as they are in JSON manifests
    "tag:yaml.org,2002:timestamp": lambda n: n.value,
}


def _construct(node: yaml.Node, memo: dict[int, Any], depth: int = 0) -> Any:
    """Build plain Python data from a composed node graph (what SafeLoader accepts,
    minus sets/ordered maps; aliases become shared objects). Faster than the generic
    constructor because manifests are nearly all plain mappings, lists and strings."""
    if depth > MAX_DEPTH:
        raise DocumentError(f"document nested deeper than {MAX_DEPTH} levels")
    key = id(node)
    if key in memo:
        return memo[key]
    if isinstance(node, yaml.ScalarNode):
        if node.tag == _STR:
            return node.value
        build = _SCALARS.get(node.tag)
        if build is None:
            raise DocumentError(f"unsupported YAML tag {node.tag}", node.start_mark.line + 1)
        return build(node)
    if isinstance(node, yaml.SequenceNode):
        seq: list[Any] = []
        memo[key] = seq
        seq.extend(_construct(child, memo, depth + 1) for child in node.value)
        return seq
    if isinstance(node, yaml.MappingNode):
        mapping: dict[Any, Any] = {}
        memo[key] = mapping
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                merged = _construct(value_node, memo, depth + 1)
                for source in merged if isinstance(merged, list) else [merged]:
                    if isinstance(source, dict):
                        for k, v in source.items():
                            mapping.setdefault(k, v)
                continue
            k = _construct(key_node, memo, depth + 1)
            if isinstance(k, dict | list):
                raise DocumentError("unhashable mapping key", key_node.start_mark.line + 1)
            mapping[k] = _construct(value_node, memo, depth + 1)
        return mapping
    raise DocumentError(f"unsupported YAML node {type(node).__name__}")


def load_yaml_document(text: str, first_line: int = 1) -> Any:
    """Parse one YAML document with the limits of this module."""
    try:
        node = yaml.compose(text, Loader=_Loader)
        data = _construct(node, {}) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + mark.line if mark is not None else first_line
        problem = exc.problem or exc.context or "invalid YAML"
        raise DocumentError(f"invalid YAML: {problem}", line) from None
    except yaml.YAMLError as exc:
        raise DocumentError(f"invalid YAML: {exc}", first_line) from None
    except DocumentError as exc:
        raise DocumentError(str(exc), first_line + (exc.line or 1) - 1) from None
    except RecursionError:
        raise DocumentError(f"document nested deeper than {MAX_DEPTH} levels", first_line) from None
    try:
        if "&" in text:
            _expanded_size(data)
        elif "[" in text or "{" in text:
            _check_depth(data)
    except DocumentError as exc:
        raise DocumentError(str(exc), first_line) from None
    return data


def split_documents(text: str) -> Iterator[tuple[int, str]]:
    """(first line, text) of each ``---``-separated document; lines are 1-based."""
    start = 1
    buf: list[str] = []
    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        if _DOC_SEPARATOR.match(line):
            if buf:
                yield start, "".join(buf)
            buf = []
            # ``--- {a: 1}`` carries content on the marker line itself
            rest = line[3:].strip()
            start = number if rest and not rest.startswith("#") else number + 1
            if rest and not rest.startswith("#"):
                buf.append(line[3:].lstrip())
            continue
        buf.append(line)
    if buf:
        yield start, "".join(buf)


_HELM_SOURCE = re.compile(r"^#\s*Source:\s*(\S+)", re.MULTILINE)


def load_yaml_stream(text: str) -> Iterator[LoadedDocument | DocumentError]:
    """Every document of a multi-document YAML file; a broken document yields its
    :class:`DocumentError` and the following documents are still read."""
    for first_line, doc_text in split_documents(text):
        source = _HELM_SOURCE.search(doc_text)
        try:
            data = load_yaml_document(doc_text, first_line)
        except DocumentError as exc:
            yield exc
            continue
        if data is None:
            continue
        yield LoadedDocument(data, first_line, doc_text, source.group(1) if source else None)


def load_json_document(text: str) -> Any:
    """Parse JSON (one value) with a depth guard."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DocumentError(f"invalid JSON: {exc.msg}", exc.lineno) from None
    except RecursionError:
        raise DocumentError(f"document nested deeper than {MAX_DEPTH} levels") from None
    _check_depth(data)
    return data
