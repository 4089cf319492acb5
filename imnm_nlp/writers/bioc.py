"""BioC JSON export (the format PubTator serves and most biomedical NLP tools read).

Layout followed (checked against the ``bioc`` Python package's JSON encoder, ``bioc/biocjson/encoder.py``
and ``schema/bioc_schema.json`` in github.com/bionlplab/bioc, and against a PubTator3 BioC JSON
response kept as a test fixture in github.com/PathwayCommons/factoid, ``test/pubtator/*.json``)::

    collection {source, date, key, infons, documents: [
      document {id, infons, passages: [
        passage {offset, infons {type, section, lang}, text, sentences: [], annotations: [
          annotation {id, infons {type, identifier, canonical, ...}, text, locations: [{offset, length}]}],
          relations: [...]}],
        annotations: [], relations: []}]}

* One passage per :class:`~imnm_nlp.records.Section`. As in PubTator, the passage ``offset`` is the
  position of the section in the document text made by joining the sections with one separator
  character (title 0..81, abstract at 82), and annotation ``locations`` are **document-level**
  offsets: ``passage.offset + start``. Offsets count Python code points (as the ``bioc`` package does).
* Entity mentions (``type: entity``) become annotations: ``infons.type`` is the label
  (``DRUG``...), ``identifier`` the norm id (omitted when there is none: BioC infons are strings),
  ``canonical`` the normalized name.
* Evidence records (epi, treatment, risk_factor) become passage **relations** (``infons.type`` is the
  record type, the record's fields as string infons, ``record_id``) whose node points at the
  annotation covering the record's own span (the RATE of a figure, the DRUG of a claim), when there is
  one; BioC relations may have no nodes, so a record without a matching mention is still exported.
* Records whose document is not among ``documents`` are skipped (logged); a mention whose text does not
  match its section at its offsets raises :class:`~imnm_nlp.errors.RecordError`.
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
import os
from collections import defaultdict
from typing import Any, Iterable, Mapping

from imnm_nlp.errors import RecordError
from imnm_nlp.records import Document
from imnm_nlp.writers.atomic import atomic_write

logger = logging.getLogger(__name__)

__all__ = ["to_bioc", "write_bioc", "SEPARATOR"]

SEPARATOR = 1  # characters between passages in the document-level text, as PubTator ("\n" between title and abstract)

_ROLE = {"epi": "figure", "treatment": "drug", "risk_factor": "factor"}
_SKIP_FIELDS = {"type", "record_id", "provenance", "rate"}


def _infon(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _as_dict(rec: Any) -> dict[str, Any]:
    return dict(rec) if isinstance(rec, Mapping) else rec.to_dict()


def _passage_offsets(doc: Document) -> list[int]:
    offsets, pos = [], 0
    for sec in doc.sections:
        offsets.append(pos)
        pos += len(sec.text) + SEPARATOR
    return offsets


def _doc_infons(doc: Document) -> dict[str, str]:
    infons = {"source_format": doc.source_format, "lang": "+".join(doc.langs), "source_file": doc.source_file}
    for key in ("pmid", "doi", "journal", "year"):
        value = getattr(doc, key)
        if value is not None and value != "":
            infons[key] = _infon(value)
    return {k: v for k, v in infons.items() if v}


def _document(doc: Document, recs: list[dict[str, Any]]) -> dict[str, Any]:
    offsets = _passage_offsets(doc)
    passages = []
    for i, sec in enumerate(doc.sections):
        passages.append({
            "offset": offsets[i],
            "infons": {"type": "title" if sec.name.lower() == "title" else "abstract", "section": sec.name,
                       "lang": sec.lang, **({"translation_of": str(sec.translation_of)} if sec.translation_of is not None else {})},
            "text": sec.text, "sentences": [], "annotations": [], "relations": [],
        })
    span_ids: dict[tuple[int, int, int], str] = {}
    n_ann = n_rel = 0
    # Mentions first so that relations can point at them; within a kind, text order.
    ordered = sorted(recs, key=lambda r: (r["type"] != "entity", r["provenance"].get("section_index", 0),
                                         r["provenance"]["start"], r["provenance"]["end"], r["record_id"]))
    for rec in ordered:
        p = rec["provenance"]
        idx = p.get("section_index", 0)
        if not 0 <= idx < len(doc.sections):
            raise RecordError(f"BioC: record {rec['record_id']} points at section {idx}; {doc.id} has {len(doc.sections)}")
        passage, text = passages[idx], doc.sections[idx].text
        start, end = p["start"], p["end"]
        if rec["type"] == "entity":
            if text[start:end] != rec["text"]:
                raise RecordError(f"BioC: mention {rec['text']!r} != {doc.id} section {idx}[{start}:{end}] {text[start:end]!r}")
            n_ann += 1
            ann_id = f"T{n_ann}"
            infons = {"type": rec["label"], "canonical": rec.get("canonical") or rec["text"], "record_id": rec["record_id"]}
            if rec.get("norm_id"):
                infons["identifier"] = rec["norm_id"]
            if rec.get("kind"):
                infons["kind"] = rec["kind"]
            passage["annotations"].append({
                "id": ann_id, "infons": infons, "text": rec["text"],
                "locations": [{"offset": passage["offset"] + start, "length": end - start}],
            })
            span_ids.setdefault((idx, start, end), ann_id)
        else:
            n_rel += 1
            infons = {"type": rec["type"], "record_id": rec["record_id"], "evidence": p["sentence"]}
            infons.update({k: _infon(v) for k, v in rec.items() if k not in _SKIP_FIELDS and v is not None and v != ""})
            node = span_ids.get((idx, start, end))
            passage["relations"].append({
                "id": f"R{n_rel}", "infons": infons,
                "nodes": [{"refid": node, "role": _ROLE.get(rec["type"], "evidence")}] if node else [],
            })
    return {"id": doc.id, "infons": _doc_infons(doc), "passages": passages, "annotations": [], "relations": []}


def to_bioc(
    documents: Iterable[Document],
    records: Iterable[Any],
    *,
    source: str = "imnm-nlp",
    date: str | None = None,
    key: str = "imnm-nlp.key",
) -> dict[str, Any]:
    """Build a BioC JSON collection (a plain dict) from documents and their evidence records.

    Args:
        documents: the :class:`Document` objects the records were extracted from (order kept).
        records: evidence records or their ``to_dict()`` form.
        source, key: collection-level BioC fields. ``date`` defaults to today (UTC, ``YYYY-MM-DD``).

    Returns:
        ``{"source", "date", "key", "infons", "documents": [...]}``; ``json.dumps`` it or use :func:`write_bioc`.

    Raises:
        RecordError: a mention's text does not match its section text at its offsets.
    """
    by_doc: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for rec in records:
        d = _as_dict(rec)
        by_doc[d["provenance"]["doc_id"]].append(d)
    docs = []
    for doc in documents:
        docs.append(_document(doc, by_doc.pop(doc.id, [])))
    if by_doc:
        logger.warning("BioC: %d records of %d documents not given were skipped",
                       sum(map(len, by_doc.values())), len(by_doc))
    return {
        "source": source,
        "date": date or _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d"),
        "key": key,
        "infons": {},
        "documents": docs,
    }


def write_bioc(
    path: str | os.PathLike[str],
    documents: Iterable[Document],
    records: Iterable[Any],
    **kwargs: Any,
) -> int:
    """Write :func:`to_bioc` as UTF-8 JSON to ``path`` atomically; return the number of documents."""
    collection = to_bioc(documents, records, **kwargs)
    with atomic_write(path, "w", encoding="utf-8") as fh:
        json.dump(collection, fh, ensure_ascii=False)
        fh.write("\n")
    return len(collection["documents"])
