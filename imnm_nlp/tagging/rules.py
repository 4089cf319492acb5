"""The rule-based tagger: lexicon names + HLA and RATE patterns → sorted, non-overlapping EntitySpans.

Contract of :func:`tag_rules`:
    * offsets index the raw ``text`` (never changed); every span satisfies ``text[start:end] == span.text``;
    * spans are sorted by start and never overlap or nest;
    * each span has ``canonical``, ``norm_id``, ``kind``, ``source`` (``lexicon`` or ``pattern``) and, for
      RATE, the parsed :class:`~imnm_nlp.records.Rate`.

Overlap policy (documented, tested): all candidates (lexicon names, blocked surfaces, HLA, rates, rate
blockers) compete; the **longest** wins; at equal length a pattern (HLA/RATE) beats a lexicon name (an HLA
name such as ``DR3`` or a rate is more specific than any name it overlaps), then the earlier start wins.
Blocked surfaces and rate blockers (``95% CI 0.7-1.5``) are dropped after they have won. Names found by
shape compete like lexicon names: Chinese preparations (:mod:`.products`: 神脑康胶囊, 益气活血汤), eponyms,
named infections and ``-itis``/``-pathy`` words (:mod:`.eponyms`); their ``source`` is ``pattern`` and their
``norm_id`` ``IMNM:DRUG:unlisted``/``IMNM:DIS:unlisted`` unless the lexicon knows the stem. Then
:func:`~imnm_nlp.tagging.extend.extend_spans` fixes boundaries (name-internal modifiers, salts, dosage forms;
drops ``Myositis Cohort``), :func:`~imnm_nlp.tagging.abbrev.tag_abbreviations` tags abbreviations the text
defines (``手术部位感染(SSI)`` → every ``SSI``), and :func:`~imnm_nlp.tagging.compose.compose` merges
compounds (``myositis-associated ILD``, ``DM-ILD``). The rules of these steps are data in
``resources/span_rules.json``.

Speed: a handful of regexes compiled once per process (~2 s: lexicon load + compilation), then about
2,200 abstracts/s per core on real Chinese and English abstracts (tests/test_tagging_real.py has a floor).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from imnm_nlp.errors import InputError
from imnm_nlp.normalize.hla import find_hla
from imnm_nlp.normalize.rates import find_rates
from imnm_nlp.records import EntitySpan, Rate
from imnm_nlp.tagging.abbrev import tag_abbreviations
from imnm_nlp.tagging.compose import compose
from imnm_nlp.tagging.eponyms import find_eponyms, find_shaped_diseases
from imnm_nlp.tagging.extend import extend_spans
from imnm_nlp.tagging.lexicon import Entry, Lexicon, load_lexicon
from imnm_nlp.tagging.lexmatch import matcher_for
from imnm_nlp.tagging.products import find_products
from imnm_nlp.tagging.span_rules import span_rules
from imnm_nlp.tagging.view import lower_view, width_view

_BLOCK = object()  # payload of a candidate that hides what it covers and is then dropped


@dataclass(frozen=True, slots=True)
class _Made:
    """A name found by shape, not by the lexicon (a Chinese preparation, an eponym)."""

    label: str
    canonical: str
    norm_id: str | None = None
    kind: str | None = None
    stem: str | None = None  # a product's short name, tagged wherever the section uses it


_GLUED_ABBR = re.compile(r"(?<![A-Za-z0-9])([A-Z][A-Za-z]{1,5})(?=\d+\s?[例名])")


def _made_candidates(text: str, lexicon: Lexicon) -> list[tuple[int, int, int, Any]]:
    """Preparations (神脑康胶囊) and eponyms (Prader-Willi syndrome) as lexicon-priority candidates."""
    rules = span_rules()
    cands: list[tuple[int, int, int, Any]] = []
    for s, e, stem in find_products(text, rules):
        entry = lexicon.lookup(stem or text[s:e], label="DRUG")
        made = (_Made("DRUG", entry.canonical, entry.norm_id, entry.cls, stem) if entry is not None
                else _Made("DRUG", (stem or text[s:e]).lower(), "IMNM:DRUG:unlisted", "preparation", stem))
        cands.append((s, e, 1, made))
    # Chinese text glues a Latin abbreviation to a count ("其中PM50例,DM93例"): the trie's word boundary
    # (needed in English) misses it, so an abbreviation the lexicon knows is taken here
    for m in _GLUED_ABBR.finditer(text):
        entry = lexicon.lookup(m.group(1), lang="en")
        if entry is not None and m.group(1) in entry.abbr:
            cands.append((m.start(1), m.end(1), 1, entry))
    for s, e in find_eponyms(text, rules):
        cands.append((s, e, 1, _Made("DISEASE", text[s:e], "IMNM:DIS:unlisted", "eponym")))
    for s, e in find_shaped_diseases(text, rules):
        cands.append((s, e, 1, _Made("DISEASE", text[s:e].lower(), "IMNM:DIS:unlisted", "shape")))
    return cands


def _rate_canonical(rate: Rate) -> str:
    def fmt(x: float) -> str:
        return f"{x:g}"

    value = fmt(rate.value) + (f"-{fmt(rate.value_high)}" if rate.value_high is not None else "")
    return f"{value} {rate.unit}"  # "0.83 per 100000", "25 percent", "1-6 per 100000 person-years"


def _candidates(text: str, view: str, low: str, lexicon: Lexicon) -> list[tuple[int, int, int, Any]]:
    """``(start, end, priority, payload)``; priority 0 = pattern, 1 = lexicon (lower wins ties)."""
    cands: list[tuple[int, int, int, Any]] = []
    for s, e, entry in matcher_for(lexicon).find(text, view, low):
        cands.append((s, e, 1, entry if entry is not None else _BLOCK))
    for s, e, hla in find_hla(view):
        cands.append((s, e, 0, hla))
    for s, e, rate in find_rates(view):
        if e > s:
            cands.append((s, e, 0, rate if rate is not None else _BLOCK))
    return cands + _made_candidates(text, lexicon)


_CLOCK = re.compile(r"\d\s?$")  # "3 PM" is a time of day, not polymyositis


def _drop_times(text: str, chosen: list[tuple[int, int, Any]]) -> list[tuple[int, int, Any]]:
    return [c for c in chosen if not (isinstance(c[2], Entry) and text[c[0] : c[1]] == "PM"
                                      and _CLOCK.search(text, max(0, c[0] - 3), c[0]))]


def _resolve(cands: list[tuple[int, int, int, Any]], n: int) -> list[tuple[int, int, Any]]:
    """Greedy longest-first selection of disjoint candidates (see the module docstring).

    ``n`` is the text length; occupied characters are marked in a bytearray so a 1 MB text stays linear.
    """
    taken: list[tuple[int, int, Any]] = []
    occupied = bytearray(n)
    for s, e, _, payload in sorted(cands, key=lambda c: (-(c[1] - c[0]), c[2], c[0])):
        if 1 in occupied[s:e]:
            continue
        occupied[s:e] = b"\x01" * (e - s)
        if payload is not _BLOCK:
            taken.append((s, e, payload))
    return sorted(taken, key=lambda t: t[0])


def _span(text: str, s: int, e: int, payload: Any) -> EntitySpan:
    surface = text[s:e]
    if isinstance(payload, Entry):
        return EntitySpan(s, e, payload.label, surface, canonical=payload.canonical, norm_id=payload.norm_id,
                          kind=payload.cls, source="lexicon")
    if isinstance(payload, _Made):
        return EntitySpan(s, e, payload.label, surface, canonical=payload.canonical, norm_id=payload.norm_id,
                          kind=payload.kind, source="pattern")
    if isinstance(payload, Rate):
        return EntitySpan(s, e, "RATE", surface, canonical=_rate_canonical(payload), kind=payload.unit,
                          source="pattern", rate=payload)
    # an HlaName
    return EntitySpan(s, e, "HLA_ALLELE", surface, canonical=payload.canonical, norm_id=payload.canonical,
                      kind=payload.kind, source="pattern")


def tag_rules(text: str, lang: str, lexicon: Lexicon | None = None) -> list[EntitySpan]:
    """Tag ANTIBODY, DRUG, DISEASE (lexicon) and HLA_ALLELE, RATE (patterns) spans in raw text.

    Args:
        text: raw section text (any Unicode; full-width forms, U+3000 and ``∗`` are handled via a view).
        lang: ``"zh"`` or ``"en"``. Both languages' names and patterns are searched in either (Chinese
            abstracts quote English names and vice versa); ``lang`` is validated and kept for the contract.
        lexicon: a lexicon (e.g. ``load_lexicon().without(0.2, seed=1)`` for ablation); default the bundled one.

    Returns:
        Sorted, non-overlapping spans, each with ``text[start:end] == span.text``.

    Example:
        >>> [(s.label, s.text) for s in tag_rules("IMNM的发病率为0.83/10万", "zh")]
        [('DISEASE', 'IMNM'), ('RATE', '0.83/10万')]
    """
    if lang not in ("zh", "en"):
        raise InputError(f"lang must be 'zh' or 'en'; got {lang!r}")
    if not isinstance(text, str):
        raise InputError(f"text must be a str; got {type(text).__name__}")
    if not text:
        return []
    lex = lexicon if lexicon is not None else load_lexicon()
    view = width_view(text)
    low = lower_view(text, view)
    chosen = _drop_times(text, _resolve(_candidates(text, view, low, lex), len(text)))
    spans = [_span(text, s, e, p) for s, e, p in chosen]
    rules = span_rules()
    spans = extend_spans(text, low, spans, lex, rules)
    stems = {p.stem: _span(text, s, e, p) for s, e, p in chosen if isinstance(p, _Made) and p.stem}
    spans = tag_abbreviations(text, spans, rules, stems)
    spans = extend_spans(text, low, spans, lex, rules)  # 慢性 + a short name defined above (肺心病)
    return compose(text, spans, lex, view, low)


__all__ = ["tag_rules"]
