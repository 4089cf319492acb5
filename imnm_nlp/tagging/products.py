"""Chinese named preparations (TCM formulas, proprietary medicines) as DRUG candidates.

Why: zh_notes.md call 1 makes 益气活血汤, 神脑康胶囊, 疏血通注射液, 血塞通 DRUG spans, and no lexicon lists
them all (CMeKG holds a fraction of the products abstracts test). Their shape is regular: a name of 2-8
Chinese characters ending in a preparation word. The hard part is the left edge, since Chinese has no
spaces: the name starts after the last *stop* (a dosing verb, a conjunction, a study word) before it.

Contract: :func:`find_products` scans raw text and returns ``(start, end, stem)`` candidates where
``text[start:end]`` is the name as written (``神脑康胶囊``) and ``stem`` the name without its preparation
word (``神脑康``) or None when the stem is not a name of its own (formulas: ``益气活血`` is an action
phrase). Rules (``resources/span_rules.json`` ``product_zh``):

* a *strong* suffix (注射液, 胶囊, 颗粒, 汤 ...) makes a name by itself;
* a *weak* suffix (片, 丸, 散, 膏: 胸片, 睾丸, 扩散 are ordinary words) needs a dosing verb right before;
* a name right after a route word (注射用血塞通) is a DRUG without a suffix, up to the next stop;
* listed generic words (中药汤剂, 中成药) are never names.
"""

from __future__ import annotations

import re
from functools import lru_cache

from imnm_nlp.tagging.span_rules import SpanRules

_MAX = 8  # characters of a name before its suffix; longer runs are sentences, not names
_FORMULA_SUFFIXES = ("汤", "散")  # a formula's stem is an action phrase (益气活血), not a name


@lru_cache(maxsize=4)
def _patterns(rules: SpanRules) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    alt = lambda words: "|".join(re.escape(w) for w in words)  # noqa: E731  (already longest first)
    pr = "product_zh"
    named = re.compile(rf"(?P<body>[\u4e00-\u9fff]{{2,{_MAX + 6}}}?)(?P<suf>{alt(rules.get(pr, 'strong'))})(?!剂|内镜|内窥镜|型)")
    weak = re.compile(rf"(?:{alt(rules.get(pr, 'dosing_verbs'))})(?P<body>[\u4e00-\u9fff]{{2,{_MAX}}}?)(?P<suf>{alt(rules.get(pr, 'weak'))})")
    route = re.compile(rf"(?:{alt(rules.get(pr, 'route_words'))})(?P<body>[\u4e00-\u9fff]{{2,{_MAX}}})")
    return named, weak, route


def _cut_left(body: str, stops: tuple[str, ...]) -> int:
    """Offset in ``body`` after the rightmost stop word (0 when there is none)."""
    best = 0
    for stop in stops:
        i = body.rfind(stop)
        if i >= 0 and i + len(stop) > best:
            best = i + len(stop)
    return best


def _cut_right(body: str, stops: tuple[str, ...]) -> int:
    """Offset in ``body`` of the leftmost stop word after its first two characters (len(body) when none)."""
    best = len(body)
    for stop in stops:
        i = body.find(stop, 2)
        if 0 <= i < best:
            best = i
    return best


def find_products(text: str, rules: SpanRules) -> list[tuple[int, int, str | None]]:
    """Named preparations in ``text`` (see the module docstring), in text order, possibly overlapping."""
    if not re.search(r"[\u4e00-\u9fff]", text):
        return []
    named, weak, route = _patterns(rules)
    stops = rules.get("product_zh", "stops")
    banned = set(rules.get("product_zh", "not_names"))
    out: list[tuple[int, int, str | None]] = []
    for pat, strong in ((named, True), (weak, False)):
        for m in pat.finditer(text):
            body, b0 = m.group("body"), m.start("body")
            cut = _cut_left(body, stops)
            name_start = b0 + cut
            stem = text[name_start : m.start("suf")]
            if len(stem) < 2 or len(stem) > _MAX or text[name_start : m.end()] in banned or stem in banned:
                continue
            keep_stem = stem if strong and m.group("suf") not in _FORMULA_SUFFIXES and len(stem) >= 2 else None
            out.append((name_start, m.end(), keep_stem))
    for m in route.finditer(text):
        body = m.group("body")
        end = _cut_right(body, stops + ("治疗", "静", "，", "。"))
        name = body[:end]
        if 2 <= len(name) <= _MAX and name not in banned:
            out.append((m.start("body"), m.start("body") + end, name))
    return sorted(out, key=lambda t: (t[0], t[1]))


__all__ = ["find_products"]
