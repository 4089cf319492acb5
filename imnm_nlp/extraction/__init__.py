"""Evidence extraction: epidemiological figures and treatment claims (issue 4, extraction part).

Public API:
    * :func:`extract_epi` (``epi.py``) — ``EpiFigure`` records of one section.
    * :func:`extract_treatments` (``treatment.py``) — ``TreatmentClaim`` and ``RiskFactor`` records.
    * :func:`collapse_claims` / :func:`collapse_epi` (``collapse.py``) — the gold's per-document view.
    * :func:`is_hedged`, :func:`is_negated`, :func:`negation_scope`, :func:`hedge_scope` (``hedging.py``).
    * :class:`SentenceHint`, :class:`HintPolicy` (``hints.py``) — model predictions per sentence.
Rules are data in ``imnm_nlp/resources/extraction/`` (loaded lazily by ``rules.py``); nothing is read
at import.
"""

from __future__ import annotations

from imnm_nlp.extraction.collapse import collapse_claims, collapse_epi
from imnm_nlp.extraction.epi import EXTRACTOR_VERSION as EPI_EXTRACTOR_VERSION
from imnm_nlp.extraction.epi import extract_epi
from imnm_nlp.extraction.hedging import hedge_scope, is_hedged, is_negated, negation_scope
from imnm_nlp.extraction.hints import HintPolicy, SentenceHint
from imnm_nlp.extraction.treatment import EXTRACTOR_VERSION as TREATMENT_EXTRACTOR_VERSION
from imnm_nlp.extraction.treatment import extract_treatments

__all__ = [
    "extract_epi", "extract_treatments", "collapse_claims", "collapse_epi",
    "is_hedged", "is_negated", "negation_scope", "hedge_scope",
    "SentenceHint", "HintPolicy", "EPI_EXTRACTOR_VERSION", "TREATMENT_EXTRACTOR_VERSION",
]
