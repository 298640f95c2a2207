"""A Dockerfile parser of our own: parser directives (``syntax``, ``escape``), line
continuations, comments inside continuations, heredocs (``<<EOF``, ``<<-EOF``,
quoted delimiters, several per line), JSON and shell forms, ``--flags``,
multi-stage builds and ARG/ENV expansion as BuildKit applies it. Every instruction
keeps its line numbers.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field

#: Instructions BuildKit knows.
KNOWN_INSTRUCTIONS = frozenset(
    [
        "ADD",
        "ARG",
        "CMD",
        "COPY",
        "ENTRYPOINT",
        "ENV",
        "EXPOSE",
        "FROM",
        "HEALTHCHECK",
        "LABEL",
        "MAINTAINER",
        "ONBUILD",
        "RUN",
        "SHELL",
        "STOPSIGNAL",
        "USER",
        "VOLUME",
        "WORKDIR",
    ]
)
#: Instructions whose arguments get ARG/ENV substitution (the Dockerfile reference list).
_EXPANDED = frozenset(
    [
        "ADD",
        "COPY",
        "ENV",
        "EXPOSE",
        "FROM",
        "LABEL",
        "STOPSIGNAL",
        "USER",
        "VOLUME",
        "WORKDIR",
        "ONBUILD",
    ]
)
_JSON_FORM = frozenset(["RUN", "CMD", "ENTRYPOINT", "SHELL", "COPY", "ADD", "VOLUME"])
_HEREDOC_CAPABLE = frozenset(("RUN", "COPY", "ADD"))
_NEED_ARGS = KNOWN_INSTRUCTIONS - {"CMD", "ENTRYPOINT", "HEALTHCHECK", "RUN"}

_DIRECTIVE = re.compile(r"^#\s*([a-zA-Z][a-zA-Z0-9_]*)\s*=\s*(.+?)\s*$")
_HEREDOC = re.compile(r"<<(-?)\s*(['\"]?)([A-Za-z_][A-Za-z0-9_.-]*)\2")
_IGNORE = re.compile(r"^#\s*seawall:ignore\s*=\s*(\S+)(.*)$", re.IGNORECASE)
_VAR = re.compile(
    r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))"
)


class DockerfileSyntaxError(ValueError):
    """The Dockerfile cannot be parsed; ``line`` is 1-based."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line


@dataclass
class Heredoc:
    """A here-document attached to an instruction."""

    name: str
    body: str
    expand: bool
    """False when the delimiter was quoted (no variable expansion)."""


@dataclass
class Instruction:
    """One instruction with its arguments as written and as expanded."""

    keyword: str
    """Upper-case instruction name."""
    raw: str
    """Arguments as written (continuations joined, flags included)."""
    line: int
    """1-based first line."""
    end_line: int
    """1-based last line (heredoc bodies included)."""
    stage: int
    """Index of the build stage (-1 for global ARGs before the first FROM)."""
    flags: dict[str, str] = field(default_factory=dict)
    """``--name=value`` flags (``--from``, ``--chown``, ``--mount`` ...); a repeated
    flag's values are joined by newlines."""
    value: str = ""
    """Arguments without flags, after ARG/ENV substitution where Docker applies it."""
    args: list[str] = field(default_factory=list)
    """JSON-form elements, or the shell-like words of ``value``."""
    json_form: bool = False
    heredocs: list[Heredoc] = field(default_factory=list)

    @property
    def shell_text(self) -> str:
        """The command text a shell would run (arguments plus heredoc bodies)."""
        parts = [" ".join(self.args) if self.json_form else self.value]
        parts.extend(h.body for h in self.heredocs)
        return "\n".join(parts)


@dataclass
class Stage:
    """One ``FROM`` block."""

    index: int
    base: str
    """Base image reference after ARG substitution."""
    name: str | None
    line: int
    platform: str | None = None
    instructions: list[Instruction] = field(default_factory=list)


@dataclass
class IgnoreComment:
    """A ``# seawall:ignore=ID[,ID] [reason] [expires=YYYY-MM-DD]`` comment."""

    rule_ids: list[str]
    text: str
    line: int
    applies_to_line: int | None
    """Line of the instruction that follows; None for file-wide (before the first instruction)."""


@dataclass
class Dockerfile:
    """A parsed Dockerfile."""

    path: str
    directives: dict[str, str]
    global_args: dict[str, str | None]
    stages: list[Stage]
    instructions: list[Instruction]
    ignores: list[IgnoreComment]

    @property
    def final_stage(self) -> Stage | None:
        """The stage a plain ``docker build`` produces."""
        return self.stages[-1] if self.stages else None

    def stage_names(self) -> set[str]:
        """Names given with ``FROM ... AS name`` (lower-cased as BuildKit compares them)."""
        return {s.name.lower() for s in self.stages if s.name}


def expand_variables(text: str, env: dict[str, str | None], escape: str = "\\") -> str:
    """Substitute ``$VAR``, ``${VAR}``, ``${VAR:-default}`` and ``${VAR:+alt}``;
    unknown variables become empty, an escaped ``$`` stays literal."""
    if "$" not in text:
        return text
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == escape and i + 1 < len(text) and text[i + 1] == "$":
            out.append("$")
            i += 2
            continue
        if ch == "$":
            m = _VAR.match(text, i)
            if m:
                name = m.group(1) or m.group(4)
                current = env.get(name)
                op, word = m.group(2), m.group(3) or ""
                if op in (":-", "-"):
                    unset = current is None or (op == ":-" and current == "")
                    out.append(word if unset else str(current))
                elif op in (":+", "+"):
                    isset = current is not None and (op == "+" or current != "")
                    out.append(word if isset else "")
                else:
                    out.append(current or "")
                i = m.end()
                continue
        out.append(ch)
        i += 1
    return "".join(out)


def _split_flags(text: str) -> tuple[dict[str, str], str]:
    flags: dict[str, str] = {}
    rest = text.lstrip()
    while rest.startswith("--"):
        m = re.match(r"--([A-Za-z0-9-]+)(?:=(\"[^\"]*\"|'[^']*'|\S*))?\s*", rest)
        if not m:
            break
        value = (m.group(2) or "").strip("\"'")
        name = m.group(1).lower()
        flags[name] = f"{flags[name]}\n{value}" if name in flags else value
        rest = rest[m.end() :]
    return flags, rest


def _words(text: str) -> list[str]:
    try:
        return shlex.split(text, comments=False, posix=True)
    except ValueError:
        return text.split()


def _parse_key_values(text: str) -> list[tuple[str, str]]:
    """``ENV``/``LABEL``/``ARG`` pairs: ``k=v k2="v 2"`` or legacy ``ENV k v``."""
    words = _words(text)
    if words and "=" not in words[0]:
        return [(words[0], text.split(None, 1)[1] if len(words) > 1 else "")]
    pairs = []
    for word in words:
        key, _, value = word.partition("=")
        pairs.append((key, value))
    return pairs


def parse_dockerfile(text: str, path: str = "Dockerfile") -> Dockerfile:
    """Parse Dockerfile ``text``; raise :class:`DockerfileSyntaxError` on bad input."""
    lines = text.splitlines()
    directives: dict[str, str] = {}
    idx = 0
    # Parser directives: only at the very top, before any blank line or other comment.
    while idx < len(lines):
        m = _DIRECTIVE.match(lines[idx])
        if not m or m.group(1).lower() in directives:
            break
        directives[m.group(1).lower()] = m.group(2)
        idx += 1
    escape = directives.get("escape", "\\")
    if escape not in ("\\", "`"):
        raise DockerfileSyntaxError(f"invalid escape directive {escape!r}", 1)
    cont = re.compile(re.escape(escape) + r"[ \t]*$")

    instructions: list[Instruction] = []
    ignores: list[IgnoreComment] = []
    pending_ignores: list[IgnoreComment] = []
    while idx < len(lines):
        line = lines[idx]
        stripped = line.strip()
        if not stripped:
            idx += 1
            continue
        if stripped.startswith("#"):
            m = _IGNORE.match(stripped)
            if m:
                ig = IgnoreComment(
                    [r for r in m.group(1).split(",") if r], m.group(2).strip(), idx + 1, None
                )
                ignores.append(ig)
                pending_ignores.append(ig)
            idx += 1
            continue
        start = idx + 1
        parts: list[str] = []
        while True:
            current = lines[idx]
            if cont.search(current):
                parts.append(cont.sub("", current))
                idx += 1
                # comments and empty lines inside a continuation are dropped
                while idx < len(lines) and (
                    not lines[idx].strip() or lines[idx].lstrip().startswith("#")
                ):
                    idx += 1
                if idx >= len(lines):
                    break
                continue
            parts.append(current)
            idx += 1
            break
        logical = " ".join(p.strip() for p in parts).strip()
        keyword, _, rest = logical.partition(" ")
        keyword = keyword.upper()
        if keyword not in KNOWN_INSTRUCTIONS:
            raise DockerfileSyntaxError(f"unknown instruction {keyword.split()[0]!r}", start)
        heredocs: list[Heredoc] = []
        if keyword in _HEREDOC_CAPABLE and "<<" in rest:
            for m in _HEREDOC.finditer(rest):
                strip_tabs, quote, name = m.group(1) == "-", m.group(2), m.group(3)
                body: list[str] = []
                while (
                    idx < len(lines)
                    and lines[idx].rstrip("\r") != name
                    and not (strip_tabs and lines[idx].lstrip("\t") == name)
                ):
                    body.append(lines[idx].lstrip("\t") if strip_tabs else lines[idx])
                    idx += 1
                if idx >= len(lines):
                    raise DockerfileSyntaxError(f"unterminated heredoc <<{name}", start)
                idx += 1
                heredocs.append(Heredoc(name, "\n".join(body), expand=not quote))
        instr = Instruction(keyword, rest.strip(), start, idx, -1, heredocs=heredocs)
        for ig in pending_ignores:
            ig.applies_to_line = start
        pending_ignores = []
        instructions.append(instr)
    return _build(path, directives, instructions, ignores)


def _build(
    path: str,
    directives: dict[str, str],
    instructions: list[Instruction],
    ignores: list[IgnoreComment],
) -> Dockerfile:
    global_args: dict[str, str | None] = {}
    stages: list[Stage] = []
    env: dict[str, str | None] = {}
    # File-wide ignores: comments before the first instruction.
    first_line = instructions[0].line if instructions else 0
    for ig in ignores:
        if ig.line < first_line:
            ig.applies_to_line = None
    for instr in instructions:
        if instr.keyword in _NEED_ARGS and not instr.raw:
            raise DockerfileSyntaxError(
                f"{instr.keyword} requires at least one argument", instr.line
            )
        if instr.keyword == "FROM":
            flags, rest = _split_flags(instr.raw)
            words = expand_variables(rest, global_args).split()
            if not words:
                raise DockerfileSyntaxError("FROM requires an image", instr.line)
            name = None
            if len(words) >= 3 and words[1].lower() == "as":
                name = words[2]
            elif len(words) != 1:
                raise DockerfileSyntaxError("FROM takes 'image [AS name]'", instr.line)
            stage = Stage(len(stages), words[0], name, instr.line, flags.get("platform"))
            stages.append(stage)
            env = {}  # global ARGs must be re-declared inside a stage to be visible
            instr.stage, instr.flags, instr.value, instr.args = (
                stage.index,
                flags,
                " ".join(words),
                words,
            )
            stage.instructions.append(instr)
            continue
        if not stages:
            if instr.keyword != "ARG":
                raise DockerfileSyntaxError(
                    f"{instr.keyword} before the first FROM (only ARG may come first)", instr.line
                )
            for key, value in _parse_key_values(instr.raw):
                global_args[key] = expand_variables(value, global_args) if value else None
            instr.value, instr.args = instr.raw, _words(instr.raw)
            continue
        stage = stages[-1]
        instr.stage = stage.index
        flags, rest = (
            _split_flags(instr.raw)
            if instr.keyword in ("RUN", "COPY", "ADD", "HEALTHCHECK")
            else ({}, instr.raw)
        )
        instr.flags = flags
        if instr.keyword in _JSON_FORM and rest.startswith("["):
            try:
                parsed = json.loads(rest)
                if isinstance(parsed, list) and all(isinstance(p, str) for p in parsed):
                    instr.json_form = True
                    instr.args = [
                        expand_variables(p, env) if instr.keyword in _EXPANDED else p
                        for p in parsed
                    ]
                    instr.value = " ".join(instr.args)
            except json.JSONDecodeError:
                pass  # Docker falls back to the shell form
        if not instr.json_form:
            instr.value = expand_variables(rest, env) if instr.keyword in _EXPANDED else rest
            instr.args = _words(instr.value)
        for h in instr.heredocs:
            if h.expand and instr.keyword != "RUN":
                h.body = expand_variables(h.body, env)
        if instr.keyword == "ARG":
            for key, value in _parse_key_values(instr.raw):
                if value:
                    env[key] = expand_variables(value, env)
                elif key in global_args:
                    env[key] = global_args[key]
                else:
                    env.setdefault(key, None)
        elif instr.keyword == "ENV":
            for key, value in _parse_key_values(rest):
                env[key] = expand_variables(value, env)
        stage.instructions.append(instr)
    if not stages:
        raise DockerfileSyntaxError(
            "no FROM instruction", instructions[0].line if instructions else 1
        )
    return Dockerfile(path, directives, global_args, stages, instructions, ignores)
