"""The HTML evidence report: parses, one point per epi record, one cell entry per claim, links resolve,
bilingual text present, self-contained, review overlay, aggregation, clear errors."""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import time
from pathlib import Path

import lxml.html
import pytest

from imnm_nlp.report import ReportError, build_report
from imnm_nlp.writers import apply_review, read_jsonl

_spec = importlib.util.spec_from_file_location("make_run", Path(__file__).parent / "fixtures" / "report" / "make_run.py")
make_run_mod = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
_spec.loader.exec_module(make_run_mod)  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_run_mod.make_run(tmp_path_factory.mktemp("run"))


@pytest.fixture(scope="module")
def page(run_dir: Path) -> tuple[str, lxml.html.HtmlElement, list[dict]]:
    path = build_report(run_dir)
    assert path == run_dir / "report.html"
    html = path.read_text(encoding="utf-8")
    return html, lxml.html.document_fromstring(html), list(read_jsonl(run_dir / "records.jsonl"))


def _hrefs(tree: lxml.html.HtmlElement) -> list[str]:
    out = []
    for el in tree.iter():
        if not isinstance(el.tag, str):
            continue
        for attr in ("href", "xlink:href"):
            value = el.get(attr)
            if value is not None:
                out.append(value)
    return out


def _svg_point_links(tree: lxml.html.HtmlElement) -> list[str]:
    return [a.get("href") for a in tree.iter("a") if a.getparent() is not None
            and any(anc.tag == "svg" for anc in a.iterancestors()) and (a.get("href") or "").startswith("#")]


def test_one_point_per_epi_record(page) -> None:  # type: ignore[no-untyped-def]
    _, tree, records = page
    epi_ids = sorted(f"#rec-{r['record_id']}" for r in records if r["type"] == "epi")
    assert sorted(_svg_point_links(tree)) == epi_ids


def test_one_cell_entry_per_treatment_claim(page) -> None:  # type: ignore[no-untyped-def]
    _, tree, records = page
    claims = {r["record_id"]: r for r in records if r["type"] == "treatment"}
    entries = tree.xpath("//table[contains(@class,'matrix')]//li[contains(@class,'treatment-entry')]")
    assert sorted(e.get("data-record") for e in entries) == sorted(claims)
    # the entry sits in the column of its claim, under the canonical drug
    for e in entries:
        rec = claims[e.get("data-record")]
        td = next(a for a in e.iterancestors("td"))
        col = td.getparent().index(td)
        header = td.getparent().getparent().getparent().xpath("thead/tr/th")[col].text_content()
        assert header == rec["claim"]
        assert td.getparent().xpath("th//span[@class='drug']")[0].text == rec["drug"]


def test_zh_and_en_names_under_one_drug(page) -> None:  # type: ignore[no-untyped-def]
    _, tree, _ = page
    rows = [th for th in tree.xpath("//table[contains(@class,'matrix')]//th[@scope='row']")
            if th.xpath("span[@class='drug']")[0].text == "rituximab"]
    text = " ".join(th.text_content() for th in rows)
    assert "利妥昔单抗" in text and "Rituximab" in text


def test_every_internal_link_resolves(page) -> None:  # type: ignore[no-untyped-def]
    _, tree, _ = page
    ids = {el.get("id") for el in tree.iter() if isinstance(el.tag, str) and el.get("id")}
    internal = [h for h in _hrefs(tree) if h.startswith("#")]
    assert len(internal) > 30
    missing = sorted({h for h in internal if h[1:] not in ids})
    assert not missing
    all_ids = [el.get("id") for el in tree.iter() if isinstance(el.tag, str) and el.get("id")]
    assert len(all_ids) == len(set(all_ids)), "ids are unique across the inlined SVGs"


def test_self_contained_and_bilingual(page) -> None:  # type: ignore[no-untyped-def]
    html, tree, records = page
    assert not tree.xpath("//script[@src] | //link[@rel='stylesheet'] | //img[not(starts-with(@src,'data:'))]")
    assert "default-src 'none'" in html
    external = [h for h in _hrefs(tree) if not h.startswith("#")]
    assert all(h.startswith(("https://pubmed.ncbi.nlm.nih.gov/", "https://doi.org/")) for h in external)
    assert "IMNM的发病率" in html and "A small sample survey conducted in the United States" in html
    assert tree.xpath("//q[@lang='zh-Hans']") and tree.xpath("//q[@lang='en']")
    # figure text stays text (svg.fonttype 'none'), Chinese included, so the browser draws it with a CJK font
    svg_text = " ".join(t.text_content() for t in tree.xpath("//svg//text"))
    assert "per 100,000" in svg_text and re.search(r"[\u4e00-\u9fff]", svg_text)
    assert "PMID 99999901" in html and "doi:10.16150/j.1671-2870.2024.03.004" in html


def test_formula_text_is_escaped(page) -> None:  # type: ignore[no-untyped-def]
    html, tree, _ = page
    assert "=HYPERLINK(&#34;http://evil.example&#34;" in html or "=HYPERLINK(&quot;http://evil.example&quot;" in html
    assert not tree.xpath("//a[contains(@href,'evil.example')]")


def test_summary_sections(page, run_dir: Path) -> None:  # type: ignore[no-untyped-def]
    html, tree, _ = page
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    for inp in manifest["inputs"]:
        assert inp["sha256"] in html
    errors = tree.xpath("//table[@class='errors']/tbody/tr")
    assert len(errors) == 3 and "Opening and ending tag mismatch" in errors[0].text_content()
    assert "imnm-e5-lora 0.1.0" in html and "refworks" in html and "en+zh" in html
    # publication year (from claims.csv) labels figures without a stated period
    svg_text = " ".join(t.text_content() for t in tree.xpath("//svg//text"))
    assert "publ. 2024" in svg_text and "2000-2019" in svg_text


def test_claims_table_rows_and_filter_markup(page) -> None:  # type: ignore[no-untyped-def]
    _, tree, records = page
    rows = tree.xpath("//table[@id='claims-table']/tbody/tr")
    assert len(rows) == sum(r["type"] != "entity" for r in records)
    assert {r.get("data-lang") for r in rows} == {"zh", "en"}
    assert tree.xpath("//form[@id='claims-filter']//select[@name='type']/option[text()='treatment']")
    assert tree.xpath("//p[@id='table-status']")


def test_review_overlay(run_dir: Path, tmp_path: Path) -> None:
    import csv
    import io

    text = (run_dir / "claims.csv").read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    target_reject = next(r for r in rows if r["type"] == "treatment" and r["surface"] == "糖皮质激素")
    target_fix = next(r for r in rows if r["type"] == "epi" and r["surface"] == "0.83 per 100,000")
    target_reject["review_status"] = "rejected"
    target_fix["review_status"], target_fix["corrected_value"] = "corrected", "0.85"
    buf = io.StringIO(newline="")
    w = csv.DictWriter(buf, fieldnames=list(rows[0]))
    w.writeheader()
    w.writerows(rows)
    sheet = tmp_path / "claims.csv"
    sheet.write_bytes(buf.getvalue().encode("utf-8-sig"))
    report = apply_review(sheet, run_dir / "records.jsonl", tmp_path / "reviewed.jsonl")
    assert report.ok
    out = build_report(run_dir, reviewed=tmp_path / "reviewed.jsonl", out_html=tmp_path / "r.html")
    tree = lxml.html.parse(str(out)).getroot()
    assert not tree.xpath(f"//li[@id='rec-{target_reject['record_id']}']"), "rejected claims are not in the matrix"
    row = tree.xpath(f"//table[@id='claims-table']//tr[@data-status='rejected']")
    assert len(row) == 1
    fixed = tree.xpath(f"//li[@id='rec-{target_fix['record_id']}']")[0]
    assert "corrected" in fixed.text_content() and "0.83 → 0.85" in fixed.text_content()


def test_aggregates_big_panels_and_stays_small(tmp_path: Path) -> None:
    run = make_run_mod.make_big_run(tmp_path / "big", 10_000)  # 100,000 is measured in the report's notes
    t0 = time.perf_counter()
    out = build_report(run, max_points=100)
    seconds = time.perf_counter() - t0
    html = out.read_text(encoding="utf-8")
    size_mb = len(html.encode("utf-8")) / 1e6
    assert seconds < 30 and size_mb < 4, (seconds, size_mb)
    tree = lxml.html.document_fromstring(html)
    assert tree.xpath("//figure[contains(@class,'aggregated')]"), "panels over the limit are aggregated"
    assert "aggregated:" in html
    for fig in tree.xpath("//figure"):
        points = [a for a in fig.xpath(".//svg//a") if (a.get("href") or "").startswith("#")]
        assert 0 < len(points) <= 100
    ids = {el.get("id") for el in tree.iter() if isinstance(el.tag, str) and el.get("id")}
    assert all(h[1:] in ids for h in _hrefs(tree) if h.startswith("#"))


@pytest.mark.parametrize("missing", ["records.jsonl", "manifest.json", "errors.jsonl"])
def test_missing_file_is_one_line_error(run_dir: Path, tmp_path: Path, missing: str) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(run_dir, copy)
    (copy / missing).unlink()
    with pytest.raises(ReportError) as exc:
        build_report(copy)
    msg = str(exc.value)
    assert missing in msg and "\n" not in msg


def test_bad_manifest_version_and_missing_field(run_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(run_dir, copy)
    man = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    man["manifest_version"] = 2
    (copy / "manifest.json").write_text(json.dumps(man), encoding="utf-8")
    with pytest.raises(ReportError, match=r"manifest\.json: field 'manifest_version' is 2"):
        build_report(copy)
    shutil.copy(run_dir / "manifest.json", copy / "manifest.json")
    lines = (copy / "records.jsonl").read_text(encoding="utf-8").splitlines()
    bad = json.loads(lines[5])
    del bad["provenance"]["sentence"]
    lines[5] = json.dumps(bad, ensure_ascii=False)
    (copy / "records.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ReportError, match=r"records\.jsonl:6: field 'provenance\.sentence' is missing"):
        build_report(copy)


def test_deterministic(run_dir: Path, tmp_path: Path) -> None:
    a = build_report(run_dir, out_html=tmp_path / "a.html").read_text(encoding="utf-8")
    b = build_report(run_dir, out_html=tmp_path / "b.html").read_text(encoding="utf-8")
    assert a == b
    assert re.search(r"<svg[^>]*>", a)


def test_empty_run(tmp_path: Path) -> None:
    from imnm_nlp.writers import RunCounts, build_manifest, write_jsonl, write_manifest

    write_jsonl(tmp_path / "records.jsonl", [])
    write_jsonl(tmp_path / "errors.jsonl", [{"file": "empty.xml", "record": None, "reason": "empty file", "kind": "error"}])
    write_manifest(tmp_path / "manifest.json", build_manifest([], RunCounts()))
    tree = lxml.html.parse(str(build_report(tmp_path))).getroot()
    text = tree.text_content()
    assert "No epidemiological figures" in text and "No treatment claims" in text and "empty file" in text


def test_import_has_no_side_effects() -> None:
    import subprocess
    import sys

    code = ("import sys, imnm_nlp.report, imnm_nlp.writers; "
            "print(sorted(m for m in ('matplotlib', 'jinja2', 'pyarrow') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"


def test_dollar_signs_are_text_not_mathtext() -> None:
    from imnm_nlp.report.figures import Point, forest_svg

    svg = forest_svg([Point("rec-a", "[1] cost $5 · $\\frac{", 1.0, "en", "incidence"),
                      Point("rec-b", "[2] 美国 $x^2$", 2.0, "zh", "prevalence")], title="t", xlabel="x", fig_id="m")
    assert "$\\frac{" in svg and "$x^2$" in svg


@pytest.fixture(scope="module")
def demo_page(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, lxml.html.HtmlElement, list[dict]]:
    """The report of the bundled demo corpus, run through the real pipeline (rules only, for speed)."""
    from imnm_nlp.run import extract

    out = tmp_path_factory.mktemp("demo_run")
    extract([Path(__file__).parent.parent / "corpora" / "demo"], out, use_model=False, report=True)
    html = (out / "report.html").read_text(encoding="utf-8")
    return html, lxml.html.document_fromstring(html), list(read_jsonl(out / "records.jsonl"))


def test_demo_report_points_entries_and_links(demo_page) -> None:  # type: ignore[no-untyped-def]
    html, tree, records = demo_page
    epi_ids = sorted(f"#rec-{r['record_id']}" for r in records if r["type"] == "epi")
    assert epi_ids and sorted(_svg_point_links(tree)) == epi_ids
    claims = sorted(r["record_id"] for r in records if r["type"] == "treatment")
    entries = tree.xpath("//table[contains(@class,'matrix')]//li[contains(@class,'treatment-entry')]")
    assert claims and sorted(e.get("data-record") for e in entries) == claims
    ids = {el.get("id") for el in tree.iter() if isinstance(el.tag, str) and el.get("id")}
    assert not sorted({h for h in _hrefs(tree) if h.startswith("#") and h[1:] not in ids})
    assert "糖皮质激素" in html and "glucocorticoids" in html
