"""Treatment claims and drug/allele risk factors from one section.

Entry point: :func:`extract_treatments`. Contract (ARCHITECTURE.md; ANNOTATION.md "Treatment claims"):

* One :class:`TreatmentClaim` per (DRUG mention, claim) of an evidence sentence; provenance
  ``start``/``end`` is the drug mention. ``drug`` is the DRUG entity's canonical, lower-cased.
  :func:`imnm_nlp.extraction.collapse.collapse_claims` reduces them to the gold's one item per
  (document, drug, claim) with the ``used``-suppression rule.
* **Myositis context** decides whether a drug is a treatment *of myositis*: the section's topic is
  myositis (an ANTIBODY, or at least half of its DISEASE mentions are myositis-family terms, counting an
  abbreviation the section defines for one) or the sentence names a myositis disease or manifestation
  (ILD); animal and cell studies treat no patients; and the drug's clause is not about another
  indication only (diseases named there, none of the myositis family; or a cue such as cancer/降脂 next
  to the drug).
* Causes are not claims. Exposure-only drugs (statins, checkpoint inhibitors, fibrates: ``roles.json``,
  matched on canonical or the tagger's class ``kind``) make a :class:`RiskFactor` (with a risk cue or a
  myositis disease in the sentence) and never a claim; stopping them makes nothing. Another drug named
  as the cause of a myositis disease (``X-induced myopathy``, ``side effect of X``, ``X相关肌病``)
  is a risk factor too, unless it is itself a myositis treatment (``roles.json`` ``myositis_treatments``):
  steroid myopathy is an ``adverse`` claim about glucocorticoids, as the gold reads it. A drug this
  section names as a cause keeps no ``used``/``adverse``/``recommended`` claim. HLA alleles in a
  sentence with a risk cue are risk factors (``factor_label="HLA_ALLELE"``).
* Claims come from :func:`claims.claims_for` (cue logic documented there); a treatment drug that is
  tapered or stopped was ``used``; when the next sentence, naming no drug, says the disease went on
  (persisted, 仍, 加重), this sentence's ``used`` drugs become ``ineffective``.
* ``hedged``/``negated`` come from the ConText scopes of :mod:`hedging` over the drug or its cue;
  ``population`` is ``refractory <disease>`` when a refractory cue (难治性) qualifies the patients,
  else the myositis disease of the sentence or the section; ``responders``/``treated`` come from a
  ``k of n`` RATE in the drug's region (:func:`claims.drug_region`) for an (in)efficacy claim.
* ``hints`` follow the policy of :mod:`imnm_nlp.extraction.hints`.
"""

from __future__ import annotations

import logging
import re
from typing import Mapping, Sequence

from imnm_nlp.extraction.claims import ClaimCue, causes_myositis, claims_for, drug_region, stopped
from imnm_nlp.extraction.collapse import collapse_claims
from imnm_nlp.extraction.context import (
    clause_group, entities_in, is_myositis, main_disease, mark_myositis_aliases, name_of, per_sentence,
)
from imnm_nlp.extraction.cues import find_cues, has_cue
from imnm_nlp.extraction.epi import check_inputs
from imnm_nlp.extraction.figures import rate_of
from imnm_nlp.extraction.hedging import is_hedged, is_negated, negation_scope
from imnm_nlp.extraction.hints import DEFAULT_POLICY, HintPolicy, SentenceHint, hint_for
from imnm_nlp.extraction.rules import ExtractionRules, exposure_only_drugs, load_rules, myositis_treatments
from imnm_nlp.records import EntitySpan, RiskFactor, SectionContext, TreatmentClaim

logger = logging.getLogger(__name__)

__all__ = ["EXTRACTOR", "EXTRACTOR_VERSION", "extract_treatments", "collapse_claims"]

EXTRACTOR = "treatment-rules"
EXTRACTOR_VERSION = "0.1.0"
_NEAR = {"en": 60, "zh": 20}


def _context_ok(e: EntitySpan, lang: str, rules: ExtractionRules) -> bool:
    """A myositis-family disease or one of its manifestations (ILD: the tagger's ``lung disease``)."""
    return is_myositis(e, lang) or e.kind == "lung disease" or bool(find_cues(e.text, rules.manifestation_terms, lang))


def _other_indication(text: str, lang: str, group: tuple[int, int], drug: EntitySpan, ents: Sequence[EntitySpan],
                      rules: ExtractionRules) -> bool:
    """The drug's clause is about another disease: it names DISEASEs but no myositis term or
    manifestation, not counting diseases the drug caused (``glucocorticoids caused osteoporosis``); or,
    naming none, a cue such as cancer/降脂 stands next to the drug."""
    named = entities_in(ents, *group, ("DISEASE", "ANTIBODY"))
    if any(_context_ok(d, lang, rules) for d in named):
        return False
    harms = [a for a, _, _ in find_cues(text, rules.claims["adverse"] + rules.risk, lang, *group)]
    if any(not any(h < d.start for h in harms) for d in named):
        return True
    lo, hi = max(group[0], drug.start - _NEAR[lang]), min(group[1], drug.end + _NEAR[lang])
    return bool(find_cues(text, rules.other_indication, lang, lo, hi))


def _risk_linked(text: str, lang: str, sentence: tuple[int, int], drug: EntitySpan, ents: Sequence[EntitySpan],
                 rules: ExtractionRules) -> bool:
    """A risk/cause cue in the sentence, or a myositis disease it could cause in the sentence."""
    s0, s1 = sentence
    myo = [e for e in entities_in(ents, s0, s1, ("DISEASE",)) if is_myositis(e, lang)]
    return has_cue(text, rules.risk, lang, s0, s1) or bool(myo)


def _population(text: str, lang: str, sentence: tuple[int, int], drug: EntitySpan, ents: Sequence[EntitySpan],
                drugs: Sequence[EntitySpan], rules: ExtractionRules, default: str | None) -> str | None:
    """``refractory IMNM`` (难治性患者 → refractory + the section's disease), else the disease.

    The modifier must qualify the patients this drug is given to: it stands in the drug's region or in
    the clause just before it (:func:`claims.drug_region`).
    """
    s0, s1 = sentence
    myo = [e for e in entities_in(ents, s0, s1, ("DISEASE",)) if is_myositis(e, lang)]
    disease = name_of(min(myo, key=lambda e: abs(e.start - drug.start))) if myo else default
    if not disease:
        return None
    (r0, r1), prev = drug_region(text, lang, sentence, drug, drugs, rules)
    spans = [(r0, r1)] + ([prev] if prev else [])
    for label in ("refractory", "severe", "relapsing"):
        # "refractory to X" is a claim about X (ineffective), not a population.
        if any(not text[b : b + 4].lstrip().startswith("to")
               for lo, hi in spans for _, b, _ in find_cues(text, rules.population_modifiers[label], lang, lo, hi)):
            return f"{label} {disease}"
    return disease


def _counts(region: tuple[int, int], ents: Sequence[EntitySpan]) -> tuple[int | None, int | None]:
    """``improved in 8 of 10 patients`` → (8, 10), from a count RATE in the drug's region."""
    for e in entities_in(ents, *region, ("RATE",)):
        rate = rate_of(e)
        if rate is not None and rate.numerator is not None and rate.total is not None:
            return rate.numerator, rate.total
    return None, None


def _apply_hints(found: list[ClaimCue], hint: SentenceHint | None, policy: HintPolicy, drug: EntitySpan) -> list[ClaimCue]:
    if hint is None:
        return found
    p_treat = hint.p_kind("treatment")
    best = hint.best_claim()
    if found and p_treat is not None and p_treat < policy.veto_below:
        found = [c for c in found if c.claim != "used"]
    if found and best and best[1] >= policy.relabel_at and all(c.claim == "used" for c in found):
        c = found[0]
        found = [ClaimCue(best[0], c.cue_start, c.cue_end, c.cue, c.negated, min(c.score, best[1]))]
    if not found and best and p_treat is not None and p_treat >= policy.add_at and best[1] >= policy.add_at:
        found = [ClaimCue(best[0], drug.start, drug.end, "", False, 0.5 * best[1])]
    return found


def _myositis_topic(ents: Sequence[EntitySpan], lang: str) -> bool:
    """The section is about myositis: an antibody, or at least half of its disease mentions."""
    if any(e.label == "ANTIBODY" for e in ents):
        return True
    diseases = [e for e in ents if e.label == "DISEASE"]
    return bool(diseases) and 2 * sum(is_myositis(e, lang) for e in diseases) >= len(diseases)


_EXAMPLES = re.compile(r"\s*[,(（]?\s*(?:such as|including|e\.g\.,?|for example|如|包括)\s*", re.IGNORECASE)
_SUBSET = re.compile(r"\s*(?:\d+|[A-Z][a-z]+(?:-[a-z]+)?)\s*(?:[(\[]\s*[\d.]+\s*%\s*[)\]])?\s+(?:of\s+(?:the\s+)?\w+\s+)?"
                     r"(?:patients|cases|subjects|children)\b|\s*(?:其中)?\d+\s*例")


def _failed_next(text: str, lang: str, sentences: Sequence[tuple[int, int]], idx: int,
                 by_sentence: Sequence[Sequence[EntitySpan]], rules: ExtractionRules) -> bool:
    """``...was treated with steroids. The CK increase persisted, however``: the next sentence, naming
    no drug of its own, reports that the disease went on, so the treatment of this sentence failed."""
    if idx + 1 >= len(sentences):
        return False
    n0, n1 = sentences[idx + 1]
    if any(e.label == "DRUG" for e in by_sentence[idx + 1]):
        return False
    head = min(n1, n0 + (80 if lang == "en" else 25))
    if _SUBSET.match(text, n0):
        return False  # "Eight (38.1%) patients experienced relapse": some patients, not a failed drug
    return has_cue(text, rules.failure_followup, lang, n0, head)


def _improved_next(text: str, lang: str, sentences: Sequence[tuple[int, int]], idx: int,
                   by_sentence: Sequence[Sequence[EntitySpan]], rules: ExtractionRules) -> bool:
    """``...加用环孢素A。早期治疗效果及远期预后均较好``: the next sentence, naming no drug of its own and
    stating no failure, opens with an outcome that improved: the drugs this sentence only *used* worked."""
    if idx + 1 >= len(sentences):
        return False
    n0, n1 = sentences[idx + 1]
    if any(e.label == "DRUG" for e in by_sentence[idx + 1]) or has_cue(text, rules.aim_cues, lang, n0, n1):
        return False
    head = min(n1, n0 + (80 if lang == "en" else 30))
    if has_cue(text, rules.failure_followup, lang, n0, n1) or has_cue(text, rules.claims["ineffective_after"], lang, n0, n1):
        return False
    neg = [(n0 + a, n0 + b) for a, b in negation_scope(text[n0:n1], lang)]
    cues = find_cues(text, rules.claims["effective"], lang, n0, head)
    return any(not any(a < ce and cs < b for a, b in neg) for cs, ce, _ in cues)


def _named_causes(ents: Sequence[EntitySpan], claims: Sequence[TreatmentClaim]) -> set[str]:
    """Drugs named inside a DISEASE span as its cause (``chloroquine-induced myopathy``, one span)."""
    names = {e.text.lower() for e in ents if e.label == "DISEASE"}
    pattern = re.compile(r"(induced|associated|related|诱发|诱导|相关)")
    return {c.drug for c in claims for n in names
            if pattern.search(n) and (c.drug in n or c.drug_text.lower() in n)}


def extract_treatments(text: str, lang: str, sentences: Sequence[tuple[int, int]], entities: Sequence[EntitySpan],
                       ctx: SectionContext, hints: Mapping[int, SentenceHint] | None = None,
                       policy: HintPolicy = DEFAULT_POLICY) -> list[TreatmentClaim | RiskFactor]:
    """Treatment claims and risk factors of one section, in text order.

    Example:
        >>> t = "In IMNM, rituximab improved strength in 8 of 10 patients."
        >>> ents = [EntitySpan(3, 7, "DISEASE", "IMNM", "IMNM"), EntitySpan(9, 18, "DRUG", "rituximab", "rituximab"),
        ...         EntitySpan(40, 56, "RATE", "8 of 10 patients")]
        >>> c, = extract_treatments(t, "en", [(0, len(t))], ents, SectionContext("text:x", "abstract", "en"))
        >>> (c.drug, c.claim, c.responders, c.treated, c.population)
        ('rituximab', 'effective', 8, 10, 'IMNM')
    """
    check_inputs(text, lang, sentences)
    rules = load_rules(lang)
    ents = mark_myositis_aliases(text, entities, lang)
    topic = _myositis_topic(ents, lang)
    default = main_disease(ents, lang)
    exposure = exposure_only_drugs()
    therapies = myositis_treatments()
    risks: list[RiskFactor] = []
    claims: list[TreatmentClaim] = []
    by_sentence = per_sentence(ents, sentences)
    for idx, (sentence, sent_ents) in enumerate(zip(sentences, by_sentence)):
        s0, s1 = sentence
        drugs = [e for e in sent_ents if e.label == "DRUG"]
        sent_text = text[s0:s1]
        myo = [e for e in sent_ents if e.label == "DISEASE" and is_myositis(e, lang)]
        animal = has_cue(text, rules.animal_words, lang, s0, s1)  # animal or cell studies treat no patients
        in_context = not animal and (topic or any(_context_ok(e, lang, rules) for e in sent_ents if e.label in ("DISEASE", "ANTIBODY")))
        if any(e.label == "HLA_ALLELE" for e in sent_ents) and has_cue(text, rules.risk, lang, s0, s1):
            risks.extend(_risk(text, sentence, e, ctx, lang, sent_ents) for e in sent_ents if e.label == "HLA_ALLELE")
        hint = hint_for(hints, idx)
        failed_next = bool(drugs) and _failed_next(text, lang, sentences, idx, by_sentence, rules)
        improved_next = bool(drugs) and not failed_next and _improved_next(text, lang, sentences, idx, by_sentence, rules)
        for drug in drugs:
            canonical = name_of(drug).lower()
            kind = (drug.kind or "").lower()
            if _EXAMPLES.match(text, drug.end) and any(d.start > drug.end for d in drugs):
                continue  # "immunomodulatory agents such as methotrexate, IVIG": the claims name the members
            exposure_only = canonical in exposure or kind in exposure
            if exposure_only and stopped(text, lang, drug, drugs, rules):
                continue  # stopping a statin is no claim (ANNOTATION.md)
            treats = canonical in therapies or kind in therapies
            caused = not exposure_only and causes_myositis(text, lang, sentence, drug, drugs, myo, rules)
            if exposure_only or (caused and not treats):
                if _risk_linked(text, lang, sentence, drug, sent_ents, rules):
                    risks.append(_risk(text, sentence, drug, ctx, lang, sent_ents))
                continue
            group = clause_group(text, lang, sentence, drug.start, drug.end)
            if not in_context or _other_indication(text, lang, group, drug, sent_ents, rules):
                continue
            found = _apply_hints(claims_for(text, lang, sentence, drug, drugs, rules), hint, policy, drug)
            if caused:  # steroid myopathy: the harm of a myositis treatment is an adverse claim
                found = [ClaimCue("adverse", drug.start, drug.end, "", score=0.7)]
            elif not found and stopped(text, lang, drug, drugs, rules):
                found = [ClaimCue("used", drug.start, drug.end, "", score=0.5)]  # tapered or stopped: it was used
            elif stopped(text, lang, drug, drugs, rules):
                # "a reduction of steroid dose", "prednisone dose could be reduced": the drug was used; the
                # improvement or the side effects of the sentence belong to what allowed the taper
                found = [ClaimCue("used", c.cue_start, c.cue_end, c.cue, c.negated, 0.5)
                         if c.claim in ("effective", "adverse") else c for c in found]
            if failed_next:
                found = [ClaimCue("ineffective", c.cue_start, c.cue_end, c.cue, c.negated, 0.6) if c.claim == "used" else c
                         for c in found]
            elif improved_next:
                found = [ClaimCue("effective", c.cue_start, c.cue_end, c.cue, c.negated, 0.6) if c.claim == "used" else c
                         for c in found]
            hedged = is_hedged(sent_text, lang, drug.start - s0, drug.end - s0) or bool(
                hint and hint.hedged is not None and hint.hedged >= policy.hedge_at)
            population = _population(text, lang, sentence, drug, sent_ents, drugs, rules, default)
            region, _ = drug_region(text, lang, sentence, drug, drugs, rules)
            for cue in found:
                if cue.claim == "used" and is_negated(sent_text, lang, drug.start - s0, drug.end - s0):
                    continue  # "treated without systemic corticosteroids": not used
                hedged_here = hedged or (cue.cue_end > cue.cue_start and is_hedged(sent_text, lang, cue.cue_start - s0, cue.cue_end - s0))
                # an adverse claim with a cue is negated by the cue's scope ("no side effects"), not the drug's: in
                # "不能耐受硫唑嘌呤" (cannot tolerate azathioprine) the drug sits in the cue's own negator's scope
                by_cue = cue.claim == "adverse" and bool(cue.cue)
                negated = cue.negated or (not by_cue and is_negated(sent_text, lang, drug.start - s0, drug.end - s0))
                responders, treated = _counts(region, sent_ents) if cue.claim in ("effective", "ineffective") else (None, None)
                claims.append(TreatmentClaim(
                    drug=canonical, claim=cue.claim,
                    provenance=ctx.provenance(text, drug.start, drug.end, sentence, EXTRACTOR, EXTRACTOR_VERSION, cue.score),
                    drug_text=drug.text, population=population, hedged=hedged_here, negated=negated,
                    outcome=cue.cue or None, responders=responders, treated=treated,
                ))
    # A drug this section names as a cause of myositis is an exposure here: its "use" is no treatment
    # and the harm it does is the risk factor already recorded, not an "adverse" treatment claim.
    causes = ({r.factor for r in risks if r.factor_label == "DRUG"} | _named_causes(ents, claims)) - therapies
    claims = [c for c in claims if not (c.claim in ("used", "adverse", "recommended") and c.drug in causes)]
    out: list[TreatmentClaim | RiskFactor] = sorted([*claims, *risks], key=lambda r: (r.provenance.start, r.TYPE))
    logger.debug("%s: %d treatment/risk records", ctx.doc_id, len(out))
    return out


def _risk(text: str, sentence: tuple[int, int], ent: EntitySpan, ctx: SectionContext, lang: str,
          ents: Sequence[EntitySpan]) -> RiskFactor:
    s0, s1 = sentence
    myo = [e for e in entities_in(ents, s0, s1, ("DISEASE",)) if is_myositis(e, lang)]
    outcome = next((name_of(e) for e in myo if e.start >= ent.end), name_of(myo[-1]) if myo else None)
    sent_text = text[s0:s1]
    return RiskFactor(
        factor=name_of(ent) if ent.label == "HLA_ALLELE" else name_of(ent).lower(), factor_label=ent.label,
        provenance=ctx.provenance(text, ent.start, ent.end, sentence, EXTRACTOR, EXTRACTOR_VERSION, 0.7),
        factor_text=ent.text, outcome=outcome,
        hedged=is_hedged(sent_text, lang, ent.start - s0, ent.end - s0),
        negated=is_negated(sent_text, lang, ent.start - s0, ent.end - s0),
    )
