"""Span boundaries the lexicon alone gets wrong: name-internal modifiers, salts, dosage forms, non-names.

Contract: :func:`extend_spans` takes the raw text, its lower-case view and sorted, non-overlapping spans
and returns sorted, non-overlapping spans where (rules as data in ``resources/span_rules.json``)

* a DISEASE span grows left over name-internal modifiers written directly before it: English words
  followed by one space or hyphen (``congenital hypothyroidism``, ``systemic autoimmune myopathies``;
  ANNOTATION.md keeps adult/refractory/severe/chronic *out*, so they are not in the list), organ words
  before a neoplasm head (``lung adenocarcinoma``), and Chinese prefixes glued to the name, repeatedly
  (``急性`` + ``缺血性`` + ``中风``; zh_notes.md call 8);
* a DRUG span written in Chinese grows over a salt before it and a dosage form after it
  (``硫酸吗啡控释片``, ``长春西汀注射液``; zh_notes.md call 2);
* a DISEASE span is dropped when it is part of something else: a capitalized word before an organisation
  or study noun (``Myositis Cohort``, ``Atherosclerosis Risk in Communities``) or before ``-like``/``样``
  (``dystrophy-like features``, ``白癜风样色素减退斑``).

A span never grows into a neighbouring span. Grown spans keep the head's ``norm_id`` and ``kind``; their
``canonical`` is the lexicon's for the whole surface when it has one, else the head's (English: the
modifier plus the head's canonical).
"""

from __future__ import annotations

import re
from functools import lru_cache

from imnm_nlp.records import EntitySpan
from imnm_nlp.tagging.lexicon import Lexicon
from imnm_nlp.tagging.span_rules import SpanRules

_CJK = re.compile(r"[\u4e00-\u9fff]")
# after a one-character dosage form (片, 丸, 汤 ...) only a word break may follow: 片段, 片刻 are words
_FORM_FOLLOW = set("治组联合口静每与和及或等后前的对用加并为是在，,。.;；、)）(（ ")


@lru_cache(maxsize=32)
def _by_length(words: tuple[str, ...]) -> tuple[tuple[int, ...], frozenset[str]]:
    """Word lengths, longest first, and the word set: one slice and one set lookup per length, not per word."""
    return tuple(sorted({len(w) for w in words}, reverse=True)), frozenset(words)


def _left_word(low: str, start: int, floor: int, words: tuple[str, ...], glue: str) -> int | None:
    """Start of the longest ``word`` + ``glue`` ending at ``start`` (word-bounded on its left), or None."""
    lengths, known = _by_length(words)
    for n in lengths:
        a = start - len(glue) - n
        if a < floor or low[a : a + n] not in known or (glue and low[a + n : start] not in (" ", "-")):
            continue
        if a > 0 and low[a - 1].isalnum() and not _CJK.match(low[a - 1]):
            continue
        return a
    return None


def _grow(text: str, span: EntitySpan, start: int, end: int, lexicon: Lexicon, lang_en: bool) -> EntitySpan:
    surface = text[start:end]
    entry = lexicon.lookup(surface, label=span.label)
    if entry is not None:
        canonical, norm_id, kind = entry.canonical, entry.norm_id, entry.cls
    else:
        norm_id, kind = span.norm_id, span.kind
        if lang_en and span.label == "DISEASE":
            canonical = f"{text[start:span.start].strip(' -').lower()} {span.canonical}"
        else:
            canonical = span.canonical
    return EntitySpan(start, end, span.label, surface, canonical=canonical, norm_id=norm_id, kind=kind,
                      source=span.source, score=span.score)


def _disease_start(low: str, span: EntitySpan, floor: int, rules: SpanRules) -> int:
    start = span.start
    head = low[span.start : span.end]
    if _CJK.match(head[:1]):
        while (a := _left_word(low, start, floor, rules.get("disease_prefix_zh"), "")) is not None:
            start = a
        return start
    heads = set(rules.get("organ_en", "heads"))
    if head.rsplit(" ", 1)[-1] in heads:
        a = _left_word(low, start, floor, rules.get("organ_en"), " ")
        start = a if a is not None else start
    while True:
        a = _left_word(low, start, floor, rules.get("disease_prefix_en"), " ")
        if a is None:
            a = _left_word(low, start, floor, rules.get("disease_prefix_en"), "-")
        if a is None:
            return start
        start = a


def _drug_bounds(text: str, span: EntitySpan, floor: int, ceil: int, rules: SpanRules) -> tuple[int, int]:
    start, end = span.start, span.end
    if not _CJK.search(span.text):
        return start, end
    for salt in rules.get("drug_salt_zh"):
        a = start - len(salt)
        if a >= floor and text[a:start] == salt:
            start = a
            break
    for form in rules.get("dosage_form_zh"):
        b = end + len(form)
        if b <= ceil and text[end:b] == form:
            if len(form) == 1 and b < len(text) and _CJK.match(text[b]) and text[b] not in _FORM_FOLLOW:
                continue
            end = b
            break
    return start, end


def _is_part_of_name(text: str, span: EntitySpan, rules: SpanRules) -> bool:
    if text[span.end : span.end + 5] == "-like" or (_CJK.match(span.text[:1]) and text[span.end : span.end + 1] == "样"):
        return True  # dystrophy-like features, 白癜风样色素减退斑: a look, not the disease
    surface = span.text
    if not (surface[:1].isupper() and any(c.islower() for c in surface)):
        return False  # abbreviations (PWS Association) are still the disease
    m = re.match(r" ([A-Z][a-z]+)", text[span.end : span.end + 20])
    return bool(m and m.group(1) in rules.get("org_nouns_en"))


def extend_spans(text: str, low: str, spans: list[EntitySpan], lexicon: Lexicon, rules: SpanRules) -> list[EntitySpan]:
    """Apply the boundary rules of the module docstring to sorted, disjoint ``spans``."""
    out: list[EntitySpan] = []
    for i, span in enumerate(spans):
        floor = out[-1].end if out else 0
        ceil = spans[i + 1].start if i + 1 < len(spans) else len(text)
        if span.label == "DISEASE":
            if _is_part_of_name(text, span, rules):
                continue
            start = _disease_start(low, span, floor, rules)
            if start != span.start:
                span = _grow(text, span, start, span.end, lexicon, not _CJK.match(span.text[:1]))
        elif span.label == "DRUG":
            start, end = _drug_bounds(text, span, floor, ceil, rules)
            if (start, end) != (span.start, span.end):
                span = _grow(text, span, start, end, lexicon, False)
        out.append(span)
    return out


__all__ = ["extend_spans"]
