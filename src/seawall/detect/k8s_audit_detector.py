"""Kubernetes audit-log detection from end to end: read events, run the rules, hand
each alert to the sinks as it happens, and sum the run up as a report (one finding
per alert; unreadable records are report errors, so a partly unreadable log is an
incomplete scan, never a clean one)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from seawall import __version__
from seawall.detect.alert import Alert
from seawall.detect.engine import DetectionEngine
from seawall.detect.event import Event
from seawall.detect.k8s_audit_reader import ReadStats
from seawall.detect.rule_loader import RuleSet
from seawall.model.report import ErrorEntry, Report, Stats, TargetInfo, ToolInfo

AlertHandler = Callable[[Alert], None]


@dataclass
class AuditDetection:
    """One detection run over audit events."""

    rule_set: RuleSet
    on_alert: list[AlertHandler] = field(default_factory=list)
    """Called with each alert as soon as it is raised (sinks)."""
    keep_alerts: bool = True
    """Keep alerts for the final report (off for long-running servers)."""
    alerts: list[Alert] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.engine = DetectionEngine(self.rule_set)
        self.started = time.monotonic()

    def feed(self, events: Iterable[Event]) -> int:
        """Run the rules over ``events``; the number of alerts raised."""
        raised = 0
        process = self.engine.process
        for ev in events:
            alerts = process(ev)
            if not alerts:
                continue
            raised += len(alerts)
            for alert in alerts:
                if self.keep_alerts:
                    self.alerts.append(alert)
                for handler in self.on_alert:
                    handler(alert)
        return raised

    def report(self, ref: str, read: ReadStats, files: list[Path] | None = None) -> Report:
        """The run as a report (``target.kind`` ``events``)."""
        errors = []
        for kind, count in sorted(read.errors.items()):
            first = next((s for s in read.samples if s.endswith(": " + kind)), "")
            where = first[: -len(kind) - 2] if first else "?"
            errors.append(ErrorEntry("audit-log", f"{count} record(s) skipped: {kind} "
                                                   f"(first at {where})"))
        stats = self.engine.stats
        if stats.rule_errors:
            errors.append(ErrorEntry("detect", f"{stats.rule_errors} rule evaluation(s) failed"))
        size = 0
        for f in files or []:
            with contextlib.suppress(OSError):
                size += f.stat().st_size
        return Report(
            target=TargetInfo("events", ref, extra={
                "source": "k8s_audit", "records": read.records, "events": read.events,
                "alerts": stats.alerts, "out_of_order_events": stats.out_of_order,
                "rules": len(self.rule_set.enabled()),
            }),
            tool=ToolInfo(version=__version__),
            findings=[a.to_finding() for a in self.alerts],
            errors=errors,
            stats=Stats(duration_s=time.monotonic() - self.started, files=len(files or []),
                        bytes=size),
        )
