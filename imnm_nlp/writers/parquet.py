"""Parquet export of evidence records (optional: needs ``pyarrow``, ``pip install imnm-nlp[parquet]``).

Decision: **one file, one row per record, a ``type`` column, flat columns** (the union of every record
type's fields). Analysts then write ``pd.read_parquet(p).query("type == 'epi'")`` instead of juggling
four files, and Parquet stores the columns that are null for other types almost for free.

* The schema is derived from the record classes of :mod:`imnm_nlp.records` (their fields and type
  hints), so it is the same for every run, even one without any epi record, and follows the classes
  when they gain fields. Provenance fields are flattened without prefix (``doc_id``, ``start``,
  ``sentence``...), a mention's parsed rate as ``rate_*``.
* Reviewed records (from ``reviewed.jsonl``) add ``review_status``, ``review_note`` and
  ``review_corrections`` (a JSON string).
* Written in batches through a ``ParquetWriter`` (memory stays bounded) and atomically.
"""

from __future__ import annotations

import json
import os
import types
import typing
from dataclasses import fields
from typing import Any, Iterable, Iterator, Mapping

from imnm_nlp.errors import ImnmError, RecordError
from imnm_nlp.records import EpiFigure, Mention, Provenance, Rate, RiskFactor, TreatmentClaim
from imnm_nlp.writers.atomic import atomic_path

__all__ = ["MissingDependencyError", "write_parquet", "parquet_columns", "flatten_record"]

_BATCH = 10_000
_REVIEW_COLUMNS = (("review_status", str), ("review_note", str), ("review_corrections", str))


class MissingDependencyError(ImnmError, ImportError):
    """An optional dependency is not installed; the message says which extra to install."""


def _base_type(hint: Any) -> type:
    """``float | None`` -> float; ``Rate | None`` -> Rate."""
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        return _base_type(args[0])
    return hint  # type: ignore[no-any-return]


def parquet_columns() -> list[tuple[str, type]]:
    """The flat columns, in order: ``type``, ``record_id``, provenance, then each type's own fields."""
    cols: dict[str, type] = {"type": str, "record_id": str}
    for f_name, hint in typing.get_type_hints(Provenance).items():
        cols[f_name] = _base_type(hint)
    for cls in (Mention, EpiFigure, TreatmentClaim, RiskFactor):
        hints = typing.get_type_hints(cls)
        for f in fields(cls):
            base = _base_type(hints[f.name])
            if base is Provenance:
                continue
            if base is Rate:
                for name, rh in typing.get_type_hints(Rate).items():
                    cols[f"rate_{name}"] = _base_type(rh)
                continue
            cols.setdefault(f.name, base)
    for name, base in _REVIEW_COLUMNS:
        cols[name] = base
    return list(cols.items())


def flatten_record(rec: Any) -> dict[str, Any]:
    """One record (object or ``to_dict()`` form, optionally with ``review``) as a flat row."""
    d = dict(rec) if isinstance(rec, Mapping) else rec.to_dict()
    if "provenance" not in d or "type" not in d:
        raise RecordError("parquet: a record needs 'type' and 'provenance'")
    row = {k: v for k, v in d.items() if k not in ("provenance", "rate", "review")}
    row.update(d["provenance"])
    for name, value in (d.get("rate") or {}).items():
        row[f"rate_{name}"] = value
    review = d.get("review")
    if review:
        row["review_status"] = review.get("status")
        row["review_note"] = review.get("note")
        row["review_corrections"] = json.dumps(review.get("corrections") or {}, ensure_ascii=False)
    return row


def _pyarrow() -> Any:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise MissingDependencyError(
            "Parquet output needs pyarrow, which is not installed: pip install 'imnm-nlp[parquet]'"
        ) from exc
    return pa, pq


def _batches(records: Iterable[Any], size: int) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for rec in records:
        batch.append(flatten_record(rec))
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def write_parquet(path: str | os.PathLike[str], records: Iterable[Any], *, batch_size: int = _BATCH) -> int:
    """Write records to one Parquet file (see module docstring); return the number of rows.

    Raises:
        MissingDependencyError: pyarrow is not installed (names ``pip install 'imnm-nlp[parquet]'``).
        RecordError: a record lacks ``type``/``provenance``.
    """
    pa, pq = _pyarrow()
    arrow = {str: pa.string(), int: pa.int64(), float: pa.float64(), bool: pa.bool_()}
    columns = parquet_columns()
    schema = pa.schema([(name, arrow[base]) for name, base in columns])
    n = 0
    with atomic_path(path) as tmp:
        with pq.ParquetWriter(tmp, schema, compression="zstd") as writer:
            for batch in _batches(records, batch_size):
                data = {name: [row.get(name) for row in batch] for name, _ in columns}
                writer.write_table(pa.table(data, schema=schema))
                n += len(batch)
    return n
