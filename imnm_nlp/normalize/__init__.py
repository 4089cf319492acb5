"""Normalizers: HLA names (:mod:`.hla`), rates (:mod:`.rates`) and lexicon names (:mod:`.names`).

Imported lazily by attribute so that ``import imnm_nlp.normalize`` compiles nothing.
"""

from __future__ import annotations

__all__ = ["normalize_hla", "parse_rate", "normalize_name"]


def __getattr__(name: str):
    if name == "normalize_hla":
        from imnm_nlp.normalize.hla import normalize_hla

        return normalize_hla
    if name == "parse_rate":
        from imnm_nlp.normalize.rates import parse_rate

        return parse_rate
    if name == "normalize_name":
        from imnm_nlp.normalize.names import normalize_name

        return normalize_name
    raise AttributeError(name)
