"""``--format cyclonedx``: CycloneDX 1.6 JSON (1.5 on request) built with
cyclonedx-python-lib: the target as ``metadata.component``, its OS as an
``operating-system`` component, one ``library`` component per package (purl, licenses,
``seawall:*`` properties for type, layer, path, source package), dependencies
target -> OS -> OS packages, and the vulnerability findings as ``vulnerabilities``.

:func:`cyclonedx_document` is the entry point for code that needs the JSON text
without the renderer registry.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from typing import TextIO

from cyclonedx.model import Property, XsUri
from cyclonedx.model.bom import Bom
from cyclonedx.model.bom_ref import BomRef
from cyclonedx.model.component import Component, ComponentType
from cyclonedx.model.dependency import Dependency
from cyclonedx.model.license import DisjunctiveLicense, License, LicenseExpression
from cyclonedx.model.vulnerability import (
    BomTarget,
    Vulnerability,
    VulnerabilityAdvisory,
    VulnerabilityRating,
    VulnerabilitySeverity,
    VulnerabilitySource,
)
from cyclonedx.output.json import Json, JsonV1Dot5, JsonV1Dot6
from packageurl import PackageURL

from seawall._version import __version__
from seawall.model.finding import Category, Finding
from seawall.model.package import Package
from seawall.model.report import Report
from seawall.report.interface import Renderer, RenderOptions, register_renderer
from seawall.report.json_text import dumps_json

PROPERTY_PREFIX = "seawall:"
OS_PACKAGE_TYPES = frozenset({"deb", "rpm", "apk"})
_OUTPUTTERS: dict[str, type[Json]] = {"1.5": JsonV1Dot5, "1.6": JsonV1Dot6}
_TARGET_TYPES = {"image": ComponentType.CONTAINER, "container": ComponentType.CONTAINER}


def package_ref(pkg: Package) -> str:
    """Stable, unique bom-ref of a package: its purl plus a short hash of where it was
    found (the same package can be installed at several paths)."""
    where = f"{pkg.type}\x1f{pkg.name}\x1f{pkg.version}\x1f{pkg.path or ''}\x1f{pkg.layer or ''}"
    digest = hashlib.sha256(where.encode("utf-8", "surrogateescape")).hexdigest()[:16]
    base = pkg.purl or f"{pkg.type}:{pkg.name}@{pkg.version}"
    return f"{base}#{digest}" if "#" not in base else f"{base}-{digest}"


@functools.cache
def _spdx_ids() -> dict[str, str]:
    """lower-case -> canonical SPDX license id, from the schema cyclonedx ships."""
    from cyclonedx.schema._res import SPDX_JSON

    with open(SPDX_JSON, encoding="utf-8") as stream:
        return {i.lower(): i for i in json.load(stream).get("enum", [])}


_SPDX_OPERATOR = re.compile(r"\s(?:AND|OR|WITH)\s", re.IGNORECASE)


@functools.lru_cache(maxsize=4096)
def _license(value: str) -> License:
    """What cyclonedx's LicenseFactory.make_from_string makes (an SPDX id, else a valid
    compound expression, else a name), without loading its SPDX expression parser
    (~0.05 s) unless a value has an operator; once per distinct string, since an image
    repeats a few dozen license strings over hundreds of packages."""
    spdx_id = _spdx_ids().get(value.lower())
    if spdx_id is not None:
        return DisjunctiveLicense(id=spdx_id)
    if _SPDX_OPERATOR.search(value):
        from cyclonedx.spdx import is_expression

        if is_expression(value):
            return LicenseExpression(value)
    return DisjunctiveLicense(name=value)


def _licenses(values: Iterable[str]) -> list[License]:
    values = list(values)
    made: list[License] = [_license(value) for value in values]
    # CycloneDX allows either a list of licenses or exactly one expression.
    expressions = [lic for lic in made if not hasattr(lic, "id")]
    named = [lic for lic in made if hasattr(lic, "id")]
    if expressions and (named or len(expressions) > 1):
        from cyclonedx.spdx import is_expression

        joined = " AND ".join(f"({v})" for v in values)
        return [LicenseExpression(joined)] if is_expression(joined) else named
    return made


def _properties(pkg: Package) -> list[Property]:
    props = [Property(name=f"{PROPERTY_PREFIX}package:type", value=pkg.type)]
    for key in ("layer", "path", "source_name", "source_version", "arch"):
        value = getattr(pkg, key)
        if value:
            props.append(Property(name=f"{PROPERTY_PREFIX}package:{key}", value=str(value)))
    return props


def _component(pkg: Package) -> Component:
    purl = None
    if pkg.purl:
        try:
            purl = PackageURL.from_string(pkg.purl)
        except ValueError:
            purl = None
    group = None
    name = pkg.name
    if pkg.type == "maven" and ":" in name:
        group, _, name = name.partition(":")
    return Component(
        name=name, group=group, version=pkg.version or None, type=ComponentType.LIBRARY,
        bom_ref=package_ref(pkg), purl=purl, licenses=_licenses(pkg.licenses),
        properties=_properties(pkg),
    )


def _severity(finding: Finding) -> VulnerabilitySeverity:
    try:
        return VulnerabilitySeverity(finding.severity.value)
    except ValueError:
        return VulnerabilitySeverity.UNKNOWN


def _vulnerability(finding: Finding, refs: list[str]) -> Vulnerability:
    advisories = []
    for url in finding.references:
        if url.startswith(("http://", "https://")):
            try:
                advisories.append(VulnerabilityAdvisory(url=XsUri(url)))
            except Exception:
                continue
    fixed = finding.package.fixed_version if finding.package else None
    source = finding.extra.get("source") if isinstance(finding.extra.get("source"), str) else None
    return Vulnerability(
        bom_ref=f"{finding.rule_id}#{finding.id}",
        id=finding.rule_id,
        source=VulnerabilitySource(name=source) if source else None,
        ratings=[VulnerabilityRating(severity=_severity(finding))],
        description=finding.title or None,
        detail=finding.description or None,
        recommendation=(f"Upgrade to {fixed}" if fixed else finding.remediation) or None,
        advisories=advisories,
        affects=[BomTarget(ref=ref) for ref in refs],
    )


def _match_refs(finding: Finding, by_purl: dict[str, list[str]],
                by_name: dict[tuple[str, str], list[tuple[str, str]]]) -> list[str]:
    pkg = finding.package
    if pkg is None:
        return []
    if pkg.purl:
        return list(by_purl.get(pkg.purl, []))
    return [ref for ref, typ in by_name.get((pkg.name, pkg.version), [])
            if pkg.type is None or typ == pkg.type]


#: Error entries copied into a BOM per target (the JSON report has them all).
MAX_ERROR_PROPERTIES = 50


def _completeness(report: Report) -> list[Property]:
    """``seawall:scan:complete`` and, for an incomplete scan, its errors: a BOM of a
    scan that could not look everywhere must not pass for a whole inventory."""
    props = [Property(name=f"{PROPERTY_PREFIX}scan:complete",
                      value="true" if report.complete else "false")]
    props += [Property(name=f"{PROPERTY_PREFIX}scan:error", value=f"{e.scope}: {e.message}")
              for e in report.errors[:MAX_ERROR_PROPERTIES]]
    return props


def build_bom(reports: Sequence[Report], include_vulnerabilities: bool = True) -> Bom:
    """A CycloneDX :class:`Bom` for one or more reports (several targets become
    top-level components, each holding its packages)."""
    bom = Bom()
    bom.metadata.tools.components.add(
        Component(name="seawall", version=__version__, type=ComponentType.APPLICATION)
    )
    by_ref: dict[str, Package] = {}
    for index, report in enumerate(reports):
        target = report.target
        root = Component(
            name=target.ref, type=_TARGET_TYPES.get(target.kind, ComponentType.FILE),
            bom_ref=f"target:{index}:{target.ref}",
            properties=[Property(name=f"{PROPERTY_PREFIX}target:kind", value=target.kind)]
            + ([Property(name=f"{PROPERTY_PREFIX}target:digest", value=target.digest)]
               if target.digest else [])
            + _completeness(report),
        )
        children: list[Component] = []
        os_component: Component | None = None
        if target.os is not None:
            os_component = Component(
                name=target.os.family, version=target.os.version or None,
                type=ComponentType.OPERATING_SYSTEM, bom_ref=f"os:{index}:{target.os.family}",
            )
            children.append(os_component)
        os_deps: list[Dependency] = []
        app_deps: list[Dependency] = []
        for pkg in report.packages:
            comp = _component(pkg)
            if comp.bom_ref.value in by_ref:
                continue
            by_ref[str(comp.bom_ref.value)] = pkg
            children.append(comp)
            dep = Dependency(ref=comp.bom_ref)
            (os_deps if pkg.type in OS_PACKAGE_TYPES and os_component else app_deps).append(dep)
        if os_component is not None:
            bom.dependencies.add(Dependency(ref=os_component.bom_ref, dependencies=os_deps))
            app_deps.append(Dependency(ref=os_component.bom_ref))
        bom.dependencies.add(Dependency(ref=root.bom_ref, dependencies=app_deps))
        if len(reports) == 1:
            bom.metadata.component = root
            bom.components.update(children)
        else:
            root.components = children
            bom.components.add(root)
    if include_vulnerabilities:
        by_purl: dict[str, list[str]] = {}
        by_name: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for ref, pkg in by_ref.items():
            if pkg.purl:
                by_purl.setdefault(pkg.purl, []).append(ref)
            by_name.setdefault((pkg.name, pkg.version), []).append((ref, pkg.type))
        for report in reports:
            for finding in report.findings:
                if finding.category is Category.VULNERABILITY:
                    refs = _match_refs(finding, by_purl, by_name)
                    bom.vulnerabilities.add(_vulnerability(finding, refs))
    # Every component gets a dependency entry (an empty one for leaves), as CycloneDX
    # tools expect a complete graph.
    listed = {str(d.ref.value) for d in bom.dependencies}
    for ref in by_ref:
        if ref not in listed:
            bom.dependencies.add(Dependency(ref=BomRef(ref)))
    return bom


def cyclonedx_document(reports: Sequence[Report], spec_version: str = "1.6",
                       include_vulnerabilities: bool = True) -> str:
    """The CycloneDX JSON text for ``reports`` (``spec_version`` 1.5 or 1.6)."""
    outputter = _OUTPUTTERS.get(spec_version)
    if outputter is None:
        raise ValueError(f"unsupported CycloneDX version {spec_version!r} (1.5, 1.6)")
    bom = build_bom(reports, include_vulnerabilities)
    text = outputter(bom).output_as_string(indent=2)
    return dumps_json(json.loads(text))


@register_renderer
class CycloneDxRenderer(Renderer):
    """CycloneDX 1.6 JSON SBOM (packages and vulnerabilities)."""

    name = "cyclonedx"
    description = "CycloneDX 1.6 JSON SBOM, with vulnerabilities when scanned"

    def render(self, reports: Sequence[Report], stream: TextIO, options: RenderOptions) -> None:
        """Write one BOM covering every report."""
        stream.write(cyclonedx_document(reports))
        stream.write("\n")


__all__ = ["CycloneDxRenderer", "build_bom", "cyclonedx_document", "package_ref"]
