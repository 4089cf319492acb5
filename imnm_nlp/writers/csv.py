"""``claims.csv``: the reviewer's sheet, one row per epi figure, treatment claim and risk factor.

Contract:
    * Columns are :data:`CLAIMS_COLUMNS`, in that order. Entity mentions are not rows (too many, and a
      reviewer judges claims, not spans).
    * Encoding UTF-8 **with BOM**: without it Excel opens the file in the ANSI code page and Chinese
      becomes mojibake. Line ends CRLF (RFC 4180; what Excel itself writes).
    * Rows are sorted by ``(doc_id, section index, start, type, record_id)``: the same records always
      give the same file, whatever the engine or worker count.
    * Text cells longer than :data:`MAX_CELL` (Excel's cell limit is 32,767) are cut and marked ``[…]``.
    * ``review_status``, ``reviewer_note`` and the ``corrected_*`` columns are left empty for the
      reviewer (see :mod:`imnm_nlp.writers.review` for the values read back).

CSV injection (OWASP "CSV Injection"): a spreadsheet runs a cell that starts with ``=``, ``+``, ``-``,
``@``, TAB or CR as a formula (``=HYPERLINK(...)`` in an abstract would be live in Excel). Decision:

    * **Text columns** (everything we copy from the input: evidence, population, region, drug, notes...)
      are neutralized: a cell starting with one of :data:`DANGEROUS_PREFIXES` gets a leading ``'``.
      The full-width forms ``＝＋－＠`` are included, because CJK input methods and some spreadsheet
      locales fold them to ASCII. A text cell is neutralized even when it looks like a number
      (``-1`` in a population column is text, and text is the attacker's channel).
    * **Numeric columns** (:data:`NUMERIC_COLUMNS`) are never neutralized: we format them ourselves
      from Python numbers, so they can only be plain numbers such as ``-6.44``, and they must stay
      numbers the spreadsheet can sort and sum.
    * The review reader strips exactly this prefix again (a ``'`` followed by a dangerous character).

Correction columns (a reviewer sets ``review_status`` to ``corrected`` and fills one or more):
    ``corrected_value`` (epi ``value``, a number; ``0,85`` is read as 0.85), ``corrected_claim``
    (treatment ``claim``: used/effective/ineffective/adverse/recommended), ``corrected_population``
    (epi/treatment ``population``), ``corrected_region`` (epi ``region``), ``corrected_drug``
    (treatment ``drug``, or risk-factor ``factor``; canonical English, lower-cased on read).

Example:
    >>> write_claims_csv(out / "claims.csv", records, {"pmid:1": {"pmid": "1", "doi": None}})  # doctest: +SKIP
"""

from __future__ import annotations

import csv
import math
import os
from contextlib import contextmanager
from typing import Any, Iterable, Iterator, Mapping

from imnm_nlp.errors import RecordError
from imnm_nlp.writers.atomic import atomic_write

__all__ = [
    "CLAIMS_COLUMNS", "CORRECTION_COLUMNS", "NUMERIC_COLUMNS", "DANGEROUS_PREFIXES", "REVIEWABLE_TYPES",
    "write_claims_csv", "claims_csv_writer", "ClaimsSheet", "claim_rows", "neutralize", "unneutralize", "doc_meta_from_documents",
]

REVIEWABLE_TYPES = ("epi", "treatment", "risk_factor")

#: correction column -> the record field it corrects, per record type
CORRECTION_COLUMNS: dict[str, dict[str, str]] = {
    "corrected_value": {"epi": "value"},
    "corrected_claim": {"treatment": "claim"},
    "corrected_population": {"epi": "population", "treatment": "population"},
    "corrected_region": {"epi": "region"},
    "corrected_drug": {"treatment": "drug", "risk_factor": "factor"},
}

CLAIMS_COLUMNS: tuple[str, ...] = (
    "record_id", "doc_id", "pmid", "doi", "year", "lang", "type", "surface",
    "measure", "value", "value_high", "unit", "per_100k", "population", "region", "period",
    "drug", "claim", "hedged", "negated", "outcome", "factor",
    "evidence", "section", "start", "end", "score", "extractor", "model_version",
    "review_status", "reviewer_note", *CORRECTION_COLUMNS,
)

NUMERIC_COLUMNS = frozenset({"value", "value_high", "per_100k", "start", "end", "score"})

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")

#: Excel holds at most 32,767 characters in a cell and splits longer ones over the next cells, which
#: would shift every column of the row; longer text cells are cut here, marked with " […]".
MAX_CELL = 32_000


def neutralize(cell: str) -> str:
    """Prefix ``'`` to a text cell a spreadsheet would evaluate (see the module docstring).

    A cell that already starts with quotes before a dangerous character (``'=x``) gets one more, so that
    :func:`unneutralize` gives back exactly the original text for every string.
    """
    if cell.lstrip("'").startswith(DANGEROUS_PREFIXES):
        return "'" + cell
    return cell


def unneutralize(cell: str) -> str:
    """Undo :func:`neutralize`: drop one ``'`` only when quotes guard a dangerous first character."""
    if cell.startswith("'") and cell.lstrip("'").startswith(DANGEROUS_PREFIXES):
        return cell[1:]
    return cell


def _fmt_number(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise RecordError(f"claims.csv: expected a number, got {value!r}")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise RecordError(f"claims.csv: non-finite number {value!r}")
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))  # 3.0 -> "3": what a person wrote and a spreadsheet shows
        return repr(value)  # shortest string that round-trips
    return str(value)


def _fmt_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    if len(text) > MAX_CELL:
        text = text[:MAX_CELL] + " […]"
    return neutralize(text)


def doc_meta_from_documents(documents: Iterable[Any]) -> dict[str, dict[str, str | None]]:
    """Build the ``doc_id -> {"pmid", "doi", "year"}`` mapping :func:`write_claims_csv` takes, from Documents."""
    return {d.id: {"pmid": d.pmid, "doi": d.doi, "year": d.year} for d in documents}


def _ids_from_doc_id(doc_id: str) -> dict[str, str | None]:
    # Without metadata, a namespaced id still tells us one identifier for sure.
    ns, _, rest = doc_id.partition(":")
    return {"pmid": rest if ns == "pmid" else None, "doi": rest if ns == "doi" else None, "year": None}


def _record_dict(rec: Any) -> dict[str, Any]:
    data = rec if isinstance(rec, Mapping) else rec.to_dict()
    if "provenance" not in data or "type" not in data or "record_id" not in data:
        raise RecordError("claims.csv: a record needs 'type', 'record_id' and 'provenance'")
    return dict(data)


def claim_rows(
    records: Iterable[Any],
    documents_meta: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[dict[str, str]]:
    """The sheet's rows (already formatted and neutralized), sorted; entity records are skipped.

    Args:
        records: evidence records or their ``to_dict()`` form.
        documents_meta: ``doc_id -> {"pmid": ..., "doi": ..., "year": ...}`` (year = publication year);
            ids missing from it fall back to what the namespaced doc id says (``pmid:123`` gives PMID 123).
    """
    keyed: list[tuple[tuple[Any, ...], dict[str, str]]] = []
    meta = documents_meta or {}
    for rec in records:
        d = _record_dict(rec)
        kind = d["type"]
        if kind not in REVIEWABLE_TYPES:
            continue
        p = d["provenance"]
        ids = dict(_ids_from_doc_id(p["doc_id"]))
        for key, val in (meta.get(p["doc_id"]) or {}).items():
            if key in ids and val:
                ids[key] = str(val)
        text = {
            "record_id": d["record_id"], "doc_id": p["doc_id"], "pmid": ids["pmid"], "doi": ids["doi"], "year": ids["year"],
            "lang": p["lang"], "type": kind,
            "surface": d.get("surface") or d.get("drug_text") or d.get("factor_text"),
            "measure": d.get("measure"), "unit": d.get("unit"), "population": d.get("population"),
            "region": d.get("region"), "period": d.get("period"), "drug": d.get("drug"), "claim": d.get("claim"),
            "hedged": d.get("hedged") if kind != "epi" else None,
            "negated": d.get("negated") if kind != "epi" else None,
            "outcome": d.get("outcome"), "factor": d.get("factor"), "evidence": p["sentence"],
            "section": p["section"],
            "extractor": f"{p['extractor']}/{p['extractor_version']}" if p.get("extractor_version") else p["extractor"],
            "model_version": p.get("model_version"),
        }
        nums = {
            "value": d.get("value"), "value_high": d.get("value_high"), "per_100k": d.get("per_100k"),
            "start": p["start"], "end": p["end"], "score": p.get("score"),
        }
        row = {col: "" for col in CLAIMS_COLUMNS}
        row.update({k: _fmt_text(v) for k, v in text.items()})
        row.update({k: _fmt_number(v) for k, v in nums.items()})
        key = (p["doc_id"], p.get("section_index", 0), p["start"], kind, d["record_id"])
        keyed.append((key, row))
    keyed.sort(key=lambda kr: kr[0])
    return [row for _, row in keyed]


def write_claims_csv(
    path: str | os.PathLike[str],
    records: Iterable[Any],
    documents_meta: Mapping[str, Mapping[str, Any]] | None = None,
) -> int:
    """Write the reviewer sheet to ``path`` atomically; return the number of data rows.

    Args:
        path: the output file (``claims.csv``).
        records: evidence records or dicts; entities are skipped.
        documents_meta: ``doc_id -> {"pmid", "doi", "year"}`` (see :func:`doc_meta_from_documents`).

    Raises:
        RecordError: a record lacks provenance or carries a non-finite number.
    """
    with claims_csv_writer(path) as sheet:
        return sheet.add(records, documents_meta)


class ClaimsSheet:
    """An open claims.csv: ``add()`` appends the rows of a batch of records, sorted within the batch."""

    def __init__(self, writer: Any) -> None:
        self._writer = writer
        self.rows = 0

    def add(self, records: Iterable[Any], documents_meta: Mapping[str, Mapping[str, Any]] | None = None) -> int:
        rows = claim_rows(records, documents_meta)
        self._writer.writerows(rows)
        self.rows += len(rows)
        return len(rows)


@contextmanager
def claims_csv_writer(path: str | os.PathLike[str]) -> Iterator[ClaimsSheet]:
    """Write claims.csv batch by batch (memory bounded by one batch), atomically.

    A run adds one batch per document in input order, so the sheet's order is stable whatever engine ran the
    files, without holding every claim of a whole dump in memory to sort it.
    """
    # newline="" lets the csv module own line ends (CRLF), so an embedded "\n" in a cell stays inside it.
    with atomic_write(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=CLAIMS_COLUMNS, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
        writer.writeheader()
        yield ClaimsSheet(writer)
