"""The review round trip: write claims.csv -> edit as a reviewer would -> re-save as a spreadsheet would
-> apply_review -> reviewed.jsonl is right; plus the problem rows a real sheet contains."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest

from imnm_nlp.errors import ReviewError
from imnm_nlp.records import record_from_dict
from imnm_nlp.writers import apply_review, corrected_record, read_jsonl, write_claims_csv
from imnm_nlp.writers.sheet import decode_sheet

FIX = Path(__file__).parent / "fixtures" / "writers"


@pytest.fixture()
def run_dir(tmp_path: Path) -> Path:
    shutil.copy(FIX / "records.jsonl", tmp_path / "records.jsonl")
    write_claims_csv(tmp_path / "claims.csv", read_jsonl(tmp_path / "records.jsonl"))
    return tmp_path


def _load_sheet(path: Path) -> list[dict[str, str]]:
    text, _ = decode_sheet(path.read_bytes())
    return list(csv.DictReader(io.StringIO(text, newline="")))


def _resave(rows: list[dict[str, str]], path: Path, *, encoding: str, delimiter: str = ",",
            newline: str = "\r\n", columns: list[str] | None = None, keep_quote_prefix: bool = True) -> None:
    """What a spreadsheet does on "Save as CSV": its own encoding, delimiter, line ends and column order."""
    columns = columns or list(rows[0].keys())
    buf = io.StringIO(newline="")
    w = csv.DictWriter(buf, fieldnames=columns, delimiter=delimiter, lineterminator=newline, extrasaction="ignore")
    w.writeheader()
    for row in rows:
        out = dict(row)
        if not keep_quote_prefix:  # Excel hides the ' and may write the bare text back
            out = {k: (v[1:] if v.startswith("'") else v) for k, v in out.items()}
        w.writerow(out)
    path.write_bytes(buf.getvalue().encode(encoding))


def _review(rows: list[dict[str, str]]) -> dict[str, str]:
    """Edit the rows as a reviewer would; return record_id -> the expected status."""
    expected = {}
    for row in rows:
        row["checked_by"] = "张医生"  # an added column
        rid = row["record_id"]
        if row["type"] == "epi" and row["surface"] == "0.83/10万":
            row["review_status"], row["corrected_value"] = "Corrected", "0,85"  # decimal comma, capital C
            row["reviewer_note"] = "原文为0.85/10万"
            expected[rid] = "corrected"
        elif row["type"] == "treatment" and row["surface"] == "Rituximab":
            row["review_status"], row["corrected_claim"] = "corrected", "ineffective"
            expected[rid] = "corrected"
        elif row["type"] == "risk_factor" and row["surface"] == "他汀类药物":
            row["review_status"], row["reviewer_note"] = "rejected", "风险因素而非治疗"
            expected[rid] = "rejected"
        elif row["lang"] == "en" and row["type"] == "epi":
            row["review_status"] = " accepted "
            expected[rid] = "accepted"
        elif row["type"] == "treatment" and row["lang"] == "zh":
            row["review_status"] = "接受"  # Chinese word for accepted
            expected[rid] = "accepted"
        else:
            expected[rid] = "unreviewed"
    rows.sort(key=lambda r: (r["type"], r["surface"]), reverse=True)  # the reviewer re-sorted the sheet
    return expected


def _check_reviewed(out: Path, expected: dict[str, str]) -> None:
    original = list(read_jsonl(FIX / "records.jsonl"))
    reviewed = list(read_jsonl(out))
    assert [r["record_id"] for r in reviewed] == [r["record_id"] for r in original], "every record, same order"
    for orig, rev in zip(original, reviewed):
        if orig["type"] == "entity":
            assert rev == orig
            continue
        review = rev.pop("review")
        assert rev == orig, "the extracted fields stay as they were"
        assert review["status"] == expected[orig["record_id"]]
        assert review["reviewer_file"] == "claims.csv"
        if orig.get("surface") == "0.83/10万":
            assert review["corrections"] == {"value": 0.85} and review["note"] == "原文为0.85/10万"
            fixed = corrected_record({**orig, "review": review})
            assert fixed["value"] == 0.85 and record_from_dict(fixed).value == 0.85
        if orig.get("drug_text") == "Rituximab":
            assert review["corrections"] == {"claim": "ineffective"}
        if review["status"] == "rejected":
            assert review["note"] == "风险因素而非治疗"


@pytest.mark.parametrize(
    "encoding,delimiter,newline,reorder,keep_prefix",
    [
        ("utf-8-sig", ",", "\r\n", False, True),   # Excel "CSV UTF-8"
        ("gb18030", ",", "\r\n", False, True),     # Excel "CSV" on a Chinese Windows (code page 936)
        ("utf-8", ";", "\r\n", True, False),       # European Excel, columns moved, ' prefixes dropped
        ("utf-8", ",", "\n", True, True),          # LibreOffice, LF line ends
        ("utf-16", "\t", "\r\n", False, True),     # Excel "Unicode text"
    ],
)
def test_round_trip(run_dir: Path, encoding: str, delimiter: str, newline: str, reorder: bool, keep_prefix: bool) -> None:
    rows = _load_sheet(run_dir / "claims.csv")
    expected = _review(rows)
    columns = list(rows[0].keys())
    if reorder:
        columns = columns[::-1]
    sheet = run_dir / "claims.csv"
    _resave(rows, sheet, encoding=encoding, delimiter=delimiter, newline=newline, columns=columns,
            keep_quote_prefix=keep_prefix)
    if encoding == "gb18030":
        assert not sheet.read_bytes().startswith(b"\xef\xbb\xbf")
        with pytest.raises(UnicodeDecodeError):
            sheet.read_bytes().decode("utf-8")
    report = apply_review(sheet, run_dir / "records.jsonl", run_dir / "reviewed.jsonl")
    assert report.ok, report.summary()
    assert report.delimiter == delimiter
    assert report.encoding.replace("-sig", "") == encoding.replace("-sig", "")
    assert report.counts["corrected"] == 2 and report.counts["rejected"] == 1
    assert report.counts["accepted"] == sum(v == "accepted" for v in expected.values())
    assert report.rows == len(rows)
    _check_reviewed(run_dir / "reviewed.jsonl", expected)


def test_problem_rows_are_reported_not_applied(run_dir: Path) -> None:
    rows = _load_sheet(run_dir / "claims.csv")
    epi = [r for r in rows if r["type"] == "epi"]
    treat = [r for r in rows if r["type"] == "treatment"]
    epi[0]["review_status"] = "maybe"                                     # unknown status
    epi[1]["review_status"], epi[1]["corrected_value"] = "corrected", "abc"  # bad number
    epi[2]["review_status"], epi[2]["corrected_region"] = "accepted", "China"  # correction without 'corrected'
    treat[0]["review_status"], treat[0]["corrected_claim"] = "corrected", "cured"  # unknown claim
    treat[1]["review_status"], treat[1]["corrected_region"] = "corrected", "China"  # region on a treatment
    epi[3]["review_status"] = "corrected"                                 # corrected with nothing corrected
    treat[2]["review_status"] = "accepted"
    dup = dict(treat[2], review_status="rejected")                         # duplicate row
    ghost = dict(treat[2], record_id="tre-0000000000000000", review_status="accepted")  # unknown record
    no_id = dict(treat[2], record_id="", review_status="accepted")
    epi[4]["review_status"], epi[4]["value"] = "accepted", "9.99"          # edited in place
    blank = {k: "" for k in rows[0]}
    rows += [dup, ghost, blank, no_id]
    _resave(rows, run_dir / "claims.csv", encoding="utf-8-sig")
    report = apply_review(run_dir / "claims.csv", run_dir / "records.jsonl", run_dir / "reviewed.jsonl")
    assert not report.ok
    assert {p.record_id for p in report.unmatched} == {"tre-0000000000000000", ""}
    reasons = {p.record_id: p.reason for p in report.invalid}
    assert "unknown review_status 'maybe'" in reasons[epi[0]["record_id"]]
    assert "not a number" in reasons[epi[1]["record_id"]]
    assert "set it to corrected" in reasons[epi[2]["record_id"]]
    assert "corrected_claim 'cured'" in reasons[treat[0]["record_id"]]
    assert "does not apply to a treatment" in reasons[treat[1]["record_id"]]
    assert "no corrected_* cell" in reasons[epi[3]["record_id"]]
    assert "duplicate row" in reasons[treat[2]["record_id"]]
    assert len(report.invalid) == 7
    assert [w.record_id for w in report.warnings] == [epi[4]["record_id"]]
    # row numbers are what the reviewer sees in the spreadsheet: header = row 1, first data row = row 2
    ghost_row = next(p.row for p in report.unmatched if p.record_id)
    assert ghost_row == rows.index(ghost) + 2
    reviewed = {r["record_id"]: r for r in read_jsonl(run_dir / "reviewed.jsonl")}
    for rid in (epi[0]["record_id"], epi[1]["record_id"], treat[0]["record_id"]):
        assert reviewed[rid]["review"]["status"] == "unreviewed", "an invalid row is not applied"
    assert reviewed[treat[2]["record_id"]]["review"]["status"] == "accepted", "the first of duplicate rows wins"
    assert reviewed[epi[4]["record_id"]]["value"] != 9.99
    text = report.summary()
    assert "unmatched: row" in text and "invalid: row" in text and "maybe" in text


def test_excel_sep_hint_line(run_dir: Path) -> None:
    rows = _load_sheet(run_dir / "claims.csv")
    rows[0]["review_status"] = "rejected"
    _resave(rows, run_dir / "claims.csv", encoding="utf-8-sig", delimiter=";")
    data = (run_dir / "claims.csv").read_bytes()
    (run_dir / "claims.csv").write_bytes(b"\xef\xbb\xbfsep=;\r\n" + data[3:])
    report = apply_review(run_dir / "claims.csv", run_dir / "records.jsonl", run_dir / "reviewed.jsonl")
    assert report.ok and report.delimiter == ";" and report.counts["rejected"] == 1
    assert report.rows == len(rows)


def test_strict_raises_and_writes_nothing(run_dir: Path) -> None:
    rows = _load_sheet(run_dir / "claims.csv")
    rows[0]["review_status"] = "??"
    _resave(rows, run_dir / "claims.csv", encoding="utf-8-sig")
    with pytest.raises(ReviewError, match="1 invalid"):
        apply_review(run_dir / "claims.csv", run_dir / "records.jsonl", run_dir / "reviewed.jsonl", strict=True)
    assert not (run_dir / "reviewed.jsonl").exists()


def test_unusable_sheets(run_dir: Path) -> None:
    bad = run_dir / "bad.csv"
    bad.write_text("id,status\n1,accepted\n", encoding="utf-8")
    with pytest.raises(ReviewError, match="no 'record_id' column"):
        apply_review(bad, run_dir / "records.jsonl", run_dir / "out.jsonl")
    bad.write_text("record_id,note\nepi-1,x\n", encoding="utf-8")
    with pytest.raises(ReviewError, match="no 'review_status' column"):
        apply_review(bad, run_dir / "records.jsonl", run_dir / "out.jsonl")
    bad.write_bytes(b"record_id,review_status\n\xff\xfe\xfa\x80,x\n")
    with pytest.raises(ReviewError, match="not UTF-8"):
        apply_review(bad, run_dir / "records.jsonl", run_dir / "out.jsonl")
    assert not (run_dir / "out.jsonl").exists()


def test_unreviewed_sheet_applies_cleanly(run_dir: Path) -> None:
    report = apply_review(run_dir / "claims.csv", run_dir / "records.jsonl", run_dir / "reviewed.jsonl")
    assert report.ok and report.counts["unreviewed"] == report.rows > 0
    assert report.records_without_row == 0
