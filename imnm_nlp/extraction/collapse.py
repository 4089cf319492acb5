"""Per-document reduction of extractor output to the gold's granularity (what the evaluator scores).

* :func:`collapse_claims` — one :class:`TreatmentClaim` per (document, drug, claim); ``used`` is
  dropped for a drug when the same document makes an ``effective``, ``ineffective`` or ``adverse``
  claim about it (ANNOTATION.md: ``used`` only when nothing else is said; ``recommended`` is
  independent). The kept record is the first in document order (section, offset), with ``hedged``
  and ``negated`` true only when every merged record agreed (one firm statement outweighs hedges).
  Records that are not TreatmentClaims are dropped: risk factors are not scored as claims. A negated
  ``adverse`` claim ("no important difference in side effects") counts as ``used``: the guideline's
  ``adverse`` is a harmful effect, and the gold has no negated claims (the records keep it as written).
* :func:`collapse_epi` — one :class:`EpiFigure` per (document, measure, unit, value, value_high): an
  abstract often restates its headline figure in the conclusion; the gold records it once.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Iterable

from imnm_nlp.records import EpiFigure, TreatmentClaim

_FIRM = ("effective", "ineffective", "adverse")


def _order(rec: TreatmentClaim | EpiFigure) -> tuple[str, int, int]:
    p = rec.provenance
    return (p.doc_id, p.section_index, p.start)


def _gold_claim(c: TreatmentClaim) -> TreatmentClaim:
    return replace(c, claim="used", negated=False) if c.claim == "adverse" and c.negated else c


def collapse_claims(claims: Iterable[object]) -> list[TreatmentClaim]:
    """The gold's one-per-(doc, drug, claim) view of treatment claims, in document order.

    Example:
        >>> from imnm_nlp.records import SectionContext
        >>> ctx = SectionContext("text:a", "abstract", "en")
        >>> p = ctx.provenance("x" * 20, 0, 3, (0, 20), "t", "0")
        >>> recs = [TreatmentClaim("ivig", "used", p), TreatmentClaim("ivig", "effective", p)]
        >>> [c.claim for c in collapse_claims(recs)]
        ['effective']
    """
    items = sorted((_gold_claim(c) for c in claims if isinstance(c, TreatmentClaim)), key=_order)
    firm = {(c.provenance.doc_id, c.drug) for c in items if c.claim in _FIRM}
    kept: dict[tuple[str, str, str], TreatmentClaim] = {}
    for c in items:
        if c.claim == "used" and (c.provenance.doc_id, c.drug) in firm:
            continue
        key = (c.provenance.doc_id, c.drug, c.claim)
        if key not in kept:
            kept[key] = c
        else:
            first = kept[key]
            kept[key] = replace(first, hedged=first.hedged and c.hedged, negated=first.negated and c.negated)
    return list(kept.values())


def collapse_epi(figures: Iterable[EpiFigure]) -> list[EpiFigure]:
    """One figure per (doc, measure, unit, value, value_high), first occurrence kept, document order."""
    seen: set[tuple[object, ...]] = set()
    out = []
    for f in sorted(figures, key=_order):
        key = (f.provenance.doc_id, f.measure, f.unit, round(f.value, 6), f.value_high)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out
