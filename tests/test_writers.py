"""Writers: atomic writes, JSON Lines, the claims sheet (CSV injection, BOM, order), Parquet, manifest."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from imnm_nlp.errors import ImnmError, InputError, ReaderError, RecordError
from imnm_nlp.records import Document, record_from_dict
from imnm_nlp.writers import (
    CLAIMS_COLUMNS, RunCounts, atomic_path, atomic_write, build_manifest, doc_meta_from_documents, read_jsonl,
    read_manifest, write_claims_csv, write_jsonl, write_manifest, write_parquet,
)
from imnm_nlp.writers.csv import DANGEROUS_PREFIXES, NUMERIC_COLUMNS, neutralize, unneutralize

FIX = Path(__file__).parent / "fixtures" / "writers"


@pytest.fixture(scope="module")
def records() -> list:
    return [record_from_dict(d) for d in read_jsonl(FIX / "records.jsonl")]


@pytest.fixture(scope="module")
def documents() -> list[Document]:
    return [Document.from_dict(d) for d in read_jsonl(FIX / "documents.jsonl")]


def _read_csv(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "claims.csv must start with a UTF-8 BOM"
    return list(csv.DictReader(io.StringIO(raw[3:].decode("utf-8"), newline="")))


# ------------------------------------------------------------------------------------------- atomic


def test_atomic_write_replaces_content(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "out.txt"
    with atomic_write(target) as fh:
        fh.write("免疫介导坏死性肌病\n")
    assert target.read_text(encoding="utf-8") == "免疫介导坏死性肌病\n"
    assert [p.name for p in target.parent.iterdir()] == ["out.txt"]


def test_atomic_write_leaves_target_untouched_on_exception(tmp_path: Path) -> None:
    target = tmp_path / "records.jsonl"
    target.write_text("old content\n", encoding="utf-8")
    with pytest.raises(RuntimeError):
        with atomic_write(target) as fh:
            fh.write("half of the new content")
            raise RuntimeError("crash in the middle")
    assert target.read_text(encoding="utf-8") == "old content\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["records.jsonl"], "temp file must be removed"


def test_atomic_write_absent_target_stays_absent(tmp_path: Path) -> None:
    target = tmp_path / "claims.csv"
    with pytest.raises(KeyError):
        with atomic_write(target, "wb") as fh:
            fh.write(b"x")
            raise KeyError("boom")
    assert list(tmp_path.iterdir()) == []


def test_atomic_write_permissions_follow_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        with atomic_write(tmp_path / "a.txt") as fh:
            fh.write("x")
    finally:
        os.umask(old)
    assert (tmp_path / "a.txt").stat().st_mode & 0o777 == 0o644


def test_atomic_path_and_bad_mode(tmp_path: Path) -> None:
    with atomic_path(tmp_path / "b.bin") as tmp:
        assert tmp.parent == tmp_path and tmp.name.startswith(".b.bin.")
        tmp.write_bytes(b"ok")
    assert (tmp_path / "b.bin").read_bytes() == b"ok"
    with pytest.raises(ValueError):
        with atomic_write(tmp_path / "c.txt", "a"):
            pass


# ------------------------------------------------------------------------------------------- jsonl


def test_jsonl_round_trip_keeps_chinese_readable(tmp_path: Path, records: list) -> None:
    path = tmp_path / "records.jsonl"
    assert write_jsonl(path, records) == len(records)
    text = path.read_text(encoding="utf-8")
    assert "免疫介导坏死性肌病" in text and "\\u" not in text
    back = [record_from_dict(d) for d in read_jsonl(path)]
    assert back == records
    assert [r.record_id for r in back] == [r.record_id for r in records]


def test_read_jsonl_reports_bad_line_number(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"a": 1}\n\n{"b": 2}\n{"c": \n', encoding="utf-8")
    it = read_jsonl(path)
    assert next(it) == {"a": 1} and next(it) == {"b": 2}
    with pytest.raises(ReaderError, match=r"bad\.jsonl:4: invalid JSON"):
        next(it)
    path.write_text('[1, 2]\n', encoding="utf-8")
    with pytest.raises(ReaderError, match=r":1: expected a JSON object"):
        list(read_jsonl(path))


def test_read_jsonl_accepts_bom_and_crlf(tmp_path: Path) -> None:
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"a": "\xe4\xb8\xad"}\r\n{"b": 2}\r\n')
    assert list(read_jsonl(path)) == [{"a": "中"}, {"b": 2}]


def test_write_jsonl_refuses_nan(tmp_path: Path) -> None:
    with pytest.raises(RecordError):
        write_jsonl(tmp_path / "x.jsonl", [{"v": float("nan")}])
    assert not (tmp_path / "x.jsonl").exists()


# ------------------------------------------------------------------------------------------- csv


@pytest.mark.parametrize("prefix", DANGEROUS_PREFIXES)
def test_neutralize_each_dangerous_prefix(prefix: str) -> None:
    cell = prefix + "SUM(A1:A9)"
    out = neutralize(cell)
    assert out == "'" + cell
    assert unneutralize(out) == cell


@given(st.text(alphabet=st.sampled_from(["'", "=", "-", "+", "@", "\t", "\r", "＝", "a", "中", " ", "1", "."]), max_size=6)
       | st.text(max_size=20))
def test_neutralize_round_trip_and_safe(cell: str) -> None:
    out = neutralize(cell)
    assert unneutralize(out) == cell
    assert not out.startswith(DANGEROUS_PREFIXES)


@pytest.mark.parametrize("cell", ["rituximab", "利妥昔单抗", "0.83", "'quoted note", "", "a=b", "anti-HMGCR"])
def test_harmless_cells_unchanged(cell: str) -> None:
    assert neutralize(cell) == cell
    assert unneutralize(cell) == cell


def test_claims_csv_escaping_chinese_and_numbers(tmp_path: Path, records: list, documents: list) -> None:
    path = tmp_path / "claims.csv"
    n = write_claims_csv(path, records, doc_meta_from_documents(documents))
    rows = _read_csv(path)
    assert n == len(rows) == sum(r.TYPE != "entity" for r in records)
    assert tuple(rows[0].keys()) == CLAIMS_COLUMNS
    assert path.read_bytes().count(b"\r\n") >= len(rows) + 1
    # no text cell may start with a character a spreadsheet evaluates
    for row in rows:
        for col, cell in row.items():
            if col not in NUMERIC_COLUMNS:
                assert not cell.startswith(DANGEROUS_PREFIXES), (col, cell)
    crafted = [r for r in rows if r["doc_id"] == "pmid:99999901"]
    neg = next(r for r in crafted if r["surface"] == "'-6.44%")
    assert neg["value"] == "-6.44", "a negative number in a numeric column stays a number"
    assert float(neg["value"]) == -6.44
    assert neg["region"] == "'＝SUM(A1)" and neg["population"] == "'@population"
    assert neg["evidence"].startswith("'=HYPERLINK(")
    srp = next(r for r in crafted if r["type"] == "epi" and r["measure"] == "proportion")
    assert srp["population"] == "'-anti-SRP positive" and srp["value"] == "25" and srp["per_100k"] == ""
    assert all(r["pmid"] == "99999901" for r in crafted)
    # Chinese survives and metadata come from the documents
    zh = [r for r in rows if r["lang"] == "zh"]
    assert any(r["surface"] == "0.83/10万" and r["value"] == "0.83" and r["region"] == "United States" for r in zh)
    assert all(r["doi"] == "10.16150/j.1671-2870.2024.03.004" for r in zh)
    assert all(r["year"] == "2024" for r in zh) and all(r["year"] == "" for r in crafted)
    assert all(r["review_status"] == "" and r["reviewer_note"] == "" for r in rows)


def test_claims_csv_cuts_cells_excel_cannot_hold(tmp_path: Path, records: list) -> None:
    epi = next(r for r in records if r.TYPE == "epi").to_dict()
    long = "患病率" * 20_000 + "。"
    epi["provenance"].update(sentence=long, sentence_start=0, sentence_end=len(long))
    write_claims_csv(tmp_path / "long.csv", [epi])
    (row,) = _read_csv(tmp_path / "long.csv")
    assert 32_000 < len(row["evidence"]) < 32_767 and row["evidence"].endswith("[…]")


def test_claims_csv_stable_order(tmp_path: Path, records: list) -> None:
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    write_claims_csv(a, records)
    write_claims_csv(b, list(reversed(records)))
    assert a.read_bytes() == b.read_bytes()
    rows = _read_csv(a)
    keys = [(r["doc_id"], int(r["start"])) for r in rows]
    assert [k[0] for k in keys] == sorted(k[0] for k in keys)


def test_claims_csv_pmid_from_doc_id_without_meta(tmp_path: Path, records: list) -> None:
    write_claims_csv(tmp_path / "c.csv", records)
    rows = _read_csv(tmp_path / "c.csv")
    assert {r["pmid"] for r in rows if r["doc_id"].startswith("pmid:")} == {"99999901"}
    assert {r["doi"] for r in rows if r["doc_id"].startswith("cnki:")} == {""}


# ------------------------------------------------------------------------------------------- parquet


def test_parquet_one_file_with_type_column(tmp_path: Path, records: list) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    path = tmp_path / "records.parquet"
    assert write_parquet(path, records, batch_size=7) == len(records)
    table = pq.read_table(path)
    assert table.num_rows == len(records)
    data = table.to_pylist()
    assert [d["record_id"] for d in data] == [r.record_id for r in records]
    epi = [d for d in data if d["type"] == "epi"]
    assert all(d["value"] is not None and d["label"] is None for d in epi)
    ent = next(d for d in data if d["type"] == "entity" and d["rate_value"] is not None)
    assert ent["rate_per_100k"] == pytest.approx(0.83)
    assert {"doc_id", "sentence", "drug", "factor", "review_status"} <= set(table.column_names)


def test_parquet_empty_keeps_schema(tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    write_parquet(tmp_path / "e.parquet", [])
    assert pq.read_table(tmp_path / "e.parquet").schema.field("value").type == "double"


def test_parquet_missing_pyarrow_names_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, records: list) -> None:
    import builtins

    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):  # type: ignore[no-untyped-def]
        if name.startswith("pyarrow"):
            raise ImportError("No module named 'pyarrow'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(ImnmError, match=r"pip install 'imnm-nlp\[parquet\]'"):
        write_parquet(tmp_path / "x.parquet", records)
    assert not (tmp_path / "x.parquet").exists()


# ------------------------------------------------------------------------------------------- manifest


def test_manifest(tmp_path: Path, records: list, documents: list) -> None:
    big = tmp_path / "input.xml"
    big.write_bytes(b"<PubmedArticleSet>" + b"x" * (3 << 20) + b"</PubmedArticleSet>")
    counts = RunCounts()
    for d in documents:
        counts.add_document(d)
    counts.add_records(records)
    counts.add_issue({"kind": "error"})
    counts.add_issue({"kind": "deletion"})
    man = build_manifest([big], counts, {"model": None}, {"total": 1.23456}, {"workers": 2})
    import hashlib

    assert man["inputs"] == [{"path": str(big), "size": big.stat().st_size,
                              "sha256": hashlib.sha256(big.read_bytes()).hexdigest()}]
    c = man["counts"]
    assert c["documents"] == {"total": 2, "by_lang": {"en": 1, "en+zh": 1}, "by_format": {"pubmed-xml": 1, "refworks": 1}}
    assert c["records"]["total"] == len(records)
    assert c["records"]["by_type"]["epi"] == sum(r.TYPE == "epi" for r in records)
    assert c["records"]["by_type_lang"]["treatment"]["zh"] == 4
    assert c["rejected"] == 1 and c["issues_by_kind"] == {"deletion": 1, "error": 1}
    assert man["manifest_version"] == 1 and man["package"]["name"] == "imnm-nlp"
    write_manifest(tmp_path / "manifest.json", man)
    assert read_manifest(tmp_path / "manifest.json") == json.loads(json.dumps(man))


def test_manifest_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        build_manifest([tmp_path], {})
    (tmp_path / "m.json").write_text('{"manifest_version": 99}', encoding="utf-8")
    with pytest.raises(ImnmError, match=r"m\.json: field 'manifest_version' is 99"):
        read_manifest(tmp_path / "m.json")
    (tmp_path / "m.json").write_text('{"counts": {}}', encoding="utf-8")
    with pytest.raises(ImnmError, match=r"'manifest_version' is missing"):
        read_manifest(tmp_path / "m.json")
