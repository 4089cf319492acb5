"""Which claims a sentence makes about one drug mention: the cue logic behind ``treatment.py``.

Contract: :func:`claims_for` returns a list of :class:`ClaimCue` (claim, cue span, flags) for one DRUG
mention of one sentence, strongest first, following ANNOTATION.md "Treatment claims":

* ``ineffective`` when a cue governs *this* drug: ``refractory to``/``despite``/``failure of``/``尽管``
  before it, or ``-refractory``/``failed``/``无效``/``抵抗``/``反应不佳`` after it, with only other drug
  names, joiners and fillers (``conventional``, ``high-dose``, 治疗, 等) in between; or an efficacy cue
  under a negation (``did not improve``, ``无明显改善``; then ``negated`` is set).
* The other cues are read in the drug's *region* (:func:`drug_region`): its comma clause and the
  following clauses up to one naming another drug (a comma-split drug list is one clause), plus, for
  efficacy, the clause before it when that names no other drug.
* ``adverse`` when an adverse cue (toxicity, side effects, 不良反应, 肝功能异常) is in the region near
  the drug.
* ``effective`` when an efficacy cue (improved, remission, evidence for, 有效, 缓解) is in the region,
  outside negation, in a sentence that is not an aim statement (``目的 观察X的疗效``, ``to evaluate the
  efficacy of X`` claim nothing); ``partial response`` and ``not proven effective`` give no efficacy.
* ``recommended`` (should, first-line, considered in, 推荐, 首选) is independent and may come with one
  of the above.
* ``used`` only when nothing above fired (not even ``recommended``) and a treatment cue (treated with,
  received, 采用, 治疗) is in the clause group. ``collapse.collapse_claims`` later drops ``used`` when
  the abstract says more.
* :func:`causes_myositis` and :func:`stopped` tell ``treatment.py`` when a drug is a cause or is stopped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

from imnm_nlp.extraction.context import clause_group
from imnm_nlp.extraction.cues import cue_pattern, find_cues, has_cue
from imnm_nlp.extraction.hedging import negation_scope
from imnm_nlp.extraction.rules import ExtractionRules
from imnm_nlp.records import EntitySpan

_GAP = {"en": 30, "zh": 10}
_COMMA = {"en": re.compile(r",\s|\s(?:whereas|but|while)\s"), "zh": re.compile(r"[，,、:：]")}
_NEAR = {"en": 70, "zh": 25}
# "prevent complications", "减少不良反应": a harm avoided is no adverse claim
_PREVENTED = {"en": re.compile(r"(?:prevent(?:s|ed|ing)?|prevention of|avoid(?:s|ed|ing)?|reduc(?:e|es|ed|ing)|minimi[sz]e)\s+(?:the\s+)?$", re.I),
              "zh": re.compile(r"(?:预防|避免|减少|降低)$")}
# "4 as first-line therapy", "when used as first-line": how patients were treated, not advice
_DESCRIBED_LINE = re.compile(r"(?:\d\s*|used\s+|given\s+|received\s+(?:it\s+)?)as\s+$|\d\s*例?(?:作为|为)$", re.I)


@dataclass(frozen=True, slots=True)
class ClaimCue:
    """A claim about a drug and the cue that made it (``cue_start``/``cue_end`` are text offsets)."""

    claim: str
    cue_start: int
    cue_end: int
    cue: str
    negated: bool = False
    score: float = 0.8


@lru_cache(maxsize=4)
def _filler_re(fillers: tuple[str, ...], lang: str) -> re.Pattern[str]:
    piece = cue_pattern(fillers, lang).pattern
    sep = r"[\s,，、;()（）.。]*"
    flags = re.IGNORECASE if lang == "en" else 0
    return re.compile(rf"^{sep}(?:(?:{piece}){sep})*$", flags)


def _only_list_between(text: str, lang: str, a: int, b: int, drugs: Sequence[EntitySpan], rules: ExtractionRules) -> bool:
    """True when ``text[a:b]`` holds nothing but drug names, joiners and fillers (a drug list)."""
    if b - a > 120:
        return False
    pieces, pos = [], a
    for d in drugs:
        if a <= d.start and d.end <= b:
            pieces.append(text[pos : d.start])
            pos = d.end
    pieces.append(text[pos:b])
    gap = " ".join(pieces)
    if len(gap.strip()) > _GAP[lang] * 2:
        return False
    return bool(_filler_re(rules.list_fillers, lang).match(gap))


def _in(ranges: list[tuple[int, int]], a: int, b: int) -> bool:
    return any(lo < b and a < hi for lo, hi in ranges)


def _negated_before(ranges: list[tuple[int, int]], a: int) -> bool:
    """A negation scope opened before position ``a`` and still open there: "no serious side effects" yes;
    a cue that carries its own negator ("不能耐受", cannot tolerate) is not thereby negated."""
    return any(lo < a < hi for lo, hi in ranges)


def _clauses(text: str, lang: str, group: tuple[int, int]) -> list[tuple[int, int]]:
    """Comma-level clauses of a clause group (Chinese ，、, English ``, `` and ``whereas``/``but``)."""
    g0, g1 = group
    out, pos = [], g0
    for m in _COMMA[lang].finditer(text, g0, g1):
        out.append((pos, m.start()))
        pos = m.end()
    out.append((pos, g1))
    return [c for c in out if c[1] > c[0]]


def drug_region(text: str, lang: str, sentence: tuple[int, int], drug: EntitySpan,
                drugs: Sequence[EntitySpan], rules: ExtractionRules) -> tuple[tuple[int, int], tuple[int, int] | None]:
    """The text a claim cue about ``drug`` may come from, and the clause just before it.

    The region runs from the start of the drug's comma clause through the following clauses until one
    that names another drug: "经激素联合IVIG治疗后,8例肌力恢复,CK降至正常" gives both drugs the
    恢复; "利妥昔单抗治疗难治性IMNM安全有效,IVIG可作为二线治疗" keeps 有效 for rituximab and 二线 for
    IVIG. The previous clause is where the patients are often qualified ("对于难治性患者,可能采用利妥昔
    单抗", "对激素抵抗的患者,加用他克莫司有效").
    """
    group = clause_group(text, lang, sentence, drug.start, drug.end)
    clauses = _clauses(text, lang, group)
    # A drug list split by commas ("such as methotrexate, IVIG, and rituximab") is one clause.
    merged: list[tuple[int, int]] = []
    for a, b in clauses:
        if merged and _only_list_between(text, lang, a, b, drugs, rules) and any(a <= d.start < b for d in drugs):
            merged[-1] = (merged[-1][0], b)
        else:
            merged.append((a, b))
    clauses = merged
    idx = next((i for i, (a, b) in enumerate(clauses) if a <= drug.start < b + 1), 0)
    end = clauses[idx][1]
    for a, b in clauses[idx + 1 :]:
        if any(a <= d.start < b for d in drugs if d is not drug):
            break
        end = b
    prev = clauses[idx - 1] if idx > 0 else None
    return (clauses[idx][0], end), prev


def claims_for(text: str, lang: str, sentence: tuple[int, int], drug: EntitySpan, drugs: Sequence[EntitySpan],
               rules: ExtractionRules) -> list[ClaimCue]:
    """Claims the sentence makes about ``drug`` (see module docstring); empty when none."""
    s0, s1 = sentence
    g0, g1 = clause_group(text, lang, sentence, drug.start, drug.end)
    (r0, r1), prev = drug_region(text, lang, sentence, drug, drugs, rules)
    neg = [(s0 + lo, s0 + hi) for lo, hi in negation_scope(text[s0:s1], lang)]
    claims = rules.claims
    out: list[ClaimCue] = []

    for a, b, cue in reversed(find_cues(text, claims["ineffective_before"], lang, g0, drug.start)):
        if _only_list_between(text, lang, b, drug.start, drugs, rules):
            out.append(ClaimCue("ineffective", a, b, cue, score=0.9))
        break
    if not out:
        for a, b, cue in find_cues(text, claims["ineffective_after"], lang, drug.end, g1)[:1]:
            if _only_list_between(text, lang, drug.end, a, drugs, rules):
                # "无效"/"failed" are ineffective by meaning, not negations of an efficacy claim.
                out.append(ClaimCue("ineffective", a, b, cue, score=0.9))

    aim = has_cue(text, rules.aim_cues, lang, s0, s1)
    # Efficacy may also be stated in the clause before the drug ("Response to treatment, including
    # IVIG, was good") when that clause names no other drug.
    e0 = prev[0] if prev and not any(prev[0] <= d.start < prev[1] for d in drugs) else r0
    partial = find_cues(text, rules.partial_response, lang, e0, r1)
    unproven = find_cues(text, rules.unproven, lang, e0, r1)
    # "partial response" alone and "not proven effective" state no efficacy either way.
    # "responded" inside "who had incompletely responded to glucocorticoids" is a failure of another drug
    failures = find_cues(text, claims["ineffective_before"], lang, s0, s1)
    effective = [c for c in find_cues(text, claims["effective"], lang, e0, r1)
                 if not any(p0 <= c[0] < p1 for p0, p1, _ in partial)
                 and not any(0 <= c[0] - u1 <= 12 for _, u1, _ in unproven)
                 and not any(f0 <= c[0] < f1 for f0, f1, _ in failures)]
    if not out and not aim:
        negated = [c for c in effective if _in(neg, c[0], c[1])]
        # Negated efficacy about this drug ("did not improve with X", "X治疗无明显改善") is ineffective.
        if negated and len(negated) == len(effective):
            a, b, cue = negated[0]
            out.append(ClaimCue("ineffective", a, b, cue, negated=True, score=0.7))
    near = [c for c in find_cues(text, claims["adverse"], lang, r0, r1)
            if min(abs(c[0] - drug.end), abs(drug.start - c[1])) <= _NEAR[lang]
            and not _PREVENTED[lang].search(text[max(s0, c[0] - 16) : c[0]])]
    if near and not any(o.claim == "ineffective" for o in out):
        a, b, cue = near[0]
        out.append(ClaimCue("adverse", a, b, cue, negated=_negated_before(neg, a), score=0.7))
    if not out and not aim:
        positive = [c for c in effective if not _in(neg, c[0], c[1])]
        if positive:
            a, b, cue = min(positive, key=lambda c: abs(c[0] - drug.start))
            out.append(ClaimCue("effective", a, b, cue, score=0.8))
    rec = [c for c in find_cues(text, claims["recommended"], lang, r0, r1)
           if not _DESCRIBED_LINE.search(text[max(s0, c[0] - 14) : c[0]])]
    if rec and not aim:
        a, b, cue = rec[0]
        out.append(ClaimCue("recommended", a, b, cue, negated=_in(neg, a, b), score=0.7))
    if not out:
        used = find_cues(text, claims["used"], lang, g0, g1) or find_cues(text, rules.treatment_words, lang, s0, s1)
        if used:
            a, b, cue = used[0]
            out.append(ClaimCue("used", a, b, cue, score=0.6))
    return out


def stopped(text: str, lang: str, drug: EntitySpan, drugs: Sequence[EntitySpan], rules: ExtractionRules) -> bool:
    """True when the drug is being stopped (``discontinuation of statins``, ``停用他汀``): no claim."""
    g = _GAP[lang]
    for a, b, _ in find_cues(text, rules.stop_drug, lang, max(0, drug.start - g), drug.start):
        if _only_list_between(text, lang, b, drug.start, drugs, rules):
            return True
    for a, _, _ in find_cues(text, rules.stop_drug, lang, drug.end, min(len(text), drug.end + g))[:1]:
        if _only_list_between(text, lang, drug.end, a, drugs, rules):
            return True
    return False


def causes_myositis(text: str, lang: str, sentence: tuple[int, int], drug: EntitySpan, drugs: Sequence[EntitySpan],
                    myositis: Sequence[EntitySpan], rules: ExtractionRules) -> bool:
    """True when the sentence names ``drug`` as the cause of a myositis-family disease: ``X-induced
    myopathy``, ``他汀相关肌病``, ``myopathy ... a side effect of repeated X``, ``developed polymyositis while
    receiving X`` (the disease on the far side of the cue, only drug names and fillers between cue and
    drug). ANNOTATION.md: a drug as a cause is a risk factor, never a treatment claim."""
    if not myositis:
        return False
    s0, s1 = sentence
    neg = [(s0 + lo, s0 + hi) for lo, hi in negation_scope(text[s0:s1], lang)]
    lo, hi = max(s0, drug.start - _NEAR[lang]), min(s1, drug.end + _NEAR[lang] // 2)
    if any(not _in(neg, a, b) for a, b, _ in find_cues(text, rules.claims["effective"], lang, lo, hi)):
        return False  # "myositis improved in patients treated with X" is efficacy, not causation
    before = find_cues(text, rules.cause_before, lang, s0, drug.start)
    if before:
        a, b, _ = before[-1]
        if _only_list_between(text, lang, b, drug.start, drugs, rules) and any(m.end <= a for m in myositis):
            return True
    after = find_cues(text, rules.cause_after, lang, drug.end, s1)
    if after:
        a, b, _ = after[0]
        if _only_list_between(text, lang, drug.end, a, drugs, rules) and any(m.start >= b for m in myositis):
            return True
    return False
