"""RATE figures: find them in text (both languages) and parse them into :class:`~imnm_nlp.records.Rate`.

Contract:
    * :func:`find_rates` scans a :func:`~imnm_nlp.tagging.view.width_view` and yields
      ``(start, end, Rate | None)``; ``None`` marks a *blocker*, a figure that looks like a rate but is not
      one (``95% CI 0.7–1.5``): it wins the overlap resolution against the numbers inside it and is then
      dropped, so neither ``95%`` nor the CI bounds become RATE spans (ANNOTATION.md).
    * :func:`parse_rate` parses one RATE surface as written and raises :class:`~imnm_nlp.errors.RecordError`
      when the string is not exactly one rate (``p = 0.03``, ``50 mg/kg``, ``22 patients``).

Units follow the gold vocabulary: ``percent``; ``per N`` with N in digits (``0.83/10万`` → 0.83
``per 100000``; ``8.3 per million person-years`` → 8.3 ``per 1000000 person-years``). ``value`` is the number as
written (the lower bound of a range, ``value_high`` the upper); ``per_100k`` is set for population rates only.
A count (``12 of 48 patients``, ``22/405``) gives ``numerator``/``total`` and its percentage to two decimals,
as the epi guideline asks. The rules in ANNOTATION.md "RATE" are the spec; ``RATE_RULES.md`` is not needed.
"""

from __future__ import annotations

import re
from typing import Callable, Iterator

from imnm_nlp.errors import RecordError
from imnm_nlp.normalize.numwords import FRACTION, NUMWORD, fraction_value, to_number
from imnm_nlp.records import Rate
from imnm_nlp.tagging.view import width_view

# Numbers. A value may carry a sign when nothing alphanumeric precedes it (``-6.44%`` yes, ``IL-6`` no).
_NB = r"(?<![A-Za-z0-9.])(?<![0-9],)"  # not inside 1,234 or 1.5; after a CJK comma is fine
NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
SNUM = rf"{_NB}(?:(?<![0-9])[-+](?=\d))?(?:{NUM})(?![0-9])"
_DEN_DIGITS = r"\d{1,3}(?:[,\s]\d{3})+|\d+"
_POW10 = r"(?:100|10|1)(?:[,\s]?000)+"
_RANGE_SEP = r"\s?(?:-|~|to|至|到|－)\s?"
_CI = rf"\s?[(\[]\s?95\s?%\s?(?:CI|CrI|confidence interval|可信区间|置信区间)\s?[:,]?\s?(?P<cil>{NUM})\s?%?{_RANGE_SEP}(?P<cih>{NUM})\s?%?\s?[)\]]"
_EN_SCALE = r"(?:1\s)?(?:million|thousand|billion)|hundred thousand|10\^?\s?[3-9]|10[³⁴⁵⁶⁷⁸⁹]|10\s?\(\s?[3-9]\s?\)"
# a number written as a word ("eight cases per million"); only where a digit figure would be a rate too
WNUM = rf"(?:{NUMWORD})"
# "2000 to 14.0/100,000": a year is never the low end of a range of rates
_NOT_YEAR_RANGE = r"(?!(?:19|20)\d\d\s?(?:-|~|to|至|到)\s?\d)"
_LIST_SEP = r"(?:\s?[,，、]\s?(?:and\s|or\s)?|\s(?:and|or|vs\.?|versus)\s|\s?[和与及]\s?)"
# the counted thing between a figure and its denominator ("11.3 events per 100,000")
_EVENTS = r"(?:new\s)?(?:(?:cases?|events?|deaths?|diagnoses|infections?|patients?|individuals?)\s?)?"
_POP = (r"(?:person|patient|people|population|inhabitant|individual|resident|subject|adult|child|children|"
        r"men|women|persons|live\sbirths?|births?|general\spopulation)s?(?![A-Za-z])")
_PY = r"(?:person|patient|subject)s?[-\s]?years?|PYs?|py"
_TIME = r"(?:\s?(?:per|/|a|each)\s?(?:year|yr|annum)|\s?annually|\s?yearly)"
_NOUNS = (r"patients|cases|subjects|participants|individuals|persons|people|children|adults|men|women|"
          r"controls|samples|sera|biopsies|families|infants|pregnancies|eyes|cohorts?|respondents|"
          r"responders|survivors|deaths|studies|patient|case|subject")
_ZH_SCALE = r"(?:(?:\d+)\s?(?:万|千|百万|亿)|十万|百万|千万|万|千|亿|\d{3,}(?:,\d{3})*)"
_PERMILLE = {"‰": 1000, "‱": 10000}
_ZH_FRACTION = {"百分之": 100, "千分之": 1000, "万分之": 10000, "十万分之": 100000, "百万分之": 1000000}
_ZH_DIGIT = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


def _num(s: str) -> float:
    return to_number(s)


def _scale_en(s: str) -> int:
    s = s.lower().strip()
    # "hundred thousand" before "thousand"; "1 million" == "million"
    for w, n in (("hundred thousand", 100_000), ("million", 1_000_000), ("billion", 1_000_000_000), ("thousand", 1000)):
        if w in s:
            return n
    m = (re.match(r"10\^?\s?([3-9])$", s) or re.match(r"10([³⁴⁵⁶⁷⁸⁹])$", s)
         or re.match(r"10\s?\(\s?([3-9])\s?\)$", s))
    if m:
        return 10 ** int(m.group(1).translate(str.maketrans("³⁴⁵⁶⁷⁸⁹", "3456789")))
    return int(re.sub(r"[,\s]", "", s))


def _scale_zh(s: str) -> int:
    s = s.replace(",", "").replace(" ", "")
    units = {"十万": 100_000, "百万": 1_000_000, "千万": 10_000_000, "万": 10_000, "千": 1000, "亿": 100_000_000}
    m = re.match(r"(\d*)(十万|百万|千万|万|千|亿)?$", s)
    if not m:
        raise RecordError(f"not a Chinese denominator: {s!r}")
    base = int(m.group(1)) if m.group(1) else 1
    return base * units[m.group(2)] if m.group(2) else base


def _per(value: float, high: float | None, n: int, py: bool, ci: tuple[float, float] | None = None) -> Rate:
    if n <= 0:
        raise RecordError(f"rate denominator must be positive; got {n}")
    f = 100_000 / n
    return Rate(
        value=value, unit=f"per {n}" + (" person-years" if py else ""), value_high=high,
        per_100k=round(value * f, 10), per_100k_high=round(high * f, 10) if high is not None else None,
        ci_low=ci[0] if ci else None, ci_high=ci[1] if ci else None, person_years=py,
    )


def _pct(value: float, high: float | None = None, ci: tuple[float, float] | None = None) -> Rate:
    return Rate(value=value, unit="percent", value_high=high, ci_low=ci[0] if ci else None, ci_high=ci[1] if ci else None)


def _count(k: int, n: int) -> Rate | None:
    if n <= 0 or k > n:
        return None  # 120/80 (blood pressure), 24/7: not a part of a whole
    return Rate(value=round(100 * k / n, 2), unit="percent", numerator=k, total=n)


def _ci(m: re.Match[str]) -> tuple[float, float] | None:
    return (_num(m["cil"]), _num(m["cih"])) if m.groupdict().get("cil") else None


def _hi(m: re.Match[str]) -> float | None:
    return _num(m["hi"]) if m.groupdict().get("hi") else None


# Each rule: a piece of its regex that every match contains, the regex over the width view, and a builder from
# its match to a Rate (None → blocker). The regexes open with lookbehinds, so the engine has no literal to skip
# to and tries every position; the piece is cheap to search for and absent from most sections, so a rule runs
# only where its piece occurs (same candidates, less than half the time on the demo corpus).
_Rule = tuple[re.Pattern[str], re.Pattern[str], Callable[[re.Match[str]], Rate | None]]
_I = re.IGNORECASE


def _rules() -> list[_Rule]:
    rng = rf"{_NOT_YEAR_RANGE}(?P<v>{SNUM}|{WNUM})(?:{_RANGE_SEP}(?P<hi>{NUM}))?"
    rules = [
        # 95% CI with its bounds, and 95%CI alone: blockers (never RATE)
        (r"%", re.compile(rf"(?:{_NB}\d{{2}}(?:\.\d)?\s?%\s?(?:CI|CrI|confidence intervals?|可信区间|置信区间)"
                    rf"|(?:CI|CrI|confidence intervals?)\s?[:,]?\s?\d{{2}}(?:\.\d)?\s?%)"
                    rf"(?:\s?[:,：]?\s?(?:{NUM})\s?%?{_RANGE_SEP}(?:{NUM})\s?%?)?", _I), lambda m: None),
        # percentages and percentage ranges: 25%, 20%-30%, 20-30%, 20% to 30%, 25 percent
        (r"%|percent|per\scent", re.compile(rf"(?P<v>{SNUM})(?:\s?%?{_RANGE_SEP}(?P<hi>{NUM}))?\s?(?:%|percent\b|per\scent\b)", _I),
         lambda m: _pct(_num(m["v"]), _hi(m))),
        (r"percent|per\scent", re.compile(rf"(?P<v>{WNUM})\s(?:percent|per\scent)\b", _I), lambda m: _pct(_num(m["v"]))),
        # figures sharing one percent sign are one RATE each: "92.7, 73.6 and 55.1%", "(95.2 vs 72.4%)"
        (r"%", re.compile(rf"(?<![<>=≤≥]\s)(?<![<>=≤≥])(?P<v>{SNUM})(?=(?:{_LIST_SEP}(?:{NUM}))*{_LIST_SEP}(?:{NUM})\s?%(?!\s?(?:CI|CrI|conf)))", _I),
         lambda m: _pct(_num(m["v"])) if 0 <= _num(m["v"]) <= 100 else None),
        # spelled-out shares of a group: "One-third of patients" (the "of" stays outside)
        (r"\sof\b", re.compile(rf"{FRACTION}(?=\s+of\b)", _I), lambda m: _pct(fraction_value(m["fk"], m["fd"]))),
        # per mille / per ten thousand signs
        (r"[‰‱]", re.compile(rf"(?P<v>{SNUM})(?:{_RANGE_SEP}(?P<hi>{NUM}))?\s?(?P<sign>[‰‱])"),
         lambda m: _per(_num(m["v"]), _hi(m), _PERMILLE[m["sign"]], False)),
        # English population rates: 0.83 per 100,000 [person-years] [per year], 1-6 per million, 1.1 (95% CI ...) per 100 000
        (rf"per\s?(?:{_EN_SCALE}|{_DEN_DIGITS})|/\s?(?:{_POW10}|{_EN_SCALE})", re.compile(rf"{rng}(?:{_CI})?\s?{_EVENTS}(?:per\s?(?P<den>{_EN_SCALE}|{_DEN_DIGITS})|/\s?(?P<den2>{_POW10}|{_EN_SCALE}))"
                    rf"(?:\s?(?P<py>{_PY})|\s(?:{_POP}))?(?:{_TIME})?(?![0-9])", _I),
         lambda m: _per(_num(m["v"]), _hi(m), _scale_en(m["den"] or m["den2"]), bool(m["py"]), _ci(m))),
        # 1 in 8,400 (population odds), 1 in 15 000 (a space as thousands separator, as some journals print it);
        # the whole must look like a population, not a year (3 in 2019)
        (r"1\s(?:in|out\sof)\s\d", re.compile(rf"{_NB}(?P<v>1)\s(?:in|out\sof)\s(?P<den>\d{{1,3}}(?:,\d{{3}})+|\d{{1,3}}(?: \d{{3}})+|\d{{3,}})(?![0-9])", _I),
         lambda m: None if re.fullmatch(r"(19|20)\d\d", m["den"]) else _per(1.0, None, _scale_en(m["den"]), False)),
        # counts of a whole: 12 of 48 patients, 12 out of the 48 cases, Thirty-four out of 35 patients
        (r"\s(?:of|out\sof)\s(?:the\s|all\s)?\d", re.compile(rf"(?:{_NB}(?P<k>\d+)|(?P<kw>{WNUM}))\s(?:of|out\sof)\s(?:the\s|all\s)?"
                    rf"(?P<n>\d{{1,3}}(?:,\d{{3}})+|\d+)(?![0-9.,])(?:\s(?:{_NOUNS})\b)?", _I),
         lambda m: _count(int(_num(m["k"] or m["kw"])), int(_num(m["n"])))),
        # population odds as a ratio: 1:26 676 (a dilution 1:1000 is not one)
        (r"1\s?[:∶]\s?\d", re.compile(rf"{_NB}(?P<v>1)\s?[:∶]\s?(?P<den>\d{{1,3}}(?:[,\s]\d{{3}})+|\d{{4,}})(?![0-9])"), _ratio),
        # Chinese counts of a whole: 48例中12例, 50例患者中有12例 (not when a percentage follows: that one is the RATE)
        ("中", re.compile(rf"{_NB}(?P<n>\d+)\s?(?:例|名)[\u4e00-\u9fff]{{0,8}}?中\s?(?:共有|仅有|有|共|仅)?\s?(?P<k>\d+)\s?(?:例|名)"
                    rf"(?![\u4e00-\u9fff]{{0,6}}\s?[(（]\s?\d[\d.]*\s?[%％])"),
         lambda m: _count(int(m["k"]), int(m["n"]))),
        # X/N: a population rate when N is 1,000 or a power of ten above, else a count (22/405)
        (r"\d\s?/\s?\d", re.compile(rf"{_NB}(?<!/)(?P<v>{NUM})\s?/\s?(?P<den>{_DEN_DIGITS})(?![0-9/.]|\s?(?:mm|mg|g\b|kg|ml|mL|l\b|L\b|μ|u|U))"),
         _slash),
        # Chinese: 0.83/10万, 1~6/10万, 3/10万人年, 0.83例/10万人, 1/10万~6/10万
        (rf"/\s?(?:{_ZH_SCALE})", re.compile(rf"{_NOT_YEAR_RANGE}(?P<v>{SNUM})(?:{_RANGE_SEP}(?P<hi>{NUM}))?\s?(?:例|人)?\s?/\s?(?P<den>{_ZH_SCALE})(?P<ppl>人口?|居民)?"
                    rf"(?P<py>[·•・\s]?年)?(?:{_RANGE_SEP}(?P<hi2>{NUM})\s?/\s?(?P=den)(?:人口?|居民)?(?:[·•・\s]?年)?)?"),
         lambda m: _per(_num(m["v"]), _num(m["hi2"]) if m["hi2"] else _hi(m), _scale_zh(m["den"]), bool(m["py"]))),
        # Chinese: 每10万人0.83例, 每10万人中约有1.2例, 每年每10万人口0.5~1例
        ("每", re.compile(rf"每\s?(?P<den>{_ZH_SCALE})\s?(?:人口?|居民|人群|名)?(?P<py>年)?\s?(?:中)?\s?(?:约|有|约有)?\s?"
                    rf"(?P<v>{NUM})(?:{_RANGE_SEP}(?P<hi>{NUM}))?\s?(?:例|人|名)?"),
         lambda m: _per(_num(m["v"]), _hi(m), _scale_zh(m["den"]), bool(m["py"]))),
        # Chinese: 万分之3, 十万分之一, 百分之25
        ("分之", re.compile(r"(?P<f>十万分之|百万分之|百分之|千分之|万分之)\s?(?P<v>\d+(?:\.\d+)?|[一二两三四五六七八九十])"),
         _zh_fraction),
    ]
    return [(re.compile(piece, pattern.flags), pattern, build) for piece, pattern, build in rules]


def _slash(m: re.Match[str]) -> Rate | None:
    v, den = m["v"], int(re.sub(r"[,\s]", "", m["den"]))
    if re.fullmatch(r"(19|20)\d\d", v.replace(",", "")) and re.fullmatch(r"(19|20)?\d\d", m["den"]):
        return None  # 2010/2011, 2019/20: years
    if den >= 1000 and (re.fullmatch(r"10+", str(den)) or v == "1"):
        return _per(_num(v), None, den, False)  # 1.2/100000, 1/9000: population rates
    if "." in v or "," in v:
        return None
    return _count(int(v), den)


def _ratio(m: re.Match[str]) -> Rate | None:
    before = m.string[max(0, m.start() - 30) : m.start()].lower()
    after = m.string[m.end() : m.end() + 20].lower()
    if re.search(r"dilut|titer|titre|ser(?:um|a)\b", before) or "dilut" in after:
        return None  # 1:1000 dilution of a serum
    return _per(1.0, None, _scale_en(m["den"]), False)


def _zh_fraction(m: re.Match[str]) -> Rate:
    raw = m["v"]
    value = float(_ZH_DIGIT[raw]) if raw in _ZH_DIGIT else float(raw)
    n = _ZH_FRACTION[m["f"]]
    return _pct(value) if n == 100 else _per(value, None, n, False)


_COMPILED: list[_Rule] | None = None


def _compiled() -> list[_Rule]:
    global _COMPILED  # compiled on first use, not at import
    if _COMPILED is None:
        _COMPILED = _rules()
    return _COMPILED


def find_rates(view: str) -> Iterator[tuple[int, int, Rate | None]]:
    """Candidate RATE spans of a width view: ``(start, end, Rate)``, or ``(start, end, None)`` for a blocker.

    Candidates of different rules may overlap; the tagger keeps the longest.
    """
    for piece, pattern, build in _compiled():
        if piece.search(view) is None:
            continue
        for m in pattern.finditer(view):
            start, end = m.span()
            while end > start and view[end - 1].isspace():
                end -= 1
            yield start, end, build(m)


def parse_rate(surface: str, lang: str = "en") -> Rate:
    """Parse one RATE surface as written.

    Args:
        surface: ``0.83/10万``, ``1.85 per 100,000``, ``25%``, ``12 of 48 patients``, ...
        lang: ``en`` or ``zh`` (the rules are shared; kept for the contract and future divergence).

    Raises:
        RecordError: the surface is not exactly one rate.

    Example:
        >>> parse_rate("0.83/10万", "zh").per_100k
        0.83
    """
    if lang not in ("en", "zh"):
        raise RecordError(f"lang must be 'en' or 'zh'; got {lang!r}")
    view = width_view(surface).strip()
    best: tuple[int, Rate | None] | None = None
    for start, end, rate in find_rates(view):
        if start == 0 and end == len(view) and (best is None or rate is None):
            best = (end, rate)
    if best is None or best[1] is None:
        raise RecordError(f"not a rate: {surface!r} (expected e.g. '25%', '0.83 per 100,000', '0.83/10万', '12 of 48')")
    return best[1]


__all__ = ["find_rates", "parse_rate"]
