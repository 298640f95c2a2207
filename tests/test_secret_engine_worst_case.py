"""The secret engine's work is linear in its input for every built-in rule, on inputs
crafted against that rule: its keywords, its literal prefix and its own examples (true
and cut-short near misses), repeated to fill 64 KiB and 256 KiB (read in 32 KiB chunks,
so chunk boundaries and carried tails are part of it), packed on one line and one per
line. The work is counted deterministically (:class:`EngineWork`: candidates,
bytes handed to rule regexes, matches judged); the two cases of the issue (a repeated
``password="`` ran ~49 s per MiB, repeated PEM headers) are also timed, as the CPU time
ratio of 1 MiB to 256 KiB in the same process."""

from __future__ import annotations

import importlib
import time
from typing import Any

import pytest

from seawall.analyzers.secret.engine import (
    MAX_MERGED_WINDOW,
    EngineWork,
    ScanLimits,
    SecretEngine,
)
from seawall.analyzers.secret.rules import ContentRule, load_builtin_rules, rule_documents
from test_secret_rules import expand

sre_parse: Any = importlib.import_module("re._parser")
sre_constants: Any = importlib.import_module("re._constants")

SMALL = 64 * 1024
LARGE = 256 * 1024
CHUNK = 32 * 1024
RULES = load_builtin_rules().content
EXAMPLES = {
    d["id"]: (d.get("examples") or {}).get("match") or []
    for _, doc in rule_documents() for d in doc.get("rules") or []
}
MAX_CANDIDATES_PER_BYTE = 8.0
MAX_REGEX_BYTES_PER_BYTE = 24.0
MAX_VERIFIED_PER_BYTE = 0.5
"""Bounds per input byte (the crafted inputs reach at most about a third of each)."""


@pytest.fixture(scope="module")
def engine() -> SecretEngine:
    return SecretEngine(load_builtin_rules())


@pytest.fixture(scope="module")
def chunked() -> SecretEngine:
    return SecretEngine(load_builtin_rules(), ScanLimits(chunk_size=CHUNK))


def literal_prefix(rule: ContentRule) -> str:
    """The literal text the rule's regex starts with (after flags), '' if none."""
    try:
        parsed = list(sre_parse.parse(rule.pattern.source))
    except Exception:  # RE2-only syntax: no prefix
        return ""
    out = []
    for op, av in parsed:
        if op == sre_constants.LITERAL:
            out.append(chr(av))
        elif op == sre_constants.SUBPATTERN and out == []:
            continue
        else:
            break
    return "".join(out)


def pieces(rule: ContentRule) -> list[str]:
    """The crafted units for ``rule``: keywords, keyword + separator/quote near misses,
    the literal prefix, its examples and the examples cut short."""
    out: list[str] = []
    for kw in rule.keywords:
        if kw.startswith("re:"):
            continue
        out += [kw, kw + '="', kw + ": '", kw + "=", kw + "-----\n"]
    prefix = literal_prefix(rule)
    if prefix:
        out += [prefix, prefix + "A" * 8]
    for i, template in enumerate(EXAMPLES.get(rule.id, [])[:2]):
        example = expand(template, seed=i)
        out += [example, example[: max(1, len(example) * 2 // 3)]]
    return out or [rule.id]


def crafted(rule: ContentRule, size: int, one_line: bool) -> bytes:
    unit = ("" if one_line else "\n").join(pieces(rule)) + ("" if one_line else "\n")
    data = unit.encode() * (size // len(unit.encode()) + 1)
    return data[:size]


def _work(engine: SecretEngine, data: bytes) -> EngineWork:
    return engine.scan_bytes(data, "/srv/app/settings.env").work


@pytest.mark.parametrize("one_line", [True, False], ids=["one-line", "lines"])
@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_work_is_linear_on_input_crafted_for_each_rule(chunked: SecretEngine, rule: ContentRule,
                                                       one_line: bool) -> None:
    small = _work(chunked, crafted(rule, SMALL, one_line))
    large = _work(chunked, crafted(rule, LARGE, one_line))
    for name, bound in (("candidates", MAX_CANDIDATES_PER_BYTE),
                        ("regex_bytes", MAX_REGEX_BYTES_PER_BYTE),
                        ("verified", MAX_VERIFIED_PER_BYTE)):
        a, b = getattr(small, name), getattr(large, name)
        assert b <= bound * LARGE, (name, b / LARGE)
        # 4x the input may cost at most ~4x the work, plus a fixed amount: one merged
        # region (a PEM rule's region around the first chunk boundary).
        assert b <= 4.5 * a + MAX_MERGED_WINDOW, (name, a, b)


@pytest.mark.parametrize("unit", [b'password="', b"-----BEGIN RSA PRIVATE KEY-----\n",
                                  b"-----BEGIN OPENSSH PRIVATE KEY-----",
                                  b'"password", "'])
def test_cpu_time_is_linear_on_the_reported_inputs(engine: SecretEngine, unit: bytes) -> None:
    def cpu(size: int) -> float:  # 256 KiB and 1 MiB, one 1 MiB chunk
        data = (unit * (size // len(unit) + 1))[:size]
        best = float("inf")
        for _ in range(2):
            t0 = time.process_time()
            engine.scan_bytes(data, "/srv/app/config.py")
            best = min(best, time.process_time() - t0)
        return best

    small, large = cpu(256 * 1024), cpu(1024 * 1024)
    assert large < 6 * max(small, 0.01), (small, large)



@pytest.mark.parametrize("unit", [b'password="', b"-----BEGIN RSA PRIVATE KEY-----\n",
                                  b"-----BEGIN OPENSSH PRIVATE KEY-----"])
def test_keyword_fallback_work_is_linear_too(unit: bytes) -> None:
    """Without Hyperscan every rule runs from its keyword windows: also linear."""
    fallback = SecretEngine(load_builtin_rules(), ScanLimits(chunk_size=CHUNK),
                            use_hyperscan=False)
    assert fallback.matcher is None

    def work(size: int) -> EngineWork:
        return _work(fallback, (unit * (size // len(unit) + 1))[:size])

    small, large = work(SMALL), work(LARGE)
    for name in ("candidates", "regex_bytes", "verified"):
        a, b = getattr(small, name), getattr(large, name)
        assert b <= 4.5 * a + MAX_MERGED_WINDOW, (name, a, b)


@pytest.mark.parametrize("unit", [b"A", b"aB3xY9", b"0123456789abcdef", b"QUJD+/==",
                                  b"SUAAAAAA", b"ghp_"])
def test_long_runs_report_few_candidates(chunked: SecretEngine, unit: bytes) -> None:
    """A run of token characters matches the variable-length tail of many rules at
    every byte; the candidates kept (and so the engine's memory) stay a small fraction
    of the input."""
    small = _work(chunked, (unit * (SMALL // len(unit) + 1))[:SMALL])
    large = _work(chunked, (unit * (LARGE // len(unit) + 1))[:LARGE])
    assert large.candidates <= 0.25 * LARGE, large
    assert large.regex_bytes <= 4.5 * small.regex_bytes + MAX_MERGED_WINDOW
