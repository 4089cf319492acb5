"""The review round trip through a real spreadsheet: LibreOffice (headless) imports claims.csv edited by a
reviewer, saves it as .ods, then exports it as CSV in GB18030 with ';' (what a Chinese or European
office setup produces); apply_review must read that back. Runs only when ``soffice`` is on PATH
(Debian: ``apt-get install --no-install-recommends libreoffice-calc-nogui``)."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from pathlib import Path

import pytest

from imnm_nlp.writers import apply_review, read_jsonl, write_claims_csv

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not on PATH")
FIX = Path(__file__).parent / "fixtures" / "writers"
GB18030 = 85  # rtl_TextEncoding RTL_TEXTENCODING_GB_18030 (LibreOffice include/rtl/textenc.h)


def _soffice(tmp: Path, *args: str) -> None:
    profile = (tmp / "lo-profile").as_uri()  # a private profile: no lock on, or change to, the user's
    subprocess.run([SOFFICE, f"-env:UserInstallation={profile}", "--headless", *args],  # type: ignore[list-item]
                   check=True, capture_output=True, timeout=180)


def test_libreoffice_gb18030_semicolon_round_trip(tmp_path: Path) -> None:
    records = tmp_path / "records.jsonl"
    shutil.copy(FIX / "records.jsonl", records)
    write_claims_csv(tmp_path / "claims.csv", read_jsonl(records))
    rows = list(csv.DictReader(io.StringIO((tmp_path / "claims.csv").read_bytes().decode("utf-8-sig"), newline="")))
    fixed = next(r for r in rows if r["surface"] == "1.85/10万")
    fixed.update(review_status="corrected", corrected_value="1,9", reviewer_note="原文核对")
    neg = next(r for r in rows if r["surface"] == "'-6.44%")
    neg["review_status"] = "rejected"
    rejected_ids = {neg["record_id"]}
    for r in rows:
        if r["type"] == "risk_factor":
            r["review_status"] = "rejected"
            rejected_ids.add(r["record_id"])
    buf = io.StringIO(newline="")
    w = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\r\n")
    w.writeheader()
    w.writerows(rows)
    edited = tmp_path / "edited.csv"
    edited.write_bytes(buf.getvalue().encode("utf-8-sig"))
    _soffice(tmp_path, "--infilter=CSV:44,34,76,1", "--convert-to", "ods", "--outdir", str(tmp_path), str(edited))
    out_dir = tmp_path / "saved"
    _soffice(tmp_path, "--convert-to", f"csv:Text - txt - csv (StarCalc):59,34,{GB18030},1", "--outdir", str(out_dir),
             str(tmp_path / "edited.ods"))
    sheet = out_dir / "edited.csv"
    with pytest.raises(UnicodeDecodeError):
        sheet.read_bytes().decode("utf-8")
    report = apply_review(sheet, records, tmp_path / "reviewed.jsonl")
    assert report.ok and not report.warnings, report.summary()  # no cell read as "edited in place"
    assert (report.encoding, report.delimiter) == ("gb18030", ";")
    assert report.counts["corrected"] == 1 and report.counts["rejected"] == len(rejected_ids)
    reviewed = {r["record_id"]: r for r in read_jsonl(tmp_path / "reviewed.jsonl")}
    assert reviewed[fixed["record_id"]]["review"]["corrections"] == {"value": 1.9}
    assert reviewed[fixed["record_id"]]["review"]["note"] == "原文核对"
    assert all(reviewed[i]["review"]["status"] == "rejected" for i in rejected_ids)
