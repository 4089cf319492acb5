"""Hedging and negation with scope, ConText/NegEx style, rules as data.

Contract:
    * :func:`find_triggers` lists the ConText triggers of a sentence with the character scope each one
      governs: ``FORWARD`` triggers cover the text after them, ``BACKWARD`` the text before them,
      ``BIDIRECTIONAL`` both; a scope stops at a clause boundary (``;``, ``:``, ``,`` in Chinese,
      ``。``), at a ``TERMINATE`` trigger (but/however/但/而) or after ``max_scope`` characters
      (default 60 for English, 25 for Chinese, about eight words either way).
    * ``PSEUDO`` triggers (``no significant difference``, ``不同``, ``未来``) consume their text so that
      the shorter trigger inside them (``no``, ``不``, ``未``) does not fire: that is how ConText avoids
      its most common false positives.
    * :func:`negation_scope` and :func:`hedge_scope` return the merged ``[start, end)`` ranges, offsets
      into the sentence; :func:`is_hedged` / :func:`is_negated` answer for the sentence or a span.

Adapted from the idea (not the code) of medspaCy's ``context`` component: its rules carry a literal,
a category and a direction, and the matcher resolves scope per sentence. We work on characters rather
than tokens so that Chinese needs no segmentation here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from imnm_nlp.extraction.cues import find_cues
from imnm_nlp.extraction.rules import ContextRule, load_rules

_MONTH_MAY = re.compile(r"May(?=\s+\d|,|\s+(?:of|and|to|through)\b)")
_DEFAULT_SCOPE = {"en": 60, "zh": 25}
# Hard clause boundaries for a scope. Chinese commas separate clauses far more reliably than English
# ones (English "no weakness, rash or fever" keeps its scope over the comma).
_BOUNDARY = {"en": re.compile(r"[;:.!?。；]"), "zh": re.compile(r"[,，;；:：。!！?？]")}


@dataclass(frozen=True, slots=True)
class Trigger:
    """A matched ConText rule and the ``[scope_start, scope_end)`` it governs (sentence offsets)."""

    start: int
    end: int
    literal: str
    category: str
    direction: str
    scope_start: int
    scope_end: int


@lru_cache(maxsize=4)
def _rules_by_literal(lang: str) -> dict[str, ContextRule]:
    return {r.literal.lower(): r for r in load_rules(lang).context_rules}


def _clause_limits(sentence: str, lang: str, pos_from: int, pos_to: int) -> tuple[int, int]:
    """The clause around ``[pos_from, pos_to)``: from after the previous boundary to the next one."""
    left = 0
    for m in _BOUNDARY[lang].finditer(sentence, 0, pos_from):
        left = m.end()
    nxt = _BOUNDARY[lang].search(sentence, pos_to)
    return left, (nxt.start() if nxt else len(sentence))


def find_triggers(sentence: str, lang: str) -> list[Trigger]:
    """All non-pseudo ConText triggers of ``sentence`` with their scopes.

    Example:
        >>> [t.literal for t in find_triggers("Rituximab may improve strength.", "en")]
        ['may']
    """
    table = _rules_by_literal(lang)
    literals = tuple(table)
    matches = find_cues(sentence, literals, lang)
    hits = [(s, e, table[re.sub(r"\s+", " ", c.lower())]) for s, e, c in matches]
    terminators = [s for s, _, r in hits if r.direction == "TERMINATE"]
    out: list[Trigger] = []
    for s, e, rule in hits:
        if rule.category in ("PSEUDO", "TERMINATE"):
            continue
        if lang == "en" and _MONTH_MAY.match(sentence, s):
            continue  # "May 2019", "in May, ..." is the month, not the modal
        width = rule.max_scope or _DEFAULT_SCOPE[lang]
        c0, c1 = _clause_limits(sentence, lang, s, e)
        lo, hi = s, e
        if rule.direction in ("FORWARD", "BIDIRECTIONAL"):
            stop = min([c1, e + width] + [t for t in terminators if t >= e])
            hi = max(e, stop)
        if rule.direction in ("BACKWARD", "BIDIRECTIONAL"):
            begin = max([c0, s - width] + [t for t in terminators if t < s])
            lo = min(s, begin)
        out.append(Trigger(s, e, rule.literal, rule.category, rule.direction, lo, hi))
    return out


def _scopes(sentence: str, lang: str, category: str) -> list[tuple[int, int]]:
    ranges = sorted((t.scope_start, t.scope_end) for t in find_triggers(sentence, lang) if t.category == category)
    merged: list[tuple[int, int]] = []
    for lo, hi in ranges:
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
        else:
            merged.append((lo, hi))
    return merged


def negation_scope(sentence: str, lang: str) -> list[tuple[int, int]]:
    """Merged character ranges of ``sentence`` under a negation trigger (trigger text included).

    Example:
        >>> s = "She did not respond to rituximab."
        >>> [s[a:b] for a, b in negation_scope(s, "en")]
        ['did not respond to rituximab']
    """
    return _scopes(sentence, lang, "NEGATED")


def hedge_scope(sentence: str, lang: str) -> list[tuple[int, int]]:
    """Merged character ranges of ``sentence`` under a hedging trigger (may, 可能, suggest...)."""
    return _scopes(sentence, lang, "HEDGED")


def _covers(ranges: list[tuple[int, int]], start: int, end: int) -> bool:
    # Overlap, not containment: a drug list half inside a "may" scope is still hedged.
    return any(lo < end and start < hi for lo, hi in ranges)


def is_negated(sentence: str, lang: str, start: int = 0, end: int | None = None) -> bool:
    """True when ``sentence[start:end]`` lies in a negation scope (whole sentence: any negation)."""
    ranges = negation_scope(sentence, lang)
    if end is None and start == 0:
        return bool(ranges)
    return _covers(ranges, start, len(sentence) if end is None else end)


def is_hedged(sentence: str, lang: str, start: int = 0, end: int | None = None) -> bool:
    """True when ``sentence`` (or ``sentence[start:end]``) is under a hedge: may/might/could/suggest/可能/有望...

    Example:
        >>> is_hedged("对于难治性患者,可能采用利妥昔单抗治疗", "zh")
        True
        >>> is_hedged("Rituximab improved strength in 8 of 10 patients.", "en")
        False
    """
    ranges = hedge_scope(sentence, lang)
    if end is None and start == 0:
        return bool(ranges)
    return _covers(ranges, start, len(sentence) if end is None else end)
