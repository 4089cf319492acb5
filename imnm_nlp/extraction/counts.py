"""Counts of a whole written without a RATE, in the two English shapes :func:`figures.count_slots` misses.

Contract: :func:`extra_count_slots` returns figure slots (``100·k/n`` percent, ``numerator``/``total`` set,
``bare=True``) for one sentence, following ANNOTATION.md "Epi" (a count without a percentage is a
proportion, only when the count and its whole stand in the same sentence):

* the part before the whole: ``Sixty patients with antisynthetase autoantibodies were identified in our
  myositis cohort of 179 patients`` (the part names an ANTIBODY/HLA/DISEASE right after ``patients with``);
* a whole, then parts that are a number glued to a DISEASE/ANTIBODY name: ``A total of 4,534 patients
  were included, with 2,902 dermatomyositis, 592 polymyositis`` (the name must start right after the number);
* none or all of a whole (ANNOTATION.md: ``all 5 patients``, ``none of the 5 patients``): ``None of 51
  patients with statin intolerance had anti-HMGCR antibodies`` → 0 percent, ``All 12 patients were positive
  for anti-SRP`` → 100 percent, when a have/positive-for verb ties them to an ANTIBODY/HLA/DISEASE named right
  after it in the same clause.

A number written as a word counts (``Sixty``); numbers inside entities and parts followed by a written
percentage (``12 (41%)``: that is the figure) are never used.
"""

from __future__ import annotations

import re
from typing import Sequence

from imnm_nlp.extraction.figures import Slot
from imnm_nlp.normalize.numwords import NUMWORD, to_number
from imnm_nlp.records import EntitySpan, Rate

_N = rf"(?:\d{{1,3}}(?:,\d{{3}})+|\d{{1,6}}|{NUMWORD})"
_NOUN = r"(?:patients|cases|subjects|individuals|participants|children|adults)"
_PART_FIRST = re.compile(rf"(?<![\d.,%])(?P<k>{_N})\s+(?:[\w-]+\s+){{0,2}}?{_NOUN}\s+(?:with|had|having|positive for)\s+", re.IGNORECASE)
_WHOLE_AFTER = re.compile(rf"\b(?:cohort|series|population|group|total)\s+of\s+(?P<n>{_N})\s+(?:[\w-]+\s+){{0,2}}?{_NOUN}\b", re.IGNORECASE)
_WHOLE_FIRST = re.compile(rf"(?<![\d.,])(?P<n>{_N})\s+(?:[\w-]+\s+){{0,2}}?{_NOUN}\b", re.IGNORECASE)
_GLUED_PART = re.compile(rf"(?<![\d.,%(])(?P<k>\d{{1,3}}(?:,\d{{3}})+|\d{{1,6}})\s(?=[A-Za-z])")
_NONE_ALL = re.compile(
    rf"\b(?P<q>none|all)\s+(?:of\s+)?(?:the\s+|these\s+)?(?P<n>{_N})\s+(?:[\w-]+\s+){{0,2}}?{_NOUN}\b"
    rf"(?:\s+(?:with|who|in)\s+[^,;.]{{0,60}}?)?\s+(?:had|have|has|were positive for|tested positive for|carried|"
    rf"were seropositive for|developed|showed)\s+(?:an?\s+|the\s+)?",
    re.IGNORECASE,
)
_TARGETS = ("ANTIBODY", "HLA_ALLELE", "DISEASE")
# The noun every shape above needs: the shapes open with lookbehinds and number words, tried at every position,
# and most sentences name no patients or cases, which this plain search finds out cheaply.
_ANY_NOUN = re.compile(_NOUN, re.IGNORECASE)


def _free(a: int, b: int, taken: Sequence[tuple[int, int]]) -> bool:
    return not any(t0 < b and a < t1 for t0, t1 in taken)


def _pct_follows(text: str, end: int) -> bool:
    return re.match(r"[^%％.;]{0,12}[%％]", text[end : end + 16]) is not None


def _slot(text: str, a: int, b: int, k: int, n: int) -> Slot:
    return Slot(a, b, Rate(round(100 * k / n, 2), "percent", numerator=k, total=n), text[a:b], bare=True)


def extra_count_slots(text: str, lang: str, sentence: tuple[int, int], entities: Sequence[EntitySpan]) -> list[Slot]:
    """Count slots of one sentence (see the module docstring); English only."""
    s0, s1 = sentence
    if lang != "en" or _ANY_NOUN.search(text, s0, s1) is None:
        return []
    taken = [(e.start, e.end) for e in entities]
    starts = {e.start: e for e in entities if e.label in _TARGETS}
    out: list[Slot] = []
    part = _PART_FIRST.search(text, s0, s1)
    if part and part.end() in starts and _free(part.start("k"), part.end("k"), taken):
        whole = _WHOLE_AFTER.search(text, part.end(), s1)
        if whole:
            k, n = int(to_number(part["k"])), int(to_number(whole["n"]))
            if 0 < k < n and not _pct_follows(text, part.end()):
                out.append(_slot(text, part.start("k"), part.end("k"), k, n))
    for m in _NONE_ALL.finditer(text, s0, s1):
        n = int(to_number(m["n"]))
        if n > 1 and m.end() in starts and _free(m.start(), m.start("n"), taken) and not _pct_follows(text, m.end("n")):
            out.append(_slot(text, m.start(), m.end("n"), 0 if m["q"].lower() == "none" else n, n))
    whole = _WHOLE_FIRST.search(text, s0, s1)
    if whole and not out:
        n = int(to_number(whole["n"]))
        for m in _GLUED_PART.finditer(text, whole.end(), s1):
            k = int(to_number(m["k"]))
            if 0 < k < n and m.end() in starts and _free(m.start("k"), m.end("k"), taken) and not _pct_follows(text, m.end()):
                out.append(_slot(text, m.start("k"), m.end("k"), k, n))
    return out


__all__ = ["extra_count_slots"]
