"""How a figure gets its measure: the per-sentence decision behind :func:`imnm_nlp.extraction.epi.extract_epi`.

Contract: :class:`SentenceJudge` takes the figure slots of one sentence (``figures.figure_slots``) and
returns one :class:`Decision` (slot, measure, score) per slot that is an epidemiological figure, in
order. The steps, their order and the vetoes are documented in ``epi.py``; the cue words are data in
``resources/extraction/<lang>.json``. Scores: 0.9 explicit measure word, 0.85 ``respectively`` zip,
0.8 measure word after the figure or continuation, 0.7 per-year rate, 0.6 proportion from context,
0.5 guesses (a bare per-N rate, a model-added proportion).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from imnm_nlp.extraction.context import clause_group, entities_in
from imnm_nlp.extraction.cues import find_cues, has_cue
from imnm_nlp.extraction.figures import Slot, ci_end
from imnm_nlp.extraction.hints import HintPolicy, SentenceHint
from imnm_nlp.extraction.rules import ExtractionRules
from imnm_nlp.records import EntitySpan

EXPLICIT = ("incidence", "prevalence", "mortality", "other")
# Character windows, per language (Chinese packs a word into ~1.5 characters, English into ~6).
_BEFORE = {"en": 40, "zh": 12}
_AFTER = {"en": 30, "zh": 8}
_NEAR_ENTITY = {"en": 110, "zh": 30}
_ANNUAL = re.compile(r"per year|annual|annually|/year|a year|each year|yearly|每年|/年|年发病|年均发病")
_CHANGE = re.compile(
    r"(?:increased|decreased|rose|fell|declined|dropped|reduced|grew|increase of|decrease of|reduction of|"
    r"升高了|降低了|下降了|增加了|提高了|减少了|增长了)\s*(?:by\s*)?(?:approximately|about|nearly|约)?\s*$", re.IGNORECASE)
_MEAN_SD = re.compile(r"\s*(?:±|\+/-|\+-)\s*")
_CLAUSE_COMMA = re.compile(r"[,;，；]\s")
_SUBGROUP_EN = re.compile(r"\b(?:in|for|among|between)\s+(?:the\s+|all\s+)?(?:[A-Za-z-]+\s+(?:and|or)\s+)?$", re.IGNORECASE)
_ABBR_RATE = re.compile(r"(?<![A-Za-z])[A-Z]{2,6}\s*(?:平均)?率")


@dataclass(frozen=True, slots=True)
class Decision:
    """A slot judged to be an epi figure, its measure and the rule's confidence."""

    slot: Slot
    measure: str
    score: float


def _measure_of_cue(rules: ExtractionRules, cue: str) -> str | None:
    low = re.sub(r"\s+", " ", cue.lower())
    for measure in EXPLICIT:
        if low in (c.lower() for c in rules.measures[measure]):
            return measure
    return None


def _explicit_cues(text: str, lang: str, rules: ExtractionRules, start: int, end: int) -> list[tuple[int, int, str]]:
    cues = tuple(c for m in EXPLICIT for c in rules.measures[m])
    out = []
    for a, b, cue in find_cues(text, cues, lang, start, end):
        measure = _measure_of_cue(rules, cue)
        if measure:
            out.append((a, b, measure))
    return out


class SentenceJudge:
    """Decides the measure of each figure slot of one sentence (steps 1-6 of the module docstring)."""

    def __init__(self, text: str, lang: str, sentence: tuple[int, int], ents: Sequence[EntitySpan],
                 rules: ExtractionRules, hint: SentenceHint | None, policy: HintPolicy) -> None:
        self.text, self.lang, self.sentence, self.ents, self.rules = text, lang, sentence, ents, rules
        self.hint, self.policy = hint, policy

    def _veto(self, cues: tuple[str, ...], start: int, end: int) -> bool:
        return start < end and has_cue(self.text, cues, self.lang, start, end)

    def _demographic(self, start: int, end: int) -> bool:
        """A demographic word in ``[start, end)`` that describes the figure ("59.9% were male"), not one that
        names a subgroup the figure is given for ("0.84% for women", "in men"): those keep the measure."""
        if start >= end:
            return False
        for a, _, _ in find_cues(self.text, self.rules.demographic, self.lang, start, end):
            if not (self.lang == "en" and _SUBGROUP_EN.search(self.text, max(0, a - 30), a)):
                return True
        return False

    def decide(self, slots: list[Slot]) -> list[Decision]:
        text, lang, rules = self.text, self.lang, self.rules
        zipped = self._respectively(slots)
        out: list[Decision] = []
        prev: Slot | None = None
        prev_measure: str | None = None
        prev_demo = prev_vetoed = False
        for i, slot in enumerate(slots):
            if prev is not None and _restates(text, prev, slot):
                continue
            if _MEAN_SD.search(text[max(0, slot.start - 2) : slot.start]) or _MEAN_SD.match(text, slot.end):
                prev, prev_measure, prev_vetoed = slot, None, True  # 31%±16%: a mean and its SD, no rate
                continue
            g0, g1 = clause_group(text, lang, self.sentence, slot.start, slot.end, semicolon=False)
            same_group = prev is not None and prev.end > g0
            w0 = prev.end if same_group and prev is not None else g0
            nxt = slots[i + 1].start if i + 1 < len(slots) and slots[i + 1].start < g1 else g1
            after = (ci_end(text, slot.end, g1), min(nxt, g1, slot.end + _AFTER[lang]))
            local0 = max(w0, slot.start - _BEFORE[lang])
            explicit = sorted(_explicit_cues(text, lang, rules, w0, slot.start) + self._disease_rate(w0, slot.start))
            # demographics count only in the figure's own comma clause: "26 (90%) were female, and 12 (41%)
            # had CADM" (the 41% is no demographic), "detected (21.4%), with onset age from 6 to 67 years"
            d0 = max([local0] + [m.end() for m in _CLAUSE_COMMA.finditer(text, local0, slot.start)])
            d1 = next((m.start() for m in _CLAUSE_COMMA.finditer(text, after[0], after[1])), after[1])
            demo = self._demographic(d0, slot.start) or self._demographic(after[0], d1)
            measure, score = zipped.get(slot.start, (None, 0.0))
            vetoed = False
            if measure is None and explicit:
                cue_start = explicit[-1][0]
                vetoed = (self._veto(rules.non_epi, max(w0, cue_start - _AFTER[lang]), slot.start)
                          or self._veto(rules.non_epi, *after)
                          or _CHANGE.search(text[max(w0, slot.start - 30) : slot.start]) is not None)
                measure, score = (None, 0.0) if vetoed else (explicit[-1][2], 0.9)
                prev_demo = demo
            elif measure is None:
                if same_group and prev_vetoed:
                    vetoed = True  # "总有效率为88.89％,高于对照组之73.91％": the parallel figure is no epi either
                else:
                    measure, score = self._implicit(slot, w0, after, same_group, prev_measure, prev_demo, demo, g0, g1)
            if measure is not None:
                measure = self._refine(measure, slot, w0, local0, g0, g1)
            if measure is not None:
                measure, score = self._apply_hint(measure, score)
            elif not vetoed and self._hint_adds(slot, w0, after, demo):
                measure, score = "proportion", 0.5
            if measure is not None:
                out.append(Decision(slot, measure, score))
            # Continuation carries a measure that a word decided (even when refined to proportion),
            # never one guessed from context alone.
            carried = measure if measure is not None and score >= 0.8 else None
            prev, prev_measure, prev_vetoed = slot, carried, vetoed
        return out

    def _disease_rate(self, start: int, end: int) -> list[tuple[int, int, str]]:
        """Chinese ``SSI率``/``SSI 发生率``: a DISEASE directly followed by 率 names its incidence."""
        if self.lang != "zh":
            return []
        out = []
        for e in entities_in(self.ents, start, end, ("DISEASE",)):
            m = re.match(r"\s*(?:的)?(?:平均)?率", self.text[e.end : e.end + 5])
            if m:
                out.append((e.start, e.end + m.end(), "incidence"))
        # An untagged Latin abbreviation right before 率 (SSI率) is read the same way.
        for m in _ABBR_RATE.finditer(self.text, start, end):
            if not any(a <= m.start() < b for a, _, b in [(o[0], None, o[1]) for o in out]):
                out.append((m.start(), m.end(), "incidence"))
        return out

    def _refine(self, measure: str, slot: Slot, w0: int, local0: int, g0: int, g1: int) -> str | None:
        """Adjust a measure for what the annotation guide counts (ANNOTATION.md "Edge cases decided")."""
        text, lang, rules = self.text, self.lang, self.rules
        pct = slot.rate.unit == "percent"
        near = entities_in(self.ents, g0, g1, ("ANTIBODY", "HLA_ALLELE", "DISEASE"))
        # A share (占, accounted for) of a disease, antibody or allele is a proportion whatever the word.
        if pct and near and self._veto(rules.share_cues, local0, slot.start):
            return "proportion"
        # A percentage "prevalence of ILD in the ASA+ IIM group" is the share of a cohort: proportion.
        if pct and measure == "prevalence" and has_cue(text, rules.cohort_words, lang, w0, slot.end + _AFTER[lang]):
            return "proportion"
        # Survival/mortality of a treatment arm is a treatment outcome, not epi.
        if measure in ("mortality", "other") and (
                entities_in(self.ents, *self.sentence, ("DRUG",)) or has_cue(text, rules.treatment_words, lang, g0, g1)):
            return None
        return measure

    def _implicit(self, slot: Slot, w0: int, after: tuple[int, int], same_group: bool, prev_measure: str | None,
                  prev_demo: bool, demo: bool, g0: int, g1: int) -> tuple[str | None, float]:
        text, lang, rules = self.text, self.lang, self.rules
        local0 = max(w0, slot.start - _BEFORE[lang])
        if self._veto(rules.non_epi, local0, slot.start) or self._veto(rules.non_epi, *after):
            return None, 0.0
        if _CHANGE.search(text[max(local0, slot.start - 30) : slot.start]):
            return None, 0.0  # "increased 73%", "下降了20%": a change, not a rate
        following = find_cues(text, rules.measure_after, lang, *after)
        if following:
            return _measure_of_cue(rules, following[0][2]) or "proportion", 0.8
        pct = slot.rate.unit == "percent"
        drug_near = bool(entities_in(self.ents, local0, after[1], ("DRUG",)))
        # continuation first: "a mortality rate of 60/1000 person-years in IIM and 20/1000 person-years in
        # the general population" keeps its worded measure, person-years or not
        if same_group and prev_measure and not drug_near and (not demo or prev_demo):
            return prev_measure, 0.8
        if not pct and (slot.rate.person_years or _ANNUAL.search(text, max(g0, slot.start - 30), min(g1, slot.end + 30))):
            return "incidence", 0.7
        if demo or drug_near:
            return None, 0.0
        if not pct:
            # A population rate (per N) with no measure word: incidence is what abstracts mostly state.
            return "incidence", 0.5
        reach = _NEAR_ENTITY[lang]
        near = [e for e in entities_in(self.ents, g0, g1, ("ANTIBODY", "HLA_ALLELE", "DISEASE"))
                if e.end >= slot.start - reach and e.start <= slot.end + reach]
        lo, hi = max(g0, slot.start - reach), min(g1, slot.end + reach)
        if slot.bare and slot.rate.total and any(0 <= e.start - slot.end <= 1 for e in near):
            return "proportion", 0.6  # "4,534 patients ..., with 2,902 dermatomyositis": a count of a subtype
        if near and has_cue(text, rules.measures["proportion"] + rules.share_cues, lang, lo, hi):
            if self._treatment_outcome(slot.end, g1):
                return None, 0.0
            return "proportion", 0.6
        return None, 0.0

    def _treatment_outcome(self, start: int, g1: int) -> bool:
        """"One-third of patients ... improved ... following RTX": what the figure's clause says after it is a
        response, and the sentence names a drug or a treatment: a treatment outcome, not a share of a disease."""
        text, lang, rules = self.text, self.lang, self.rules
        treated = bool(entities_in(self.ents, *self.sentence, ("DRUG",))) or has_cue(text, rules.treatment_words, lang, *self.sentence)
        return treated and has_cue(text, rules.non_epi, lang, start, g1)

    def _respectively(self, slots: list[Slot]) -> dict[int, tuple[str, float]]:
        """``incidence and prevalence were 0.83 and 1.85 ..., respectively`` → zip measures with figures."""
        text, lang, rules = self.text, self.lang, self.rules
        s0, s1 = self.sentence
        out: dict[int, tuple[str, float]] = {}
        for a, _, _ in find_cues(text, rules.respectively, lang, s0, s1):
            g0, g1 = clause_group(text, lang, self.sentence, a, a)
            group = [s for s in slots if g0 <= s.start < g1]
            if len(group) < 2:
                continue
            cues = _explicit_cues(text, lang, rules, g0, group[0].start)
            if len(cues) == len(group) and len({c[2] for c in cues}) > 1:
                out.update({s.start: (c[2], 0.85) for s, c in zip(group, cues)})
        return out

    def _apply_hint(self, measure: str, score: float) -> tuple[str | None, float]:
        p = self.hint.p_kind("epi") if self.hint else None
        if p is not None and measure == "proportion" and score < 0.8 and p < self.policy.veto_below:
            return None, 0.0
        return measure, score

    def _hint_adds(self, slot: Slot, w0: int, after: tuple[int, int], demo: bool) -> bool:
        p = self.hint.p_kind("epi") if self.hint else None
        if p is None or p < self.policy.add_at or demo or slot.rate.unit != "percent":
            return False
        rules = self.rules
        return not (self._veto(rules.non_epi, max(w0, slot.start - _BEFORE[self.lang]), slot.start) or self._veto(rules.non_epi, *after))


def _restates(text: str, prev: Slot, slot: Slot) -> bool:
    """``1 in 3,070 (0.3/1,000)``: a population rate restated in parentheses is the same figure."""
    return (prev.rate.unit != "percent" and slot.rate.unit != "percent"
            and re.fullmatch(r"\s*[(（]\s*", text[prev.end : slot.start]) is not None)


