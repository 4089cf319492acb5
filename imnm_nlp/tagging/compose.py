"""Compound DISEASE spans built from adjacent spans (ANNOTATION.md, "Edge cases decided").

Contract: :func:`compose` takes the raw text and sorted, non-overlapping spans and returns sorted,
non-overlapping spans where

* ``X-associated Y``, ``X-related Y``, ``X-induced Y`` (corpora/gold/README.md), ``X associated Y``, ``X相关Y``,
  ``X相关性Y``, ``X诱导的Y`` (X a DRUG or DISEASE span,
  Y a DISEASE span) become one DISEASE span: ``myositis-associated ILD``, ``PM相关心肌炎``,
  ``ICI-related myositis``. When X is an ANTIBODY nothing is merged (``anti-MDA5-associated DM`` stays two).
* a hyphenated abbreviation compound of two DISEASE spans is one span: ``DM-ILD``, ``ASS-ILD``
  (a slash still splits: ``PM/DM-ILD`` → ``PM``, ``DM-ILD``);
* an antigen name glued by a hyphen or a plus sign to a DISEASE abbreviation is one DISEASE span: ``MDA5-DM``, ``MDA5+DM``,
  ``HMGCR-IMNM`` (the antigen alone is never tagged; with ``anti-`` it is an ANTIBODY span and stays one).

The merged span keeps the head disease's ``norm_id`` and ``kind``; its ``canonical`` is the lexicon
canonical of the whole phrase when the lexicon knows it, else ``"<X canonical>-associated <Y canonical>"``.
"""

from __future__ import annotations

import re

from imnm_nlp.records import EntitySpan
from imnm_nlp.tagging.lexicon import Lexicon
from imnm_nlp.tagging.view import lower_view, width_view

_LINK = re.compile(r"^(?:-|\s)?(?:associated|related|induced)\s$|^相关性?的?$|^(?:诱导的?|所致的?)$")
_HYPHEN = re.compile(r"^-$")


def _antigen_re(lexicon: Lexicon) -> re.Pattern[str]:
    pat = lexicon._cache.get("antigen_re")
    if pat is None:
        cores = set()
        for e in lexicon.entries("ANTIBODY"):
            cores.update(a[5:] for a in e.en if a.startswith("anti-") and " " not in a and len(a) <= 16)
        alts = "|".join(sorted((re.escape(c) for c in cores), key=len, reverse=True))
        pat = re.compile(rf"(?<![A-Za-z0-9-])(?:{alts})[-+]$", re.IGNORECASE)  # MDA5-DM, MDA5+DM
        lexicon._cache["antigen_re"] = pat
    return pat


def _merged(text: str, a: EntitySpan, b: EntitySpan, start: int, lexicon: Lexicon, joiner: str) -> EntitySpan:
    surface = text[start : b.end]
    entry = lexicon.lookup(surface, label="DISEASE")
    if entry is not None:
        canonical, norm_id, kind = entry.canonical, entry.norm_id, entry.cls
    else:
        head = a.canonical if a is not b else text[start : b.start].rstrip("-")
        canonical = f"{head}{joiner}{b.canonical}"
        norm_id, kind = b.norm_id, b.kind
    return EntitySpan(start, b.end, "DISEASE", surface, canonical=canonical, norm_id=norm_id, kind=kind,
                      source="lexicon", score=1.0)


def compose(
    text: str, spans: list[EntitySpan], lexicon: Lexicon, view: str | None = None, low: str | None = None
) -> list[EntitySpan]:
    """Merge compounds as described in the module docstring (spans must be sorted and disjoint).

    ``view``/``low`` may pass precomputed width and lower-case views of ``text``.
    """
    out: list[EntitySpan] = []
    wide = width_view(text) if view is None else view
    low = lower_view(text, wide) if low is None else low
    antigen = _antigen_re(lexicon)
    for span in spans:
        prev = out[-1] if out else None
        if span.label == "DISEASE" and prev is not None:
            gap = low[prev.end : span.start]
            if prev.label in ("DRUG", "DISEASE") and _LINK.match(gap):
                out[-1] = _merged(text, prev, span, prev.start, lexicon, "-associated ")
                continue
            if prev.label == "DISEASE" and _HYPHEN.match(gap) and prev.source != "pattern":
                out[-1] = _merged(text, prev, span, prev.start, lexicon, "-associated ")
                continue
        if span.label == "DISEASE" and (prev is None or prev.end < span.start):
            lo = max(prev.end if prev else 0, span.start - 20)
            m = antigen.search(wide, lo, span.start)
            if m and m.end() == span.start:
                out.append(_merged(text, span, span, m.start(), lexicon, "-"))
                continue
        out.append(span)
    return out


__all__ = ["compose"]
