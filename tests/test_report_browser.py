"""The report in a real browser: headless Chromium loads it offline, the claims filter (set from the URL
fragment) works in the DOM after the script ran, sorting works, and a full-page screenshot is written.

Runs only when ``chromium`` is on PATH (Debian: ``apt-get install chromium``); marked ``browser``.
Set ``IMNM_REPORT_SCREENSHOT=path.png`` to keep the screenshot (the README's is made this way).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
from pathlib import Path

import lxml.html
import pytest

from imnm_nlp.report import build_report
from imnm_nlp.writers import read_jsonl

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [pytest.mark.browser, pytest.mark.skipif(CHROMIUM is None, reason="chromium is not on PATH")]

_spec = importlib.util.spec_from_file_location("make_run", Path(__file__).parent / "fixtures" / "report" / "make_run.py")
make_run_mod = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
_spec.loader.exec_module(make_run_mod)  # type: ignore[union-attr]


def _chromium(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
           f"--user-data-dir={tmp / 'profile'}", "--virtual-time-budget=5000", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=True)  # type: ignore[list-item]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    run = make_run_mod.make_run(tmp_path_factory.mktemp("run"))
    return build_report(run)


def test_filter_from_url_and_sort(report: Path, tmp_path: Path) -> None:
    records = list(read_jsonl(report.parent / "records.jsonl"))
    zh_tx = [r for r in records if r["type"] == "treatment" and r["provenance"]["lang"] == "zh"]
    n_claims = sum(r["type"] != "entity" for r in records)
    url = report.as_uri() + "#filter=type=treatment&lang=zh&sort=2"
    dom = _chromium(tmp_path, "--window-size=1280,900", "--dump-dom", url).stdout
    tree = lxml.html.document_fromstring(dom)
    body = tree.xpath("//body")[0]
    assert body.get("data-js") == "ready", "the inline script ran"
    status = tree.xpath("//p[@id='table-status']")[0]
    assert status.text_content().strip() == f"Showing {len(zh_tx)} of {n_claims} claims"
    rows = tree.xpath("//table[@id='claims-table']/tbody/tr")
    visible = [r for r in rows if r.get("hidden") is None]
    assert len(rows) == n_claims and len(visible) == len(zh_tx)
    assert all(r.get("data-type") == "treatment" and r.get("data-lang") == "zh" for r in visible)
    assert tree.xpath("//table[@id='claims-table']")[0].get("data-filter") == "type=treatment&lang=zh"
    drugs = [r.get("data-subject") for r in visible]
    assert drugs == sorted(drugs), "sort=2 sorted the table by drug"
    assert int(body.get("data-height")) > 2000


def test_full_page_screenshot(report: Path, tmp_path: Path) -> None:
    dom = _chromium(tmp_path, "--window-size=1280,900", "--dump-dom", report.as_uri()).stdout
    height = int(lxml.html.document_fromstring(dom).xpath("//body")[0].get("data-height"))
    shot = tmp_path / "report.png"
    _chromium(tmp_path, f"--window-size=1280,{height}", f"--screenshot={shot}", report.as_uri())
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 50_000
    width, png_height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert width == 1280 and png_height == height
    keep = os.environ.get("IMNM_REPORT_SCREENSHOT")
    if keep:
        Path(keep).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, keep)
