"""The secret engine on hostile and awkward input: chunk boundaries, binaries, huge
files, invalid UTF-8, very long lines, regex-hostile content, masking and stable ids."""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable

import pytest

from seawall.analyzers.secret.engine import ScanLimits, ScanOutcome, SecretEngine
from seawall.analyzers.secret.keyword_index import KeywordIndex
from seawall.analyzers.secret.regex_safety import is_bounded
from seawall.analyzers.secret.rule_matcher import widen_repeats
from seawall.analyzers.secret.rules import load_builtin_rules
from seawall.analyzers.secret.secret_findings import findings_from_matches
from seawall.analyzers.secret.value_filters import mask, masked_evidence
from shared_data import require_shared

# Built from pieces so this file does not itself look like it holds a key.
AWS_ID = "AKIA" + "Q3EGRHXZ7JN5LKWD"
GH_TOKEN = "ghp_" + "Zk3Lq9Vx2Rt7Bw4Nm8Hs1Pd6Fg0Jc5Ye2Ua9"
STRIPE = "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc"


@pytest.fixture(scope="module")
def engine() -> SecretEngine:
    return SecretEngine(load_builtin_rules())


def _reader(data: bytes) -> Callable[[int], bytes]:
    pos = 0

    def read(n: int) -> bytes:
        nonlocal pos
        chunk = data[pos : pos + n]
        pos += len(chunk)
        return chunk

    return read


def test_finds_secrets_with_line_numbers(engine: SecretEngine) -> None:
    text = f"# config\nkey_id = {AWS_ID}\n\ntoken: {GH_TOKEN}\n".encode()
    out = engine.scan_bytes(text, "/app/settings.py")
    got = {(m.rule.id, m.line) for m in out.matches}
    assert ("SW-SEC-AWS-001", 2) in got
    assert ("SW-SEC-GITHUB-001", 4) in got
    assert out.skipped is None


def test_secret_across_chunk_boundary_found_once_with_right_line() -> None:
    limits = ScanLimits(chunk_size=64 * 1024)
    engine = SecretEngine(load_builtin_rules(), limits)
    filler = b"lorem ipsum dolor sit amet\n" * 2426  # 65,502 bytes, 2,426 lines
    data = filler + f"github = {GH_TOKEN}\n".encode() + filler
    boundary = 64 * 1024
    start = data.index(GH_TOKEN.encode())
    assert start < boundary < start + len(GH_TOKEN)
    out = engine.scan_bytes(data, "/x.txt")
    hits = [m for m in out.matches if m.rule.id == "SW-SEC-GITHUB-001"]
    assert len(hits) == 1
    assert hits[0].line == 2427
    assert hits[0].offset == start


def test_hyperscan_and_fallback_agree() -> None:
    rules = load_builtin_rules()
    data = (f"a={AWS_ID}\nb: '{STRIPE}'\nurl=postgres://app:Tq8Lm2Vz9Kx4@db/app\n"
            "SU" + "A" * 56 + "\n").encode() * 3
    fast = SecretEngine(rules, use_hyperscan=True)
    slow = SecretEngine(rules, use_hyperscan=False)
    assert slow.index.backend == "find"

    def key(e: SecretEngine) -> list[tuple[str, int]]:
        return sorted((m.rule.id, m.offset) for m in e.scan_bytes(data, "/a.env").matches)

    assert key(fast) == key(slow)
    assert key(fast)


def test_hyperscan_prefilter_and_keyword_windows_agree_on_the_corpus() -> None:
    """Every match the keyword windows find, the Hyperscan prefilter finds too (and no
    other), over every file of the labelled corpus."""
    root = require_shared("secret-corpus")
    rules = load_builtin_rules()
    fast = SecretEngine(rules)
    slow = SecretEngine(rules, use_hyperscan=False)
    assert fast.matcher is not None and len(fast.matcher.covered) == len(rules.content)
    total = 0
    for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()):
        data = path.read_bytes()
        rel = "/" + str(path.relative_to(root))
        got = {(m.rule.id, m.offset) for m in fast.scan_bytes(data, rel).matches}
        want = {(m.rule.id, m.offset) for m in slow.scan_bytes(data, rel).matches}
        assert got == want, (rel, sorted(got ^ want)[:5])
        total += len(got)
    assert total > 1000


def test_widened_repeats_match_a_superset() -> None:
    assert widen_repeats(r"a{3,2000}b{1,500}c{,5}d{200,16000}") == r"a{3,}b{1,500}c{0,5}d{64,}"
    # Escaped braces and braces in a class are literals, not quantifiers.
    assert widen_repeats(r"[{0,500}]\{9,3000\}[^]{]{1,9000}") == r"[{0,500}]\{9,3000\}[^]{]{1,}"


def test_keyword_index_regex_keywords_match_in_both_backends() -> None:
    kws = ["password", r"re:S[UA][A-Z2-7]{56}"]
    data = b"x PASSWORD y SU" + b"B" * 56 + b" z"
    a = sorted(KeywordIndex(kws, use_hyperscan=True).find(data))
    b = sorted(KeywordIndex(kws, use_hyperscan=False).find(data))
    assert a == b
    assert {k for k, _ in a} == {0, 1}


@pytest.mark.parametrize(
    "head,reason",
    [
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 100, "ELF"),
        (b"\x1f\x8b\x08\x00" + b"\x00" * 100, "gzip"),
        (b"PK\x03\x04" + b"\x00" * 100, "zip"),
    ],
)
def test_executables_and_compressed_data_are_skipped_with_reason(
        engine: SecretEngine, head: bytes, reason: str) -> None:
    out = engine.scan_bytes(head + f" {AWS_ID} ".encode(), "/bin/tool")
    assert out.matches == []
    assert out.skipped is not None and reason in out.skipped


def _found(out: ScanOutcome) -> set[tuple[str, str]]:
    return {(m.rule.id, m.secret) for m in out.matches}


@pytest.mark.parametrize("codec,bom", [("utf-16-le", True), ("utf-16-be", True),
                                        ("utf-16-le", False), ("utf-16-be", False)])
def test_utf16_text_is_decoded_and_scanned(engine: SecretEngine, codec: str, bom: bool) -> None:
    text = f"# settings\r\nkey_id = {AWS_ID}\r\ndb_password = \"Tq8Lm2Vz9Kx4Wp7R\"\r\n"
    data = ("\ufeff" if bom else "").encode(codec) + text.encode(codec)
    out = engine.scan_bytes(data, "/srv/app/settings.py")
    assert out.skipped is None and out.content.encoding == codec
    assert ("SW-SEC-AWS-001", AWS_ID) in _found(out)
    assert ("SW-SEC-GEN-001", "Tq8Lm2Vz9Kx4Wp7R") in _found(out)
    lines = {m.rule.id: m.line for m in out.matches}
    assert lines["SW-SEC-AWS-001"] == 2 and lines["SW-SEC-GEN-001"] == 3


def test_utf16_decoding_across_chunks_keeps_every_secret() -> None:
    small = SecretEngine(load_builtin_rules(), ScanLimits(chunk_size=4097))  # odd: splits
    filler = "lorem ipsum dolor sit amet, é ü 漢字\n" * 400
    text = filler + f"token: {GH_TOKEN}\n" + filler + f"id = {AWS_ID}\n"
    out = small.scan_bytes(text.encode("utf-16-le"), "/srv/notes.txt")
    assert out.content.encoding == "utf-16-le"
    assert {("SW-SEC-GITHUB-001", GH_TOKEN), ("SW-SEC-AWS-001", AWS_ID)} <= _found(out)


def test_text_with_nul_bytes_near_its_start_is_scanned(engine: SecretEngine) -> None:
    data = b"\x00\x00header\x00\n" + (b"x = 1\n" * 50) + \
        f'aws_key = {AWS_ID}\npassword = "Tq8Lm2Vz9Kx4Wp7R"\n'.encode()
    out = engine.scan_bytes(data, "/srv/app/settings.py")
    assert out.skipped is None and out.content.encoding == "text"
    assert ("SW-SEC-AWS-001", AWS_ID) in _found(out)
    assert ("SW-SEC-GEN-001", "Tq8Lm2Vz9Kx4Wp7R") in _found(out)


def test_unknown_binary_is_scanned_as_printable_runs(engine: SecretEngine) -> None:
    """Mostly control bytes, no known magic: found like ``strings`` would, by the
    rules whose secrets have their own format only; control bytes end a secret."""
    junk = bytes(range(1, 9)) * 64
    data = junk + f"{GH_TOKEN}".encode() + b"\x00\x01" + junk + \
        b'password = "Tq8Lm2Vz9Kx4Wp7R"\x00' + junk
    out = engine.scan_bytes(data, "/srv/data/blob.pak")
    assert out.content.encoding == "printable-runs"
    assert _found(out) == {("SW-SEC-GITHUB-001", GH_TOKEN)}
    assert out.matches[0].offset == len(junk)


def test_invalid_utf8_around_a_secret(engine: SecretEngine) -> None:
    data = b"\xc3\x28\xa0\xa1 garbage \xe2\x82 " + AWS_ID.encode() + b" \xf0\x28\x8c\xbc\n"
    out = engine.scan_bytes(data, "/x.cfg")
    assert [m.rule.id for m in out.matches] == ["SW-SEC-AWS-001"]
    assert out.matches[0].secret == AWS_ID


def test_huge_file_constant_memory_and_size_cap() -> None:
    limits = ScanLimits(max_file_size=48 * 1024 * 1024, chunk_size=1024 * 1024)
    engine = SecretEngine(load_builtin_rules(), limits)
    block = (b"an ordinary log line: request served in 12 ms, status 200\n" * 18000)[: 1 << 20]
    total = 64  # MiB, more than the cap
    served = 0

    def read(n: int) -> bytes:
        nonlocal served
        if served >= total:
            return b""
        served += 1
        return block[:n]

    tracemalloc.start()
    t0 = time.perf_counter()
    out = engine.scan_reader(read, "/var/log/big.log")
    elapsed = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert out.skipped is not None and "limit" in out.skipped
    assert peak < 16 * 1024 * 1024, peak
    assert elapsed < 60


def test_extremely_long_line_bounded_time(engine: SecretEngine) -> None:
    # 8 MiB on one line, dense with keywords: every window is capped.
    unit = b'"password": "x", "token": "y", key=1, eyJ AKIA :// secret '
    data = unit * (8 * 1024 * 1024 // len(unit)) + f" {GH_TOKEN}".encode()
    t0 = time.perf_counter()
    out = engine.scan_bytes(data, "/app/bundle.min.js")
    assert time.perf_counter() - t0 < 120
    assert any(m.rule.id == "SW-SEC-GITHUB-001" for m in out.matches)


@pytest.mark.parametrize(
    "payload",
    [
        b"password=" + b"a" * 200_000,
        b"-----BEGIN RSA PRIVATE KEY-----" + b"A" * 300_000,
        (b"postgres://" + b"u" * 90 + b":") * 5000,
        b"eyJ" + b"a" * 100_000 + b"." * 10_000,
        b"secret" + b" " * 100_000 + b"=" + b"'" * 50_000,
        (b"token = \"" + b"ab" * 40) * 10_000,
    ],
)
def test_regex_hostile_content_bounded_time(engine: SecretEngine, payload: bytes) -> None:
    t0 = time.perf_counter()
    engine.scan_bytes(payload, "/a.env")
    assert time.perf_counter() - t0 < 30


def test_unbounded_patterns_are_rejected_for_re() -> None:
    assert not is_bounded(r"(a+)+$")
    assert not is_bounded(r"(a{1,9}){1,9}")
    assert not is_bounded(r"(?:a|aa){1,30}")
    assert not is_bounded(r"(?=x)abc")
    assert is_bounded(r"\bAKIA[A-Z2-7]{16}\b")


def test_masking_never_leaks_the_secret(engine: SecretEngine) -> None:
    assert mask(GH_TOKEN) == "ghp_*****"
    assert mask("hunter22") == "hu*****"
    assert "secret" not in masked_evidence("x = 'secret'", "secret")
    text = f'export DB_PASSWORD="Tq8Lm2Vz9Kx4Wp7R"\nurl = "{STRIPE}"\n'.encode()
    out = engine.scan_bytes(text, "/app/.env")
    assert out.matches
    for m in out.matches:
        assert m.secret not in m.evidence
        assert "*****" in m.evidence
    for f in findings_from_matches(out.matches, "/app/.env", "sha256:abc"):
        dumped = str(f.to_dict())
        for m in out.matches:
            assert m.secret not in dumped


def test_finding_ids_are_stable_and_secret_specific(engine: SecretEngine) -> None:
    a = engine.scan_bytes(f"k = {AWS_ID}\n".encode(), "/a.cfg").matches
    b = engine.scan_bytes(f"\n\n# moved\nk = {AWS_ID}\n".encode(), "/a.cfg").matches
    other = "AKIA" + "Z7JN5LKWDQ3EGRHX"
    c = engine.scan_bytes(f"k = {other}\n".encode(), "/a.cfg").matches
    fa = findings_from_matches(a, "/a.cfg", None)[0]
    fb = findings_from_matches(b, "/a.cfg", None)[0]
    fc = findings_from_matches(c, "/a.cfg", None)[0]
    assert fa.id == fb.id
    assert fa.location.line != fb.location.line
    assert fa.id != fc.id


def test_inline_allow_marker(engine: SecretEngine) -> None:
    out = engine.scan_bytes(f"k = {AWS_ID}  # seawall:allow\n".encode(), "/a.py")
    assert out.matches == []


def test_generic_placeholders_are_not_reported(engine: SecretEngine) -> None:
    lines = [
        'password = "changeme"', 'password: "${DB_PASSWORD}"', "password = '<password>'",
        'api_key = "xxxxxxxxxxxxxxxx"', 'secret = "your_secret_here"', 'token: "{{ token }}"',
        "DB_PASSWORD=$DB_PASSWORD", "password = 'example-password'", 'password = "test"',
    ]
    out = engine.scan_bytes("\n".join(lines).encode(), "/app/config.yaml")
    assert out.matches == [], [(m.rule.id, m.evidence) for m in out.matches]


def test_a_skipped_binary_is_not_read_past_its_head(engine: SecretEngine) -> None:
    data = b"\x7fELF\x02\x01\x01" + bytes(range(256)) * 20_000
    asked: list[int] = []
    inner = _reader(data)

    def read(n: int) -> bytes:
        asked.append(n)
        return inner(n)

    out = engine.scan_reader(read, "/usr/bin/tool", size=len(data))
    assert out.skipped is not None and "ELF" in out.skipped
    assert sum(asked) <= 8192
    # A text file of the same size is read whole, in one pass.
    text = (b"lorem ipsum\n" * 500_000)[: len(data)] + f"k={AWS_ID}\n".encode()
    out = engine.scan_reader(_reader(text), "/srv/notes.txt", size=len(text))
    assert [m.rule.id for m in out.matches] == ["SW-SEC-AWS-001"]


def test_a_large_unknown_binary_is_scanned_in_its_head_without_an_error() -> None:
    small = SecretEngine(load_builtin_rules(), ScanLimits(max_file_size=64 * 1024,
                                                          chunk_size=16 * 1024))
    junk = bytes(range(1, 9)) * 64
    data = junk + GH_TOKEN.encode() + junk * 400
    out = small.scan_bytes(data, "/opt/app/data.pak")
    assert [m.rule.id for m in out.matches] == ["SW-SEC-GITHUB-001"]
    assert out.skipped is not None and out.skipped.startswith("binary content")
    assert "limit" not in out.skipped  # the analyzer reports "limit" skips as errors
    text = (b"lorem ipsum\n" * 20_000) + f"k={AWS_ID}\n".encode()
    assert "limit" in (small.scan_bytes(text, "/srv/notes.txt").skipped or "")
