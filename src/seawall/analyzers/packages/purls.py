"""Package URLs (https://github.com/package-url/purl-spec) for inventory packages, and
the reverse mapping used when an SBOM is read back.

Conventions (compatible with Trivy and Syft output):
- deb/rpm: the version is without epoch; the epoch goes in the ``epoch`` qualifier.
- OS packages carry ``arch`` and ``distro`` (``debian-12``, ``3.19.1`` for apk as
  Alpine writes it); ``upstream=<source>[@<source version>]`` names the source
  package when it differs from the binary package.
- Maven ``group:artifact`` -> namespace/name; Go module paths split at the last ``/``;
  npm scopes and Composer vendors are namespaces.
"""

from __future__ import annotations

from packageurl import PackageURL

from seawall.model.package import Package
from seawall.model.report import OSInfo

_OS_TYPES = frozenset({"deb", "rpm", "apk"})
_DEFAULT_NAMESPACE = {"deb": "debian", "apk": "alpine", "rpm": "redhat"}
_TYPE_TO_PURL = {
    "deb": "deb", "apk": "apk", "rpm": "rpm", "pypi": "pypi", "npm": "npm",
    "golang": "golang", "maven": "maven", "gem": "gem", "cargo": "cargo",
    "composer": "composer", "nuget": "nuget",
}


def split_epoch(version: str) -> tuple[str | None, str]:
    """``1:2.3-4`` -> ``("1", "2.3-4")``; no epoch -> ``(None, version)``."""
    head, sep, rest = version.partition(":")
    if sep and head.isdigit():
        return head, rest
    return None, version


def _os_namespace(pkg_type: str, os_info: OSInfo | None) -> str:
    if os_info is None or not os_info.family:
        return _DEFAULT_NAMESPACE[pkg_type]
    return os_info.family.split(".")[0]


def _distro(pkg_type: str, os_info: OSInfo | None) -> str | None:
    if os_info is None or not os_info.version:
        return None
    if pkg_type == "apk":
        return os_info.version
    return f"{os_info.family.split('.')[0]}-{os_info.version}"


def _split_name(pkg_type: str, name: str) -> tuple[str | None, str]:
    if pkg_type == "maven" and ":" in name:
        group, _, artifact = name.partition(":")
        return group, artifact
    if pkg_type in ("npm", "composer", "golang") and "/" in name:
        namespace, _, base = name.rpartition("/")
        return namespace, base
    if pkg_type == "pypi":
        return None, name.lower().replace("_", "-").replace(".", "-")
    return None, name


def build_purl(pkg: Package, os_info: OSInfo | None = None) -> str:
    """The purl of one package ("" for an ecosystem purl has no type for)."""
    purl_type = _TYPE_TO_PURL.get(pkg.type)
    if purl_type is None:
        return ""
    qualifiers: dict[str, str] = {}
    version = pkg.version
    if pkg.type in _OS_TYPES:
        namespace: str | None = _os_namespace(pkg.type, os_info)
        name = pkg.name
        if pkg.type in ("deb", "rpm"):
            epoch, version = split_epoch(version)
            if epoch and epoch != "0":
                qualifiers["epoch"] = epoch
        if pkg.arch:
            qualifiers["arch"] = pkg.arch
        distro = _distro(pkg.type, os_info)
        if distro:
            qualifiers["distro"] = distro
        if pkg.source_name and pkg.source_name != pkg.name:
            upstream = pkg.source_name
            if pkg.source_version and pkg.source_version != pkg.version:
                upstream += f"@{pkg.source_version}"
            qualifiers["upstream"] = upstream
        elif pkg.source_version and pkg.source_version != pkg.version:
            qualifiers["upstream"] = f"{pkg.name}@{pkg.source_version}"
    else:
        namespace, name = _split_name(pkg.type, pkg.name)
    return PackageURL(type=purl_type, namespace=namespace, name=name, version=version or None,
                      qualifiers=qualifiers or None).to_string()


def package_from_purl(purl: str) -> Package:
    """Rebuild an inventory :class:`Package` from a purl (ValueError if unparsable)."""
    parsed = PackageURL.from_string(purl)
    qualifiers = parsed.qualifiers if isinstance(parsed.qualifiers, dict) else {}
    pkg_type = parsed.type
    version = parsed.version or ""
    if pkg_type == "maven":
        name = f"{parsed.namespace}:{parsed.name}" if parsed.namespace else parsed.name
    elif parsed.namespace and pkg_type not in _OS_TYPES:  # OS purls: namespace = distro
        name = f"{parsed.namespace}/{parsed.name}"
    else:
        name = parsed.name
    pkg = Package(name=name, version=version, type=pkg_type, purl=purl)
    if pkg_type in _OS_TYPES:
        epoch = qualifiers.get("epoch")
        if epoch and pkg_type in ("deb", "rpm"):
            pkg.version = f"{epoch}:{version}"
        pkg.arch = qualifiers.get("arch")
        pkg.source_name, pkg.source_version = pkg.name, pkg.version
        upstream = qualifiers.get("upstream")
        if upstream:
            src_name, sep, src_version = upstream.partition("@")
            pkg.source_name = src_name or pkg.name
            if sep:
                pkg.source_version = src_version
        if qualifiers.get("distro"):
            pkg.extra["distro"] = qualifiers["distro"]
    return pkg


def assign_purls(packages: list[Package], os_info: OSInfo | None) -> None:
    """Fill ``purl`` on every package that has none."""
    for pkg in packages:
        if not pkg.purl:
            pkg.purl = build_purl(pkg, os_info)
