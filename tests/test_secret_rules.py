"""Every built-in secret rule against its own examples (true positives generated from
templates, near misses and placeholders as written), plus rule-set invariants."""

from __future__ import annotations

import random
import re
import string
from collections import Counter
from typing import Any

import pytest

from seawall.analyzers.secret.engine import SecretEngine
from seawall.analyzers.secret.regex_safety import is_bounded
from seawall.analyzers.secret.rules import RuleSet, load_builtin_rules, rule_documents

_CLASSES = {
    "alnum": string.ascii_letters + string.digits,
    "hex": "0123456789abcdef",
    "HEX": "0123456789ABCDEF",
    "lower": string.ascii_lowercase,
    "upper": string.ascii_uppercase,
    "UPNUM": string.ascii_uppercase + string.digits,
    "lownum": string.ascii_lowercase + string.digits,
    "b64": string.ascii_letters + string.digits + "+/",
    "url": string.ascii_letters + string.digits + "_-",
    "b32": string.ascii_uppercase + "234567",
    "digits": string.digits,
    "alpha": string.ascii_letters,
}
_TOKEN = re.compile(r"\{(" + "|".join(_CLASSES) + r"):(\d+)\}")


def expand(template: str, seed: int) -> str:
    """Fill ``{class:N}`` placeholders with random (seeded, high-entropy) characters."""
    rng = random.Random(seed)

    def fill(m: re.Match[str]) -> str:
        chars = _CLASSES[m.group(1)]
        return "".join(rng.choice(chars) for _ in range(int(m.group(2))))

    return _TOKEN.sub(fill, template)


def _raw_rules() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for _name, doc in rule_documents():
        for d in doc.get("rules") or []:
            out.append((d["id"], d))
    return out


RAW = _raw_rules()
RULES = {r.id: r for r in load_builtin_rules().content}


def _engine_for(rule_id: str) -> SecretEngine:
    return SecretEngine(RuleSet([RULES[rule_id]], []))


def test_rule_count_and_unique_ids() -> None:
    rules = load_builtin_rules()
    ids = rules.ids()
    assert len(ids) == len(set(ids))
    assert len(rules.content) >= 150


def test_every_builtin_pattern_is_safe_by_construction() -> None:
    """A built-in runs on ``re`` only when proven bounded; otherwise on RE2 (linear)."""
    engines = Counter()
    for rule in load_builtin_rules().content:
        engines[rule.pattern.engine] += 1
        if rule.pattern.engine == "re":
            assert is_bounded(rule.pattern.source), rule.id
        else:
            assert rule.pattern.engine == "re2", rule.id
    assert engines["re"] > engines["re2"]


def test_every_rule_has_examples() -> None:
    missing = [rid for rid, d in RAW if not (d.get("examples") or {}).get("match")]
    assert not missing


@pytest.mark.parametrize("rule_id,raw", RAW, ids=[r[0] for r in RAW])
def test_rule_examples(rule_id: str, raw: dict[str, Any]) -> None:
    examples = raw.get("examples") or {}
    engine = _engine_for(rule_id)
    for i, template in enumerate(examples.get("match") or []):
        text = expand(template, seed=i + 7)
        outcome = engine.scan_bytes(text.encode(), path="/app/settings.env")
        assert {m.rule.id for m in outcome.matches} == {rule_id}, f"missed: {text!r}"
        secret = outcome.matches[0].secret
        assert secret not in outcome.matches[0].evidence
    for template in examples.get("nomatch") or []:
        text = expand(template, seed=3)
        outcome = engine.scan_bytes(text.encode(), path="/app/settings.env")
        assert outcome.matches == [], f"false positive: {text!r}"


def test_families_have_rules() -> None:
    families = Counter(r.family for r in load_builtin_rules().content)
    for fam in ("aws", "gcp", "azure", "alibaba", "tencent", "huawei", "digitalocean",
                "github", "gitlab", "bitbucket", "slack", "discord", "telegram", "dingtalk",
                "feishu", "stripe", "paypal", "square", "twilio", "sendgrid", "mailgun",
                "npm", "pypi", "dockerhub", "openai", "anthropic", "huggingface", "jwt",
                "private-key", "connection-string", "generic"):
        assert families[fam] >= 1, fam
