"""Read a run's output directory for the report, checking what the report relies on.

Contract of :func:`load_run`: reads ``records.jsonl``, ``manifest.json`` and ``errors.jsonl`` from the
run directory (all three required), plus, when present, ``claims.csv`` (only for PMID, DOI and
publication year per document, which records do not carry) and a reviewed file (``reviewed.jsonl`` from ``imnm-nlp review apply``).
Any problem raises :class:`ReportError` with one line naming the file, the line and the field.

Reviews: a record's ``review`` (from the reviewed file, matched on ``record_id``, or already inside
records.jsonl) gives its status; ``corrected`` records are shown with their corrections applied.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from imnm_nlp.errors import ImnmError
from imnm_nlp.writers.jsonl import read_jsonl
from imnm_nlp.writers.manifest import read_manifest

logger = logging.getLogger(__name__)

__all__ = ["ReportError", "RunData", "load_run"]

_TYPES = ("entity", "epi", "treatment", "risk_factor")
_REQUIRED = {
    "epi": ("measure", "value", "unit"),
    "treatment": ("drug", "claim"),
    "risk_factor": ("factor",),
    "entity": ("label", "text"),
}
_PROVENANCE = ("doc_id", "lang", "sentence", "start", "end", "sentence_start", "sentence_end")
_CORRECTABLE = ("value", "claim", "population", "region", "drug", "factor")


class ReportError(ImnmError):
    """The run directory cannot be reported on: a file or field is missing, or from another version."""


@dataclass
class RunData:
    """Everything the report shows, loaded and checked."""

    out_dir: Path
    manifest: dict[str, Any]
    records: list[dict[str, Any]]
    errors: list[dict[str, Any]]
    doc_meta: dict[str, dict[str, str]] = field(default_factory=dict)
    reviewed_file: str | None = None


def _read_jsonl_checked(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        raise ReportError(f"{path}: file is missing; run `imnm-nlp extract ... --out {path.parent}` first")
    try:
        return list(read_jsonl(path))
    except ImnmError as exc:
        raise ReportError(str(exc)) from exc


def _check_record(rec: dict[str, Any], path: Path, lineno: int) -> None:
    kind = rec.get("type")
    if kind not in _TYPES:
        raise ReportError(f"{path}:{lineno}: field 'type' is {kind!r}; expected one of {', '.join(_TYPES)}")
    if not rec.get("record_id"):
        raise ReportError(f"{path}:{lineno}: field 'record_id' is missing")
    prov = rec.get("provenance")
    if not isinstance(prov, dict):
        raise ReportError(f"{path}:{lineno}: field 'provenance' is missing")
    for name in _PROVENANCE:
        if name not in prov:
            raise ReportError(f"{path}:{lineno}: field 'provenance.{name}' is missing")
    for name in _REQUIRED[kind]:
        if rec.get(name) is None:
            raise ReportError(f"{path}:{lineno}: field '{name}' is missing in a {kind} record")


def _doc_meta_from_claims(path: Path) -> dict[str, dict[str, str]]:
    if not path.is_file():
        return {}
    from imnm_nlp.writers.sheet import read_sheet  # the sheet may have been re-saved by a spreadsheet

    try:
        sheet = read_sheet(path, columns=("doc_id", "pmid", "doi", "year"))
    except ImnmError as exc:
        logger.warning("report: PMID/DOI not taken from %s (%s)", path, exc)
        return {}
    meta: dict[str, dict[str, str]] = {}
    for _, row in sheet.rows:
        doc_id = row.get("doc_id", "").strip()
        if doc_id and doc_id not in meta:
            meta[doc_id] = {k: row.get(k, "").strip() for k in ("pmid", "doi", "year")}
    return meta


def _apply_review(rec: dict[str, Any]) -> dict[str, Any]:
    review = rec.get("review") or {}
    rec["status"] = review.get("status") or "unreviewed"
    rec["note"] = review.get("note")
    corrections = {k: v for k, v in (review.get("corrections") or {}).items() if k in _CORRECTABLE}
    rec["corrections"] = corrections
    if corrections and rec["status"] == "corrected":
        rec["original"] = {k: rec.get(k) for k in corrections}
        rec.update(corrections)
        if "value" in corrections and rec.get("per_100k") is not None and rec["original"]["value"]:
            # keep the per-100,000 figure consistent with the corrected value
            rec["per_100k"] = rec["per_100k"] * corrections["value"] / rec["original"]["value"]
    return rec


def load_run(out_dir: str | Path, reviewed: str | Path | None = None) -> RunData:
    """Load and check a run directory (see module docstring).

    Raises:
        ReportError: a required file is missing or malformed, a record lacks a field the report needs,
            or ``manifest.json`` has an incompatible ``manifest_version``.
    """
    out = Path(out_dir)
    if not out.is_dir():
        raise ReportError(f"{out}: not a directory (expected the --out directory of an extract run)")
    man_path = out / "manifest.json"
    if not man_path.is_file():
        raise ReportError(f"{man_path}: file is missing; run `imnm-nlp extract ... --out {out}` first")
    try:
        manifest = read_manifest(man_path)
    except ImnmError as exc:
        raise ReportError(str(exc)) from exc
    rec_path = out / "records.jsonl"
    records = _read_jsonl_checked(rec_path)
    for i, rec in enumerate(records, 1):
        _check_record(rec, rec_path, i)
    errors = _read_jsonl_checked(out / "errors.jsonl")
    reviewed_file = None
    if reviewed is not None:
        rev_path = Path(reviewed)
        reviews = {}
        for i, rec in enumerate(_read_jsonl_checked(rev_path), 1):
            if rec.get("review") is not None:
                if not isinstance(rec["review"], dict) or "status" not in rec["review"]:
                    raise ReportError(f"{rev_path}:{i}: field 'review.status' is missing")
                reviews[rec.get("record_id")] = rec["review"]
        for rec in records:
            if rec["record_id"] in reviews:
                rec["review"] = reviews[rec["record_id"]]
        reviewed_file = str(rev_path)
        unknown = set(reviews) - {r["record_id"] for r in records}
        if unknown:
            logger.warning("report: %d reviewed records are not in %s", len(unknown), rec_path)
    for rec in records:
        _apply_review(rec)
    return RunData(out_dir=out, manifest=manifest, records=records, errors=errors,
                   doc_meta=_doc_meta_from_claims(out / "claims.csv"), reviewed_file=reviewed_file)
