"""Epidemiological figures (incidence, prevalence, proportion, mortality, other) from one section.

Entry point: :func:`extract_epi`. Contract (ARCHITECTURE.md, ANNOTATION.md "Epidemiological figures"):

* Input: the raw section ``text``, its ``lang``, sentence offsets, the tagger's entities (RATE spans
  carry ``rate``; a RATE without one is parsed by :func:`figures.fallback_rate`), a
  :class:`SectionContext`, and optional model ``hints`` (policy in :mod:`imnm_nlp.extraction.hints`).
* Output: :class:`EpiFigure` records in text order; provenance ``start``/``end`` is the RATE span (or
  the bare number of a ``respectively`` list), the evidence sentence is the figure's sentence.
* How a figure gets its measure (:mod:`imnm_nlp.extraction.measure`), in order: (1) a ``respectively``
  list zips its measure words with its figures; (2) an explicit measure word (发病率, prevalence,
  mortality, survival → ``other``; a disease + 率 as in ``SSI率`` → incidence) between the previous
  figure and this one, in the same clause group; (3) a measure word right after the figure (``a 5%
  prevalence``); (4) a rate written per year → ``incidence``; (5) continuation of the previous
  figure's worded measure (``0.04%, or 37.9 per 100 000``; ``(95.2 vs 72.4%)``); (6) ``proportion``: a
  percentage near an ANTIBODY / HLA_ALLELE / DISEASE entity with a proportion cue (found in, had, 阳性,
  检出, 占); (7) a per-N rate with no word at all → ``incidence`` (score 0.5). Otherwise no record.
* Refinements (the gold's conventions): a share (占, accounted for) is a ``proportion``; a percentage
  ``prevalence`` within a cohort (``in the ASA+ IIM group``, 患者中) is a ``proportion``; survival or
  mortality next to a drug or treatment words is a treatment outcome, not epi.
* Never epi (vetoes, rules in ``resources/extraction/<lang>.json``): treatment response (有效率,
  remission), adverse-event rates, diagnostic accuracy, lab values, yields, symptoms, changes
  (``increased 73%``), mean±SD, demographics (男性占60%) unless a measure word governs the figure, and
  figures next to a DRUG unless a measure word does; the parallel figure of a vetoed one is vetoed too.
* A count and its percentage give one figure (the percentage); a count alone gives ``100·k/n``; a
  per-N rate restated in parentheses (``1 in 3,070 (0.3/1,000)``) is one figure. Use
  :func:`collapse_epi` for the gold's one-item-per-figure view of a document.
* Region: the nearest region before the figure in its sentence, else the nearest after it, else the last
  region of an earlier sentence of the section (ANNOTATION: never an affiliation). Period likewise.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Mapping, Sequence

from imnm_nlp.errors import InputError
from imnm_nlp.extraction.collapse import collapse_epi
from imnm_nlp.extraction.context import (
    clause_group, entities_in, find_regions, is_myositis, main_disease, mark_myositis_aliases, name_of, per_sentence,
    pick_region,
)
from imnm_nlp.extraction.counts import extra_count_slots
from imnm_nlp.extraction.cues import has_cue
from imnm_nlp.extraction.figures import Slot, ci_after, count_slots, figure_slots, period_in, respectively_numbers
from imnm_nlp.extraction.hints import DEFAULT_POLICY, HintPolicy, SentenceHint, hint_for
from imnm_nlp.extraction.measure import SentenceJudge
from imnm_nlp.extraction.rules import load_rules
from imnm_nlp.records import LANGS, EntitySpan, EpiFigure, SectionContext

logger = logging.getLogger(__name__)

__all__ = ["EXTRACTOR", "EXTRACTOR_VERSION", "extract_epi", "collapse_epi", "check_inputs"]

EXTRACTOR = "epi-rules"
EXTRACTOR_VERSION = "0.1.0"
_PER_YEAR = re.compile(r"/\s*(?:year|yr|年)|per year|a year|annually|each year|yearly|person-years?|人年")


@dataclass
class _Carry:
    """What a figure inherits from earlier sentences of the same section."""

    region: str | None = None
    period: str | None = None
    disease: str | None = None


def check_inputs(text: str, lang: str, sentences: Sequence[tuple[int, int]]) -> None:
    """Raise InputError on an unknown language or sentence offsets outside the text."""
    if lang not in LANGS:
        raise InputError(f"lang must be one of {LANGS}; got {lang!r}")
    for s0, s1 in sentences:
        if not (0 <= s0 <= s1 <= len(text)):
            raise InputError(f"sentence offsets [{s0}, {s1}) fall outside the text (length {len(text)})")


def _annual(text: str, lang: str, rate_unit: str, sentence: tuple[int, int], slot: Slot) -> str:
    """A rate written per year (``2.6/million/year``, ``每年每10万人``) is per N person-years.

    Only the figure as written counts: "annual incidence rate was 2.1/100,000" stays ``per 100000``
    (the unit is recorded as written, ANNOTATION.md), "2.6/million/year" becomes person-years.
    """
    if rate_unit == "percent" or rate_unit.endswith("person-years"):
        return rate_unit
    written = text[slot.start : min(sentence[1], slot.end + 15)]
    if _PER_YEAR.search(written) or re.search(r"每年\S{0,6}$", text[max(sentence[0], slot.start - 10) : slot.start]):
        return rate_unit + " person-years"
    return rate_unit


def _antibody_name(e: EntitySpan) -> str:
    if e.canonical:
        return e.canonical
    m = re.match(r"^抗(.+?)(?:抗体)?$", e.text) or re.match(r"^(?:anti-?)?(.+?)(?:\s+(?:auto)?antibod(?:y|ies)|\s+Abs?)?$", e.text, re.IGNORECASE)
    return f"anti-{m.group(1)}" if m else e.text


def _population(ents: Sequence[EntitySpan], lang: str, g0: int, slot: Slot, measure: str, carry: _Carry, default: str | None) -> str | None:
    before = entities_in(ents, g0, slot.start)
    diseases = [e for e in before if e.label == "DISEASE"]
    myo = [e for e in diseases if is_myositis(e, lang)]
    disease = name_of(myo[-1]) if myo else (carry.disease or default or (name_of(diseases[-1]) if diseases else None))
    if measure == "proportion":
        return disease
    antibodies = [e for e in before if e.label == "ANTIBODY"]
    if antibodies:
        return f"{_antibody_name(antibodies[-1])} positive {disease or 'patients'}"
    return disease


def extract_epi(text: str, lang: str, sentences: Sequence[tuple[int, int]], entities: Sequence[EntitySpan],
                ctx: SectionContext, hints: Mapping[int, SentenceHint] | None = None,
                policy: HintPolicy = DEFAULT_POLICY) -> list[EpiFigure]:
    """Epidemiological figures of one section, in text order.

    Example:
        >>> from imnm_nlp.records import Rate
        >>> t = "The incidence of IMNM was 0.83 per 100,000."
        >>> ents = [EntitySpan(17, 21, "DISEASE", "IMNM", "IMNM"),
        ...         EntitySpan(26, 42, "RATE", "0.83 per 100,000", rate=Rate(0.83, "per 100000", per_100k=0.83))]
        >>> fig, = extract_epi(t, "en", [(0, len(t))], ents, SectionContext("text:x", "abstract", "en"))
        >>> (fig.measure, fig.value, fig.unit, fig.population)
        ('incidence', 0.83, 'per 100000', 'IMNM')
    """
    check_inputs(text, lang, sentences)
    rules = load_rules(lang)
    ents = mark_myositis_aliases(text, entities, lang)
    default = main_disease(ents, lang)
    carry = _Carry()
    out: list[EpiFigure] = []
    for idx, (sentence, sent_ents) in enumerate(zip(sentences, per_sentence(ents, sentences))):
        s0, s1 = sentence
        regions = find_regions(text, lang, s0, s1, sent_ents)
        period = period_in(text[s0:s1])
        slots = figure_slots(text, [e for e in sent_ents if e.label == "RATE"])
        counted = count_slots(text, lang, sentence, sent_ents)
        counted += [c for c in extra_count_slots(text, lang, sentence, sent_ents) if all(c.start != o.start for o in counted)]
        slots = sorted(slots + counted, key=lambda s: s.start)
        if slots:
            resp = has_cue(text, rules.respectively, lang, s0, s1)
            taken = [(e.start, e.end) for e in sent_ents]
            extra = [b for s in slots for b in respectively_numbers(
                text, lang, s, clause_group(text, lang, sentence, s.start, s.end)[0], taken, resp)]
            slots = sorted({s.start: s for s in slots + extra}.values(), key=lambda s: s.start)
        judge = SentenceJudge(text, lang, sentence, sent_ents, rules, hint_for(hints, idx), policy)
        for d in judge.decide(slots):
            slot, rate = d.slot, d.slot.rate
            g0, g1 = clause_group(text, lang, sentence, slot.start, slot.end)
            region = pick_region(regions, slot.start)
            ci = (rate.ci_low, rate.ci_high) if rate.ci_low is not None else ci_after(text, slot.end, g1)
            out.append(EpiFigure(
                measure=d.measure, value=rate.value,
                unit=_annual(text, lang, rate.unit, sentence, slot) if d.measure == "incidence" else rate.unit,
                provenance=ctx.provenance(text, slot.start, slot.end, sentence, EXTRACTOR, EXTRACTOR_VERSION, d.score),
                value_high=rate.value_high, per_100k=rate.per_100k if rate.unit != "percent" else None,
                population=_population(sent_ents, lang, g0, slot, d.measure, carry, default),
                region=region.name if region else carry.region, period=period or carry.period,
                ci_low=ci[0] if ci else None, ci_high=ci[1] if ci else None,
                sample_size=rate.total, numerator=rate.numerator, surface=slot.surface,
            ))
        if regions:
            carry.region = pick_region(regions, s1).name  # type: ignore[union-attr]
        if period and "-" in period:  # only a stated range carries to later sentences; a lone year is local
            carry.period = period
        myo = [e for e in sent_ents if e.label == "DISEASE" and is_myositis(e, lang)]
        carry.disease = name_of(myo[-1]) if myo else carry.disease
    logger.debug("%s: %d epi figures", ctx.doc_id, len(out))
    return out
