"""Shared engine of the CNKI/Wanfang tagged exports (RefWorks, EndNote/refer, NoteExpress, E-Study).

The four formats differ only in how a field line looks (``T1 x``, ``%T x``, ``{Title}: x``,
``Title-题名: x``) and in tag names; everything else is common and lives here:

* **Records.** A record ends at a blank line, or when a record-opening tag the record already has comes
  again (E-Study has no blank lines between records: every record starts with ``DataType:``). A non-tag
  line continues the previous field: CNKI wraps long values, so the line break is glued away next to
  Chinese text and stands for a space between Latin words (:func:`join_wrapped`). A non-tag line with no
  field before it is reported (``warning``) and ignored.
* **Languages.** CNKI records often carry the Chinese and the English title/abstract of the same paper
  (a second ``AB``/``%X``, or NoteExpress ``{Translated Abstract}``). The language of each field is detected
  by script (:func:`~imnm_nlp.readers._common.detect_lang`, ``lang_detected=True``) unless the tag says it is
  the translation (then English). Sections come primary language first (the language of the first title,
  else of the first abstract); each other-language section has ``translation_of`` pointing at the first
  primary-language section of the same name.
* **Ids.** ``doi:<doi>`` when the record has a DOI, else ``cnki:``/``wanfang:`` + a stable hash of
  title and year (``wanfang`` when the provider field names Wanfang/万方).
* **Text.** Section text is the field value as exported, minus CNKI's ``<正>`` marker (it flags that the
  "abstract" is the first paragraph of the body text; it is not part of the text).
* A record without a title and without an abstract is an ``error`` issue (skipped); one without an
  abstract is yielded and reported as a ``warning`` ("no abstract").
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from imnm_nlp.errors import ReaderError, RecordError
from imnm_nlp.readers._common import (
    OnIssue,
    clean_doi,
    detect_lang,
    first_year,
    join_wrapped,
    read_text,
    split_keywords,
    split_lines,
    split_names,
    stable_key,
)
from imnm_nlp.records import Document, ReadIssue, Section

# Roles a tag can play; format modules map their tags onto these.
ROLES = (
    "type", "title", "title_tr", "abstract", "abstract_tr", "author", "journal", "year", "date",
    "doi", "keywords", "keywords_tr", "language", "provider", "url",
)
# CNKI's "正文" marker, written with ASCII, full-width or angle-bracket variants.
_ZHENG = re.compile(r"^\s*[<＜〈⟨]正[>＞〉⟩]\s*")


@dataclass
class RawRecord:
    """One record as parsed: ``(tag, value)`` pairs in file order, where it starts, what went wrong."""

    index: int
    line: int
    fields: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class TaggedFormat:
    """How one export format writes a field line.

    Args:
        name: the format name (``refworks``...), stored in ``Document.source_format``.
        line: regex matched against each line: group 1 is the tag, the first later group that matched is
            the value.
        roles: tag (as captured, after :attr:`key`) → role in :data:`ROLES`; other tags are ignored.
        start_tags: tags that open a record; seeing one that the current record already has starts the next
            record (so E-Study, with no blank lines, splits on ``DataType`` or, lacking it, on ``Title``).
        after_abstract: when set, the only tags recognized on the line after an abstract line; any other
            tag-looking line continues the abstract (RefWorks ``AD patients ...`` is text, not an address).
        key: ``"tag"`` to look tags up as captured, ``"upper"`` to upper-case them first (RefWorks ``vo``),
            ``"prefix"`` to use the text before the first ``-`` (E-Study: ``Title-题名`` → ``Title``).
    """

    name: str
    line: re.Pattern[str]
    roles: Mapping[str, str]
    start_tags: frozenset[str] = frozenset()
    after_abstract: frozenset[str] | None = None
    key: str = "tag"

    def tag_of(self, captured: str) -> str:
        captured = captured.strip()
        if self.key == "prefix":
            return captured.split("-", 1)[0].strip()
        return captured.upper() if self.key == "upper" else captured


def parse_records(lines: list[str], fmt: TaggedFormat, path: Path, on_issue: OnIssue) -> Iterator[RawRecord]:
    """Group the lines of an export into records of ``(tag, value)`` pairs (see module doc for the rules)."""
    current: RawRecord | None = None
    count = 0
    for lineno, raw in enumerate(lines, start=1):
        line = raw.rstrip()
        if not line.strip():
            if current is not None and current.fields:
                yield current
                current = None
            continue
        match = fmt.line.match(line.lstrip("\ufeff"))
        if match is None:
            if current is not None and current.fields:
                tag, value = current.fields[-1]
                current.fields[-1] = (tag, join_wrapped(value, line.strip()))
            else:
                on_issue(ReadIssue(file=str(path), record=count, line=lineno, kind="warning",
                                   reason=f"line outside any record ignored: {line[:60]!r}"))
            continue
        value = next((g for g in match.groups()[1:] if g is not None), "")
        tag, value = fmt.tag_of(match.group(1)), value.strip()
        if (current is not None and current.fields and fmt.after_abstract is not None
                and tag not in fmt.after_abstract
                and fmt.roles.get(current.fields[-1][0]) in ("abstract", "abstract_tr")):
            last_tag, last_value = current.fields[-1]
            current.fields[-1] = (last_tag, join_wrapped(last_value, line.strip()))
            continue
        if current is not None and tag in fmt.start_tags and any(t == tag for t, _ in current.fields):
            yield current
            current = None
        if current is None:
            current = RawRecord(index=count, line=lineno)
            count += 1
        current.fields.append((tag, value))
    if current is not None and current.fields:
        yield current


def read_tagged(path: Path, on_issue: OnIssue, fmt: TaggedFormat) -> Iterator[Document]:
    """Read one tagged export file and yield a :class:`Document` per good record."""
    decoded = read_text(path, on_issue)
    if decoded is None:
        return
    text, encoding = decoded
    for rec in parse_records(split_lines(text), fmt, path, on_issue):
        try:
            doc, warnings = build_document(rec, fmt, path, encoding)
        except (ReaderError, RecordError) as exc:
            on_issue(ReadIssue(file=str(path), record=rec.index, line=rec.line, reason=str(exc)))
            continue
        for reason in warnings:
            on_issue(ReadIssue(file=str(path), record=rec.index, line=rec.line, reason=reason, kind="warning", doc_id=doc.id))
        yield doc


def build_document(rec: RawRecord, fmt: TaggedFormat, path: Path, encoding: str) -> tuple[Document, list[str]]:
    """Turn a parsed record into a Document plus warning reasons; raise ReaderError when it is unusable."""
    by_role: dict[str, list[str]] = {role: [] for role in ROLES}
    for tag, value in rec.fields:
        role = fmt.roles.get(tag)
        if role is not None and value.strip():
            by_role[role].append(value.strip())
    if not (by_role["title"] or by_role["title_tr"] or by_role["abstract"] or by_role["abstract_tr"]):
        raise ReaderError(f"record has neither title nor abstract (tags: {', '.join(sorted({t for t, _ in rec.fields}))})")
    sections = _sections(by_role)
    warnings = [] if any(s.name == "abstract" for s in sections) else ["no abstract: title-only document"]
    titles = by_role["title"] or by_role["title_tr"]
    year = first_year(by_role["year"][0] if by_role["year"] else None) or first_year(by_role["date"][0] if by_role["date"] else None)
    doi = clean_doi(by_role["doi"][0] if by_role["doi"] else None)
    if by_role["doi"] and doi is None:
        warnings.append(f"DOI field is not a DOI, ignored: {by_role['doi'][0][:60]!r}")
    provider = " ".join(by_role["provider"] + by_role["url"]).lower()
    namespace = "wanfang" if ("万方" in provider or "wanfang" in provider) else "cnki"
    doc_id = f"doi:{doi}" if doi else f"{namespace}:{stable_key(titles[0] if titles else by_role['abstract'][0][:200], year)}"
    doc = Document(
        id=doc_id,
        source_file=str(path),
        record_index=rec.index,
        sections=tuple(sections),
        title=titles[0] if titles else "",
        source_format=fmt.name,
        year=year,
        journal=by_role["journal"][0] if by_role["journal"] else None,
        doi=doi,
        authors=split_names(by_role["author"]),
        keywords=split_keywords(by_role["keywords"] + by_role["keywords_tr"]),
        encoding=encoding,
    )
    return doc, warnings


def _sections(by_role: dict[str, list[str]]) -> list[Section]:
    """Order title/abstract fields by language, primary first, and link translations."""
    items: list[tuple[str, str, str, bool]] = []  # (name, lang, text, detected)
    for role, name, translated in (("title", "title", False), ("abstract", "abstract", False),
                                   ("title_tr", "title", True), ("abstract_tr", "abstract", True)):
        for value in by_role[role]:
            text = _ZHENG.sub("", value) if name == "abstract" else value
            if not text.strip():
                continue
            lang = detect_lang(text)
            # A "translated" field is the other-language version; trust the script when it disagrees.
            items.append((name, lang, text, not (translated and lang == "en")))
    if not items:
        return []
    primary = items[0][1]
    # Titles before abstracts within each language, whatever the tag order (EndNote puts %Q anywhere).
    rank = {"title": 0, "abstract": 1}
    ordered = sorted(items, key=lambda it: (it[1] != primary, rank[it[0]]))
    first_of: dict[str, int] = {}
    sections: list[Section] = []
    for i, (name, lang, text, detected) in enumerate(ordered):
        target = first_of.get(name) if lang != primary else None
        if lang == primary:
            first_of.setdefault(name, i)
        sections.append(Section(name=name, lang=lang, text=text, lang_detected=detected, translation_of=target))
    return sections
