"""PubMed/MEDLINE XML: baseline and update files (``.xml``/``.xml.gz``), efetch output, old MEDLINE sets.

Contract:

* Roots: ``PubmedArticleSet`` (``PubmedArticle``, ``PubmedBookArticle``, ``DeleteCitation``) and the older
  ``MedlineCitationSet`` (bare ``MedlineCitation``). Streaming: an ``lxml.etree.XMLPullParser`` fed 64 KB
  chunks, end events of the record tags only; each record is cleared and its finished siblings deleted, so
  memory stays flat on a 200 MB baseline file. ``huge_tree`` allows very long abstracts; ``recover=False``
  so breakage is seen.
* Breakage: a truncated ``.gz`` or an XML error after N good records keeps those N documents and reports
  one ``error`` issue with the reason (XMLSyntaxError text and line, EOFError, zlib error).
* ``DeleteCitation``: one ``deletion`` issue per PMID (``doc_id="pmid:N"``); nothing is yielded.
* Sections: ``title`` (ArticleTitle; English, with PubMed's ``[bracketed]`` translations of foreign titles,
  unless the text itself is Chinese); ``VernacularTitle`` → a ``zh`` title when Chinese; one section per
  ``AbstractText`` named by its ``Label`` (``abstract`` when unlabelled); ``OtherAbstract Language="chi"``
  (or any Chinese OtherAbstract) → ``zh`` abstract sections. When the article language (``Article/Language``)
  is ``chi`` the Chinese sections come first and the English ones point at them with ``translation_of``;
  otherwise the Chinese ones point at the English. ``Type`` of OtherAbstract is not kept (Section has no slot).
* Text of inline markup (``<i>``, ``<sub>``, ``<sup>``, MathML) is kept via ``itertext``; whitespace runs that
  contain a line break (pretty-printing between tags) become one space; the result is stripped.
* Metadata: ``pmid``, ``version`` (PMID ``Version``), journal (``Title``, else ``ISOAbbreviation``, else
  ``MedlineTA``; book: ``BookTitle``), year (``PubDate/Year``, else first year of ``MedlineDate``, else
  ``ArticleDate``), DOI (``ArticleId IdType="doi"``, else ``ELocationID EIdType="doi"``), keywords, MeSH
  descriptor names, authors (``Last, Fore`` or ``CollectiveName``).
* A record without PMID is an ``error`` issue (skipped). A record without any abstract is yielded (title
  only) and reported as a ``warning`` "no abstract", so the pipeline never loses it silently.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from lxml import etree

from imnm_nlp.errors import ReaderError, RecordError
from imnm_nlp.readers._common import OnIssue, clean_doi, detect_lang, first_year, has_cjk
from imnm_nlp.readers.detect import open_binary
from imnm_nlp.records import Document, ReadIssue, Section

_RECORD_TAGS = ("PubmedArticle", "PubmedBookArticle", "MedlineCitation", "DeleteCitation")
_LAYOUT_SPACE = re.compile(r"\s*\n\s*")
_MATHML = "{http://www.w3.org/1998/Math/MathML}"


def _text(elem: etree._Element | None) -> str:
    """All text inside ``elem`` (inline markup included), pretty-printing line breaks folded to a space."""
    if elem is None:
        return ""
    parts: list[str] = []
    _collect(elem, parts)
    return _LAYOUT_SPACE.sub(" ", "".join(parts)).strip()


def _collect(elem: etree._Element, parts: list[str]) -> None:
    """Depth-first text of ``elem`` without its own tail. MathML tokens (``<mml:mi>V</mml:mi>`` one per
    line) are glued without the layout whitespace between them: ``VO2max``, not ``V O 2 m a x``."""
    if not isinstance(elem.tag, str):  # comment or processing instruction: not text (its tail is)
        return
    if elem.tag.startswith(_MATHML):
        parts.append("".join(t.strip() for t in elem.itertext()))
        return
    parts.append(elem.text or "")
    for child in elem:
        _collect(child, parts)
        parts.append(child.tail or "")


def _release(elem: etree._Element) -> None:
    """Free a finished record and the already-processed siblings before it (flat memory on big files)."""
    elem.clear(keep_tail=True)
    parent = elem.getparent()
    if parent is not None:
        while elem.getprevious() is not None:
            del parent[0]


class _Guarded:
    """File wrapper handing lxml small reads and turning a decompression failure into end-of-data.

    ``GzipFile.read(n)`` raises on a truncated stream *before* returning the bytes it did decompress, so
    lxml would lose the good records of that buffer. ``read1`` returns what is available; the first error is
    kept in :attr:`error` and reported as the reason, and the parser sees a premature end of document.
    """

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self.error: BaseException | None = None

    def read(self, size: int = -1) -> bytes:
        if self.error is not None:
            return b""
        try:
            read1 = getattr(self._raw, "read1", self._raw.read)
            return read1(size if 0 < size <= 65536 else 65536)  # type: ignore[no-any-return]
        except (EOFError, zlib.error, OSError) as exc:
            self.error = exc
            return b""


def _record_events(handle: _Guarded) -> Iterator[tuple[str, etree._Element]]:
    """End events of the record tags, as ``iterparse`` gives them, except that the records parsed before an
    XML error are still delivered before the error is raised.

    Why not ``iterparse``: with lxml 6.2 / libxml2 2.14 it drops the events of the chunk in which the error
    occurs (measured: a broken fourth record lost the complete third one); a pull parser keeps them readable.
    At a premature end (truncated file) libxml2 closes the open elements itself, so the events that only
    ``close()`` produced belong to an incomplete record and are dropped.
    """
    parser = etree.XMLPullParser(
        events=("end",), tag=_RECORD_TAGS, huge_tree=True, recover=False,
        resolve_entities=False, no_network=True, load_dtd=False,
    )
    while True:
        chunk = handle.read(65536)
        if not chunk:
            parser.close()  # raises XMLSyntaxError on a premature end; its events are not yielded
            yield from parser.read_events()
            return
        try:
            parser.feed(chunk)
        except etree.XMLSyntaxError:
            yield from parser.read_events()  # the records completed before the error
            raise
        yield from parser.read_events()


def read(path: Path, on_issue: OnIssue) -> Iterator[Document]:
    """Stream Documents out of one PubMed XML file (plain or gzipped); problems go to ``on_issue``."""
    try:
        raw = open_binary(path)
    except OSError as exc:
        on_issue(ReadIssue(file=str(path), record=None, reason=f"cannot open: {exc}"))
        return
    index = 0
    with raw:
        handle = _Guarded(raw)
        try:
            for _event, elem in _record_events(handle):
                if elem.tag == "MedlineCitation" and elem.getparent() is not None and elem.getparent().tag in ("PubmedArticle",):
                    continue  # handled with its PubmedArticle
                if elem.tag == "DeleteCitation":
                    for pmid in elem.iter("PMID"):
                        on_issue(ReadIssue(file=str(path), record=None, line=pmid.sourceline, kind="deletion",
                                           reason="DeleteCitation", doc_id=f"pmid:{(pmid.text or '').strip()}"))
                    _release(elem)
                    continue
                line = elem.sourceline
                try:
                    doc, warnings = _document(elem, path, index)
                except (RecordError, ReaderError) as exc:
                    on_issue(ReadIssue(file=str(path), record=index, line=line, reason=str(exc)))
                    doc, warnings = None, []
                _release(elem)
                index += 1
                for reason in warnings:
                    on_issue(ReadIssue(file=str(path), record=index - 1, line=line, reason=reason, kind="warning",
                                       doc_id=doc.id if doc else None))
                if doc is not None:
                    yield doc
        except etree.XMLSyntaxError as exc:
            if handle.error is not None:
                reason = f"file truncated or corrupt after {index} records: {type(handle.error).__name__}: {handle.error}"
            else:
                reason = f"XML broken after {index} records: {exc.msg}"
            on_issue(ReadIssue(file=str(path), record=index, line=exc.lineno, reason=reason))
        except (EOFError, zlib.error, OSError) as exc:
            on_issue(ReadIssue(file=str(path), record=index,
                               reason=f"file truncated or corrupt after {index} records: {type(exc).__name__}: {exc}"))


def _document(elem: etree._Element, path: Path, index: int) -> tuple[Document, list[str]]:
    """Build a Document from a PubmedArticle, PubmedBookArticle or bare MedlineCitation element."""
    if elem.tag == "PubmedBookArticle":
        return _book(elem, path, index)
    citation = elem if elem.tag == "MedlineCitation" else elem.find("MedlineCitation")
    if citation is None:
        raise RecordError("PubmedArticle without MedlineCitation")
    article = citation.find("Article")
    if article is None:
        raise RecordError("MedlineCitation without Article")
    pmid, version = _pmid(citation)
    languages = [(lang.text or "").strip().lower() for lang in article.findall("Language")]
    titles = [_text(article.find("ArticleTitle")), _text(article.find("VernacularTitle"))]
    abstracts = article.findall("Abstract/AbstractText")
    others = citation.findall("OtherAbstract")
    sections, warnings = _sections(titles, abstracts, others, "chi" in languages)
    journal = article.find("Journal")
    year_el = journal.find("JournalIssue/PubDate") if journal is not None else None
    year = _year(year_el) or first_year(_text(article.find("ArticleDate/Year")))
    doi_ids = [_text(a) for a in elem.findall("PubmedData/ArticleIdList/ArticleId") if a.get("IdType") == "doi"]
    doi_ids += [_text(e) for e in article.findall("ELocationID") if e.get("EIdType") == "doi"]
    journal_name = None
    if journal is not None:
        journal_name = _text(journal.find("Title")) or _text(journal.find("ISOAbbreviation")) or None
    journal_name = journal_name or _text(citation.find("MedlineJournalInfo/MedlineTA")) or None
    doc = Document(
        id=f"pmid:{pmid}", source_file=str(path), record_index=index, sections=tuple(sections),
        title=titles[0] or titles[1], source_format="pubmed-xml", year=year, journal=journal_name,
        doi=next((d for d in map(clean_doi, doi_ids) if d), None), pmid=pmid,
        authors=_authors(article.find("AuthorList")),
        keywords=tuple(k for k in (_text(kw) for kw in citation.iterfind("KeywordList/Keyword")) if k),
        mesh_terms=tuple(m for m in (_text(d) for d in citation.iterfind("MeshHeadingList/MeshHeading/DescriptorName")) if m),
        encoding=_encoding(elem), version=version,
    )
    return doc, warnings


def _book(elem: etree._Element, path: Path, index: int) -> tuple[Document, list[str]]:
    book_doc = elem.find("BookDocument")
    if book_doc is None:
        raise RecordError("PubmedBookArticle without BookDocument")
    pmid, version = _pmid(book_doc)
    book_title = _text(book_doc.find("Book/BookTitle"))
    title = _text(book_doc.find("ArticleTitle")) or book_title
    languages = [(lang.text or "").strip().lower() for lang in book_doc.findall("Language")]
    sections, warnings = _sections([title, _text(book_doc.find("VernacularTitle"))],
                                   book_doc.findall("Abstract/AbstractText"), [], "chi" in languages)
    doi_ids = [_text(a) for a in book_doc.findall("ArticleIdList/ArticleId") if a.get("IdType") == "doi"]
    doc = Document(
        id=f"pmid:{pmid}", source_file=str(path), record_index=index, sections=tuple(sections), title=title,
        source_format="pubmed-xml", year=_year(book_doc.find("Book/PubDate")), journal=book_title or None,
        doi=next((d for d in map(clean_doi, doi_ids) if d), None), pmid=pmid,
        authors=_authors(book_doc.find("AuthorList")) or _authors(_book_authors(book_doc)),
        keywords=tuple(k for k in (_text(kw) for kw in book_doc.iterfind("KeywordList/Keyword")) if k),
        encoding=_encoding(elem), version=version,
    )
    return doc, warnings


def _book_authors(book_doc: etree._Element) -> etree._Element | None:
    """A whole book's author list (``Book/AuthorList`` that is not the editors'), for books without chapter authors."""
    return next((a for a in book_doc.iterfind("Book/AuthorList") if a.get("Type") != "editors"), None)


def _pmid(parent: etree._Element) -> tuple[str, int | None]:
    node = parent.find("PMID")
    pmid = _text(node)
    if not pmid.isdigit():
        raise RecordError(f"record has no numeric PMID (got {pmid!r})")
    raw_version = node.get("Version") if node is not None else None
    return pmid, int(raw_version) if raw_version and raw_version.isdigit() else None


def _sections(titles: list[str], abstracts: list[etree._Element], others: list[etree._Element],
              chinese_original: bool) -> tuple[list[Section], list[str]]:
    """English and Chinese sections, original language first, translations pointing at the original."""
    en: list[tuple[str, Section]] = []
    zh: list[tuple[str, Section]] = []
    title, vernacular = titles
    if title:
        lang = detect_lang(title)
        (zh if lang == "zh" else en).append(("title", Section(name="title", lang=lang, text=title)))
    if vernacular and has_cjk(vernacular) and detect_lang(vernacular) == "zh":
        zh.append(("title", Section(name="title", lang="zh", text=vernacular)))
    for node in abstracts:
        text = _text(node)
        if text:
            lang = detect_lang(text)
            (zh if lang == "zh" else en).append(("abstract", Section(name=node.get("Label") or "abstract", lang=lang, text=text)))
    for other in others:
        language = (other.get("Language") or "").lower()
        for node in other.findall("AbstractText"):
            text = _text(node)
            # Only Chinese is analysed; other-language abstracts (Spanish, German...) are left out.
            if text and (language == "chi" or has_cjk(text)) and detect_lang(text) == "zh":
                zh.append(("abstract", Section(name=node.get("Label") or "abstract", lang="zh", text=text)))
    first, second = (zh, en) if chinese_original and zh else (en, zh)
    out = [sec for _, sec in first]
    for kind, sec in second:
        target = next((i for i, (k, _) in enumerate(first) if k == kind), None)
        out.append(Section(name=sec.name, lang=sec.lang, text=sec.text, translation_of=target))
    has_abstract = any(kind == "abstract" for kind, _ in en + zh)
    return out, [] if has_abstract else ["no abstract: title-only document"]


def _year(date: etree._Element | None) -> int | None:
    if date is None:
        return None
    return first_year(_text(date.find("Year"))) or first_year(_text(date.find("MedlineDate")))


def _authors(author_list: etree._Element | None) -> tuple[str, ...]:
    if author_list is None:
        return ()
    names = []
    for author in author_list.iterfind("Author"):
        collective = _text(author.find("CollectiveName"))
        last, fore = _text(author.find("LastName")), _text(author.find("ForeName"))
        name = collective or (f"{last}, {fore}" if last and fore else last or fore)
        if name:
            names.append(name)
    return tuple(names)


def _encoding(elem: etree._Element) -> str:
    return (elem.getroottree().docinfo.encoding or "utf-8").lower()
