"""DISEASE names found by their shape where no lexicon lists them (rules as data in ``span_rules.json``).

Contract:
    * :func:`find_eponyms` returns ``(start, end)`` of ``Name[-Name]['s] syndrome|disease`` in raw text
      (``Prader-Willi syndrome``, ``Hirschsprung's disease``; heads from ``eponym_heads_en``). To keep
      ``The disease`` and ``Autoimmune disease`` out, a single capitalized word counts only with a possessive
      (``Down's syndrome``), a hyphenated pair of names (``Prader-Willi``), or inside a sentence
      (``with Behçet disease``) and not on the list of ordinary capitalized words.
    * :func:`find_shaped_diseases` returns ``(start, end)`` of named infections (a site from
      ``infection_sites_zh`` + 感染: ``手术部位感染``, ``肺部感染``; zh_notes.md call 9, generic 感染 is not one)
      and of English ``-itis``/``-pathy`` words (``arthropathy``, ``arteritis``): inflammation and
      disease suffixes that name a disorder (a short list of ordinary words such as ``sympathy`` excepted).
"""

from __future__ import annotations

import re
from functools import lru_cache

from imnm_nlp.tagging.span_rules import SpanRules

_ORDINARY = set("""The This That These Those A An Our Their Its Each Any All Rare Chronic Acute Severe Mild Other Such No
Of In With For And Or But Non Autoimmune Inflammatory Systemic Connective Tissue Lung Kidney Liver Heart Muscle Skin Neuromuscular
Rheumatic Infectious Genetic Inherited Metabolic Cardiovascular Vascular Interstitial Thyroid Celiac Coeliac Mixed Overlap
Underlying Concomitant Associated Related Active Inactive Stable Progressive Residual Early Late Advanced Adult Juvenile
Childhood Paediatric Pediatric Human Viral Bacterial Fungal Parasitic Malignant Benign Primary Secondary Idiopathic""".split())


@lru_cache(maxsize=4)
def _pattern(rules: SpanRules) -> re.Pattern[str]:
    heads = "|".join(re.escape(h) for h in rules.get("eponym_heads_en"))
    return re.compile(rf"(?<![A-Za-z'’-])(?P<name>[A-Z][a-zà-ÿ]+(?P<pair>[-–][A-Z][a-zà-ÿ]+)*)(?P<poss>['’]s)?\s(?:{heads})\b")


def find_eponyms(text: str, rules: SpanRules) -> list[tuple[int, int]]:
    """Eponym DISEASE candidates in ``text`` (see the module docstring)."""
    out = []
    for m in _pattern(rules).finditer(text):
        name = m.group("name")
        if not (m.group("poss") or m.group("pair")):
            before = text[: m.start()].rstrip()
            if name in _ORDINARY or not before or before[-1] in ".!?:;\n":
                continue
        out.append((m.start(), m.end()))
    return out




_NOT_DISEASE_WORDS = {"sympathy", "empathy", "apathy", "antipathy", "telepathy", "homeopathy", "osteopathy", "naturopathy",
                      "sympathies", "empathies", "antipathies"}
_SUFFIX_WORD = re.compile(r"(?<![A-Za-z-])[a-z]{3,}(?:itis|pathy|pathies)(?![A-Za-z])")


@lru_cache(maxsize=4)
def _infection(rules: SpanRules) -> re.Pattern[str]:
    sites = "|".join(re.escape(s) for s in rules.get("infection_sites_zh", "sites"))
    return re.compile(rf"(?:{sites})\s?感染")


def find_shaped_diseases(text: str, rules: SpanRules) -> list[tuple[int, int]]:
    """Named infections (zh) and ``-itis``/``-pathy`` words (en) in ``text`` (see the module docstring)."""
    out = [(m.start(), m.end()) for m in _infection(rules).finditer(text)] if "感染" in text else []
    out += [(m.start(), m.end()) for m in _SUFFIX_WORD.finditer(text) if m.group(0) not in _NOT_DISEASE_WORDS]
    return out


__all__ = ["find_eponyms", "find_shaped_diseases"]
