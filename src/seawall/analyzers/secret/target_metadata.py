"""Secrets in what is not a file: image config ``Env``/``Labels``, history ``created_by``
(build arguments show up there as ``|2 TOKEN=... /bin/sh -c ...``) and a container's
inspect ``Env``/``Labels``. Every string is scanned as config-style text, so
``DB_PASSWORD=hunter2x`` counts even unquoted."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Mapping
from typing import Any

from seawall.analyzers.facts.environment import (
    TargetEnvironment,
    container_environment,
    image_environment,
)
from seawall.analyzers.secret.engine import SecretEngine, SecretMatch
from seawall.analyzers.secret.secret_findings import findings_from_matches
from seawall.analyzers.secret.value_filters import masked_evidence, shannon_entropy
from seawall.model.finding import Finding

ENV_RULE_ID = "SW-SEC-GEN-009"
"""The rule a password-named ENV variable with a literal value is reported under
(``Credential in ENV / ARG instruction value``)."""
_PASSWORD_NAME = re.compile(r"(?i)(?:password|passwd|passphrase|pwd)$|(?:^|_)pass$")
_NOT_LITERAL = re.compile(r"^(?:|\$.*|/.*|.*\$\{.*|true|false|yes|no|on|off|none|null)$",
                          re.IGNORECASE)


#: How findings describe where a target's metadata came from.
_WHERE = {"image": "image config", "container": "container"}


def build_args(created_by: str) -> list[tuple[str, str]]:
    """``|2 A=1 B=2 /bin/sh -c ...`` (how BuildKit/docker record the build args a RUN
    saw) -> [("A", "A=1"), ("B", "B=2")]."""
    if not created_by.startswith("|"):
        return []
    head, _, rest = created_by[1:].partition(" ")
    if not head.isdigit():
        return []
    out = []
    for token in rest.split(" ")[: int(head)]:
        if "=" in token:
            out.append((token.split("=", 1)[0], token))
    return out


def scan_environment(engine: SecretEngine, environment: TargetEnvironment) -> list[Finding]:
    """Findings in a target's ``Env``, ``Labels`` and build history (the environment
    fact of an image config or a container's inspect document; nothing for other
    targets)."""
    where = _WHERE.get(environment.origin)
    if where is None:
        return []
    env = ((item.split("=", 1)[0], item) for item in environment.env)
    labels = ((key, f"{key}={value}") for key, value in environment.labels.items())
    out = _scan_fields(engine, f"{where} Env", "Env", env)
    out += _scan_fields(engine, f"{where} Labels", "Label", labels)
    for step in environment.history:
        if not step.created_by:
            continue
        i, layer = step.index, step.layer
        # A build argument's secret is reported once, under the argument's name.
        in_args: set[str] = set()
        for name, text in build_args(step.created_by):
            outcome = engine.scan_bytes(text.encode("utf-8", "replace"), config_style=True,
                                        sniff=False)
            in_args.update(m.secret for m in outcome.matches)
            out += findings_from_matches(
                outcome.matches, None, layer, resource=f"history[{i}]:BuildArg:{name}",
                where=f"build argument {name} of image history step {i}",
            )
        outcome = engine.scan_bytes(step.created_by.encode("utf-8", "replace"),
                                    config_style=True, sniff=False)
        out += findings_from_matches(
            [m for m in outcome.matches if m.secret not in in_args], None, layer,
            resource=f"history[{i}]", where=f"image history step {i} (created_by)")
    if environment.container:
        out = [
            dataclasses.replace(
                f, location=dataclasses.replace(f.location, container=environment.container),
                id="",
            )
            for f in out
        ]
    return out


def scan_image_config(engine: SecretEngine, config: Mapping[str, Any]) -> list[Finding]:
    """Findings in an OCI image config document (SDK and tests; scans read the
    environment fact)."""
    return scan_environment(engine, image_environment(config))


def scan_container_inspect(engine: SecretEngine, inspect: Mapping[str, Any]) -> list[Finding]:
    """Findings in a container's inspect document (SDK and tests)."""
    return scan_environment(engine, container_environment(inspect))


def _scan_fields(
    engine: SecretEngine, where: str, kind: str, items: Iterator[tuple[str, str]]
) -> list[Finding]:
    out: list[Finding] = []
    for key, text in items:
        matches = _env_password(engine, key, text) if kind == "Env" else []
        if not matches:
            matches = engine.scan_bytes(text.encode("utf-8", "replace"), config_style=True,
                                        sniff=False).matches
        out += findings_from_matches(matches, None, None, resource=f"{kind}:{key}",
                                     where=f"{where} ({key})")
    return out


def _env_password(engine: SecretEngine, key: str, text: str) -> list[SecretMatch]:
    """``DB_PASSWORD=<literal>`` in Env: whatever the value (even a weak or example
    one, which the generic rules' filters drop in files), everyone who can pull the
    image can read it, so it is a secret finding. A reference (``$VAR``, a path such as
    ``/run/secrets/db``) or an empty/boolean value is not."""
    value = text.partition("=")[2].strip()
    if not _PASSWORD_NAME.search(key) or len(value) < 4 or _NOT_LITERAL.match(value):
        return []
    rule = next((r for r in engine.rules if r.id == ENV_RULE_ID), None)
    if rule is None:  # disabled by the user's config
        return []
    return [SecretMatch(rule=rule, secret=value, line=1, offset=len(key) + 1,
                        evidence=masked_evidence(text, value),
                        entropy=round(shannon_entropy(value), 3))]
