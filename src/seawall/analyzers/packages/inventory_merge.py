"""Turning per-file parse results into the target's package inventory.

Rules (after Trivy's applier and its "installed by OS packages" rule):
- only files visible in the final filesystem count;
- an OS package is attributed to the lowest layer from which its database entry
  (same name and version) stayed present up to the top: the layer that installed it;
- language packages whose metadata file an OS package installed are dropped (Debian's
  ``python3-*`` dist-info, RHEL's ``python3-requests``...): the OS package already
  covers them and the distro's own advisories apply. Debs from third-party vendors
  (Docker, NVIDIA, NodeSource) are not covered by distro advisories, so what they
  bundle stays (Trivy issue #9916);
- lock-file entries are dropped when the same package is installed under the lock
  file's directory (npm ``node_modules``, Composer ``vendor``), or anywhere for
  ecosystems that install globally (gems);
- deb packages get licenses from their DEP-5 copyright files; every package a purl.
"""

from __future__ import annotations

import posixpath
from collections import defaultdict
from collections.abc import Iterable

from seawall.analyzers.interface import FileResult
from seawall.analyzers.packages.package_format import (
    DATA_DPKG_LICENSES,
    DATA_LOCKFILE,
    DATA_OS_DB,
    DATA_OWNED_FILES,
    DATA_OWNER,
)
from seawall.analyzers.packages.purls import assign_purls
from seawall.model.package import Package
from seawall.model.report import OSInfo

OS_PACKAGE_TYPES = frozenset({"deb", "rpm", "apk"})
THIRD_PARTY_MAINTAINER_DOMAINS = ("docker.com", "nvidia.com", "nodesource.com")
PROJECT_LOCAL_TYPES = frozenset({"npm", "composer"})
"""Ecosystems whose lock files are installed under the project directory."""


def _layer_rank(layer_order: list[str]) -> dict[str | None, int]:
    return {diff_id: i for i, diff_id in enumerate(layer_order)}


def attribute_os_layers(visible: FileResult, history: list[FileResult],
                        layer_order: list[str]) -> None:
    """Set each OS package of ``visible`` to the layer that installed it, using the
    same database file's results in lower layers (``history``, any order)."""
    rank = _layer_rank(layer_order)
    if visible.layer not in rank:
        return
    below = sorted((fr for fr in history if fr.layer in rank and
                    rank[fr.layer] < rank[visible.layer]),
                   key=lambda fr: rank[fr.layer], reverse=True)
    present = [{(p.name, p.version, p.arch) for p in fr.result.packages} for fr in below]
    for pkg in visible.result.packages:
        key = (pkg.name, pkg.version, pkg.arch)
        layer = visible.layer
        for fr, keys in zip(below, present, strict=True):
            if key not in keys:
                break
            layer = fr.layer
        pkg.layer = layer


def _is_third_party(maintainer: str) -> bool:
    address = maintainer.rpartition("<")[2].rstrip(">").lower()
    return address.endswith(THIRD_PARTY_MAINTAINER_DOMAINS)


def _owned(path: str | None, owned: set[str]) -> bool:
    if not path:
        return False
    return path in owned or posixpath.dirname(path) in owned


def merge_inventory(files: Iterable[FileResult], os_info: OSInfo | None,
                    layer_order: list[str] | None = None) -> list[Package]:
    """The deduplicated, attributed, purl-stamped package list of a target."""
    all_files = list(files)
    visible = [fr for fr in all_files if fr.visible]
    third_party = {
        p.name for fr in visible for p in fr.result.packages
        if p.type == "deb" and _is_third_party(str(p.extra.get("maintainer", "")))
    }
    owned: set[str] = set()
    dpkg_licenses: dict[str, list[str]] = {}
    for fr in visible:
        if fr.result.data.get(DATA_OWNER) not in third_party:
            owned.update(fr.result.data.get(DATA_OWNED_FILES) or [])
        dpkg_licenses.update(fr.result.data.get(DATA_DPKG_LICENSES) or {})

    history: dict[str, list[FileResult]] = defaultdict(list)
    for fr in all_files:
        if fr.result.data.get(DATA_OS_DB) and not fr.visible:
            history[fr.path].append(fr)

    installed: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    packages: list[Package] = []
    lock_packages: list[Package] = []
    for fr in visible:
        if fr.result.data.get(DATA_OS_DB) and layer_order:
            attribute_os_layers(fr, history.get(fr.path, []), layer_order)
        is_lock = bool(fr.result.data.get(DATA_LOCKFILE))
        for pkg in fr.result.packages:
            if pkg.type not in OS_PACKAGE_TYPES and _owned(pkg.path, owned):
                continue
            if pkg.type == "deb" and not pkg.licenses:
                pkg.licenses = list(dpkg_licenses.get(pkg.name.split(":")[0], []))
            if is_lock:
                lock_packages.append(pkg)
            else:
                packages.append(pkg)
                installed[(pkg.type, pkg.name, pkg.version)].append(pkg.path or "")
    for pkg in lock_packages:
        project = posixpath.dirname(pkg.path or "") + "/"
        if pkg.type not in PROJECT_LOCAL_TYPES:
            project = "/"
        paths = installed.get((pkg.type, pkg.name, pkg.version), [])
        if not any(p.startswith(project) for p in paths):
            packages.append(pkg)
    assign_purls(packages, os_info)
    packages.sort(key=Package.sort_key)
    return packages
