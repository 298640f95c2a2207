"""``seawall rules list|show|test``: the detection rules (built-in plus ``--rules``)."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

import click
from rich import box
from rich.console import Console
from rich.table import Table

from seawall.cli.app import app

if TYPE_CHECKING:
    from seawall.detect.rule_loader import RuleSet
from seawall.cli.audit import rule_options
from seawall.errors import InputError
from seawall.report.untrusted_text import visible


def _load(rule_paths: tuple[str, ...], disable: tuple[str, ...]) -> RuleSet:
    from seawall.detect.rule_loader import load_rule_set

    return load_rule_set(rule_paths, disable)


@app.group("rules")
def rules_group() -> None:
    """The detection rules (Kubernetes audit; later the runtime monitor's)."""


@rules_group.command("list")
@click.option("--format", "-f", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@click.option("--source", help="Only rules of this event source (k8s_audit).")
@rule_options
def list_rules(fmt: str, source: str | None, rule_paths: tuple[str, ...],
               disable: tuple[str, ...]) -> None:
    """Every rule with its severity, state and mappings."""
    rules = [r for r in _load(rule_paths, disable).rules if source is None or r.source == source]
    if fmt == "json":
        click.echo(json.dumps([{
            "id": r.id, "title": r.title, "severity": r.severity.value, "source": r.source,
            "enabled": r.enabled, "attack": list(r.attack), "ms_matrix": list(r.ms_matrix),
            "falco": list(r.falco), "tags": list(r.tags),
            "stateful": type(r.stateful).__name__ if r.stateful else None,
        } for r in rules], indent=2))
        return
    table = Table(box=box.SIMPLE_HEAD, title=f"{len(rules)} rules", title_justify="left")
    for column in ("ID", "Severity", "On", "Title", "ATT&CK"):
        table.add_column(column, no_wrap=column in ("ID", "Severity", "On"))
    for r in rules:
        table.add_row(r.id, r.severity.value, "yes" if r.enabled else "off", visible(r.title),
                      ",".join(r.attack))
    Console(width=160, highlight=False).print(table)


@rules_group.command("show")
@click.argument("rule_id")
@rule_options
def show_rule(rule_id: str, rule_paths: tuple[str, ...], disable: tuple[str, ...]) -> None:
    """One rule in full: metadata, condition, output, state, origin."""
    rule = _load(rule_paths, disable).by_id(rule_id)
    if rule is None:
        raise InputError(f"no rule {rule_id!r} (see seawall rules list)")
    lines = [
        f"{rule.id}  {rule.title}", f"severity:    {rule.severity.value}",
        f"source:      {rule.source}", f"enabled:     {'yes' if rule.enabled else 'no'}",
        f"defined at:  {rule.origin}", f"attack:      {', '.join(rule.attack) or '-'}",
        f"ms matrix:   {', '.join(rule.ms_matrix) or '-'}",
        f"falco:       {', '.join(rule.falco) or '-'}", f"tags:        {', '.join(rule.tags)}",
        f"description: {rule.description}", f"remediation: {rule.remediation}",
        f"condition:   {' '.join(rule.condition_text.split())}", f"output:      {rule.output}",
    ]
    if rule.stateful is not None:
        spec = {k: v for k, v in rule.stateful.__dict__.items() if k != "steps"}
        lines.append(f"stateful:    {type(rule.stateful).__name__} {spec}")
    lines.append(f"examples:    {len(rule.examples.get('match') or [])} match, "
                 f"{len(rule.examples.get('no_match') or [])} no_match")
    click.echo("\n".join(visible(line) for line in lines))


@rules_group.command("test")
@click.argument("rule_ids", nargs=-1)
@rule_options
def test_rules(rule_ids: tuple[str, ...], rule_paths: tuple[str, ...],
               disable: tuple[str, ...]) -> None:
    """Run each rule's example events (all rules, or the ones named); exit 1 on failure."""
    from seawall.detect.rule_examples import run_examples

    rule_set = _load(rule_paths, ())
    rules = [r for r in rule_set.rules if not rule_ids or r.id in rule_ids]
    missing = set(rule_ids) - {r.id for r in rules}
    if missing:
        raise InputError(f"no rule {sorted(missing)[0]!r}")
    failed = examples = 0
    for rule in rules:
        examples += len(rule.examples.get("match") or []) + len(rule.examples.get("no_match") or [])
        for failure in run_examples(rule_set, rule):
            failed += 1
            click.echo(visible(f"FAIL {failure.rule_id} {failure.kind}[{failure.index}]: "
                               f"{failure.message} ({rule.origin})"))
    click.echo(f"{len(rules)} rules, {examples} examples, {failed} failed")
    if failed:
        sys.exit(1)
