"""Reading an SBOM back into inventory packages: CycloneDX JSON (any 1.x) and SPDX 2.x
JSON, as seawall, Trivy or Syft write them.

Packages come from purls; source package and layer come from seawall's own
``seawall:package:*`` properties, Trivy's ``aquasecurity:trivy:*`` properties or the
purl ``upstream`` qualifier (Syft). The OS comes from the ``operating-system``
component (CycloneDX) or the OPERATING-SYSTEM package (SPDX).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from seawall.analyzers.packages.purls import package_from_purl
from seawall.errors import InputError
from seawall.model.package import Package
from seawall.model.report import OSInfo

_MAX_SBOM_BYTES = 512 * 1024 * 1024
_FAMILY_ALIASES = {"rhel": "redhat", "amzn": "amazon", "almalinux": "alma", "ol": "oracle",
                   "sles": "suse"}


@dataclass
class SbomContent:
    """What an SBOM says about one target."""

    format: str
    """``cyclonedx`` or ``spdx``."""
    name: str
    """The described target (image ref, directory) or the document name."""
    os: OSInfo | None = None
    packages: list[Package] = field(default_factory=list)
    skipped: int = 0
    """Components without a usable purl."""


def _properties(component: dict[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for prop in component.get("properties") or []:
        if isinstance(prop, dict) and isinstance(prop.get("name"), str):
            out[prop["name"]] = str(prop.get("value", ""))
    return out


def _walk_components(components: Any) -> Iterator[dict[str, Any]]:
    for comp in components if isinstance(components, list) else []:
        if isinstance(comp, dict):
            yield comp
            yield from _walk_components(comp.get("components"))


def _apply_properties(pkg: Package, props: dict[str, str]) -> None:
    for key in ("layer", "path", "source_name", "source_version", "arch"):
        value = props.get(f"seawall:package:{key}")
        if value:
            setattr(pkg, key, value)
    trivy_src = props.get("aquasecurity:trivy:SrcName")
    if trivy_src:
        pkg.source_name = trivy_src
        src_version = props.get("aquasecurity:trivy:SrcVersion")
        src_release = props.get("aquasecurity:trivy:SrcRelease")
        src_epoch = props.get("aquasecurity:trivy:SrcEpoch")
        if src_version:
            version = f"{src_version}-{src_release}" if src_release else src_version
            has_epoch = bool(src_epoch) and src_epoch != "0"
            pkg.source_version = f"{src_epoch}:{version}" if has_epoch else version
    trivy_layer = props.get("aquasecurity:trivy:LayerDiffID")
    if trivy_layer and not pkg.layer:
        pkg.layer = trivy_layer
    if props.get("aquasecurity:trivy:FilePath") and not pkg.path:
        pkg.path = props["aquasecurity:trivy:FilePath"]


def _os_info(name: str, version: str) -> OSInfo:
    family = name.strip().lower()
    return OSInfo(family=_FAMILY_ALIASES.get(family, family), version=version.strip())


def read_cyclonedx(doc: dict[str, Any]) -> SbomContent:
    """Packages and OS of a CycloneDX JSON document."""
    meta = doc.get("metadata")
    meta = meta if isinstance(meta, dict) else {}
    root = meta.get("component")
    root = root if isinstance(root, dict) else {}
    content = SbomContent(format="cyclonedx", name=str(root.get("name") or "sbom"))
    for comp in _walk_components(doc.get("components")):
        if comp.get("type") == "operating-system" and content.os is None:
            content.os = _os_info(str(comp.get("name", "")), str(comp.get("version", "")))
            continue
        purl = comp.get("purl")
        if not isinstance(purl, str) or not purl:
            content.skipped += 1
            continue
        try:
            pkg = package_from_purl(purl)
        except ValueError:
            content.skipped += 1
            continue
        _apply_properties(pkg, _properties(comp))
        pkg.licenses = _cyclonedx_licenses(comp)
        content.packages.append(pkg)
    return content


def _cyclonedx_licenses(comp: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for entry in comp.get("licenses") or []:
        if not isinstance(entry, dict):
            continue
        if isinstance(entry.get("expression"), str):
            out.append(entry["expression"])
        lic = entry.get("license")
        if isinstance(lic, dict):
            value = lic.get("id") or lic.get("name")
            if isinstance(value, str):
                out.append(value)
    return out


def read_spdx(doc: dict[str, Any]) -> SbomContent:
    """Packages and OS of an SPDX 2.x JSON document."""
    content = SbomContent(format="spdx", name=str(doc.get("name") or "sbom"))
    for element in doc.get("packages") or []:
        if not isinstance(element, dict):
            continue
        purpose = element.get("primaryPackagePurpose")
        if purpose == "OPERATING-SYSTEM" and content.os is None and element.get("versionInfo"):
            content.os = _os_info(str(element.get("name", "")), str(element["versionInfo"]))
            continue
        purls = [ref.get("referenceLocator") for ref in element.get("externalRefs") or []
                 if isinstance(ref, dict) and ref.get("referenceType") == "purl"]
        if not purls or not isinstance(purls[0], str):
            if purpose not in ("CONTAINER", "FILE", "SOURCE"):
                content.skipped += 1
            continue
        try:
            pkg = package_from_purl(purls[0])
        except ValueError:
            content.skipped += 1
            continue
        comment = element.get("comment")
        if isinstance(comment, str):
            for part in comment.split("; "):
                key, _, value = part.partition(": ")
                if key in ("layer", "path") and value:
                    setattr(pkg, key, value)
        declared = element.get("licenseDeclared")
        if isinstance(declared, str) and declared not in ("NOASSERTION", "NONE"):
            pkg.licenses = [declared]
        content.packages.append(pkg)
    return content


def read_sbom(data: bytes, origin: str) -> SbomContent:
    """Parse a CycloneDX or SPDX JSON SBOM; :class:`InputError` names ``origin`` when
    the file is neither."""
    if len(data) > _MAX_SBOM_BYTES:
        raise InputError(f"{origin}: SBOM larger than {_MAX_SBOM_BYTES} bytes")
    try:
        doc = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{origin}: not JSON ({exc})") from None
    if not isinstance(doc, dict):
        raise InputError(f"{origin}: not an SBOM (top level is not an object)")
    if doc.get("bomFormat") == "CycloneDX":
        return read_cyclonedx(doc)
    if str(doc.get("spdxVersion", "")).startswith("SPDX-2"):
        return read_spdx(doc)
    raise InputError(f"{origin}: not a CycloneDX or SPDX 2.x JSON document")
