"""From silver examples to tensors: the rules-labelled corpus, tokenized and aligned, and batch collation.

Contract:
    * :func:`silver_examples` labels ``corpora/train`` with the current rules (optionally with an ablated
      lexicon) and guards against gold (see :mod:`imnm_nlp.model.silver`); returns the examples and the
      held-out lexicon ids.
    * :func:`encode` tokenizes each example (truncated to ``max_length`` tokens) and aligns its character
      spans to BIO tag ids (:func:`~imnm_nlp.model.align.encode_tags`).
    * :func:`collate` pads a list of :class:`Encoded` into the tensors :func:`multitask_loss` expects.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Sequence

from imnm_nlp.model.align import encode_tags
from imnm_nlp.model.labels import CLAIM2ID, IGNORE
from imnm_nlp.model.silver import Example, check_examples, make_examples

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Encoded:
    """One tokenized example: ids, BIO tag ids (IGNORE where not scored) and the sentence labels."""

    input_ids: list[int]
    tags: list[int]
    kind: tuple[int, ...]
    claim: int
    hedged: int


def silver_examples(ablate: float | None = None, seed: int = 13, dev_share: float = 0.15) -> tuple[list[Example], list[str]]:
    """Silver examples over ``corpora/train`` (gold-guarded) and the ids of held-out lexicon entries."""
    from imnm_nlp.model.corpus import GoldGuard, read_units
    from imnm_nlp.tagging.lexicon import load_lexicon

    lexicon = load_lexicon()
    held_out: list[str] = []
    if ablate:
        lexicon = lexicon.without(ablate, seed=seed)
        held_out = sorted(lexicon.dropped)
    tagger = _tagger(lexicon, ablated=bool(ablate))

    def drug_known(surface: str, lang: str) -> bool:
        return lexicon.lookup(surface, label="DRUG", lang=lang) is not None

    examples = make_examples(read_units(), tagger, drug_known, GoldGuard.from_folder(), dev_share=dev_share)
    check_examples(examples)
    logger.info("silver: %d examples (%d held-out lexicon ids)", len(examples), len(held_out))
    return examples, held_out


def _tagger(lexicon: Any, ablated: bool) -> Any:
    """``tag_rules`` bound to ``lexicon`` (the ablated copy in the ablation experiment)."""
    from imnm_nlp.tagging import tag_rules

    if not ablated:
        return tag_rules
    return lambda text, lang: tag_rules(text, lang, lexicon=lexicon)


def encode(examples: Sequence[Example], tokenizer: Any, max_length: int) -> list[Encoded]:
    """Tokenize and align (fast tokenizer, batched)."""
    marker = tokenizer.convert_tokens_to_ids("▁")
    out: list[Encoded] = []
    step = 256
    for i in range(0, len(examples), step):
        chunk = examples[i : i + step]
        enc = tokenizer([e.text for e in chunk], truncation=True, max_length=max_length, return_offsets_mapping=True)
        for j, ex in enumerate(chunk):
            ids = enc["input_ids"][j]
            tags = encode_tags(enc["offset_mapping"][j], ids, ex.spans, marker, ex.ignore)
            out.append(Encoded(ids, tags, ex.kind, CLAIM2ID[ex.claim], ex.hedged))
    return out


def collate(items: Sequence[Encoded], pad_id: int) -> dict[str, Any]:
    """Pad to the longest item: ``input_ids``, ``attention_mask``, ``tags``, ``kind``, ``claim``, ``hedged``."""
    import torch

    width = max(len(e.input_ids) for e in items)
    ids = torch.full((len(items), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(items), width), dtype=torch.long)
    tags = torch.full((len(items), width), IGNORE, dtype=torch.long)
    for i, e in enumerate(items):
        n = len(e.input_ids)
        ids[i, :n] = torch.tensor(e.input_ids)
        mask[i, :n] = 1
        tags[i, :n] = torch.tensor(e.tags)
    return {
        "input_ids": ids, "attention_mask": mask, "tags": tags,
        "kind": torch.tensor([e.kind for e in items], dtype=torch.float),
        "claim": torch.tensor([e.claim for e in items], dtype=torch.long),
        "hedged": torch.tensor([e.hedged for e in items], dtype=torch.float),
    }


__all__ = ["Encoded", "encode", "collate", "silver_examples"]
