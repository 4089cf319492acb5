"""Label maps of the transformer's heads: BIO entity tags, sentence kinds, claim types, hedging.

These maps are part of a shipped model's identity (``meta.json`` stores them, and loading checks them):
change them only together with retraining.

* tokens: ``O`` plus ``B-``/``I-`` for each entity label of the contract (``records.LABELS``).
* kind: **multi-label** sigmoid over ``epi``, ``treatment``, ``risk_factor``: one sentence can report a
  response rate (epi and treatment) or name a statin both as a risk factor and as a treatment to stop.
  ``other`` is not a trained output; it is reported as ``prod(1 - p_k)``, the probability that none applies.
* claim: **softmax** over ``used, effective, ineffective, adverse, recommended, none``: one claim type per
  sentence (the strongest one, see :data:`CLAIM_PRIORITY`), ``none`` when the sentence makes no claim.
* hedged: one sigmoid (may / might / 可能 ... scoping a claim or a figure).
"""

from __future__ import annotations

from imnm_nlp.records import CLAIMS, LABELS

IGNORE = -100  # torch's CrossEntropyLoss ignore_index: a token (or sentence head) that does not count
BIO_TAGS: tuple[str, ...] = ("O", *(f"{p}-{label}" for label in LABELS for p in ("B", "I")))
TAG2ID: dict[str, int] = {t: i for i, t in enumerate(BIO_TAGS)}
KIND_LABELS: tuple[str, ...] = ("epi", "treatment", "risk_factor")
CLAIM_LABELS: tuple[str, ...] = (*CLAIMS, "none")
CLAIM2ID: dict[str, int] = {c: i for i, c in enumerate(CLAIM_LABELS)}
NO_CLAIM = CLAIM2ID["none"]
# When a sentence carries several claims (about one drug or several), the sentence label is the most
# informative one: an outcome beats a mere mention of use.
CLAIM_PRIORITY: tuple[str, ...] = ("ineffective", "adverse", "effective", "recommended", "used")


def sentence_claim(claims: set[str] | list[str] | tuple[str, ...]) -> str:
    """The single sentence-level claim for a set of rule claims (``none`` when empty).

    Example:
        >>> sentence_claim({"used", "effective"})
        'effective'
    """
    for claim in CLAIM_PRIORITY:
        if claim in claims:
            return claim
    return "none"


def label_maps() -> dict[str, list[str]]:
    """The maps stored in ``meta.json`` and checked when a model is loaded."""
    return {"tokens": list(BIO_TAGS), "kind": list(KIND_LABELS), "claim": list(CLAIM_LABELS), "hedged": ["hedged"]}


__all__ = [
    "IGNORE", "BIO_TAGS", "TAG2ID", "KIND_LABELS", "CLAIM_LABELS", "CLAIM2ID", "NO_CLAIM", "CLAIM_PRIORITY",
    "sentence_claim", "label_maps",
]
