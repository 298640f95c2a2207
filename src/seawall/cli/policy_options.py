"""The flags every reporting command shares (``seawall image|container|rootfs|fs``,
``seawall config``, ``seawall sbom-scan``, ``seawall convert``): the suppressions
(``--ignore-unfixed``, ``--ignorefile``, ``--vex``, ``--baseline``,
``--show-suppressed``) and the gate (``--severity``, ``--exit-code``, ``--fail-on``,
``--allow-incomplete``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click

from seawall.model.report import Report
from seawall.policy.suppression import SuppressionPolicy, apply_suppressions
from seawall.report.untrusted_text import visible

F = TypeVar("F", bound=Callable[..., Any])

SEVERITY_HELP = (
    "Only these severities (comma list of critical, high, medium, low, unknown, info; "
    "default: all). 'unknown' is a vulnerability whose data (record, distro, aliases) "
    "gives no label and no CVSS vector; with a list it is shown only when listed."
)
FAIL_ON_HELP = (
    "Fail (exit 1, or --exit-code) on this severity or worse, in the order critical > "
    "high > medium > low > unknown > info: 'unknown' trips --fail-on unknown or info, "
    "not --fail-on low (to gate on it with high: --exit-code 1 -s unknown,high,critical)."
)

_POLICY_FLAGS: list[Callable[[F], F]] = [
    click.option("--ignore-unfixed", is_flag=True,
                 help="Hide vulnerabilities that have no fixed version yet."),
    click.option("--ignorefile", "ignorefiles", multiple=True, envvar="SEAWALL_IGNOREFILE",
                 type=click.Path(exists=True, dir_okay=False),
                 help="Ignore file (.seawallignore lines or seawall-ignore.yaml; repeatable). "
                      "Default: those files in the working directory."),
    click.option("--vex", "vex_files", multiple=True,
                 type=click.Path(exists=True, dir_okay=False),
                 help="OpenVEX document: not_affected/fixed statements hide findings "
                      "(repeatable)."),
    click.option("--baseline", type=click.Path(exists=True, dir_okay=False),
                 help="Saved JSON report: only findings new since it are reported."),
    click.option("--show-suppressed", is_flag=True,
                 help="List suppressed findings (they are always counted)."),
]


_GATE_FLAGS: list[Callable[[F], F]] = [
    click.option("--severity", "-s", help=SEVERITY_HELP),
    click.option("--exit-code", type=int, help="Exit with this code when findings remain."),
    click.option("--fail-on", help=FAIL_ON_HELP),
    click.option("--allow-incomplete", is_flag=True,
                 help="Exit 0 instead of 4 when the scan is incomplete: something it was "
                      "asked to look at could not be read (no or a corrupt vulnerability "
                      "DB, an unreadable file or directory, a refused configuration file, "
                      "a failed analyzer or plugin; the report's errors list them)."),
]


def gate_flags(func: F) -> F:
    """Decorator adding the gate flags (see :mod:`seawall.policy.gate`)."""
    for flag in reversed(_GATE_FLAGS):
        func = flag(func)
    return func


def policy_flags(func: F) -> F:
    """Decorator adding the suppression flags."""
    for flag in reversed(_POLICY_FLAGS):
        func = flag(func)
    return func


def policy_from_kwargs(kwargs: dict[str, Any]) -> tuple[SuppressionPolicy, bool]:
    """Pop the flags from a command's kwargs: (policy, show_suppressed)."""
    ignorefiles: Sequence[str] = kwargs.pop("ignorefiles", ())
    policy = SuppressionPolicy.from_files(
        ignore_unfixed=kwargs.pop("ignore_unfixed", False),
        ignore_files=list(ignorefiles) if ignorefiles else None,
        vex_files=kwargs.pop("vex_files", ()),
        baseline=kwargs.pop("baseline", None),
    )
    return policy, bool(kwargs.pop("show_suppressed", False))


def suppress(reports: Sequence[Report], policy: SuppressionPolicy) -> list[Report]:
    """Apply ``policy``; expired ignore entries are warned about on stderr (even with
    ``-q``: an expiry is a decision someone has to make again)."""
    out, warnings = apply_suppressions(reports, policy)
    for line in warnings:
        click.echo(f"seawall: warning: {visible(line)}", err=True)
    return out
