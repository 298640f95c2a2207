"""Version ordering checked against the native tools: ``dpkg --compare-versions`` and
rpm's own ``rpm.vercmp`` (through ``rpm --eval`` and its Lua interpreter).

Each hypothesis example is a batch of pairs so that one subprocess answers many
comparisons and the tests stay fast."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seawall.analyzers.vuln.versions.dpkg import DpkgScheme
from seawall.analyzers.vuln.versions.rpm import RpmScheme

_pieces = st.sampled_from(["0", "1", "2", "9", "10", "01", "a", "b", "z", "A", "~", ".", "+"])


def _chunk(first: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.builds(lambda a, rest: a + "".join(rest), first, st.lists(_pieces, max_size=6))


_dpkg_version = st.builds(
    lambda epoch, up, rev: f"{epoch}{up}{rev}",
    st.sampled_from(["", "", "", "0:", "1:", "2:"]),
    _chunk(st.sampled_from(["0", "1", "2", "10"])),
    st.one_of(st.just(""), _chunk(_pieces).map(lambda r: "-" + r)),
)


def _dpkg_native(pairs: list[tuple[str, str]]) -> list[int]:
    script = (
        'while IFS=" " read -r a b; do '
        'if dpkg --compare-versions "$a" lt "$b"; then echo -1; '
        'elif dpkg --compare-versions "$a" eq "$b"; then echo 0; else echo 1; fi; done'
    )
    data = "".join(f"{a} {b}\n" for a, b in pairs)
    out = subprocess.run(["bash", "-c", script], input=data, capture_output=True, text=True,
                         check=True)
    return [int(x) for x in out.stdout.split()]


@pytest.mark.skipif(shutil.which("dpkg") is None, reason="dpkg not installed")
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(_dpkg_version, _dpkg_version), min_size=40, max_size=40))
def test_dpkg_ordering_matches_dpkg(pairs: list[tuple[str, str]]) -> None:
    scheme = DpkgScheme()
    pairs = pairs + [(b, a) for a, b in pairs[:5]] + [(a, a) for a, _ in pairs[:3]]
    expected = _dpkg_native(pairs)
    got = [scheme.compare(a, b) for a, b in pairs]
    mismatches = [(p, e, g) for p, e, g in zip(pairs, expected, got, strict=True) if e != g]
    assert not mismatches, mismatches[:5]


_rpm_pieces = st.sampled_from(
    ["0", "1", "2", "9", "10", "01", "a", "b", "Z", "~", "^", ".", "_", "+"]
)
_rpm_segment = st.builds(
    lambda a, rest: a + "".join(rest),
    st.sampled_from(["0", "1", "2", "10", "a"]),
    st.lists(_rpm_pieces, max_size=6),
)
_rpm_version = st.builds(
    lambda epoch, ver, rel: f"{epoch}{ver}{rel}",
    st.sampled_from(["", "", "", "0:", "1:", "2:"]),
    _rpm_segment,
    st.one_of(st.just(""), _rpm_segment.map(lambda r: "-" + r)),
)


def _rpm_native(pairs: list[tuple[str, str]]) -> list[int]:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "pairs"
        data.write_text("".join(f"{a} {b}\n" for a, b in pairs))
        lua = (
            "%{lua: for line in io.lines('" + str(data) + "') do "
            "local a, b = line:match('^(%S+) (%S+)$'); print(rpm.vercmp(a, b) .. ' ') end}"
        )
        out = subprocess.run(["rpm", "--eval", lua], capture_output=True, text=True, check=True)
    return [int(x) for x in out.stdout.split()]


@pytest.mark.skipif(shutil.which("rpm") is None, reason="rpm not installed (apt-get install rpm)")
@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(_rpm_version, _rpm_version), min_size=80, max_size=80))
def test_rpm_ordering_matches_rpm(pairs: list[tuple[str, str]]) -> None:
    scheme = RpmScheme()
    pairs = pairs + [(b, a) for a, b in pairs[:5]] + [(a, a) for a, _ in pairs[:3]]
    expected = _rpm_native(pairs)
    assert len(expected) == len(pairs)
    got = [scheme.compare(a, b) for a, b in pairs]
    mismatches = [(p, e, g) for p, e, g in zip(pairs, expected, got, strict=True) if e != g]
    assert not mismatches, mismatches[:5]


@pytest.mark.skipif(shutil.which("rpm") is None, reason="rpm not installed")
def test_rpm_known_edge_cases_agree_with_rpm() -> None:
    pairs = [
        ("1.0~rc1", "1.0"), ("1.0^git1", "1.0"), ("1.0^git1", "1.0.1"), ("1:1.0", "2.0"),
        ("1.0-1", "1.0"), ("1.0-", "1.0"), ("2.0.1a", "2.0.1"), ("1.0a", "1.0.1"),
        ("5.5p1", "5.5p10"), ("1.0~~", "1.0~"), ("0:1.0", "1.0"), ("1.01", "1.1"),
    ]
    assert [RpmScheme().compare(a, b) for a, b in pairs] == _rpm_native(pairs)
