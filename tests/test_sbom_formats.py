"""SBOM writers (CycloneDX 1.5/1.6 validated with cyclonedx-python-lib's bundled JSON
schemas; SPDX 2.3 validated with spdx-tools' parser and validator, since no package
available offline ships the SPDX 2.3 JSON schema) and reading SBOMs back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from spdx_tools.spdx.parser.parse_anything import parse_file
from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

import seawall
from seawall.analyzers.facts.inventory import run_inventory
from seawall.analyzers.packages.sbom_input import read_sbom
from seawall.errors import InputError
from seawall.model.finding import Category, Finding, PackageRef, Severity
from seawall.model.report import Report
from seawall.report.cyclonedx import cyclonedx_document
from seawall.report.renderer_table import load_renderers
from seawall.report.spdx import license_expression, spdx_document

FIXTURES = Path(__file__).parent / "fixtures" / "packages"


@pytest.fixture(scope="module")
def report() -> Report:
    target = seawall.open_rootfs(str(FIXTURES / "rootfs-debian"))
    result = run_inventory(target)
    zlib = next(p for p in result.packages if p.name == "zlib1g")
    vuln = Finding(
        rule_id="CVE-2022-37434", category=Category.VULNERABILITY, severity=Severity.CRITICAL,
        title="zlib: heap-based buffer over-read in inflateGetHeader",
        package=PackageRef(zlib.name, zlib.version, "1:1.2.13.dfsg-2", "deb", zlib.purl),
        references=["https://security-tracker.debian.org/tracker/CVE-2022-37434"],
    )
    return Report(target=target.target_info(), packages=result.packages,
                  findings=[vuln, *result.findings])


@pytest.mark.parametrize(("version", "schema"), [("1.5", SchemaVersion.V1_5),
                                                 ("1.6", SchemaVersion.V1_6)])
def test_cyclonedx_validates_against_schema(report: Report, version: str,
                                            schema: SchemaVersion) -> None:
    text = cyclonedx_document([report], spec_version=version)
    assert JsonStrictValidator(schema).validate_str(text) is None
    doc = json.loads(text)
    assert doc["specVersion"] == version
    purls = {c.get("purl") for c in doc["components"]}
    assert {p.purl for p in report.packages} <= purls
    os_components = [c for c in doc["components"] if c["type"] == "operating-system"]
    assert [(c["name"], c["version"]) for c in os_components] == [("debian", "12")]
    [vuln] = doc["vulnerabilities"]
    zlib_ref = next(c["bom-ref"] for c in doc["components"] if c.get("name") == "zlib1g")
    assert vuln["id"] == "CVE-2022-37434" and vuln["affects"] == [{"ref": zlib_ref}]
    assert vuln["ratings"] == [{"severity": "critical"}]


def test_cyclonedx_multiple_targets_nest_components(report: Report) -> None:
    target = seawall.open_rootfs(str(FIXTURES / "distroless"))
    other = Report(target=target.target_info(), packages=run_inventory(target).packages)
    text = cyclonedx_document([report, other])
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None
    doc = json.loads(text)
    sizes = {c["name"]: len(c["components"]) for c in doc["components"]}
    # each target holds its packages plus its OS component
    assert sizes == {report.target.ref: len(report.packages) + 1,
                     other.target.ref: len(other.packages) + 1}


def test_spdx_validates_with_spdx_tools(report: Report, tmp_path: Path) -> None:
    doc = spdx_document([report])
    path = tmp_path / "sbom.spdx.json"
    path.write_text(json.dumps(doc))
    parsed = parse_file(str(path))
    assert validate_full_spdx_document(parsed, "SPDX-2.3") == []
    described = [r for r in doc["relationships"] if r["relationshipType"] == "DESCRIBES"]
    assert len(described) == 1
    purls = {ref["referenceLocator"] for p in doc["packages"] for ref in p.get("externalRefs", [])}
    assert purls == {p.purl for p in report.packages}
    refs = {e["licenseId"] for e in doc.get("hasExtractedLicensingInfos", [])}
    assert refs == {"LicenseRef-BSD"}  # Jinja2's "BSD": no SPDX id says which BSD
    bash = next(p for p in doc["packages"] if p["name"] == "bash")
    assert bash["licenseDeclared"] == "GPL-3.0-or-later AND BSD-4-Clause-UC AND GPL-2.0-or-later"


def test_license_expression_mapping() -> None:
    extracted: dict[str, str] = {}
    assert license_expression(["MIT", "Apache-2.0 OR MIT"], extracted) == \
        "MIT AND (Apache-2.0 OR MIT)"
    assert license_expression(["GPL-3+ with Bison exception"], extracted) == \
        "LicenseRef-GPL-3-with-Bison-exception"
    assert extracted == {"LicenseRef-GPL-3-with-Bison-exception": "GPL-3+ with Bison exception"}
    assert license_expression([], extracted) == "NOASSERTION"
    assert license_expression(["BSD-3-clause and/or GPL-3+"], {}) == \
        "LicenseRef-BSD-3-clause-and-or-GPL-3"


@pytest.mark.parametrize("fmt", ["cyclonedx", "spdx"])
def test_round_trip_keeps_packages(report: Report, fmt: str) -> None:
    if fmt == "cyclonedx":
        text = cyclonedx_document([report])
    else:
        text = json.dumps(spdx_document([report]))
    content = read_sbom(text.encode(), f"sbom.{fmt}.json")
    assert content.format == fmt
    assert content.os is not None and (content.os.family, content.os.version) == ("debian", "12")
    want = sorted((p.type, p.name, p.version, p.source_name or "", p.path or "")
                  for p in report.packages)
    got = sorted((p.type, p.name, p.version,
                  p.source_name or "", p.path or "") for p in content.packages)
    normalized_want = sorted((t, n.lower().replace("_", "-") if t == "pypi" else n, v, s, pa)
                             for t, n, v, s, pa in want)
    normalized_got = sorted((t, n.lower() if t == "pypi" else n, v, s, pa)
                            for t, n, v, s, pa in got)
    assert normalized_got == normalized_want


def test_reads_trivy_style_cyclonedx() -> None:
    doc = {
        "bomFormat": "CycloneDX", "specVersion": "1.5",
        "metadata": {"component": {"name": "alpine:3.18", "type": "container"}},
        "components": [
            {"type": "operating-system", "name": "alpine", "version": "3.18.4"},
            {"type": "library", "name": "libcrypto3", "version": "3.1.3-r0",
             "purl": "pkg:apk/alpine/libcrypto3@3.1.3-r0?arch=x86_64&distro=3.18.4",
             "properties": [{"name": "aquasecurity:trivy:SrcName", "value": "openssl"},
                            {"name": "aquasecurity:trivy:SrcVersion", "value": "3.1.3-r0"},
                            {"name": "aquasecurity:trivy:LayerDiffID",
                             "value": "sha256:" + "c" * 64}]},
            {"type": "library", "name": "no-purl"},
        ],
    }
    content = read_sbom(json.dumps(doc).encode(), "trivy.json")
    [pkg] = content.packages
    assert (pkg.type, pkg.name, pkg.source_name, pkg.source_version, pkg.layer) == \
        ("apk", "libcrypto3", "openssl", "3.1.3-r0", "sha256:" + "c" * 64)
    assert content.os is not None and content.os.family == "alpine"
    assert content.skipped == 1


@pytest.mark.parametrize("data", [b"not json", b"[]", b'{"bomFormat": "Other"}'])
def test_non_sbom_input_is_a_clear_error(data: bytes) -> None:
    with pytest.raises(InputError, match=r"x\.json"):
        read_sbom(data, "x.json")


def test_renderers_registered() -> None:
    table = load_renderers()
    assert "cyclonedx" in table and "spdx" in table
