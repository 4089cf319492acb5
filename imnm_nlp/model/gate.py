"""Which sentences are worth a transformer pass: the gates.

Two gates, by what the model's output is used for (:data:`GATES`):

* ``names`` (the pipeline's default): :func:`may_hold_new_name`, a drug-, antibody- or disease-shaped word
  (list below). With the default hint policy the model's only contribution is entity spans the lexicon
  lacks, and a name the lexicon lacks has one of these shapes. Measured with the shipped model: the same
  gold dev scores as the broad gate, with 73 % of gold sentences sent to the model instead of 97 % (61 %
  instead of 93 % on the demo corpus; README, Performance).
* ``candidates``: :func:`is_candidate`, for when the sentence heads feed the extractors (a non-default
  ``HintPolicy``): every sentence that could hold an extracted record.

Contract: :func:`is_candidate` is True when a sentence could hold something the pipeline extracts:

* a rule span inside it (an entity the rules already see: the model adds sentence labels and neighbours);
* a digit (every RATE has one: ``25%``, ``0.83/10万``, ``12 of 48``);
* a cue word of the extraction rules (measure words, claim words, treatment words, risk words, myositis
  terms) — ``incidence``, ``effective``, ``治疗``, ``诱发``...;
* a drug-, antibody- or disease-shaped word the lexicon may not know (``-mab``, ``-nib``, ``-limus``,
  ``anti-X``, ``-itis``, ``syndrome``, an upper-case abbreviation, ``单抗``, ``替尼``, ``抗X抗体``, ``病``,
  ``炎``), so the model can still find names missing from the lexicon.

Sentences that fail all tests (``The patients were followed up.``, ``方法 回顾性分析。``) are skipped: on
two CPU cores the transformer pass is the pipeline's main cost. What it skips and what recall it costs is
measured by ``scripts/train_measure.py gate`` (figures in the model's report).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Sequence

from imnm_nlp.records import EntitySpan

_DIGIT = re.compile(r"[0-9０-９]|[一二三四五六七八九十百千万]+(?:例|名|%)")
_SHAPES = {
    "en": re.compile(
        r"(?i)\b(?:anti-?[A-Z0-9]|[a-z]{3,}(?:mab|nib|limus|mus|cept|ximab|zumab|umab|sone|lone|statin|cycline|"
        r"mycin|prazole|sartan|pril|olol|platin|taxel|rubicin|phosphamide|trexate|porine|oprine|oquine)"
        r"|[a-z]{3,}(?:itis|osis|opathy|opathies|emia|oma|omas|algia|plasia)\b|syndrome|disease|disorder|anomal|bifida"
        r"|(?-i:\b[A-Z][A-Z0-9]{1,5}s?\b))",
    ),
    "zh": re.compile(r"单抗|替尼|莫司|他汀|激素|抗[A-Za-z0-9]|抗体|球蛋白|环孢素|甲氨蝶呤|泼尼|松龙|病|症|炎|瘤|癌|[A-Z]{2,6}"),
}


@lru_cache(maxsize=2)
def _cues(lang: str) -> tuple[str, ...]:
    from imnm_nlp.extraction.rules import load_rules

    r = load_rules(lang)
    words: list[str] = []
    for group in (*r.measures.values(), *r.claims.values()):
        words.extend(group)
    words.extend((*r.treatment_words, *r.risk, *r.myositis_terms, *r.refractory, *r.stop_drug))
    return tuple(sorted(set(words), key=len, reverse=True))


GATES = ("names", "candidates", "none")


def may_hold_new_name(sentence: str, lang: str) -> bool:
    """True when ``sentence`` has a drug-, antibody- or disease-shaped word (the ``names`` gate).

    Example:
        >>> may_hold_new_name("Nomacizumab was given.", "en"), may_hold_new_name("We followed them up.", "en")
        (True, False)
    """
    return _SHAPES.get(lang, _SHAPES["en"]).search(sentence) is not None


def is_candidate(sentence: str, lang: str, rule_spans: Sequence[EntitySpan] = ()) -> bool:
    """True when the transformer should see ``sentence`` (see module docstring).

    Example:
        >>> is_candidate("The patients were followed up.", "en")
        False
        >>> is_candidate("Efgartigimod was given.", "en")  # an unknown -mod drug: caught by the cue "given"
        True
    """
    if rule_spans:
        return True
    if _DIGIT.search(sentence):
        return True
    if may_hold_new_name(sentence, lang):
        return True
    from imnm_nlp.extraction.cues import has_cue

    return has_cue(sentence, _cues(lang), lang)


__all__ = ["GATES", "is_candidate", "may_hold_new_name"]
