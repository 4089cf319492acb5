"""Abbreviations and short names defined in the text, tagged wherever the section uses them.

Why: abstracts define their own short forms (``手术部位感染(SSI)``, ``Prader-Willi syndrome (PWS)``,
``chloroquine (CQ)``, ``慢性肺源性心脏病(..., 简称肺心病)``) and then use only those; ANNOTATION.md makes each
use a span with the long form's label. No lexicon can hold every such definition.

Contract: :func:`tag_abbreviations` takes the raw text and sorted, non-overlapping spans and returns
sorted, non-overlapping spans where

* a DISEASE/DRUG/ANTIBODY span directly followed by ``(ABBR)``, ``(english name, ABBR)`` or
  ``(..., 简称 NAME)`` gives ABBR (or NAME) that span's label, canonical and ``norm_id``; an English
  DISEASE long form must spell the abbreviation (the Schwartz & Hearst 2003 check, which also grows
  the long form: ``congenital hypothyroidism (CH)``);
* an untagged English long form that spells its abbreviation and ends in a disease head word
  (``syndrome``, ``disease``, ``lymphocytosis`` ..., ``span_rules.json``) becomes a DISEASE span, and the
  spans inside it are dropped (``non-insulin-dependent diabetes mellitus``);
* an ANTIBODY name without its antibody word, followed by a parenthesised abbreviation (and the
  antibody word), is one span (``抗黑色素瘤分化相关基因5(MDA5)抗体``, ANNOTATION.md "interrupting parenthetical");
* every other occurrence of a defined DISEASE/DRUG abbreviation in the section (case-sensitive, not
  inside a word, not overlapping a span) is tagged too; an ANTIBODY abbreviation is tagged only in its
  parentheses (an antigen alone is not an antibody span elsewhere: ``HMGCR+ patients``);
* ``extra_aliases`` (surface → template span) are propagated the same way (short names of products).
"""

from __future__ import annotations

import re
from typing import Mapping

from imnm_nlp.records import EntitySpan
from imnm_nlp.tagging.span_rules import SpanRules

_ABBR = r"[A-Za-z][A-Za-z0-9]{0,7}(?:-[A-Za-z0-9]{1,4})?"
_ZH_SHORT = re.compile(r"\s?[(（][^()（）]{0,60}?简称\s?[“\"]?(?P<abbr>[\u4e00-\u9fff]{2,6}?)[”\"]?\s?[)）]")
# (ABBR), (english name, ABBR), (简称ABBR): the definition right after a long form
_OPEN = re.compile(rf"[(（]\s?(?:[A-Za-z][A-Za-z'’ -]{{2,60}}?\s?[,，;；]\s?)?(?:简称\s?)?(?P<abbr>{_ABBR})\s?[)）]")
_AB_WORD_END = re.compile(r"(?:antibod(?:y|ies)|Abs?|抗体)$", re.IGNORECASE)
_INTERRUPTED = re.compile(rf"\s?[(（]\s?(?P<inner>(?:anti-?)?{_ABBR})\s?[)）](?P<word>\s?(?:auto-?)?antibod(?:y|ies)|\s?Abs?\b|自身抗体|抗体)?",
                          re.IGNORECASE)
_STOP = re.compile(r"[.;:,()\[\]（），。；：]")


def _abbr_like(abbr: str) -> bool:
    """``SSI``, ``CQ``, ``Jo-1``, ``IgG4``: two capitals, or a capital and a digit; not ``n``, ``Ref``."""
    caps = sum(c.isupper() for c in abbr)
    return caps >= 2 or (caps >= 1 and any(c.isdigit() for c in abbr))


def schwartz_hearst(short: str, long: str) -> int | None:
    """Offset in ``long`` where the shortest long form spelling ``short`` starts, or None.

    Each character of ``short`` must occur in order in ``long``, the first at the start of a word.
    """
    chars = [c.lower() for c in short if c.isalnum()]
    if not chars:
        return None
    li = len(long) - 1
    for si in range(len(chars) - 1, -1, -1):
        c = chars[si]
        while li >= 0 and (long[li].lower() != c or (si == 0 and li > 0 and long[li - 1].isalnum())):
            li -= 1
        if li < 0:
            return None
        li -= 1
    return long.rfind(" ", 0, li + 2) + 1


def _window(text: str, end: int, n_words: int) -> int:
    """Start of the last ``n_words`` words before ``end``, not crossing punctuation."""
    stop = max((m.end() for m in _STOP.finditer(text, max(0, end - 200), end)), default=max(0, end - 200))
    words = list(re.finditer(r"\S+", text[stop:end]))
    return stop + words[-n_words].start() if len(words) >= n_words else stop + (words[0].start() if words else 0)


def _like(template: EntitySpan, start: int, end: int, text: str) -> EntitySpan:
    return EntitySpan(start, end, template.label, text[start:end], canonical=template.canonical,
                      norm_id=template.norm_id, kind=template.kind, source=template.source, score=template.score)


class _Taken:
    """Which characters spans occupy, and which span ends where: O(1) checks on a 1 MB text."""

    def __init__(self, text: str, spans: list[EntitySpan]) -> None:
        self.occupied = bytearray(len(text))
        self.by_end: dict[int, EntitySpan] = {}
        for sp in spans:
            self.add(sp)

    def add(self, sp: EntitySpan) -> None:
        self.occupied[sp.start : sp.end] = b"\x01" * (sp.end - sp.start)
        self.by_end[sp.end] = sp

    def remove(self, sp: EntitySpan) -> None:
        self.occupied[sp.start : sp.end] = b"\x00" * (sp.end - sp.start)
        self.by_end.pop(sp.end, None)

    def free(self, start: int, end: int) -> bool:
        return 1 not in self.occupied[start:end]


def _before(text: str, taken: _Taken, pos: int) -> EntitySpan | None:
    """The span that ends at ``pos`` or only whitespace before it."""
    while pos > 0 and text[pos - 1].isspace():
        pos -= 1
    return taken.by_end.get(pos)


def _merge_interrupted(text: str, spans: list[EntitySpan]) -> list[EntitySpan]:
    """``anti-<long name> (HMGCR) antibodies``, ``抗黑色素瘤分化相关基因5(MDA5)抗体``: one ANTIBODY span
    (ANNOTATION.md: an interrupting parenthetical stays inside). Only when the name before the parenthesis
    has no antibody word yet; ``anti-SRP antibodies (anti-SRP)`` stays two spans."""
    out: list[EntitySpan] = []
    i = 0
    while i < len(spans):
        sp = spans[i]
        m = _INTERRUPTED.match(text, sp.end) if sp.label == "ANTIBODY" and not _AB_WORD_END.search(sp.text) else None
        inner = m.group("inner") if m else ""
        bare = not inner.lower().startswith("anti")  # "(anti-aaRS)-associated": a name of its own
        if m and _abbr_like(inner.removeprefix("anti-").removeprefix("anti")) and (bare or m.group("word")):
            j = i + 1
            while j < len(spans) and spans[j].start < m.end():
                j += 1  # the parenthesised name (often tagged on its own) is absorbed
            if all(s2.label == "ANTIBODY" for s2 in spans[i + 1 : j]) and (j == len(spans) or spans[j].start >= m.end()):
                out.append(_like(sp, sp.start, m.end(), text))
                i = j
                continue
        out.append(sp)
        i += 1
    return out


def _unlisted(label: str) -> str:
    return "IMNM:DIS:unlisted" if label == "DISEASE" else "IMNM:DRUG:unlisted"


def _defined(text: str, spans: list[EntitySpan], rules: SpanRules) -> tuple[list[EntitySpan], dict[str, EntitySpan]]:
    """Spans after the definitions are applied, and the abbreviations to propagate."""
    heads = set(rules.get("disease_heads_en"))
    not_disease = set(rules.get("abbrev_en", "not_in_long_form"))
    keep: dict[tuple[int, int], EntitySpan] = {(sp.start, sp.end): sp for sp in spans}
    taken = _Taken(text, spans)
    aliases: dict[str, EntitySpan] = {}
    for m in _OPEN.finditer(text):
        abbr = m.group("abbr")
        if not _abbr_like(abbr) or not taken.free(m.start("abbr"), m.end("abbr")):
            continue
        paren = m.start()
        head = _before(text, taken, paren)
        long0 = _window(text, paren, min(len(abbr) + 5, 2 * len(abbr)))
        sh = schwartz_hearst(abbr, text[long0:paren].rstrip())
        if head is not None and head.label in ("DISEASE", "DRUG", "ANTIBODY"):
            if head.label == "DISEASE" and re.match(r"[A-Za-z]", head.text):
                if sh is None:
                    continue
                start = long0 + sh
                if start < head.start:
                    taken.remove(head)
                    if taken.free(start, head.end):
                        del keep[(head.start, head.end)]
                        head = _like(head, start, head.end, text)
                        keep[(head.start, head.end)] = head
                    taken.add(head)
        elif sh is not None:
            start = long0 + sh
            long = text[start:paren].rstrip()
            words = set(re.split(r"[\s-]+", long.lower()))
            if long.lower().rsplit(" ", 1)[-1] not in heads or words & not_disease or (start and taken.occupied[start - 1] and taken.occupied[start]):
                continue
            inner = [sp for (a, b), sp in keep.items() if start <= a and b <= start + len(long)]
            template = next((sp for sp in reversed(inner) if sp.label == "DISEASE"), None)
            head = EntitySpan(start, start + len(long), "DISEASE", long, canonical=long.lower(),
                              norm_id=template.norm_id if template else _unlisted("DISEASE"),
                              kind=template.kind if template else "abbreviated", source="pattern")
            for sp in inner:
                del keep[(sp.start, sp.end)]
                taken.remove(sp)
            keep[(head.start, head.end)] = head
            taken.add(head)
        else:
            continue
        sp = _like(head, m.start("abbr"), m.end("abbr"), text)
        keep[(sp.start, sp.end)] = sp
        taken.add(sp)
        if head.label != "ANTIBODY":
            aliases.setdefault(abbr, head)
    return sorted(keep.values(), key=lambda sp: sp.start), aliases


def _zh_short_names(text: str, spans: list[EntitySpan]) -> dict[str, EntitySpan]:
    out: dict[str, EntitySpan] = {}
    if "简称" not in text:
        return out
    taken = _Taken(text, spans)
    for m in _ZH_SHORT.finditer(text):
        head = _before(text, taken, m.start())
        if head is not None and head.label in ("DISEASE", "DRUG"):
            out.setdefault(m.group("abbr"), head)
    return out


def tag_abbreviations(text: str, spans: list[EntitySpan], rules: SpanRules,
                      extra_aliases: Mapping[str, EntitySpan] | None = None) -> list[EntitySpan]:
    """Apply the definitions and propagate the abbreviations (see the module docstring)."""
    if "(" not in text and "（" not in text and not extra_aliases:
        return spans
    spans, aliases = _defined(text, _merge_interrupted(text, spans), rules)
    aliases.update({k: v for k, v in _zh_short_names(text, spans).items() if k not in aliases})
    for k, v in (extra_aliases or {}).items():
        aliases.setdefault(k, v)
    if not aliases:
        return spans
    taken = _Taken(text, spans)
    added: list[EntitySpan] = []
    for abbr, template in sorted(aliases.items(), key=lambda kv: -len(kv[0])):
        latin = abbr[:1].isascii()
        pat = re.compile(rf"(?<![A-Za-z0-9]){re.escape(abbr)}(?![A-Za-z0-9])" if latin else re.escape(abbr))
        for m in pat.finditer(text):
            if taken.free(m.start(), m.end()):
                sp = _like(template, m.start(), m.end(), text)
                added.append(sp)
                taken.add(sp)
    return sorted(spans + added, key=lambda sp: sp.start)


__all__ = ["tag_abbreviations", "schwartz_hearst"]
