"""``--format spdx``: SPDX 2.3 JSON, written from the specification
(https://spdx.github.io/spdx-spec/v2.3/).

The document DESCRIBES one package per target (purpose CONTAINER for images, else
FILE/SOURCE), which CONTAINS the OS (purpose OPERATING-SYSTEM) and every inventory
package; OS packages are also linked OS CONTAINS package. Each package carries its
purl as a PACKAGE-MANAGER external reference, ``sourceInfo`` for the source package
and a ``comment`` with layer and path. License names that are not SPDX identifiers
become ``LicenseRef-`` entries in ``hasExtractedLicensingInfos``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import uuid
from collections.abc import Sequence
from typing import Any, TextIO

from license_expression import ExpressionError, get_spdx_licensing

from seawall._version import __version__
from seawall.model.package import Package
from seawall.model.report import Report, TargetInfo
from seawall.report.interface import Renderer, RenderOptions, register_renderer
from seawall.report.json_text import dumps_json

NOASSERTION = "NOASSERTION"
DOCUMENT_ID = "SPDXRef-DOCUMENT"
NAMESPACE_BASE = "https://seawall.invalid/spdxdocs/"
OS_PACKAGE_TYPES = frozenset({"deb", "rpm", "apk"})
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9.-]+")
_TARGET_PURPOSE = {"image": "CONTAINER", "container": "CONTAINER", "directory": "FILE",
                   "host": "OPERATING-SYSTEM"}
_licensing = get_spdx_licensing()


def spdx_id(kind: str, *parts: str) -> str:
    """A valid, stable SPDX element id: ``SPDXRef-<kind>-<hash of parts>``."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return f"SPDXRef-{_ID_UNSAFE.sub('-', kind)}-{digest}"


def license_ref(name: str) -> str:
    """The ``LicenseRef-`` id standing for a license name SPDX does not know."""
    return "LicenseRef-" + (_ID_UNSAFE.sub("-", name).strip("-") or "unknown")


def license_expression(values: list[str], extracted: dict[str, str]) -> str:
    """One SPDX expression for a package's license list (AND of the entries); names
    that are not valid SPDX expressions become LicenseRefs recorded in ``extracted``."""
    terms: list[str] = []
    for value in values:
        try:
            info = _licensing.validate(value, strict=True)
            valid = not info.errors and not info.invalid_symbols
        except (ExpressionError, AttributeError):
            # license-expression 30.x raises AttributeError from validate() on some
            # malformed input ("A and/or B"): treat it as "not an SPDX expression".
            valid = False
        if valid:
            normalized = str(_licensing.parse(value))
            terms.append(f"({normalized})" if " " in normalized else normalized)
        else:
            ref = license_ref(value)
            extracted[ref] = value
            terms.append(ref)
    unique = list(dict.fromkeys(terms))
    return " AND ".join(unique) if unique else NOASSERTION


def _package_element(pkg: Package, extracted: dict[str, str]) -> dict[str, Any]:
    element: dict[str, Any] = {
        "SPDXID": spdx_id("Package", pkg.type, pkg.name, pkg.version, pkg.path or "",
                          pkg.layer or ""),
        "name": pkg.name,
        "downloadLocation": NOASSERTION,
        "filesAnalyzed": False,
        "licenseConcluded": NOASSERTION,
        "licenseDeclared": license_expression(pkg.licenses, extracted),
        "copyrightText": NOASSERTION,
        "primaryPackagePurpose": "LIBRARY",
    }
    if pkg.version:
        element["versionInfo"] = pkg.version
    if pkg.purl:
        element["externalRefs"] = [{"referenceCategory": "PACKAGE-MANAGER",
                                    "referenceType": "purl", "referenceLocator": pkg.purl}]
    if pkg.source_name and (pkg.source_name != pkg.name or pkg.source_version != pkg.version):
        source = f"{pkg.source_name} {pkg.source_version or ''}".strip()
        element["sourceInfo"] = f"built package from: {source}"
    fields = (("type", pkg.type), ("layer", pkg.layer), ("path", pkg.path))
    where = [f"{k}: {v}" for k, v in fields if v]
    element["comment"] = "; ".join(where)
    return element


def _target_element(target: TargetInfo, index: int) -> dict[str, Any]:
    element: dict[str, Any] = {
        "SPDXID": spdx_id("Target", str(index), target.kind, target.ref),
        "name": target.ref,
        "downloadLocation": NOASSERTION,
        "filesAnalyzed": False,
        "licenseConcluded": NOASSERTION,
        "licenseDeclared": NOASSERTION,
        "copyrightText": NOASSERTION,
        "primaryPackagePurpose": _TARGET_PURPOSE.get(target.kind, "FILE"),
    }
    if target.digest:
        algo, _, value = target.digest.partition(":")
        if algo == "sha256" and len(value) == 64:
            element["checksums"] = [{"algorithm": "SHA256", "checksumValue": value}]
    return element


def spdx_document(reports: Sequence[Report], created: dt.datetime | None = None) -> dict[str, Any]:
    """The SPDX 2.3 JSON document (as a dict) describing ``reports``."""
    created = (created or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    name = ", ".join(r.target.ref for r in reports) or "seawall"
    packages: list[dict[str, Any]] = []
    relationships: list[dict[str, str]] = []
    extracted: dict[str, str] = {}
    seen: set[str] = set()

    def relate(a: str, kind: str, b: str) -> None:
        relationships.append({"spdxElementId": a, "relationshipType": kind,
                              "relatedSpdxElement": b})

    for index, report in enumerate(reports):
        root = _target_element(report.target, index)
        packages.append(root)
        relate(DOCUMENT_ID, "DESCRIBES", root["SPDXID"])
        os_id: str | None = None
        if report.target.os is not None:
            os_info = report.target.os
            os_id = spdx_id("OperatingSystem", str(index), os_info.family, os_info.version)
            packages.append({
                "SPDXID": os_id, "name": os_info.family, "versionInfo": os_info.version,
                "downloadLocation": NOASSERTION, "filesAnalyzed": False,
                "licenseConcluded": NOASSERTION, "licenseDeclared": NOASSERTION,
                "copyrightText": NOASSERTION, "primaryPackagePurpose": "OPERATING-SYSTEM",
            })
            relate(root["SPDXID"], "CONTAINS", os_id)
        for pkg in report.packages:
            element = _package_element(pkg, extracted)
            if element["SPDXID"] in seen:
                continue
            seen.add(element["SPDXID"])
            packages.append(element)
            parent = os_id if os_id and pkg.type in OS_PACKAGE_TYPES else root["SPDXID"]
            relate(parent, "CONTAINS", element["SPDXID"])
    doc: dict[str, Any] = {
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": DOCUMENT_ID,
        "name": name,
        "documentNamespace": f"{NAMESPACE_BASE}{_ID_UNSAFE.sub('-', name)[:80]}-{uuid.uuid4()}",
        "creationInfo": {
            "created": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "creators": [f"Tool: seawall-{__version__}"],
        },
        "packages": packages,
        "relationships": relationships,
    }
    errors = [f"{r.target.ref}: {e.scope}: {e.message}" for r in reports for e in r.errors]
    if errors:
        # SPDX 2.3 has no completeness field: the creation comment carries it.
        doc["creationInfo"]["comment"] = (
            f"INCOMPLETE scan ({len(errors)} errors): what could not be read is not listed. "
            + " | ".join(errors[:50])
        )
    if extracted:
        doc["hasExtractedLicensingInfos"] = [
            {"licenseId": ref, "name": value,
             "extractedText": f"License named {value!r} in package metadata"}
            for ref, value in sorted(extracted.items())
        ]
    return doc


@register_renderer
class SpdxRenderer(Renderer):
    """SPDX 2.3 JSON SBOM (packages only: SPDX 2.3 has no vulnerability section)."""

    name = "spdx"
    description = "SPDX 2.3 JSON SBOM"

    def render(self, reports: Sequence[Report], stream: TextIO, options: RenderOptions) -> None:
        """Write one SPDX document covering every report."""
        stream.write(dumps_json(spdx_document(reports)))
        stream.write("\n")


__all__ = ["SpdxRenderer", "license_expression", "spdx_document", "spdx_id"]
