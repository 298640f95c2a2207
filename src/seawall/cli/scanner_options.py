"""Flags that configure individual scanners (vuln, secret, weakpass, malware) and the
analyzer options they become (``vuln.db_dir``, ``secret.config``, ...)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

_SCANNER_FLAGS = [
    click.option(
        "--db-dir",
        envvar="SEAWALL_DB_DIR",
        type=click.Path(file_okay=False),
        help="vuln: vulnerability database directory (default ~/.cache/seawall/db).",
    ),
    click.option(
        "--wordlist",
        "wordlists",
        multiple=True,
        type=click.Path(exists=True, dir_okay=False),
        help="weakpass: extra password candidates, one per line (repeatable).",
    ),
    click.option(
        "--weakpass-budget",
        type=click.FloatRange(min=0),
        default=None,
        metavar="SECONDS",
        help="weakpass: seconds of all cores the whole cracking run may take, shared by "
             "the hashes (default 1; 0: no limit but 20 s per hash). More finds more.",
    ),
    click.option(
        "--show-secrets",
        is_flag=True,
        help="Print cracked passwords whole instead of masked (pa****).",
    ),
    click.option(
        "--yara-rules",
        "yara_rules",
        multiple=True,
        type=click.Path(exists=True, file_okay=False),
        help="malware: extra YARA rule directory (repeatable).",
    ),
    click.option(
        "--ioc-file",
        type=click.Path(exists=True, dir_okay=False),
        help="malware: SHA-256 IOC list, one hash per line.",
    ),
    click.option(
        "--secret-config",
        type=click.Path(exists=True, dir_okay=False),
        help="secret: rules/allow-list config (seawall YAML or gitleaks TOML).",
    ),
]


def scanner_flags(func: F) -> F:
    """Decorator adding every scanner-specific flag."""
    for flag in reversed(_SCANNER_FLAGS):
        func = flag(func)
    return func


def analyzer_options(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Scanner options from the flags: ``--wordlist``, ``--show-secrets``, and an
    explicit ``--jobs`` also sets the weakpass cracking processes (default: every core)."""
    out: dict[str, Any] = {}
    wordlists = kwargs.pop("wordlists", ())
    if wordlists:
        out["weakpass.wordlist"] = list(wordlists)
    budget = kwargs.pop("weakpass_budget", None)
    if budget is not None:
        out["weakpass.seconds_total"] = budget
    if kwargs.pop("show_secrets", False):
        out["show_secrets"] = True
        out["weakpass.show_secrets"] = True
    ctx = click.get_current_context(silent=True)
    if ctx is not None and ctx.get_parameter_source("jobs") not in (
        None,
        click.core.ParameterSource.DEFAULT,
    ):
        out["weakpass.jobs"] = kwargs.get("jobs")
    out.update(_malware_options(kwargs))
    if db_dir := kwargs.pop("db_dir", None):
        out["vuln.db_dir"] = db_dir
    if secret_config := kwargs.pop("secret_config", None):
        from seawall.analyzers.secret.secret_config import load_secret_config

        load_secret_config(secret_config)  # a bad file is a usage error, not a failed scan
        out["secret.config"] = secret_config
    return out


def _malware_options(kwargs: dict[str, Any]) -> dict[str, Any]:
    """``--yara-rules`` / ``--ioc-file``, validated here so that a rule that does not
    compile or a malformed IOC line is a one-line error (exit 2), not a failed scan."""
    out: dict[str, Any] = {}
    if yara_rules := kwargs.pop("yara_rules", ()):
        from seawall.analyzers.malware.rule_set import compile_rule_set, normalize_rule_dirs

        compile_rule_set(normalize_rule_dirs(list(yara_rules)))
        out["malware.yara_rules"] = list(yara_rules)
    if ioc_file := kwargs.pop("ioc_file", None):
        from seawall.analyzers.malware.ioc_list import load_ioc_list

        load_ioc_list(ioc_file)
        out["malware.ioc_file"] = ioc_file
    return out
