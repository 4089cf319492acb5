"""MEDLINE/PubMed text format (``.nbib``, PubMed "Save → PubMed format" ``.txt``).

Contract:

* A field line is a tag padded to four characters, ``-``, a space and the value (``PMID- 1``, ``TI  - x``).
  A line starting with six spaces continues the previous field; NLM wraps long values at a space, so a
  continuation is joined with exactly one space (the line breaks are not part of the text).
* Records start at ``PMID-`` and are separated by blank lines; CRLF and a leading blank line are fine.
* Sections: ``TI`` → ``title`` (en); ``TT`` (title in the original language) → a ``zh`` title when it is
  Chinese (other languages are not analysed); ``AB`` → one ``abstract`` section (en), structured or not:
  labels such as ``BACKGROUND:`` stay inside the text (we do not over-split); ``OAB`` (other abstract)
  → a ``zh`` abstract when it is Chinese. When ``LA`` is ``chi`` the English fields point at the Chinese
  ones with ``translation_of`` (the Chinese is the original); otherwise the Chinese point at the English.
* Metadata: ``PMID``, ``DP`` year, ``JT`` (else ``TA``) journal, DOI from ``LID``/``AID`` ``... [doi]``,
  ``FAU`` (else ``AU``) authors, ``OT`` keywords, ``MH`` MeSH headings (qualifiers and ``*`` kept as written).
* A record without ``PMID`` is an error issue (skipped); one without ``AB`` is yielded plus a warning.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from imnm_nlp.errors import RecordError
from imnm_nlp.readers._common import OnIssue, clean_doi, first_year, has_cjk, read_text, split_lines
from imnm_nlp.records import Document, ReadIssue, Section

_FIELD = re.compile(r"^([A-Z][A-Z0-9]{0,3})\s*- ?(.*)$")
_CONT = "      "


def _records(lines: list[str]) -> Iterator[tuple[int, list[tuple[str, str]]]]:
    """Yield ``(first line number, [(tag, value)])`` per blank-line separated record."""
    fields: list[tuple[str, str]] = []
    start = 0
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            if fields:
                yield start, fields
                fields = []
            continue
        if line.startswith(_CONT) and fields:
            tag, value = fields[-1]
            fields[-1] = (tag, f"{value} {line.strip()}")
            continue
        match = _FIELD.match(line)
        if match is None:
            # Not a field and not a continuation: keep it as a continuation rather than lose text.
            if fields:
                tag, value = fields[-1]
                fields[-1] = (tag, f"{value} {line.strip()}")
            continue
        if match.group(1) == "PMID" and any(t == "PMID" for t, _ in fields):
            yield start, fields  # records glued without a blank line
            fields = []
        if not fields:
            start = lineno
        fields.append((match.group(1), match.group(2).strip()))
    if fields:
        yield start, fields


def _doi(values: list[str]) -> str | None:
    for value in values:
        if value.endswith("[doi]"):
            return clean_doi(value[: -len("[doi]")])
    return None


def _document(fields: list[tuple[str, str]], path: Path, index: int, encoding: str) -> tuple[Document, list[str]]:
    get: dict[str, list[str]] = {}
    for tag, value in fields:
        get.setdefault(tag, []).append(value)
    pmids = [p for p in get.get("PMID", []) if p.isdigit()]
    if not pmids:
        raise RecordError(f"record has no numeric PMID (first tag {fields[0][0]!r})")
    chinese_original = any(v.lower().startswith("chi") for v in get.get("LA", []))
    en: list[Section] = []
    zh: list[Section] = []
    for title in get.get("TI", [])[:1]:
        en.append(Section(name="title", lang="en", text=title))
    for title in get.get("TT", []):
        if has_cjk(title):
            zh.append(Section(name="title", lang="zh", text=title))
    for abstract in get.get("AB", []):
        en.append(Section(name="abstract", lang="en", text=abstract))
    for other in get.get("OAB", []):
        if has_cjk(other):
            zh.append(Section(name="abstract", lang="zh", text=other))
    sections = _link(en, zh, chinese_original)
    warnings = [] if any(s.name == "abstract" for s in sections) else ["no abstract: title-only document"]
    pmid = pmids[0]
    doc = Document(
        id=f"pmid:{pmid}",
        source_file=str(path),
        record_index=index,
        sections=tuple(sections),
        title=(get.get("TI") or [""])[0],
        source_format="medline",
        year=first_year((get.get("DP") or [""])[0]),
        journal=(get.get("JT") or get.get("TA") or [None])[0],
        doi=_doi(get.get("LID", []) + get.get("AID", [])),
        pmid=pmid,
        authors=tuple(get.get("FAU") or get.get("AU") or ()),
        keywords=tuple(get.get("OT", [])),
        mesh_terms=tuple(get.get("MH", [])),
        encoding=encoding,
    )
    return doc, warnings


def _link(en: list[Section], zh: list[Section], chinese_original: bool) -> list[Section]:
    """Order the sections (original language first) and point each translation at its original."""
    first, second = (zh, en) if chinese_original else (en, zh)
    out = list(first)
    for sec in second:
        target = next((i for i, s in enumerate(first) if s.name == sec.name), None)
        out.append(Section(name=sec.name, lang=sec.lang, text=sec.text, translation_of=target))
    return out


def read(path: Path, on_issue: OnIssue) -> Iterator[Document]:
    """Yield one Document per MEDLINE record of ``path``; bad records go to ``on_issue``.

    Example:
        >>> docs = list(read(Path("tests/fixtures/readers/external/biopython_pubmed_result1.txt"), print))  # doctest: +SKIP
        >>> docs[0].id  # doctest: +SKIP
        'pmid:12230038'
    """
    decoded = read_text(path, on_issue)
    if decoded is None:
        return
    text, encoding = decoded
    for index, (line, fields) in enumerate(_records(split_lines(text.lstrip("\ufeff")))):
        try:
            doc, warnings = _document(fields, path, index, encoding)
        except RecordError as exc:
            on_issue(ReadIssue(file=str(path), record=index, line=line, reason=str(exc)))
            continue
        for reason in warnings:
            on_issue(ReadIssue(file=str(path), record=index, line=line, reason=reason, kind="warning", doc_id=doc.id))
        yield doc
