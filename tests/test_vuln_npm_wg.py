"""Node.js security WG advisories (../shared/vulndata/nodejs-security-wg): the fixed
version comes from ``patched_versions`` (so ``--ignore-unfixed`` keeps real findings),
a patched version is not affected, and ``<0.0.0`` means "no fix"."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from seawall.analyzers.vuln.db.local_import import run_import
from seawall.analyzers.vuln.db.store import VulnStore
from seawall.analyzers.vuln.importers.npm_wg import patched_lower_bounds
from seawall.analyzers.vuln.matching import match_packages
from seawall.model.package import Package
from shared_data import shared_marker, shared_path

REPO = Path(__file__).resolve().parent.parent
WG = shared_path("vulndata") / "nodejs-security-wg" / "vuln" / "npm"
_FULL = r"\d+\.\d+\.\d+"

pytestmark = shared_marker("vulndata/nodejs-security-wg")


def _records() -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted(WG.glob("*.json"))]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> VulnStore:
    db = tmp_path_factory.mktemp("wg") / "vuln.db"
    report = run_import(db, [WG], replace=True)
    ids = {json.loads(p.read_text()).get("id") for p in WG.glob("*.json")} - {None}
    # every advisory once (index.json repeats them all), nothing skipped
    assert report.imported["nodejs-security-wg"] == len(ids) and not report.skipped
    s = VulnStore.open(db)
    yield s
    s.close()


def _cases() -> tuple[list[tuple[str, str, str, str]], list[tuple[str, str, str]]]:
    """(module, installed, fixed, id) where ``vulnerable_versions`` is ``<=X`` and
    ``patched_versions`` is ``>=Y``; (module, installed, id) where patched is ``<0.0.0``."""
    fixed, unfixed = [], []
    for doc in _records():
        vuln, patched = doc.get("vulnerable_versions") or "", doc.get("patched_versions")
        m = re.fullmatch(rf"<=\s*({_FULL})", vuln.strip())
        if not m:
            continue
        if patched and (p := re.fullmatch(rf">=\s*({_FULL})", patched.strip())):
            fixed.append((doc["module_name"], m.group(1), p.group(1), f"NSWG-ECO-{doc['id']}"))
        elif patched == "<0.0.0":
            unfixed.append((doc["module_name"], m.group(1), f"NSWG-ECO-{doc['id']}"))
    return fixed, unfixed


def test_patched_versions_give_the_fixed_version(store: VulnStore) -> None:
    fixed, _ = _cases()
    assert len(fixed) >= 50
    packages = [Package(name, version, "npm") for name, version, _, _ in fixed]
    findings = match_packages(packages, None, store, {"ignore_unfixed": True})
    by_key = {(f.package.name, f.package.version, a): f for f in findings
              for a in f.extra["advisories"]}
    for name, version, first_fix, adv_id in fixed:
        finding = by_key[(name, version, adv_id)]  # kept by --ignore-unfixed
        assert finding.extra["status"] == "fixed"
        assert first_fix in (finding.package.fixed_version or "").split(", ")


def test_no_fix_and_patched_versions_are_told_apart(store: VulnStore) -> None:
    fixed, unfixed = _cases()
    assert unfixed
    name, version, adv_id = unfixed[0]
    found = [f for f in match_packages([Package(name, version, "npm")], None, store)
             if adv_id in f.extra["advisories"]]
    assert found and found[0].package.fixed_version is None
    assert not [f for f in match_packages([Package(name, version, "npm")], None, store,
                                          {"ignore_unfixed": True})
                if adv_id in f.extra["advisories"]]
    # the first patched version itself is not affected by that advisory
    name, _, first_fix, adv_id = fixed[0]
    assert not [f for f in match_packages([Package(name, first_fix, "npm")], None, store)
                if adv_id in f.extra["advisories"]]


def test_lower_bounds_of_each_alternative() -> None:
    assert patched_lower_bounds(">= 2.0.0 || >=1.3.4 <2.0.0") == ["2.0.0", "1.3.4"]
    assert patched_lower_bounds("^1.2.3 || ~2.0.1") == ["1.2.3", "2.0.1"]
    assert patched_lower_bounds("<0.0.0") == []
    patched = [d["patched_versions"] for d in _records() if d.get("patched_versions")]
    with_bound = [p for p in patched if re.search(rf">=\s*{_FULL}", p)]
    assert all(patched_lower_bounds(p) for p in with_bound)
