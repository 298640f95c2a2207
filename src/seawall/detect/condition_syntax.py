"""The condition language's grammar, parsed into a small AST (no ``eval``):

    expr       := and_expr ("or" and_expr)*
    and_expr   := unary ("and" unary)*
    unary      := "not" unary | "(" expr ")" | comparison | MACRO
    comparison := FIELD "exists"
                | FIELD ("=" | "!=" | "<" | "<=" | ">" | ">=" | "contains" | "icontains"
                         | "startswith" | "endswith" | "glob") VALUE
                | FIELD ("in" | "intersects" | "pmatch" | "cidr") "(" VALUE ("," VALUE)* ")"
    VALUE      := a quoted string, or a bare word (inside lists, a bare word naming a list
                  expands to that list's items)

A bare word that is not followed by an operator is a macro reference.
"""

from __future__ import annotations

from dataclasses import dataclass

SCALAR_OPS = frozenset({"=", "==", "!=", "<", "<=", ">", ">=", "contains", "icontains",
                        "startswith", "endswith", "glob"})
LIST_OPS = frozenset({"in", "intersects", "pmatch", "cidr"})
KEYWORDS = frozenset({"and", "or", "not", "exists"}) | SCALAR_OPS | LIST_OPS
_PUNCT = "(),"
_OPERATOR_CHARS = "=!<>"


class ConditionSyntaxError(ValueError):
    """A condition that does not parse; ``column`` is 1-based."""

    def __init__(self, message: str, column: int) -> None:
        super().__init__(f"{message} (column {column})")
        self.column = column


@dataclass(frozen=True)
class Token:
    """A lexeme: ``kind`` is word, string, op or punct."""

    kind: str
    text: str
    column: int


def tokenize(text: str) -> list[Token]:
    """Split a condition into tokens."""
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch in _PUNCT:
            tokens.append(Token("punct", ch, i + 1))
            i += 1
        elif ch in "\"'":
            end = text.find(ch, i + 1)
            if end < 0:
                raise ConditionSyntaxError("unterminated string", i + 1)
            tokens.append(Token("string", text[i + 1:end], i + 1))
            i = end + 1
        elif ch in _OPERATOR_CHARS:
            op = text[i:i + 2] if text[i:i + 2] in ("!=", "<=", ">=", "==") else ch
            if op == "!":
                raise ConditionSyntaxError("'!' must be '!='", i + 1)
            tokens.append(Token("op", op, i + 1))
            i += len(op)
        else:
            start = i
            depth = 0
            while i < n:
                c = text[i]
                if c == "[":
                    depth += 1
                elif c == "]":
                    depth -= 1
                elif depth <= 0 and (c.isspace() or c in _PUNCT or c in _OPERATOR_CHARS
                                     or c in "\"'"):
                    break
                i += 1
            tokens.append(Token("word", text[start:i], start + 1))
    return tokens


@dataclass(frozen=True)
class And:
    """Both sides hold."""

    left: Node
    right: Node


@dataclass(frozen=True)
class Or:
    """Either side holds."""

    left: Node
    right: Node


@dataclass(frozen=True)
class Not:
    """The operand does not hold."""

    operand: Node


@dataclass(frozen=True)
class Compare:
    """``field op value(s)``; ``values`` has one item for scalar operators, none for
    ``exists``. ``list_refs`` flags which values were bare words (maybe list names)."""

    field: str
    op: str
    values: tuple[str, ...]
    list_refs: tuple[bool, ...]
    column: int


@dataclass(frozen=True)
class MacroRef:
    """A reference to a macro by name."""

    name: str
    column: int


Node = And | Or | Not | Compare | MacroRef


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.pos = 0
        self.end_column = len(text) + 1

    def peek(self) -> Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> Token:
        tok = self.peek()
        if tok is None:
            raise ConditionSyntaxError("unexpected end of condition", self.end_column)
        self.pos += 1
        return tok

    def is_word(self, tok: Token | None, word: str) -> bool:
        return tok is not None and tok.kind == "word" and tok.text == word

    def parse(self) -> Node:
        if not self.tokens:
            raise ConditionSyntaxError("empty condition", 1)
        node = self.expr()
        tok = self.peek()
        if tok is not None:
            raise ConditionSyntaxError(f"unexpected {tok.text!r}", tok.column)
        return node

    def expr(self) -> Node:
        node = self.and_expr()
        while self.is_word(self.peek(), "or"):
            self.take()
            node = Or(node, self.and_expr())
        return node

    def and_expr(self) -> Node:
        node = self.unary()
        while self.is_word(self.peek(), "and"):
            self.take()
            node = And(node, self.unary())
        return node

    def unary(self) -> Node:
        tok = self.take()
        if tok.kind == "word" and tok.text == "not":
            return Not(self.unary())
        if tok.kind == "punct" and tok.text == "(":
            node = self.expr()
            close = self.take()
            if close.text != ")" or close.kind != "punct":
                raise ConditionSyntaxError(f"expected ')' but found {close.text!r}", close.column)
            return node
        if tok.kind != "word" or tok.text in KEYWORDS:
            raise ConditionSyntaxError(f"expected a field or macro, found {tok.text!r}",
                                       tok.column)
        nxt = self.peek()
        if nxt is not None and nxt.kind == "word" and nxt.text == "exists":
            self.take()
            return Compare(tok.text, "exists", (), (), tok.column)
        if nxt is not None and (nxt.kind == "op" or (nxt.kind == "word" and nxt.text in
                                                     SCALAR_OPS | LIST_OPS)):
            op = self.take().text
            op = "=" if op == "==" else op
            if op in LIST_OPS:
                values, refs = self.value_list()
            else:
                value = self.take()
                if value.kind not in ("word", "string"):
                    raise ConditionSyntaxError(f"expected a value after {op!r}", value.column)
                values, refs = (value.text,), (value.kind == "word",)
            return Compare(tok.text, op, values, refs, tok.column)
        return MacroRef(tok.text, tok.column)

    def value_list(self) -> tuple[tuple[str, ...], tuple[bool, ...]]:
        opening = self.take()
        if opening.text != "(" or opening.kind != "punct":
            raise ConditionSyntaxError("expected '(' to open a value list", opening.column)
        values: list[str] = []
        refs: list[bool] = []
        while True:
            tok = self.take()
            if tok.kind == "punct" and tok.text == ")" and not values:
                break
            if tok.kind not in ("word", "string"):
                raise ConditionSyntaxError(f"expected a value, found {tok.text!r}", tok.column)
            values.append(tok.text)
            refs.append(tok.kind == "word")
            sep = self.take()
            if sep.kind == "punct" and sep.text == ")":
                break
            if sep.kind != "punct" or sep.text != ",":
                raise ConditionSyntaxError(f"expected ',' or ')', found {sep.text!r}", sep.column)
        return tuple(values), tuple(refs)


def parse_condition(text: str) -> Node:
    """Parse a condition; raises :class:`ConditionSyntaxError`."""
    return _Parser(text).parse()


def referenced_macros(node: Node) -> set[str]:
    """Names of the macros (or unknown words) a condition refers to."""
    if isinstance(node, MacroRef):
        return {node.name}
    if isinstance(node, And | Or):
        return referenced_macros(node.left) | referenced_macros(node.right)
    if isinstance(node, Not):
        return referenced_macros(node.operand)
    return set()
