"""The HTML report in a real browser (headless Chromium, offline): the script fills the
findings table, draws both charts, keeps hostile text as text, and the filter works."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from report_samples import sample_report
from seawall.model.finding import Severity
from seawall.report.interface import RenderOptions
from seawall.report.renderer_table import get_renderer

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]


def chromium() -> str:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        pytest.fail("chromium is not installed (scripts/test installs Debian's 'chromium')")
    return exe


def run_browser(tmp_path: Path, page: Path, *extra: str) -> str:
    proc = subprocess.run(
        [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *extra,
         page.as_uri()],
        capture_output=True, text=True, timeout=120, check=False, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def write_page(tmp_path: Path, page_name: str = "report.html") -> tuple[Path, int]:
    reports = [sample_report(), sample_report("rootfs:/srv/app")]
    out = io.StringIO()
    get_renderer("html").render(reports, out, RenderOptions())
    page = tmp_path / page_name
    page.write_text(out.getvalue(), encoding="utf-8")
    return page, sum(len(r.findings) for r in reports)


def test_chromium_renders_every_finding_row_and_both_charts(tmp_path: Path) -> None:
    page, total = write_page(tmp_path)
    dom = run_browser(tmp_path, page, "--dump-dom")
    assert 'data-rendered="true"' in dom, "the report script did not run to the end"
    body = dom.split('id="findings-body">', 1)[1].split("</tbody>", 1)[0]
    assert len(re.findall(r'<tr class="finding"', body)) == total
    assert f"{total} of {total} findings shown" in dom
    severity_chart = dom.split('id="chart-severity">', 1)[1].split("</svg>", 1)[0]
    # one bar per severity: critical, high, medium, low, unknown, info
    assert len(re.findall(r'<rect [^>]*class="bar"', severity_chart)) == len(Severity)
    category_chart = dom.split('id="chart-category">', 1)[1].split("</svg>", 1)[0]
    assert len(re.findall(r'<rect [^>]*class="bar"', category_chart)) == 11
    # the hostile title stayed text: no element was created from it
    assert "<img src=\"x\"" not in dom and "&lt;img src=x" in dom
    assert dom.count("CVE-2023-0286") >= 2


def test_filter_by_query_string_free_text(tmp_path: Path) -> None:
    """Typing into the filter box hides the other rows (a script appended to the page
    types and fires the input event, as a user would)."""
    page, _ = write_page(tmp_path)
    text = page.read_text()
    driver = ('<script>var q=document.getElementById("filter-text");q.value="aws access";'
              'q.dispatchEvent(new Event("input"));</script></body>')
    filtered = tmp_path / "filtered.html"
    filtered.write_text(text.replace("</body>", driver))
    dom = run_browser(tmp_path, filtered, "--dump-dom")
    assert "2 of 24 findings shown" in dom
    visible = re.findall(r'<tr class="finding"[^>]*>', dom)
    assert sum("hidden" not in tr for tr in visible) == 2


def test_screenshot_is_drawn(tmp_path: Path) -> None:
    page, _ = write_page(tmp_path)
    shot = tmp_path / "shot.png"
    run_browser(tmp_path, page, f"--screenshot={shot}", "--window-size=1280,1000")
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
