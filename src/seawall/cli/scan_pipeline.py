"""The one path every scanning command takes after parsing its flags: open and scan
each target with the scan driver (in parallel with ``--jobs``), keep the severities
asked for, apply the suppressions (ignore files, VEX, baseline, inline exceptions),
render every requested format, then decide the exit status with the gate (a tripped
gate, else 4 for an incomplete scan unless ``--allow-incomplete``, else 0).

``seawall image|container|rootfs|fs``, ``seawall config`` and ``seawall sbom-scan``
all go through :func:`scan_targets` and :func:`publish`; ``seawall convert`` through
:func:`publish`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

import click

from seawall.cli.app import GlobalOptions
from seawall.cli.policy_options import suppress
from seawall.errors import SeawallError
from seawall.model.finding import Severity
from seawall.model.report import Report
from seawall.policy.gate import Gate, filter_severities, incomplete
from seawall.policy.suppression import SuppressionPolicy
from seawall.report.output import OutputSpec, write_outputs
from seawall.report.progress import ScanProgress
from seawall.report.untrusted_text import visible
from seawall.sources.interface import SourceOptions, Target

if TYPE_CHECKING:  # the driver pulls in every analyzer: imported when a scan runs
    from seawall.scanning.driver import ScanDriver, ScanOutcome


@dataclass(frozen=True)
class Publication:
    """What to do with the reports: formats, gate, suppressions."""

    specs: Sequence[OutputSpec]
    gate: Gate
    shown: frozenset[Severity]
    """Severities kept (``--severity``)."""
    policy: SuppressionPolicy
    show_suppressed: bool = False
    allow_incomplete: bool = False
    warn_incomplete: bool = True
    """Say on stderr that the scan is incomplete (off when the caller says something
    more precise, such as ``seawall config``'s "nothing could be read")."""


@dataclass
class ScanBatch:
    """What scanning several references gave."""

    outcomes: list[ScanOutcome]
    """One per reference that could be opened, in the order given."""
    unopened: list[SeawallError]
    """Why the others could not be opened (bad input: exit 2 or the error's code)."""


def scan_targets(
    obj: GlobalOptions | None,
    refs: Sequence[str],
    opener: Callable[[str, SourceOptions], Target],
    source_opts: SourceOptions,
    driver: ScanDriver,
    jobs: int = 1,
) -> ScanBatch:
    """Open and scan every reference, ``jobs`` at a time, in the order given. With a
    single reference, a reference that cannot be opened raises; with several, one bad
    reference does not cost the reports of the good ones."""
    quiet = bool(obj and obj.quiet)
    with ScanProgress(len(refs), f"scanning {visible(refs[0])}", quiet) as progress:

        def one(ref: str) -> ScanOutcome | SeawallError:
            phases = progress.target(visible(ref))
            try:
                with opener(ref, source_opts) as target:
                    return driver.scan(target, phases)
            except SeawallError as exc:
                if len(refs) == 1:
                    raise
                return exc
            finally:
                phases.end()
                progress.advance(f"scanned {visible(ref)}")

        if jobs > 1 and len(refs) > 1:
            with ThreadPoolExecutor(min(jobs, len(refs))) as pool:
                results = list(pool.map(one, refs))
        else:
            results = [one(ref) for ref in refs]
    return ScanBatch(
        outcomes=[r for r in results if not isinstance(r, SeawallError)],
        unopened=[r for r in results if isinstance(r, SeawallError)],
    )


def publish(obj: GlobalOptions | None, reports: Sequence[Report], plan: Publication) -> int:
    """Filter, suppress and render ``reports``; warn on stderr when the scan is
    incomplete; return the exit status."""
    shown = suppress([filter_severities(r, plan.shown) for r in reports], plan.policy)
    write_outputs(shown, plan.specs, show_suppressed=plan.show_suppressed)
    if plan.warn_incomplete and incomplete(shown) and not (obj and obj.quiet):
        errors = [e for r in shown for e in r.errors]
        first = f"{errors[0].scope}: {errors[0].message}"
        more = f" (+{len(errors) - 1} more in the report's errors)" if len(errors) > 1 else ""
        verdict = "allowed by --allow-incomplete" if plan.allow_incomplete else "exit 4"
        click.echo(
            f"seawall: warning: scan incomplete, {verdict}: {visible(first)}{more}", err=True
        )
    return plan.gate.verdict(shown, plan.allow_incomplete)
