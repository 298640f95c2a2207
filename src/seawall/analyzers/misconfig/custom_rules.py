"""User-written controls: Python functions or YAML match expressions.

Python: a ``.py`` file (or a directory of them) whose functions are decorated with
:func:`custom_control`; each receives the parsed object (a Kubernetes object dict,
a :class:`~.dockerfile_parser.Dockerfile`, or a compose service dict) and returns a
falsy value (pass), ``True``, a message, or a list of messages (violations).

YAML: a file with ``rules:``, each having ``id``, ``title``, ``severity``,
``target`` (k8s, dockerfile, compose), optional ``when`` and a ``fail_if``
expression (:mod:`.match_expressions`). See docs/misconfig.md for a worked example.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from typing import Any

import yaml

from seawall.analyzers.misconfig.controls import Control
from seawall.analyzers.misconfig.dockerfile_parser import Dockerfile
from seawall.analyzers.misconfig.match_expressions import Expression
from seawall.errors import InputError
from seawall.model.finding import Severity

TARGETS = ("k8s", "dockerfile", "compose")
RuleFunction = Callable[[Any], Any]


@dataclass
class CustomRule:
    """A loaded custom control and how to evaluate it."""

    control: Control
    target: str
    evaluate: Callable[[Any], list[str]]


_registered: list[CustomRule] = []


def _control(meta: dict[str, Any], where: str) -> tuple[Control, str]:
    try:
        target = str(meta.get("target", "k8s"))
        if target not in TARGETS:
            raise ValueError(f"target must be one of {', '.join(TARGETS)}")
        return (
            Control(
                id=str(meta["id"]),
                domain=f"custom:{target}",
                title=str(meta["title"]),
                severity=Severity.parse(str(meta.get("severity", "medium"))),
                rationale=str(meta.get("rationale", "")),
                remediation=str(meta.get("remediation", "")),
                mappings={k: [str(x) for x in v] for k, v in (meta.get("mappings") or {}).items()},
            ),
            target,
        )
    except (KeyError, ValueError) as exc:
        raise InputError(f"{where}: invalid custom rule: {exc}") from None


def _messages(result: Any, default: str) -> list[str]:
    if not result:
        return []
    if result is True:
        return [default]
    if isinstance(result, str):
        return [result]
    if isinstance(result, list | tuple):
        return [str(r) for r in result if r]
    return [default]


def custom_control(**meta: Any) -> Callable[[RuleFunction], RuleFunction]:
    """Decorator declaring a Python custom control (``id``, ``title``, ``severity``,
    ``target``, ``rationale``, ``remediation``, ``mappings``)."""

    def deco(func: RuleFunction) -> RuleFunction:
        control, target = _control(meta, getattr(func, "__qualname__", "custom rule"))

        def evaluate(obj: Any) -> list[str]:
            return _messages(func(obj), control.title)

        _registered.append(CustomRule(control, target, evaluate))
        return func

    return deco


def _load_python(path: str) -> list[CustomRule]:
    before = len(_registered)
    name = f"seawall_custom_rules_{abs(hash(os.path.abspath(path)))}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise InputError(f"cannot load custom rules from {path}")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except InputError:
        raise
    except Exception as exc:  # user code: report it as bad input, not as our bug
        raise InputError(
            f"custom rules {path} failed to load: {type(exc).__name__}: {exc}"
        ) from None
    loaded = _registered[before:]
    del _registered[before:]
    return loaded


def dockerfile_as_data(df: Dockerfile) -> dict[str, Any]:
    """The plain-data view YAML rules see for a Dockerfile."""
    return {
        "path": df.path,
        "directives": df.directives,
        "stages": [
            {
                "base": s.base,
                "name": s.name,
                "line": s.line,
                "instructions": [_instr(i) for i in s.instructions],
            }
            for s in df.stages
        ],
        "instructions": [_instr(i) for i in df.instructions],
    }


def _instr(instr: Any) -> dict[str, Any]:
    data = asdict(instr)
    data.pop("heredocs", None)
    data["shell_text"] = instr.shell_text
    return data


def _load_yaml(path: str) -> list[CustomRule]:
    try:
        with open(path, encoding="utf-8") as fh:
            doc = yaml.safe_load(fh)
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(f"cannot read custom rules {path}: {exc}") from None
    rules = doc.get("rules") if isinstance(doc, dict) else None
    if not isinstance(rules, list):
        raise InputError(f"custom rules {path}: expected a list under 'rules'")
    out = []
    for index, raw in enumerate(rules):
        where = f"{path}: rule {index + 1}"
        if not isinstance(raw, dict) or "fail_if" not in raw:
            raise InputError(f"{where}: each rule needs a 'fail_if' expression")
        control, target = _control(raw, where)
        when = Expression(raw["when"], where) if "when" in raw else None
        fail_if = Expression(raw["fail_if"], where)
        message = str(raw.get("message") or control.title)

        def evaluate(
            obj: Any,
            when: Expression | None = when,
            fail_if: Expression = fail_if,
            message: str = message,
        ) -> list[str]:
            data = dockerfile_as_data(obj) if isinstance(obj, Dockerfile) else obj
            if when is not None and not when.evaluate(data):
                return []
            return [message] if fail_if.evaluate(data) else []

        out.append(CustomRule(control, target, evaluate))
    return out


def load_custom_rules(paths: list[str]) -> list[CustomRule]:
    """Load ``.py`` and ``.yaml``/``.yml`` rule files (directories: their files)."""
    files: list[str] = []
    for path in paths:
        if os.path.isdir(path):
            files.extend(os.path.join(path, n) for n in sorted(os.listdir(path)))
        elif os.path.isfile(path):
            files.append(path)
        else:
            raise InputError(f"custom rules path {path} does not exist")
    out: list[CustomRule] = []
    for file in files:
        if file.endswith(".py"):
            out.extend(_load_python(file))
        elif file.endswith((".yaml", ".yml")):
            out.extend(_load_yaml(file))
    return out


def iter_custom(rules: list[CustomRule], target: str) -> Iterator[CustomRule]:
    """Rules for one target kind."""
    return (r for r in rules if r.target == target)
