"""Terminal injection: every untrusted string (file names, rule text from user files,
package names, image references, error messages) is shown escaped in every text
format, in one-line errors and in log lines; non-UTF-8 bytes of paths show as
``\\xNN``. The JSON report keeps the exact strings."""

from __future__ import annotations

import html
import io
import json
import logging
import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from seawall.model.finding import Category, Finding, Location, PackageRef, Severity
from seawall.model.report import ErrorEntry, Report, TargetInfo
from seawall.report.interface import RenderOptions
from seawall.report.renderer_table import get_renderer
from seawall.report.untrusted_text import VisibleLogFormatter, visible

OSC_TITLE = "\x1b]0;pwned\x07"
CLEAR = "\x1b[2J"
#: What a terminal must never receive from a report: ESC, BEL, CR, the 8-bit CSI.
RAW_CONTROLS = ("\x1b", "\x07", "\r", "\x9b")
CLI = [sys.executable, "-c", "from seawall.cli import main; main()"]


def test_visible_escapes_controls_and_non_utf8_bytes() -> None:
    assert visible(f"/{OSC_TITLE}.env") == "/\\x1b]0;pwned\\x07.env"
    assert visible(f"{CLEAR}x") == "\\x1b[2Jx"
    assert visible("ok\rEVIL") == "ok\\rEVIL"
    assert visible("a\nb\tc") == "a\\nb\\tc"
    assert visible("a\nb\tc\r", multiline=True) == "a\nb\tc\\r"
    assert visible("\x9b31m") == "\\u009b31m"
    assert visible("\u202eexe.txt") == "\\u202eexe.txt"  # "Trojan Source" override
    # a path with a non-UTF-8 byte travels as str with surrogateescape: shown as the byte
    name = os.fsdecode(b"caf\xe9.env")
    assert visible(name) == "caf\\xe9.env"
    assert visible("\ud800") == "\\ud800"  # a lone surrogate that is no escaped byte
    plain = "/usr/lib/python3/dist-packages/café-1.0 ü 日本 a\\b"
    assert visible(plain) == plain


def test_visible_escapes_exactly_the_unsafe_unicode_categories() -> None:
    unsafe = {"Cc", "Cf", "Zl", "Zp", "Cs"}
    for code in range(0x110000):
        char = chr(code)
        category = unicodedata.category(char)
        shown = visible(char)
        if category in unsafe:
            assert shown != char and shown.isascii() and shown.isprintable(), hex(code)
        elif category != "Cn":  # unassigned in this Python's Unicode: either is fine
            assert shown == char, hex(code)


def _hostile_report() -> Report:
    cafe = os.fsdecode(b"caf\xe9")
    path = f"/srv/{OSC_TITLE}{CLEAR}a\rb{cafe}.env"
    finding = Finding(
        id="hostile-finding",
        rule_id=f"CUSTOM-{CLEAR}1", category=Category.MISCONFIG, severity=Severity.HIGH,
        title=f"custom rule title {OSC_TITLE}", description=f"text\r{CLEAR}",
        location=Location(path=path, line=3, resource=f"Pod/{CLEAR}x"),
        package=PackageRef(name=f"pkg{OSC_TITLE}", version=f"1\r{CLEAR}",
                           fixed_version=f"2{CLEAR}"),
        evidence=f"value {CLEAR}",
    )
    return Report(
        target=TargetInfo(kind="image", ref=f"docker-archive:{OSC_TITLE}.tar"),
        findings=[finding],
        errors=[ErrorEntry(f"plugin:{CLEAR}", f"{path}: cannot read")],
    )


@pytest.mark.parametrize("fmt", ["table", "markdown", "junit", "html"])
def test_text_formats_show_hostile_strings_escaped(fmt: str) -> None:
    out = io.StringIO()
    get_renderer(fmt).render([_hostile_report()], out, RenderOptions(color=False, width=400))
    text = out.getvalue()
    for raw in RAW_CONTROLS:
        assert raw not in text, (fmt, raw)
    assert not any(0xD800 <= ord(c) <= 0xDFFF for c in text)  # encodable as UTF-8
    text.encode("utf-8")
    assert "pwned" in text and "x1b" in text and "xe9" in text


def test_json_keeps_the_exact_strings() -> None:
    out = io.StringIO()
    get_renderer("json").render([_hostile_report()], out, RenderOptions())
    doc = json.loads(out.getvalue())
    assert doc["findings"][0]["location"]["path"].startswith(f"/srv/{OSC_TITLE}{CLEAR}a\rb")


def test_log_lines_are_escaped() -> None:
    record = logging.LogRecord("seawall", logging.WARNING, __file__, 1,
                               "cannot parse %s", (f"/x{CLEAR}\r",), None)
    line = VisibleLogFormatter("seawall: %(levelname)s: %(message)s").format(record)
    assert line == "seawall: WARNING: cannot parse /x\\x1b[2J\\r"


@pytest.fixture(scope="module")
def hostile_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    (root / "etc").mkdir()
    (root / "etc/os-release").write_text('ID=debian\nVERSION_ID="12"\n')
    key = b"aws_access_key_id = AKIAZ7QX3VN5T2RW6YKP\n"
    for name in (f"{OSC_TITLE}.env".encode(), f"{CLEAR}.env".encode(), b"a\rb.env",
                 b"caf\xe9.env"):
        with open(os.path.join(os.fsencode(root), name), "wb") as stream:
            stream.write(key)
    return root


@pytest.mark.parametrize("fmt", ["table", "markdown", "junit", "html"])
def test_cli_never_writes_raw_escapes(hostile_tree: Path, fmt: str) -> None:
    proc = subprocess.run([*CLI, "rootfs", str(hostile_tree), "--scanners", "secret",
                           "--no-cache", "-f", fmt, "--allow-incomplete"],
                          capture_output=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    for stream in (proc.stdout, proc.stderr):
        for raw in RAW_CONTROLS:
            assert raw.encode() not in stream, (fmt, raw)
        stream.decode("utf-8")  # no stray non-UTF-8 byte either
    text = proc.stdout.decode()
    if fmt == "markdown":  # Markdown's own escapes come on top of the visible form
        text = re.sub(r"\\([\\`*_{}\[\]()#+!~|@])", r"\1", text)
    if fmt == "html":  # the findings table is built from the page's data island
        page = text
        island = page.split('id="seawall-data">', 1)[1].split("</script>", 1)[0]
        text = "\n".join(f["location"]["path"]
                         for f in json.loads(island)["reports"][0]["findings"])
        text += html.unescape(page.split('<div class="cards"', 1)[0])  # the errors
    for shown in ("/\\x1b]0;pwned\\x07.env", "/\\x1b[2J.env", "/a\\rb.env", "/caf\\xe9.env"):
        assert shown in text, (fmt, shown)


def test_one_line_error_is_escaped(tmp_path: Path) -> None:
    missing = tmp_path / f"missing{CLEAR}{OSC_TITLE}\rdir"
    proc = subprocess.run([*CLI, "rootfs", str(missing)], capture_output=True, timeout=60,
                          check=False)
    assert proc.returncode == 2
    assert proc.stderr.count(b"\n") == 1
    for raw in RAW_CONTROLS:
        assert raw.encode() not in proc.stderr
    assert b"missing\\x1b[2J\\x1b]0;pwned\\x07\\rdir" in proc.stderr
