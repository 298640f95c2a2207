"""Match installed packages against the vulnerability database.

OS packages match by *source* package against the distro's own data (Debian tracker,
Alpine secdb, OSV ``Debian:12``/``Alpine:v3.19``/``Ubuntu:22.04`` records), never
against upstream ranges, because distros backport fixes. Language packages match OSV
ranges of their ecosystem. A package that cannot be matched (unknown type, unknown OS
release, unparsable version) gets ``extra["unmatched"] = reason`` and never stops the
scan.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from seawall.analyzers.vuln.db.store import AdvisoryInfo, AffectedRow, VulnStore
from seawall.analyzers.vuln.importers.osv import normalize_package_name
from seawall.analyzers.vuln.matching.alpine import alpine_branch, match_alpine
from seawall.analyzers.vuln.matching.debian import DistroMatch, debian_codename, match_debian
from seawall.analyzers.vuln.matching.osv_ranges import evaluate
from seawall.analyzers.vuln.matching.severity import SeverityChoice, choose_severity
from seawall.analyzers.vuln.versions import (
    PACKAGE_TYPE_ECOSYSTEMS,
    VersionError,
    parse_version,
    scheme_for_ecosystem,
)
from seawall.model.finding import Category, Finding, Location, PackageRef
from seawall.model.package import Package
from seawall.model.report import OSInfo

_RPM_ECOSYSTEMS = {
    "rhel": "Red Hat", "almalinux": "AlmaLinux", "alma": "AlmaLinux", "rocky": "Rocky Linux",
    "opensuse-leap": "openSUSE", "opensuse": "openSUSE", "sles": "SUSE", "photon": "Photon OS",
    "azurelinux": "Azure Linux", "mariner": "Azure Linux", "mageia": "Mageia",
    "openeuler": "openEuler",
}


@dataclass
class MatchOptions:
    """Matcher settings (``--ignore-unfixed`` ...)."""

    ignore_unfixed: bool = False
    """Drop findings that have no fixed version (status other than ``fixed``)."""

    @classmethod
    def from_mapping(cls, options: Any) -> MatchOptions:
        """Read ``ignore_unfixed``/``vuln.ignore_unfixed`` from scanner options."""
        if isinstance(options, MatchOptions):
            return options
        opts = dict(options or {})
        flag = opts.get("vuln.ignore_unfixed", opts.get("ignore_unfixed", False))
        return cls(ignore_unfixed=bool(flag))


@dataclass
class _Hit:
    vuln_id: str
    status: str
    fixed_versions: list[str]
    data_source: str
    urgency: str | None = None
    package_label: str | None = None
    advisory_ids: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Facts:
    aliases: list[str]
    choice: SeverityChoice
    summary: str
    details: str
    references: list[str]


class PackageMatcher:
    """Matches packages of one target (one OS) against an open store."""

    def __init__(self, store: VulnStore, os_info: OSInfo | None, options: MatchOptions) -> None:
        self.store = store
        self._facts: dict[tuple[Any, ...], _Facts] = {}
        self._affected: dict[tuple[str, tuple[str, ...]], list[AffectedRow]] = {}
        self.os = os_info
        self.options = options
        family = (os_info.family if os_info else "").lower()
        self.family = family
        self.release: str | None = None
        self.osv_os_ecosystems: tuple[str, ...] = ()
        if os_info and family == "debian":
            self.release = debian_codename(store, os_info.version or "", os_info.codename)
            major = (os_info.version or "").split(".", 1)[0]
            self.osv_os_ecosystems = (f"Debian:{major}",) if major.isdigit() else ()
        elif os_info and family == "ubuntu":
            self.osv_os_ecosystems = (f"Ubuntu:{os_info.version}",)
        elif os_info and family in ("alpine", "wolfi", "chainguard"):
            self.release = alpine_branch(os_info.version or "") if family == "alpine" else None
            base = {"alpine": "Alpine", "wolfi": "Wolfi", "chainguard": "Chainguard"}[family]
            self.osv_os_ecosystems = (f"Alpine:{self.release}",) if self.release else (base,)
        elif os_info and family in _RPM_ECOSYSTEMS:
            major = (os_info.version or "").split(".", 1)[0]
            self.osv_os_ecosystems = (f"{_RPM_ECOSYSTEMS[family]}:{major}",)

    # -- per package ------------------------------------------------------------------

    def hits_for(self, pkg: Package) -> list[_Hit]:
        """Every vulnerability of one package; raises VersionError for unmatched."""
        ptype = pkg.type.lower()
        if ptype in ("deb", "apk", "rpm"):
            return self._os_hits(pkg, ptype)
        eco = PACKAGE_TYPE_ECOSYSTEMS.get(ptype)
        if eco is None:
            raise VersionError(f"no vulnerability data for package type {pkg.type!r}")
        name = normalize_package_name(eco, _ecosystem_name(pkg, eco))
        return self._osv_hits(name, pkg.version, (eco,), eco)

    def _os_hits(self, pkg: Package, ptype: str) -> list[_Hit]:
        source = pkg.source_name or pkg.name
        version = pkg.source_version or pkg.version
        expected = {"deb": ("debian", "ubuntu"), "apk": ("alpine", "wolfi", "chainguard"),
                    "rpm": tuple(_RPM_ECOSYSTEMS)}[ptype]
        if self.family not in expected:
            what = self.family or "an undetected OS"
            raise VersionError(f"{ptype} package on {what}: no matching distro data")
        if not self.osv_os_ecosystems and not self.release:
            release = self.os.version if self.os else ""
            raise VersionError(f"unknown {self.family} release {release!r}")
        eco = self.osv_os_ecosystems[0] if self.osv_os_ecosystems else self.family
        scheme = scheme_for_ecosystem(eco if ptype != "deb" else "Debian")
        parse_version(scheme, version)  # invalid -> unmatched
        hits: list[_Hit] = []
        distro: list[DistroMatch] = []
        if self.family == "debian" and self.release:
            distro = match_debian(self.store, self.release, source, version)
        elif self.family == "alpine" and self.release:
            distro = match_alpine(self.store, self.release, source, version)
        for m in distro:
            hits.append(_Hit(m.vuln_id, m.status, [m.fixed_version] if m.fixed_version else [],
                             m.data_source, urgency=m.urgency, advisory_ids=[m.vuln_id]))
        if self.osv_os_ecosystems:
            hits += self._osv_hits(source, version, self.osv_os_ecosystems, eco)
        return hits

    def _osv_hits(self, name: str, version: str, ecosystems: tuple[str, ...], eco: str
                  ) -> list[_Hit]:
        scheme = scheme_for_ecosystem(eco)
        parse_version(scheme, version)  # invalid -> unmatched
        hits = []
        rows = self._affected.get((name, ecosystems))
        if rows is None:
            rows = self._affected[(name, ecosystems)] = self.store.affected(name, ecosystems)
        for row in rows:
            verdict = evaluate(version, row, scheme)
            if not verdict.affected:
                continue
            adv = self.store.advisory(row.advisory_id)
            if adv is not None and adv.withdrawn:
                continue
            hits.append(_Hit(row.advisory_id, "fixed" if verdict.fixed_versions else "affected",
                             list(verdict.fixed_versions), f"osv:{row.ecosystem}",
                             package_label=row.severity, advisory_ids=[row.advisory_id]))
        return hits

    # -- findings ---------------------------------------------------------------------

    def findings_for(self, pkg: Package, hits: list[_Hit]) -> list[Finding]:
        """Merge hits by rule id (a PYSEC and a GHSA for one CVE are one finding)."""
        merged: dict[str, _Hit] = {}
        for hit in hits:
            adv = self.store.advisory(hit.vuln_id)
            rule_id = _rule_id(hit.vuln_id, adv)
            prev = merged.get(rule_id)
            if prev is None:
                merged[rule_id] = hit
                continue
            prev.advisory_ids += [a for a in hit.advisory_ids if a not in prev.advisory_ids]
            prev.fixed_versions += [f for f in hit.fixed_versions if f not in prev.fixed_versions]
            if prev.data_source.startswith("osv:") and not hit.data_source.startswith("osv:"):
                # distro data outranks OSV for the same vulnerability
                prev.data_source, prev.status = hit.data_source, hit.status
                prev.urgency = hit.urgency
            prev.package_label = prev.package_label or hit.package_label
        out = []
        for rule_id, hit in sorted(merged.items()):
            if hit.fixed_versions and hit.status != "fixed" and not hit.data_source.startswith(
                    ("debian", "alpine")):
                hit.status = "fixed"
            if self.options.ignore_unfixed and hit.status != "fixed":
                continue
            out.append(self._finding(pkg, rule_id, hit))
        return out

    def _advisory_facts(self, rule_id: str, hit: _Hit) -> _Facts:
        # many packages share advisories (and a scan repeats packages per layer/path):
        # severity and text are worked out once per advisory set
        key = (rule_id, tuple(hit.advisory_ids), hit.urgency, hit.package_label)
        facts = self._facts.get(key)
        if facts is None:
            advs: list[AdvisoryInfo] = [
                a for a in (self.store.advisory(i) for i in hit.advisory_ids) if a is not None]
            aliases = sorted({a for adv in advs for a in (adv.id, *adv.aliases)} - {rule_id})
            choice = choose_severity(self.store, advs, distro_urgency=hit.urgency,
                                     package_label=hit.package_label,
                                     alias_ids=[rule_id, *aliases])
            facts = _Facts(
                aliases, choice,
                next((a.summary for a in advs if a.summary), ""),
                next((a.details for a in advs if a.details), ""),
                list(dict.fromkeys(r for a in advs for r in a.references)),
            )
            self._facts[key] = facts
        return facts

    def _finding(self, pkg: Package, rule_id: str, hit: _Hit) -> Finding:
        facts = self._advisory_facts(rule_id, hit)
        aliases, choice = facts.aliases, facts.choice
        summary, details = facts.summary, facts.details
        refs = list(facts.references)
        fixed = ", ".join(hit.fixed_versions) or None
        extra: dict[str, Any] = {
            "status": hit.status,
            "aliases": aliases,
            "advisories": hit.advisory_ids,
            "data_source": hit.data_source,
            "severity_source": choice.source,
        }
        if choice.vector:
            extra["cvss"] = {"vector": choice.vector, "score": choice.score}
        if hit.urgency:
            extra["urgency"] = hit.urgency
        if pkg.source_name and pkg.source_name != pkg.name:
            extra["source_package"] = pkg.source_name
        remediation = (f"Upgrade {pkg.name} to {fixed} or later." if fixed
                       else "No fixed version is available yet.")
        return Finding(
            rule_id=rule_id,
            category=Category.VULNERABILITY,
            severity=choice.severity,
            title=f"{pkg.name} {pkg.version}: {summary or rule_id}"[:300],
            description=details or summary,
            remediation=remediation,
            location=Location(path=pkg.path, layer=pkg.layer),
            package=PackageRef(name=pkg.name, version=pkg.version, fixed_version=fixed,
                               type=pkg.type, purl=pkg.purl or None),
            references=refs,
            extra=extra,
        )


def _rule_id(vuln_id: str, adv: AdvisoryInfo | None) -> str:
    if vuln_id.startswith("CVE-") or adv is None:
        return vuln_id
    cves = sorted(a for a in adv.aliases if a.startswith("CVE-"))
    return cves[0] if cves else vuln_id


def _ecosystem_name(pkg: Package, eco: str) -> str:
    """The advisory-side name: Maven ``group:artifact``, Packagist ``vendor/name``,
    npm ``@scope/name`` are rebuilt from the purl when the name lacks the namespace."""
    name = pkg.name
    if eco in ("Maven", "Packagist", "npm", "Go") and pkg.purl.startswith("pkg:"):
        body = pkg.purl[4:].split("@", 1)[0].split("?", 1)[0]
        parts = body.split("/")[1:]
        from urllib.parse import unquote

        parts = [unquote(p) for p in parts]
        if eco == "Maven" and len(parts) >= 2 and ":" not in name:
            return f"{parts[0]}:{parts[1]}"
        if eco in ("Packagist", "npm", "Go") and len(parts) >= 2 and "/" not in name:
            return "/".join(parts)
    return name


UNKNOWN_VERSIONS = frozenset({"", "(devel)"})
"""Versions that say "not known" rather than naming a release (``(devel)``: a Go main
module built from a checkout without a stamped version). Such a package is listed but
not matched, and that is not an error: comparing it to ranges could only invent
findings (Trivy and Grype skip it the same way)."""


def match_packages(
    packages: Iterable[Package], os_info: OSInfo | None, db: VulnStore, options: Any = None
) -> list[Finding]:
    """Vulnerability findings for ``packages``. Packages that cannot be matched get
    ``extra["unmatched"]`` with the reason, those of unknown version (``UNKNOWN_VERSIONS``)
    ``extra["version_unknown"]``; nothing here raises for bad input."""
    matcher = PackageMatcher(db, os_info, MatchOptions.from_mapping(options))
    findings: list[Finding] = []
    for pkg in packages:
        if pkg.version.strip() in UNKNOWN_VERSIONS:
            pkg.extra["version_unknown"] = True
            continue
        try:
            hits = matcher.hits_for(pkg)
        except VersionError as exc:
            pkg.extra["unmatched"] = str(exc)
            continue
        findings += matcher.findings_for(pkg, hits)
    return findings
