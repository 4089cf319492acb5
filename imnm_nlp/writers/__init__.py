"""Writers: every output file of a run, written atomically (temp file + fsync + rename).

* ``records.jsonl``, ``errors.jsonl``: :func:`write_jsonl` / :func:`read_jsonl` (:mod:`.jsonl`)
* ``claims.csv`` (the reviewer sheet): :func:`write_claims_csv` (:mod:`.csv`)
* ``reviewed.jsonl``: :func:`apply_review` -> :class:`ReviewReport` (:mod:`.review`, sheet reading in :mod:`.sheet`)
* BioC JSON: :func:`to_bioc` / :func:`write_bioc` (:mod:`.bioc`)
* Parquet: :func:`write_parquet`, needs pyarrow (:mod:`.parquet`)
* ``manifest.json``: :class:`RunCounts`, :func:`build_manifest`, :func:`write_manifest`, :func:`read_manifest` (:mod:`.manifest`)
* ``imnm-nlp export``: :func:`export_run` (:mod:`.export`)
* atomic primitives: :func:`atomic_write`, :func:`atomic_path` (:mod:`.atomic`)

Nothing heavy is imported here: pyarrow is imported only when :func:`write_parquet` runs.
"""

from __future__ import annotations

from imnm_nlp.writers.atomic import atomic_path, atomic_write
from imnm_nlp.writers.bioc import to_bioc, write_bioc
from imnm_nlp.writers.csv import CLAIMS_COLUMNS, doc_meta_from_documents, write_claims_csv
from imnm_nlp.writers.export import export_run
from imnm_nlp.writers.jsonl import read_jsonl, write_jsonl
from imnm_nlp.writers.manifest import (
    MANIFEST_VERSION, RunCounts, build_manifest, check_manifest, read_manifest, write_manifest,
)
from imnm_nlp.writers.parquet import MissingDependencyError, write_parquet
from imnm_nlp.writers.review import ReviewReport, RowProblem, apply_review, corrected_record

__all__ = [
    "atomic_write", "atomic_path",
    "write_jsonl", "read_jsonl",
    "CLAIMS_COLUMNS", "write_claims_csv", "doc_meta_from_documents",
    "apply_review", "ReviewReport", "RowProblem", "corrected_record",
    "to_bioc", "write_bioc", "export_run",
    "write_parquet", "MissingDependencyError",
    "MANIFEST_VERSION", "RunCounts", "build_manifest", "write_manifest", "read_manifest", "check_manifest",
]
