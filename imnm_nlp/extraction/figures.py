"""Figures of a sentence: RATE spans merged into candidate epi figures, plus the bare numbers of
``respectively`` lists, CIs and study periods.

Contract:
    * :func:`figure_slots` turns the RATE spans of one sentence into :class:`Slot` objects, one per
      figure: a count and its percentage written together (``12 of 48 patients (25%)``, ``25% (12/48)``)
      become ONE slot holding the percentage (ANNOTATION.md: record the percentage once); a count
      alone becomes ``100·k/n`` rounded to 2 decimals; CI bounds written as RATEs are dropped.
    * :func:`respectively_numbers` finds bare numbers coordinated with a RATE in a ``respectively``/
      ``分别`` list (``0.83 and 1.85 per 100,000, respectively``) and gives them the RATE's unit.
    * A RATE span whose ``rate`` is None (e.g. gold entities) is parsed with a small fallback parser
      covering percentages, ``per N``, ``/10万``, ``k of n`` and ``k/n``; anything else is skipped.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass, replace
from typing import Sequence

from imnm_nlp.errors import RecordError
from imnm_nlp.records import EntitySpan, Rate

_NUM = r"[-−]?\d+(?:[.,·]\d+)*"
_CJK_SCALE = {"万": 10_000, "十万": 100_000, "百万": 1_000_000, "千": 1_000, "百": 100, "亿": 100_000_000}
_CI_AFTER = re.compile(
    rf"^\s*[(（\[,，]?\s*(?:95\s*%|95％)\s*(?:CI|confidence interval|置信区间|可信区间)\s*[:：,=]?\s*"
    rf"({_NUM})\s*(?:%|％)?\s*(?:-|–|—|~|～|to|至)\s*({_NUM})"
)
_COUNT_GAP = re.compile(r"^\s*[(（\[]?\s*$")
_YEAR_RANGE = re.compile(r"((?:19|20)\d{2})\s*年?(?:\s*\d{1,2}\s*月)?\s*(?:-|–|—|~|～|to|至|and|through|until)\s*((?:19|20)\d{2})")
# A single year is a study period only with a cue ("in 2019", "during 2010", "2019年", "于2019年"), and never after
# "since"/"自" (a naming or discovery date: "自2003年首次被命名以来").
_YEAR_ONE = re.compile(
    r"(?:(?<=\bin )|(?<=\bIn )|(?<=during )|(?<=During )|(?<=\bof )|(?<=year )|(?<=[在于]))((?:19|20)\d{2})(?!\d)"
    r"|(?<![自\d])((?:19|20)\d{2})(?=\s*年(?![代龄]))(?![^，,。;；]{0,12}以来)"
)
_MAX_YEAR = datetime.date.today().year + 1
# The year both patterns contain. _YEAR_ONE opens with lookbehinds and is tried at every position; most sentences
# hold no year at all, and this plain search finds that out cheaply.
_A_YEAR = re.compile(r"(?:19|20)\d{2}")


@dataclass(frozen=True, slots=True)
class Slot:
    """One candidate figure: where it is, its parsed rate, and the span the provenance points at."""

    start: int
    end: int
    rate: Rate
    surface: str
    bare: bool = False  # a bare number borrowed into a respectively list


def _to_float(s: str) -> float:
    s = s.replace("−", "-").replace("·", ".")
    # "100,000" is a thousands separator; "1,5" (European decimal) is rare in these abstracts.
    if re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?", s):
        s = s.replace(",", "")
    return float(s.replace(",", "."))


def fallback_rate(surface: str) -> Rate | None:
    """Parse a RATE surface when the tagger gave no ``Rate`` (gold entities, older taggers).

    Example:
        >>> fallback_rate("0.83/10万").per_100k
        0.83
        >>> fallback_rate("12 of 48 patients").value
        25.0
    """
    # NFKC for parsing only (４．９２％ -> 4.92%); the surface itself stays as written.
    s = unicodedata.normalize("NFKC", surface).replace("～", "~").replace("–", "-").replace("—", "-").strip()
    s = re.sub(r"10\s*(?:\(6\)|\^6|⁶)", "1000000", _words_to_digits(s))
    s = re.sub(r"(?<=\d)[ \u00a0\u2009](?=\d{3}\b)", "", s)  # "100 000" -> "100000"
    ci_m = re.search(rf"[\[(（]\s*95\s*%\s*(?:CI|confidence interval)\s*[:,]?\s*({_NUM})\s*%?\s*(?:-|to|~)\s*({_NUM})[^\])）]*[\])）]", s)
    if ci_m:
        s = s[: ci_m.start()] + s[ci_m.end() :]
    nums = re.findall(_NUM, s)
    if not nums:
        return None
    try:
        if ci_m:
            inner = fallback_rate(s)
            return replace(inner, ci_low=_to_float(ci_m.group(1)), ci_high=_to_float(ci_m.group(2))) if inner else None
        low = _to_float(nums[0])
        rng = re.search(rf"^\s*{_NUM}\s*%?\s*(?:/\s*\d*\s*(?:十万|百万|万|千|亿))?\s*(?:~|-|to|至)\s*({_NUM})", s)
        high = _to_float(rng.group(1)) if rng else None
        if "%" in s:
            return Rate(low, "percent", value_high=high)
        zh = re.search(r"/\s*(\d*)\s*(十万|百万|万|千|亿)", s)
        if zh:
            return _per(low, int(zh.group(1) or 1) * _CJK_SCALE[zh.group(2)], s, high)
        per = re.search(rf"per\s+({_NUM}|million|thousand)\s*(million)?", s, re.IGNORECASE)
        if per:
            word = per.group(1).lower()
            base = {"million": 1_000_000, "thousand": 1000}.get(word) or int(_to_float(word))
            if per.group(2):
                base *= 1_000_000
            return _per(low, base, s, high)
        slash = re.search(rf"/\s*({_NUM}|million|thousand)\b", s, re.IGNORECASE)
        if slash and (slash.group(1).lower() in ("million", "thousand") or _power_of_ten(_to_float(slash.group(1)))):
            word = slash.group(1).lower()
            base = {"million": 1_000_000, "thousand": 1000}.get(word) or int(_to_float(word))
            return _per(low, base, s.replace("/year", " person-years") if "/year" in s else s, high)
        if re.fullmatch(rf"\s*{_NUM}\s*", s):
            # A bare number tagged RATE is a percentage written without its sign (约占47.66).
            return Rate(low, "percent")
        one_in = re.search(rf"^\s*1\s*(?::|in)\s*({_NUM})\s*$", s)
        if one_in:
            return _per(1.0, int(_to_float(one_in.group(1))), s, None)
        m = re.search(rf"({_NUM})\s*(?:/|of|out of)\s*({_NUM})", s)
        if m:
            k, n = _to_float(m.group(1)), _to_float(m.group(2))
            if 0 < n and 0 <= k <= n and k == int(k) and n == int(n):
                return Rate(round(100 * k / n, 2), "percent", numerator=int(k), total=int(n))
    except (ValueError, RecordError):
        return None
    return None


def _power_of_ten(n: float) -> bool:
    """``100,000`` is a population denominator; ``1 120`` in ``52/1 120`` is a cohort size."""
    return n >= 1000 and float(f"{n:.0f}".rstrip("0") or "0") == 1.0


def _words_to_digits(s: str) -> str:
    """``Thirty-four out of 35`` -> ``34 out of 35`` (English number words 1-99 opening a count)."""
    ones = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
    tens = "twenty thirty forty fifty sixty seventy eighty ninety".split()
    m = re.match(rf"^\s*(?:({'|'.join(tens)})(?:[-\s]({'|'.join(ones[:9])}))?|({'|'.join(ones)}))\b", s, re.IGNORECASE)
    if not m:
        return s
    value = (tens.index(m.group(1).lower()) + 2) * 10 + (ones.index(m.group(2).lower()) + 1 if m.group(2) else 0) if m.group(1) \
        else ones.index(m.group(3).lower()) + 1
    return str(value) + s[m.end():]


def _per(value: float, base: int, surface: str, high: float | None) -> Rate | None:
    if base <= 0:
        return None
    py = bool(re.search(r"person-?years?|人年", surface))
    unit = f"per {base}" + (" person-years" if py else "")
    return Rate(value, unit, value_high=high, per_100k=round(value * 100_000 / base, 6), person_years=py)


def rate_of(span: EntitySpan) -> Rate | None:
    """The span's parsed rate: the tagger's, else the fallback parse of its surface.

    Two readings are corrected here because the gold reads them so: ``1/360 000`` (one case in a
    population of N >= 1000) is ``1 per 360000``, not a 0.0003% cohort share; and a range whose lower
    bound is a year (``2000 to 14.0/100,000``, the year glued to the rate) is read from after the year.
    """
    rate = span.rate if span.rate is not None else fallback_rate(span.text)
    if rate is None:
        return None
    if rate.numerator == 1 and rate.total is not None and rate.total >= 1000 and "/" in span.text:
        return Rate(1.0, f"per {rate.total}", per_100k=round(100_000 / rate.total, 6))
    year = re.match(r"^((?:19|20)\d{2})\s*(?:to|-|–|至|~)\s*(.+)$", span.text)
    if year and rate.value == float(year.group(1)):
        return fallback_rate(year.group(2))
    return rate


def _is_count(rate: Rate) -> bool:
    return rate.numerator is not None and rate.total is not None


def _as_percent(rate: Rate) -> Rate:
    """A count as a percentage ``100·k/n`` (2 decimals), keeping numerator/total."""
    if rate.unit == "percent" and rate.total and abs(rate.value - 100 * (rate.numerator or 0) / rate.total) < 0.01:
        return rate
    if not rate.total:
        return rate
    return replace(rate, value=round(100 * (rate.numerator or 0) / rate.total, 2), unit="percent", per_100k=None)


def _in_ci(text: str, span: EntitySpan) -> bool:
    before = text[max(0, span.start - 25) : span.start]
    return bool(re.search(r"(CI|confidence interval|置信区间|可信区间)[^)）]*$", before)) and "(" in before + "（" or bool(
        re.search(r"(CI|confidence interval|置信区间|可信区间)\s*[:：,=]?\s*[\d.,]*\s*%?\s*(-|–|to|~|～|至)?\s*$", before)
    )


def figure_slots(text: str, rates: Sequence[EntitySpan]) -> list[Slot]:
    """Merge the RATE spans of one sentence into figure slots (see module docstring)."""
    spans = [r for r in sorted(rates, key=lambda e: e.start) if not _in_ci(text, r)]
    parsed = [(s, rate_of(s)) for s in spans]
    parsed = [(s, r) for s, r in parsed if r is not None]
    slots: list[Slot] = []
    i = 0
    while i < len(parsed):
        span, rate = parsed[i]
        if i + 1 < len(parsed):
            nxt, nrate = parsed[i + 1]
            gap = text[span.end : nxt.start]
            pair = (_is_count(rate) and nrate.unit == "percent" and not _is_count(nrate)) or (
                rate.unit == "percent" and not _is_count(rate) and _is_count(nrate))
            if pair and _COUNT_GAP.match(gap):
                pct, cnt = (nrate, rate) if _is_count(rate) else (rate, nrate)
                pspan = nxt if _is_count(rate) else span
                merged = replace(pct, numerator=cnt.numerator, total=cnt.total)
                slots.append(Slot(pspan.start, pspan.end, merged, pspan.text))
                i += 2
                continue
        slots.append(Slot(span.start, span.end, _as_percent(rate) if _is_count(rate) else rate, span.text))
        i += 1
    return slots


def respectively_numbers(text: str, lang: str, slot: Slot, floor: int, taken: Sequence[tuple[int, int]],
                         respectively: bool = True) -> list[Slot]:
    """Bare numbers listed right before ``slot`` (``0.83 and 1.85 per 100,000``), as slots with its unit.

    In a ``respectively``/``分别`` sentence numbers joined by ``and``/``,``/``和``/``、``/``及``/``与``
    count; in any sentence a comparison ``95.2 vs 72.4%`` does. Scanning stops at ``floor``; spans in
    ``taken`` (entities, other slots) are never reused.
    """
    if respectively:
        joiner = r"(?:\s*(?:,|and|or|vs\.?|versus|和|及|与|、|，|比)\s*)+" if lang == "en" else r"\s*(?:和|及|与|、|，|,|或|vs\.?|比)\s*"
    else:
        joiner = r"\s*(?:vs\.?|versus|比)\s*"
    out: list[Slot] = []
    right = slot.start
    while True:
        m = re.search(rf"({_NUM})(?:\s*(?:%|％))?{joiner}$", text[floor:right])
        if not m:
            break
        a, b = floor + m.start(1), floor + m.end(1)
        if any(t0 < b and a < t1 for t0, t1 in taken):
            break
        try:
            value = _to_float(m.group(1))
            per = None if slot.rate.per_100k is None or not slot.rate.value else value * slot.rate.per_100k / slot.rate.value
            out.append(Slot(a, b, Rate(value, slot.rate.unit, per_100k=per, person_years=slot.rate.person_years), text[a:b], bare=True))
        except (ValueError, RecordError):
            break
        right = a
    return list(reversed(out))


def ci_after(text: str, end: int, limit: int) -> tuple[float, float] | None:
    """A ``(95% CI a–b)`` written right after a figure ending at ``end`` (not beyond ``limit``)."""
    m = _CI_AFTER.match(text[end:limit])
    if not m:
        return None
    try:
        return _to_float(m.group(1)), _to_float(m.group(2))
    except ValueError:
        return None


def ci_end(text: str, end: int, limit: int) -> int:
    """Where a ``(95% CI a–b)`` attached to a figure ending at ``end`` ends, or ``end`` when there is none: the
    words of the interval (``confidence``) belong to the figure, not to its context."""
    m = _CI_AFTER.match(text[end:limit])
    return end + m.end() if m else end


def period_in(text: str) -> str | None:
    """A study period stated in ``text``: ``2000-2010`` for a range, ``2019`` for one year."""
    if _A_YEAR.search(text) is None:
        return None
    for m in _YEAR_RANGE.finditer(text):
        if m.group(1) <= m.group(2) and int(m.group(2)) <= _MAX_YEAR:
            return f"{m.group(1)}-{m.group(2)}"
    for m in _YEAR_ONE.finditer(text):
        year = m.group(1) or m.group(2)
        if int(year) <= _MAX_YEAR:  # "2066 patients" is a count, not a year
            return year
    return None


_WHOLE = {
    "en": re.compile(r"(?<![\d.,])(\d{1,5})\s+(?:(?:consecutive|adult|adults|unselected|Chinese|Japanese)\s+)?"
                     r"(?:patients|cases|subjects|individuals|participants|children|adults)\b"),
    "zh": re.compile(r"(?<![\d.])(\d{1,5})\s*例"),
}
_PART = {
    "en": re.compile(r"(?<![\d.,%])(\d{1,5})\s+(?:patients\s+|cases\s+)?(?:with|had|showed|developed|were positive for|tested positive for)\b"),
    "zh": re.compile(r"(?:其中|有)\s*(\d{1,5})\s*例(?:患者)?(?:为|合并|伴有|伴|出现|检出|存在)?"),
}


def count_slots(text: str, lang: str, sentence: tuple[int, int], entities: Sequence[EntitySpan]) -> list[Slot]:
    """Counts written without a RATE: ``27 patients with anti-HMGCR antibodies revealed 19 with myopathy``,
    ``48例患者,其中12例合并间质性肺病`` → 100·k/n (ANNOTATION.md: only when the count and its whole stand in
    the same sentence). The part must be followed closely by an ANTIBODY/HLA_ALLELE/DISEASE entity and
    be smaller than the whole; numbers inside entities (RATE spans included) are never reused."""
    s0, s1 = sentence
    whole = _WHOLE[lang].search(text, s0, s1)
    if not whole:
        return []
    n = int(whole.group(1))
    taken = [(e.start, e.end) for e in entities]
    reach = 40 if lang == "en" else 15
    out = []
    for m in _PART[lang].finditer(text, whole.end(), s1):
        a, b = m.start(1), m.end(1)
        k = int(m.group(1))
        if not 0 < k < n or any(t0 < b and a < t1 for t0, t1 in taken):
            continue
        if any(e.label == "RATE" and 0 <= e.start - b <= 8 for e in entities) or re.match(r"[^%％]{0,10}[%％]", text[b : b + 12]):
            continue  # "17例(18%)": the percentage is written, that is the figure
        if not any(e.label in ("ANTIBODY", "HLA_ALLELE", "DISEASE") and 0 <= e.start - m.end() <= reach for e in entities):
            continue
        out.append(Slot(a, b, Rate(round(100 * k / n, 2), "percent", numerator=k, total=n), text[a:b], bare=True))
    return out
