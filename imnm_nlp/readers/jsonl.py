"""JSON Lines input: one JSON object per line, our own simple format and the gold format (CONTRACT §2).

Contract:

* Object fields: ``id`` (required; ``jsonl:<id>`` unless it already has a namespace such as ``pmid:``),
  ``title``, and either ``text`` (one ``abstract`` section) or ``sections`` (a list of
  ``{"name", "text", "lang"?, "translation_of"?}``); optional ``lang``, ``pmid``, ``doi``, ``year``,
  ``journal``, ``keywords``. Other keys (gold ``entities``/``epi``/``treatments``, ``source``...) are ignored.
* Language: a section's ``lang``, else the record's ``lang``, else detected by script
  (``lang_detected=True``). A ``lang`` other than ``zh``/``en`` is an error for that record.
* A line that is not JSON, not an object, or not a valid record is an ``error`` issue with its line
  number; blank lines are skipped. A record with only a title is yielded plus a ``warning``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from imnm_nlp.errors import ReaderError, RecordError
from imnm_nlp.readers._common import OnIssue, clean_doi, detect_lang, first_year, read_text, split_lines
from imnm_nlp.records import LANGS, Document, ReadIssue, Section

_NAMESPACED = re.compile(r"^(pmid|cnki|doi|file|jsonl|gold|wanfang|text):\S+$")


def _lang(value: Any, fallback: str | None, text: str) -> tuple[str, bool]:
    lang = value if value is not None else fallback
    if lang is None:
        return detect_lang(text), True
    if lang not in LANGS:
        raise ReaderError(f"lang must be one of {', '.join(LANGS)}; got {lang!r}")
    return lang, False


def _doc_id(raw: Any) -> str:
    if raw is None or str(raw).strip() == "":
        raise ReaderError("record has no 'id'")
    ident = re.sub(r"\s+", "_", str(raw).strip())
    return ident if _NAMESPACED.match(ident) else f"jsonl:{ident}"


def _document(obj: Any, path: Path, index: int, encoding: str) -> tuple[Document, list[str]]:
    if not isinstance(obj, dict):
        raise ReaderError(f"line is JSON but not an object (got {type(obj).__name__})")
    record_lang = obj.get("lang")
    sections: list[Section] = []
    title = obj.get("title") or ""
    if not isinstance(title, str):
        raise ReaderError("'title' must be a string")
    if title.strip():
        lang, detected = _lang(None, record_lang, title)
        sections.append(Section(name="title", lang=lang, text=title, lang_detected=detected))
    if "sections" in obj:
        if not isinstance(obj["sections"], list):
            raise ReaderError("'sections' must be a list of {name, text, lang?} objects")
        offset = len(sections)
        for i, sec in enumerate(obj["sections"]):
            if not isinstance(sec, dict) or not isinstance(sec.get("text"), str):
                raise ReaderError(f"sections[{i}] must be an object with a string 'text'")
            lang, detected = _lang(sec.get("lang"), record_lang, sec["text"])
            target = sec.get("translation_of")
            sections.append(Section(name=str(sec.get("name") or "abstract"), lang=lang, text=sec["text"],
                                    lang_detected=detected, translation_of=None if target is None else int(target) + offset))
    elif obj.get("text") is not None:
        if not isinstance(obj["text"], str):
            raise ReaderError("'text' must be a string")
        lang, detected = _lang(None, record_lang, obj["text"])
        sections.append(Section(name="abstract", lang=lang, text=obj["text"], lang_detected=detected))
    if not sections:
        raise ReaderError("record has no title, text or sections")
    doc_id = _doc_id(obj.get("id"))
    pmid = str(obj["pmid"]) if obj.get("pmid") not in (None, "") else None
    if pmid is None and doc_id.startswith("pmid:"):
        pmid = doc_id[len("pmid:"):]
    keywords = obj.get("keywords") or ()
    doc = Document(
        id=doc_id, source_file=str(path), record_index=index, sections=tuple(sections),
        title=title, source_format="jsonl", year=first_year(str(obj.get("year") or "")),
        journal=obj.get("journal") or None, doi=clean_doi(obj.get("doi")), pmid=pmid,
        keywords=tuple(str(k) for k in keywords) if isinstance(keywords, list) else (), encoding=encoding,
    )
    warnings = [] if any(s.name != "title" for s in sections) else ["no abstract: title-only document"]
    return doc, warnings


def read(path: Path, on_issue: OnIssue) -> Iterator[Document]:
    """Yield one Document per JSON line of ``path``; bad lines go to ``on_issue`` with their line number."""
    decoded = read_text(path, on_issue)
    if decoded is None:
        return
    text, encoding = decoded
    index = 0
    for lineno, line in enumerate(split_lines(text), start=1):
        if not line.strip():
            continue
        try:
            doc, warnings = _document(json.loads(line), path, index, encoding)
        except json.JSONDecodeError as exc:
            on_issue(ReadIssue(file=str(path), record=index, line=lineno, reason=f"invalid JSON: {exc.msg} at column {exc.colno}"))
            index += 1
            continue
        except (ReaderError, RecordError, ValueError, TypeError) as exc:
            on_issue(ReadIssue(file=str(path), record=index, line=lineno, reason=str(exc)))
            index += 1
            continue
        for reason in warnings:
            on_issue(ReadIssue(file=str(path), record=index, line=lineno, reason=reason, kind="warning", doc_id=doc.id))
        index += 1
        yield doc
