"""``seawall config``'s engine: read the paths, run every registered check of every
domain and the custom rules, apply exceptions, and build the report."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from seawall._version import __version__
from seawall.analyzers.misconfig.check_table import checks_for
from seawall.analyzers.misconfig.checks_compose import ComposeService
from seawall.analyzers.misconfig.controls import Control, load_controls
from seawall.analyzers.misconfig.custom_rules import CustomRule, iter_custom, load_custom_rules
from seawall.analyzers.misconfig.dockerfile_parser import Dockerfile
from seawall.analyzers.misconfig.documents import (
    DEFAULT_MAX_FILE_BYTES,
    ConfigInputs,
    DocumentReader,
)
from seawall.analyzers.misconfig.k8s_model import (
    K8sObject,
    Workload,
    as_dict,
    dig,
    pod_spec_path,
    workload_of,
)
from seawall.analyzers.misconfig.netpol_model import NetworkModel
from seawall.analyzers.misconfig.rbac_model import RbacModel
from seawall.analyzers.misconfig.registry import ScanSettings, Violation
from seawall.model.finding import Category, Finding, Location, Severity
from seawall.model.report import Report, Stats, TargetInfo, ToolInfo
from seawall.policy.exceptions import (
    IGNORE_ANNOTATION,
    ExceptionRule,
    apply_exceptions,
    load_exceptions_file,
    parse_comment,
    parse_inline,
)


@dataclass
class ConfigScanOptions:
    """Options of ``seawall config``."""

    trusted_registries: tuple[str, ...] = ()
    exceptions_files: tuple[str, ...] = ()
    custom_rules: tuple[str, ...] = ()
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    today: dt.date | None = None
    """Date used to decide whether exceptions expired (default: today)."""


_TAGS: dict[str, dict[str, list[str]]] = {}


def build_finding(control: Control, violation: Violation, location: Location) -> Finding:
    """A finding from a control's metadata and one violation of it."""
    tags = _TAGS.get(control.id)
    if tags is None:
        tags = _TAGS[control.id] = {k: list(v) for k, v in control.mappings.items() if v}
    return Finding(
        rule_id=control.id,
        category=Category.MISCONFIG,
        severity=control.severity,
        title=control.title,
        description=control.rationale,
        remediation=control.remediation,
        location=location,
        evidence=violation.message,
        references=list(control.references),
        tags=dict(tags),
        extra=dict(violation.extra),
        fingerprint_key=violation.message,
    )


@dataclass
class _Collected:
    findings: list[Finding] = field(default_factory=list)
    suppressed: list[Finding] = field(default_factory=list)


class ConfigScanner:
    """Scans configuration files with the built-in controls and custom rules."""

    def __init__(self, options: ConfigScanOptions | None = None) -> None:
        self.options = options or ConfigScanOptions()
        self.settings = ScanSettings(trusted_registries=tuple(self.options.trusted_registries))
        self.controls = load_controls()
        self.file_exceptions: list[ExceptionRule] = []
        for path in self.options.exceptions_files:
            self.file_exceptions.extend(load_exceptions_file(path))
        self.custom: list[CustomRule] = load_custom_rules(list(self.options.custom_rules))
        self.today = self.options.today or dt.date.today()
        self._inline_cache: dict[int, list[ExceptionRule]] = {}

    def scan(self, paths: list[str]) -> Report:
        """Read ``paths`` and scan them."""
        started = time.monotonic()
        inputs = DocumentReader(self.options.max_file_bytes).read_paths(paths)
        report = self.scan_inputs(inputs, " ".join(paths))
        report.stats.duration_s = time.monotonic() - started
        return report

    def scan_inputs(self, inputs: ConfigInputs, ref: str) -> Report:
        """Scan already-read inputs."""
        out = _Collected()
        for df in inputs.dockerfiles:
            self._dockerfile(df, out)
        workloads = self._workloads(inputs.objects)
        for w in workloads:
            self._run("workload", w, out)
        for obj in inputs.objects:
            self._run("k8s_object", obj, out)
            self._run("rbac_role", obj, out)
            for rule in iter_custom(self.custom, "k8s"):
                self._custom(rule, obj.doc, Violation("", source=obj), out)
        rbac = RbacModel(inputs.objects)
        for subject in rbac.subjects.values():
            self._run("rbac", subject, out)
        network = NetworkModel(inputs.objects, workloads)
        if network.namespaces and inputs.objects:
            self._run("network", network, out)
        for svc in inputs.compose:
            self._run("compose", svc, out)
            for rule in iter_custom(self.custom, "compose"):
                self._custom(
                    rule,
                    svc.spec,
                    Violation("", resource=svc.resource, line=svc.line),
                    out,
                    svc.path,
                )
        extra: dict[str, Any] = {
            "files": inputs.files_read,
            "objects": len(inputs.objects),
            "dockerfiles": len(inputs.dockerfiles),
            "compose_services": len(inputs.compose),
        }
        if network.namespaces:
            extra["network_reachability"] = {
                "namespaces": network.namespaces,
                "matrix": network.reachability(),
                "rows": network.matrix_rows(),
            }
        if rbac.subjects:
            extra["rbac_subjects"] = rbac.summary()
        return Report(
            target=TargetInfo(kind="config", ref=ref, extra=extra),
            tool=ToolInfo(version=__version__),
            findings=out.findings,
            errors=list(inputs.errors),
            stats=Stats(files=inputs.files_read, bytes=inputs.bytes_read),
            suppressed=out.suppressed,
        )

    def _workloads(self, objects: list[K8sObject]) -> list[Workload]:
        accounts = {
            (o.namespace or "default", o.name): o.doc for o in objects if o.kind == "ServiceAccount"
        }
        out = []
        for obj in objects:
            w = workload_of(obj)
            if w is not None:
                w.service_account = accounts.get((w.namespace, w.service_account_name))
                out.append(w)
        return out

    def _run(self, domain: str, subject: Any, out: _Collected) -> None:
        for binding in checks_for(domain):
            control = self.controls.get(binding.control_id)
            if control is None:
                continue
            for violation in binding.function(subject, self.settings):
                self._emit(control, violation, subject, out)

    def _dockerfile(self, df: Dockerfile, out: _Collected) -> None:
        self._run("dockerfile", df, out)
        for rule in iter_custom(self.custom, "dockerfile"):
            self._custom(rule, df, Violation(""), out, df.path, subject=df)

    def _custom(
        self,
        rule: CustomRule,
        data: Any,
        template: Violation,
        out: _Collected,
        path: str | None = None,
        subject: Any = None,
    ) -> None:
        try:
            messages = rule.evaluate(data)
        except Exception as exc:  # a user's rule failing must not stop the scan
            messages = []
            out.findings.append(
                Finding(
                    rule.control.id,
                    Category.MISCONFIG,
                    Severity.INFO,
                    f"custom rule failed: {type(exc).__name__}: {exc}",
                    location=Location(
                        path=path or (template.source.path if template.source else None)
                    ),
                )
            )
        for message in messages:
            v = Violation(
                message, line=template.line, resource=template.resource, source=template.source
            )
            self._emit(rule.control, v, subject if subject is not None else _PathOnly(path), out)

    def _emit(self, control: Control, violation: Violation, subject: Any, out: _Collected) -> None:
        location, candidates = self._locate(violation, subject)
        finding = build_finding(control, violation, location)
        source = violation.source
        if isinstance(source, K8sObject) and source.helm_source:
            finding.extra.setdefault("helm_source", source.helm_source)
        if apply_exceptions(finding, candidates + self.file_exceptions, self.today):
            out.suppressed.append(finding)
        else:
            out.findings.append(finding)

    def _locate(self, violation: Violation, subject: Any) -> tuple[Location, list[ExceptionRule]]:
        source = violation.source
        if isinstance(source, K8sObject):
            loc = Location(
                path=source.path,
                line=violation.line or source.line,
                resource=violation.resource or source.resource,
                container=violation.container,
            )
            cached = self._inline_cache.get(id(source))
            if cached is None:
                cached = self._inline_cache[id(source)] = _inline_exceptions(source)
            return loc, cached
        if isinstance(subject, Dockerfile):
            loc = Location(path=subject.path, line=violation.line, container=violation.container)
            return loc, _comment_exceptions(subject, violation.line)
        if isinstance(subject, ComposeService):
            return Location(path=subject.path, line=violation.line, resource=violation.resource), []
        path = subject.path if isinstance(subject, _PathOnly) else violation.path
        return Location(
            path=path, line=violation.line, resource=violation.resource, layer=violation.layer
        ), []


@dataclass
class _PathOnly:
    path: str | None


def _inline_exceptions(obj: K8sObject) -> list[ExceptionRule]:
    texts = [obj.annotations.get(IGNORE_ANNOTATION)]
    path = pod_spec_path(obj)
    if path is not None and len(path) > 1:
        texts.append(
            as_dict(dig(obj.doc, *path[:-1], "metadata", "annotations")).get(IGNORE_ANNOTATION)
        )
    out: list[ExceptionRule] = []
    for text in texts:
        if text:
            out.extend(parse_inline(text, f"{obj.resource} annotation {IGNORE_ANNOTATION}"))
    return out


def _comment_exceptions(df: Dockerfile, line: int | None) -> list[ExceptionRule]:
    return [
        parse_comment(ig.rule_ids, ig.text, f"{df.path}:{ig.line}")
        for ig in df.ignores
        if ig.applies_to_line is None or ig.applies_to_line == line
    ]


def scan_paths(paths: Iterable[str], options: ConfigScanOptions | None = None) -> Report:
    """SDK entry point: scan files/directories and return the report."""
    return ConfigScanner(options).scan(list(paths))
