"""The review round trip: a reviewed ``claims.csv`` + ``records.jsonl`` -> ``reviewed.jsonl``.

Contract of :func:`apply_review`:

* The sheet is read with :func:`imnm_nlp.writers.sheet.read_sheet` (encoding, delimiter, reordered or
  added columns, re-sorted rows, ``'`` prefixes: all tolerated). Rows are matched on ``record_id``.
* ``review_status`` per row: ``accepted``, ``rejected``, ``corrected`` or blank (= unreviewed);
  case-insensitive, and the Chinese 接受/通过, 拒绝/驳回, 更正/修正 are accepted too.
* ``corrected`` needs at least one ``corrected_*`` cell (see :mod:`imnm_nlp.writers.csv` for the
  columns and the fields they correct); a ``corrected_*`` cell on a row that is not ``corrected`` is
  an error, not a guess. The corrected record is rebuilt with :func:`imnm_nlp.records.record_from_dict`
  so a correction must itself be valid (a known claim, a finite number).
* Problems never stop the run: a row whose ``record_id`` is not in records.jsonl is *unmatched*; a row
  with an unknown status, a bad correction or a duplicate id is *invalid* and is not applied (its record
  stays unreviewed). Both are listed in the :class:`ReviewReport` with the spreadsheet row number
  (header = row 1, as the reviewer sees it). ``strict=True`` raises instead and writes nothing.
* Output (atomic JSONL): **every** record of records.jsonl, in its order, so reviewed.jsonl can stand in
  for records.jsonl. Each epi/treatment/risk_factor record gains ``review = {status, note, corrections,
  reviewer_file, row}``; its own fields stay as extracted (``corrections`` maps field -> new value, so
  both the machine's and the reviewer's answer survive). **Rejected records are kept** with
  ``status: "rejected"``: they are the negative examples a later training run needs. Entity records pass
  through unchanged. :func:`corrected_record` gives a record with its corrections applied.

Example:
    >>> report = apply_review("claims.csv", "records.jsonl", "reviewed.jsonl")  # doctest: +SKIP
    >>> print(report.summary())  # doctest: +SKIP
"""

from __future__ import annotations

import math
import os
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Mapping

from imnm_nlp.errors import RecordError, ReviewError
from imnm_nlp.records import CLAIMS, record_from_dict
from imnm_nlp.writers.csv import CORRECTION_COLUMNS, REVIEWABLE_TYPES
from imnm_nlp.writers.jsonl import read_jsonl, write_jsonl
from imnm_nlp.writers.sheet import read_sheet

__all__ = ["STATUSES", "ReviewReport", "RowProblem", "apply_review", "corrected_record", "parse_status"]

STATUSES = ("accepted", "rejected", "corrected", "unreviewed")
_STATUS_WORDS = {
    "accepted": "accepted", "accept": "accepted", "接受": "accepted", "通过": "accepted",
    "rejected": "rejected", "reject": "rejected", "拒绝": "rejected", "驳回": "rejected",
    "corrected": "corrected", "correct": "corrected", "更正": "corrected", "修正": "corrected",
    "": "unreviewed", "unreviewed": "unreviewed",
}


@dataclass(frozen=True)
class RowProblem:
    """One sheet row that could not be used: spreadsheet row number, its record_id, why."""

    row: int
    record_id: str
    reason: str


@dataclass
class ReviewReport:
    """What :func:`apply_review` did: counts per status, rows it could not use, what it detected."""

    sheet: str
    out_path: str
    encoding: str = ""
    delimiter: str = ","
    rows: int = 0
    counts: dict[str, int] = field(default_factory=lambda: {s: 0 for s in STATUSES})
    unmatched: list[RowProblem] = field(default_factory=list)
    invalid: list[RowProblem] = field(default_factory=list)
    warnings: list[RowProblem] = field(default_factory=list)
    records_without_row: int = 0

    @property
    def ok(self) -> bool:
        """True when every row was matched and valid."""
        return not self.unmatched and not self.invalid

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> str:
        """A few lines for a terminal: counts, then each problem row."""
        delim = {"\t": "TAB"}.get(self.delimiter, self.delimiter)
        lines = [
            f"{self.sheet}: {self.rows} rows ({self.encoding}, delimiter {delim!r}) -> {self.out_path}",
            "  " + ", ".join(f"{s} {self.counts.get(s, 0)}" for s in STATUSES)
            + f"; {self.records_without_row} records had no row",
        ]
        for title, items in (("unmatched", self.unmatched), ("invalid", self.invalid), ("warning", self.warnings)):
            for prob in items:
                lines.append(f"  {title}: row {prob.row} ({prob.record_id or 'no record_id'}): {prob.reason}")
        return "\n".join(lines)


def parse_status(cell: str) -> str | None:
    """Map a ``review_status`` cell to one of :data:`STATUSES`; None when it is not a known word."""
    return _STATUS_WORDS.get(unicodedata.normalize("NFKC", cell).strip().lower())


def _parse_number(cell: str, unit: str | None) -> float:
    s = unicodedata.normalize("NFKC", cell).strip().replace(" ", "").replace("\u00a0", "")
    if unit == "percent" and s.endswith("%"):
        s = s[:-1]
    if "," in s and "." not in s:
        s = s.replace(",", ".")  # a decimal comma from a European or Excel locale: 0,85
    else:
        s = s.replace(",", "")  # thousands separators: 1,234.5
    try:
        value = float(s)
    except ValueError:
        raise ValueError(f"corrected_value {cell!r} is not a number") from None
    if not math.isfinite(value):
        raise ValueError(f"corrected_value {cell!r} is not a finite number")
    return value


def _corrections(row: Mapping[str, str], record: Mapping[str, Any]) -> dict[str, Any]:
    """The corrections a row asks for, as {record field: value}; raises ValueError on a bad cell."""
    kind = record["type"]
    out: dict[str, Any] = {}
    for col, by_type in CORRECTION_COLUMNS.items():
        cell = (row.get(col) or "").strip()
        if not cell:
            continue
        if kind not in by_type:
            raise ValueError(f"{col} does not apply to a {kind} record")
        fld = by_type[kind]
        if col == "corrected_value":
            out[fld] = _parse_number(cell, record.get("unit"))
        elif col in ("corrected_claim", "corrected_drug"):
            value = unicodedata.normalize("NFKC", cell).strip().lower()
            if col == "corrected_claim" and value not in CLAIMS:
                raise ValueError(f"corrected_claim {cell!r} must be one of {', '.join(CLAIMS)}")
            out[fld] = value
        else:
            out[fld] = cell
    return out


def corrected_record(record: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``record`` with its ``review.corrections`` applied and validated (record_id unchanged).

    Raises:
        RecordError: the corrected record is not valid.
    """
    review = record.get("review") or {}
    fixed = {k: v for k, v in record.items() if k != "review"}
    fixed.update(review.get("corrections") or {})
    record_from_dict(fixed)  # validation only: the id stays the extracted record's, for traceability
    return fixed


def _edited_in_place(row: Mapping[str, str], record: Mapping[str, Any], fixes: Mapping[str, Any]) -> list[str]:
    """Data columns the reviewer overwrote instead of using corrected_* (reported, never applied)."""
    edited = []
    for col in ("claim", "drug", "population", "region", "value"):
        if col not in row or col in fixes or record.get(col) is None:
            continue
        cell, orig = row[col].strip(), record[col]
        if col == "value":
            try:
                same = math.isclose(_parse_number(cell, record.get("unit")), float(orig), rel_tol=1e-9)
            except ValueError:
                same = False
        else:
            same = cell == str(orig).strip()
        if not same:
            edited.append(f"{col} ({orig!r} -> {cell!r})")
    return edited


def apply_review(
    csv_path: str | os.PathLike[str],
    records_path: str | os.PathLike[str],
    out_path: str | os.PathLike[str],
    *,
    strict: bool = False,
) -> ReviewReport:
    """Apply a reviewed claims sheet to records.jsonl and write reviewed.jsonl (see module docstring).

    Args:
        csv_path: the reviewed sheet (claims.csv after review, re-saved by any spreadsheet).
        records_path: the records.jsonl the sheet was made from.
        out_path: where to write the reviewed records (atomically).
        strict: raise :class:`ReviewError` (and write nothing) when any row is unmatched or invalid.

    Returns:
        The :class:`ReviewReport`.

    Raises:
        ReviewError: unreadable sheet, no record_id column, or (strict) problem rows.
        ReaderError: records.jsonl is missing or malformed.
    """
    sheet = read_sheet(csv_path)
    records = list(read_jsonl(records_path))
    by_id = {r.get("record_id"): r for r in records if r.get("type") in REVIEWABLE_TYPES}
    report = ReviewReport(sheet=str(csv_path), out_path=str(out_path), encoding=sheet.encoding,
                          delimiter=sheet.delimiter, rows=len(sheet.rows))
    for column in ("record_id", "review_status"):
        if column not in sheet.columns:
            raise ReviewError(f"{csv_path}: no {column!r} column; the sheet must keep the columns of claims.csv")
    reviews: dict[str, dict[str, Any]] = {}
    first_row: dict[str, int] = {}
    reviewer_file = Path(csv_path).name  # the name, not the path: no home directories in training data
    for row_no, row in sheet.rows:
        rid = row.get("record_id", "").strip()
        if not rid:
            report.unmatched.append(RowProblem(row_no, "", "no record_id in this row"))
            continue
        record = by_id.get(rid)
        if record is None:
            report.unmatched.append(RowProblem(row_no, rid, f"record_id not in {Path(records_path).name}"))
            continue
        if rid in first_row:
            report.invalid.append(RowProblem(row_no, rid, f"duplicate row for this record_id (first at row {first_row[rid]})"))
            continue
        first_row[rid] = row_no
        status = parse_status(row.get("review_status", ""))
        if status is None:
            report.invalid.append(RowProblem(
                row_no, rid, f"unknown review_status {row['review_status']!r}; use accepted, rejected or corrected"))
            continue
        try:
            fixes = _corrections(row, record)
            if status == "corrected" and not fixes:
                raise ValueError("review_status is corrected but no corrected_* cell is filled")
            if fixes and status != "corrected":
                raise ValueError(f"corrected_* cells filled but review_status is {status}; set it to corrected")
            if fixes:  # validate the corrected record (a previous run's "review" key is not a field)
                record_from_dict({**{k: v for k, v in record.items() if k != "review"}, **fixes})
        except (ValueError, RecordError) as exc:
            report.invalid.append(RowProblem(row_no, rid, str(exc)))
            continue
        edited = _edited_in_place(row, record, fixes)
        if edited:
            report.warnings.append(RowProblem(
                row_no, rid, "edited in place, ignored (use the corrected_* columns): " + "; ".join(edited)))
        note = (row.get("reviewer_note") or "").strip() or None
        reviews[rid] = {"status": status, "note": note, "corrections": fixes,
                        "reviewer_file": reviewer_file, "row": row_no}
    if strict and not report.ok:
        raise ReviewError(f"{csv_path}: {len(report.unmatched)} unmatched and {len(report.invalid)} invalid rows\n"
                          + report.summary())

    def reviewed() -> Any:
        for rec in records:
            if rec.get("type") not in REVIEWABLE_TYPES:
                yield rec
                continue
            review = reviews.get(rec["record_id"])
            if review is None:
                report.records_without_row += rec["record_id"] not in first_row
                review = {"status": "unreviewed", "note": None, "corrections": {},
                          "reviewer_file": reviewer_file, "row": first_row.get(rec["record_id"])}
            report.counts[review["status"]] += 1
            yield {**rec, "review": review}

    write_jsonl(out_path, reviewed())
    return report
