"""What surrounds a figure or a drug: clauses, nearby entities, regions, the section's main disease.

Contract: pure functions over the raw section text and the tagger's :class:`EntitySpan` list; all
offsets are indices into the section text. Nothing here knows about a particular tagger: only labels,
offsets and ``canonical`` are read.

* :func:`clause_group` — the part of a sentence between hard breaks (``;``/``；``), where measure words
  and claim cues may govern a figure or a drug.
* :func:`find_regions` — study-setting regions (``regions.json``): Chinese names → English, direction
  suffixes (西班牙北部 → ``northern Spain``), English names as written; a region inside an institution
  name (北京协和医院, University of California) or overlapping an entity (长春西汀) is dropped,
  because ANNOTATION.md says a region is never an affiliation or an institution.
* :func:`is_myositis` / :func:`main_disease` — the myositis-family test used to decide that a
  treatment is a treatment *of myositis* (ANNOTATION.md "Treatment claims").
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Sequence

from imnm_nlp.extraction.cues import find_cues, has_cue
from imnm_nlp.extraction.rules import load_regions, load_rules
from imnm_nlp.records import EntitySpan

# A period inside a sentence ends a clause, except after an initial or a common abbreviation, where the sentence
# splitter did not cut either: "infection with G. duodenalis was 8.6%", "Smith et al. found", "vs. 12%".
# (The period comes first, the look-behinds after it: a pattern that starts with a literal is scanned fast.)
_PERIOD_EN = r"\.(?<!\b[A-Z]\.)(?<!\bal\.)(?<!\bvs\.)(?<!\bspp\.)(?<!\bsp\.)(?<!\bNo\.)(?<!\bFig\.)(?<!\be\.g\.)(?<!\bi\.e\.)\s"
_HARD = {"en": re.compile(rf";|；|{_PERIOD_EN}"), "zh": re.compile(r"[;；。]")}
_SOFT_EN = re.compile(_PERIOD_EN)
_LEVEL_RANK = {"continent": 0, "country": 1, "region": 2, "province": 3, "city": 4}
_DIR = r"(?:north|south|east|west|central|northern|southern|eastern|western|north-?eastern|north-?western|south-?eastern|south-?western)"
_EN_DIRECTION = re.compile(rf"{_DIR}(?:[\s-]+{_DIR})?\s+$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class RegionMention:
    """A region found in text: ``name`` is the English gold-style name (``northern Spain``)."""

    start: int
    end: int
    name: str
    level: str


def clause_group(text: str, lang: str, sentence: tuple[int, int], start: int, end: int,
                 semicolon: bool = True) -> tuple[int, int]:
    """The hard-break-delimited part of ``sentence`` containing ``[start, end)``.

    ``semicolon=False`` lets an English group run over ``;``: figures listed as ``(95.2 vs 72.4%);
    ... (93.0 vs 98.5%)`` keep the measure word of the first part.
    """
    s0, s1 = sentence
    pattern = _HARD[lang] if semicolon or lang == "zh" else _SOFT_EN
    left = s0
    for m in pattern.finditer(text, s0, start):
        left = m.end()
    nxt = pattern.search(text, end, s1)
    return left, (nxt.start() if nxt else s1)


def entities_in(entities: Sequence[EntitySpan], start: int, end: int, labels: tuple[str, ...] | None = None) -> list[EntitySpan]:
    """Entities fully inside ``[start, end)``, optionally of some labels, in text order."""
    return [e for e in entities if start <= e.start and e.end <= end and (labels is None or e.label in labels)]


def per_sentence(entities: Sequence[EntitySpan], sentences: Sequence[tuple[int, int]]) -> list[list[EntitySpan]]:
    """The entities inside each sentence, by bisection over start offsets (linear, not quadratic, in
    the size of a section: a 1 MB section has thousands of sentences and entities)."""
    ents = sorted(entities, key=lambda e: (e.start, e.end))
    starts = [e.start for e in ents]
    out = []
    for s0, s1 in sentences:
        lo, hi = bisect.bisect_left(starts, s0), bisect.bisect_left(starts, s1)
        out.append([e for e in ents[lo:hi] if e.end <= s1])
    return out


def name_of(entity: EntitySpan) -> str:
    """The entity's canonical name, or its surface when the tagger gave none."""
    return entity.canonical or entity.text


def sentence_index(sentences: Sequence[tuple[int, int]], pos: int) -> int | None:
    """Index of the sentence containing character ``pos`` (None when outside every sentence)."""
    for i, (s0, s1) in enumerate(sentences):
        if s0 <= pos < s1:
            return i
    return None


@lru_cache(maxsize=2)
def _region_surfaces(lang: str) -> tuple[dict[str, tuple[str, str]], tuple[str, ...]]:
    table = load_regions()
    surfaces: dict[str, tuple[str, str]] = {}
    for region in table.regions:
        names = region.zh if lang == "zh" else (region.en, *region.en_aliases)
        for name in names:
            surfaces.setdefault(name, (region.en, region.level))
    return surfaces, tuple(sorted(surfaces, key=len, reverse=True))


@lru_cache(maxsize=2)
def _region_pattern(lang: str) -> re.Pattern[str]:
    _, ordered = _region_surfaces(lang)
    if lang == "zh":
        return re.compile("|".join(re.escape(n) for n in ordered))
    # Case-sensitive on purpose: "US" the country, not "us" the pronoun.
    # One lookaround pair around the whole alternation: per-alternative lookbehinds cost 10x.
    return re.compile(r"(?<![A-Za-z])(?:" + "|".join(re.escape(n) for n in ordered) + r")(?![A-Za-z])")


def _inside_institution(text: str, lang: str, start: int, end: int) -> bool:
    """True when the region name is part of an institution's name (an affiliation, not a setting)."""
    words = load_regions().institution_words[lang]
    if lang == "zh":
        after = text[end : end + 10]
        # 中国医学科学院, 北京协和医院: an institution word follows within a few characters, with no
        # clause break in between and no word that marks a population (地区/人群/患者).
        head = re.split(r"[，,。；;、(（]", after)[0]
        return any(w in head[:8] for w in words) and not re.match(r"^(地区|人群|患者|人|的)", head)
    before = text[max(0, start - 30) : start]
    if re.search(r"\b(?:University|College|Hospital|Institute|Department|School|Center|Centre|Academy) of\s+(?:the\s+)?$", before):
        return True
    following = re.findall(r"[\w'’-]+", text[end : end + 60])[:4]
    if following and following[0] in ("medicine", "herbal", "herbs"):  # "Chinese medicine" is no setting
        return True
    for word in following:
        if word in words:
            return True
        if not word[:1].isupper():  # the proper name ended before any institution word
            return False
    return False


def find_regions(text: str, lang: str, start: int = 0, end: int | None = None,
                 entities: Sequence[EntitySpan] = ()) -> list[RegionMention]:
    """Study-setting regions in ``text[start:end]`` (never institutions, never inside entities).

    Example:
        >>> [r.name for r in find_regions("而在欧洲西班牙北部地区,发病率为0.6/10万", "zh")]
        ['Europe', 'northern Spain']
        >>> [r.name for r in find_regions("In northern Spain, the incidence was 0.6 per 100,000.", "en")]
        ['northern Spain']
    """
    stop = len(text) if end is None else end
    surfaces, _ = _region_surfaces(lang)
    directions = load_regions().directions
    found: list[RegionMention] = []
    for m in _region_pattern(lang).finditer(text, start, stop):
        a, b = m.start(), m.end()
        if any(e.start < b and a < e.end for e in entities) or _inside_institution(text, lang, a, b):
            continue
        en_name, level = surfaces[m.group(0)]
        name = en_name
        if lang == "zh":
            for adj, suffixes in directions.items():
                hit = next((s for s in suffixes if text.startswith(s, b)), None)
                if hit:
                    name, b = f"{adj} {en_name}", b + len(hit)
                    break
        else:
            d = _EN_DIRECTION.search(text[max(start, a - 25) : a])
            if d and level != "continent":
                # Kept as written (ANNOTATION.md): "northern Spain", "South Australia", "South West London".
                a = a - len(d.group(0))
                name = f"{d.group(0).strip()} {en_name}"
        last = found[-1] if found else None
        if lang == "en" and last and re.fullmatch(r",\s*", text[last.end : a]) and _LEVEL_RANK[level] <= _LEVEL_RANK[last.level]:
            # "Olmsted County, Minnesota": one place written fine to coarse; keep it as written.
            found[-1] = RegionMention(last.start, b, text[last.start : b], last.level)
            continue
        found.append(RegionMention(a, b, name, level))
    return found


def pick_region(mentions: Sequence[RegionMention], anchor: int) -> RegionMention | None:
    """The region governing a figure at ``anchor``: the nearest one before it, preferring the most
    specific when several stand together (欧洲西班牙 → Spain); else the nearest one after it."""
    before = [m for m in mentions if m.end <= anchor]
    if before:
        last = before[-1]
        # Adjacent mentions (gap <= 3 chars) are one place written from coarse to fine.
        group = [m for m in before if last.start - m.end <= 3 or m is last]
        return max(group, key=lambda m: (_LEVEL_RANK.get(m.level, 0), m.end))
    after = [m for m in mentions if m.start >= anchor]
    return after[0] if after else None


def is_myositis(entity: EntitySpan, lang: str) -> bool:
    """True for a DISEASE of the myositis family (or any myositis ANTIBODY), by name or canonical."""
    if entity.label == "ANTIBODY":
        return True
    if entity.label != "DISEASE":
        return False
    if entity.kind in ("myositis", "drug-induced myopathy"):  # the tagger's own disease class, when given
        return True
    return _myositis_name(entity.text, entity.canonical or "")


# The extractors ask this about the same few disease names ~150 times per abstract (profiled: 12% of rules
# time); names repeat across a dump, and the cache is bounded, so memory stays flat.
@lru_cache(maxsize=8192)
def _myositis_name(text: str, canonical: str) -> bool:
    for code in ("en", "zh"):
        terms = load_rules(code).myositis_terms
        if has_cue(text, terms, code) or (canonical and has_cue(canonical, terms, code)):
            return True
    return False


def mark_myositis_aliases(text: str, entities: Sequence[EntitySpan], lang: str) -> list[EntitySpan]:
    """Entities sorted, with the abbreviations a section defines for a myositis disease marked as myositis
    (``systemic autoimmune myopathies (SAM)``: every later ``SAM`` gets ``kind="myositis"``).

    The returned spans are a working view for the extractors (kind only); offsets and text are unchanged.
    """
    ents = sorted(entities, key=lambda e: (e.start, e.end))
    aliases: set[str] = set()
    for prev, cur in zip(ents, ents[1:]):
        if (prev.label == cur.label == "DISEASE" and is_myositis(prev, lang) and not is_myositis(cur, lang)
                and re.fullmatch(r"\s*[(（]\s*", text[prev.end : cur.start]) and len(cur.text) <= 10):
            aliases.add(cur.text)
    if not aliases:
        return ents
    return [replace(e, kind="myositis") if e.label == "DISEASE" and e.text in aliases else e for e in ents]


def main_disease(entities: Sequence[EntitySpan], lang: str) -> str | None:
    """The most frequent myositis-family disease name of a section (ties: first seen), else None."""
    names = [name_of(e) for e in entities if e.label == "DISEASE" and is_myositis(e, lang)]
    if not names:
        return None
    counts = Counter(names)
    return max(names, key=lambda n: (counts[n], -names.index(n)))
