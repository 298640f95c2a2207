"""Version schemes without a native tool on the machine: orderings taken from the
tools' own documentation and test suites, typed errors for bad input, and CVSS base
scores / NVD ratings."""

from __future__ import annotations

import itertools

import pytest

from seawall.analyzers.vuln.cvss import CvssVectorError, base_score, rating
from seawall.analyzers.vuln.versions import (
    InvalidVersionError,
    UnknownEcosystemError,
    scheme_for_ecosystem,
    scheme_for_package_type,
)
from seawall.analyzers.vuln.versions.semver import NpmRange
from seawall.model.finding import Severity

# Ascending sequences: every element sorts strictly before the next one.
ASCENDING = {
    "Alpine": ["1.0_alpha1", "1.0_beta", "1.0_pre2", "1.0_rc1", "1.0", "1.0-r1", "1.0_p1",
               "1.0a", "1.1", "1.2.4_git20230717-r5", "1.2.4_p1", "1.10"],
    "Maven": ["1-alpha", "1.0-alpha-2", "1.0-beta", "1.0-milestone-1", "1.0-rc1",
              "1.0-SNAPSHOT", "1.0", "1.0-sp", "1.0-whatever", "1.0.1", "1.1", "2.3", "2.17.0"],
    "RubyGems": ["1.0.a", "1.0.b1", "1.0.rc1", "1.0", "1.0.1", "1.1", "2.0.0.pre", "2.0.0"],
    "NuGet": ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-beta", "1.0.0-rc.1", "1.0.0", "1.0.0.1",
              "1.0.1", "1.1"],
    "Packagist": ["1.0.0-dev", "1.0.0-alpha1", "1.0.0-beta2", "1.0.0-RC1", "1.0.0",
                  "1.0.0-p1", "1.0.1", "v1.1"],
    "Go": ["v0.0.0-20191109021931-daa7c04131f5", "v0.0.1", "v1.2.0-rc.1", "v1.2.0", "v1.10.0",
           "v2.0.0+incompatible", "v2.1.0"],
    "PyPI": ["1.0.dev0", "1.0a1", "1.0b2", "1.0rc1", "1.0", "1.0.post1", "1.1", "2.19.1"],
    "npm": ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
            "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "2.0.0"],
    "Debian": ["1.0~rc1", "1.0", "1.0-1~bpo1", "1.0-1", "1.0+deb12u1", "1:0.9"],
}
EQUAL = {
    "Maven": [("1.0", "1.0.0"), ("1.0-ga", "1"), ("1.0.0.RELEASE", "1.0"), ("1.0-CR1", "1.0-rc1")],
    "RubyGems": [("1.0", "1"), ("1.0.0", "1")],
    "NuGet": [("1.0", "1.0.0.0"), ("1.0.0-BETA", "1.0.0-beta"), ("1.0.0+meta", "1.0.0")],
    "Go": [("v2.0.0+incompatible", "v2.0.0"), ("go1.21.0", "1.21.0"), ("go1.20", "v1.20.0")],
    "PyPI": [("2.2", "2.2.0"), ("1.0.post1", "1.0-1")],
}


@pytest.mark.parametrize("ecosystem", sorted(ASCENDING))
def test_orderings_follow_the_native_tools(ecosystem: str) -> None:
    scheme = scheme_for_ecosystem(ecosystem)
    seq = ASCENDING[ecosystem]
    for a, b in itertools.pairwise(seq):
        assert scheme.compare(a, b) == -1, (a, b)
        assert scheme.compare(b, a) == 1, (b, a)
    for v in seq:
        assert scheme.compare(v, v) == 0


@pytest.mark.parametrize("ecosystem", sorted(EQUAL))
def test_equal_spellings(ecosystem: str) -> None:
    scheme = scheme_for_ecosystem(ecosystem)
    for a, b in EQUAL[ecosystem]:
        assert scheme.compare(a, b) == 0, (a, b)


@pytest.mark.parametrize(
    ("ecosystem", "bad"),
    [("PyPI", "not a version"), ("Debian", "abc"), ("Debian", "1.0 2"), ("Alpine", "1.0-x"),
     ("Go", "latest"), ("NuGet", "1.x"), ("Packagist", "dev-master"), ("RubyGems", "1..2"),
     ("npm", "one.two"), ("Maven", "")],
)
def test_invalid_versions_raise_a_typed_error(ecosystem: str, bad: str) -> None:
    with pytest.raises(InvalidVersionError):
        scheme_for_ecosystem(ecosystem).parse(bad)


def test_unknown_ecosystems_raise_a_typed_error() -> None:
    with pytest.raises(UnknownEcosystemError):
        scheme_for_ecosystem("CRAN")
    with pytest.raises(UnknownEcosystemError):
        scheme_for_package_type("conda")
    assert scheme_for_package_type("deb").name == "dpkg"
    assert scheme_for_ecosystem("Alpine:v3.19").name == "apk"


def test_npm_ranges() -> None:
    r = NpmRange(">=1.2.0 <1.3.0 || ^2.0.1")
    assert "1.2.5" in r and "2.9.0" in r
    assert "2.0.0" not in r and "3.0.0" not in r and "1.3.0" not in r
    assert "1.2.9" in NpmRange("~1.2") and "1.3.0" not in NpmRange("~1.2")
    assert "0.2.5" in NpmRange("^0.2.3") and "0.3.0" not in NpmRange("^0.2.3")
    assert "1.2.9" in NpmRange("1.0.0 - 1.2") and "1.3.0" not in NpmRange("1.0.0 - 1.2")
    assert "4.17.15" in NpmRange("<4.17.19") and "4.17.19" not in NpmRange("<4.17.19")
    assert "9.9.9" in NpmRange("*") and "1.5.1" in NpmRange("<= 1.5.1")


def test_cvss_scores_and_ratings() -> None:
    assert base_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H") == 9.8
    assert base_score("CVSS:3.0/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:N/A:N") == 6.1
    assert rating(9.8) is Severity.CRITICAL and rating(5.4) is Severity.MEDIUM
    assert rating(0.1) is Severity.LOW and rating(7.0) is Severity.HIGH
    v4 = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"
    assert base_score(v4) == 9.3
    assert base_score("AV:N/AC:L/Au:N/C:P/I:P/A:P") == 7.5


@pytest.mark.parametrize("vector", [
    "CVSS:3.1/AV:N/AC:L", "CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
    "CVSS:9.9/AV:N", "garbage", "CVSS:4.0/AV:N",
])
def test_bad_cvss_vectors_raise_one_error_type(vector: str) -> None:
    with pytest.raises(CvssVectorError):
        base_score(vector)
