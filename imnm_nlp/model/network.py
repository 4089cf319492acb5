"""The multi-task network: one shared encoder (multilingual-e5-small + LoRA) and four small heads.

Why one shared encoder: on two CPU cores the encoder's forward pass is nearly all of the inference cost
(the heads are four linear layers); one pass per sentence serves the entity tagger and the three sentence
classifiers, where separate fine-tuned models would multiply that cost by four. The tasks also help each
other: a DRUG span and a treatment claim live in the same sentences.

Heads (label maps in :mod:`imnm_nlp.model.labels`):
    * ``token``: per-token BIO logits over the five entity labels;
    * ``kind``: 3 sigmoid logits (epi, treatment, risk_factor), from the mean-pooled sentence vector
      (mean pooling is how e5 was trained to summarise a text);
    * ``claim``: 6-way softmax (used, effective, ineffective, adverse, recommended, none);
    * ``hedged``: 1 sigmoid logit.

Fine-tuning changes only the LoRA adapters (rank ``r`` on query/key/value and the three dense layers of
every transformer layer: ~1.3 M parameters at r=16) and the heads: the word embeddings and every base
weight stay frozen, so the optimizer state is small and the shipped artefact is a few MB.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import torch
from torch import nn

from imnm_nlp.model.labels import BIO_TAGS, CLAIM_LABELS, IGNORE, KIND_LABELS

if TYPE_CHECKING:
    from transformers import BertModel

LORA_TARGETS = ("query", "key", "value", "dense")  # "dense" = attention output, intermediate, output


@dataclass
class HeadOutputs:
    """Raw logits of one batch: ``token`` [B, T, tags], ``kind`` [B, 3], ``claim`` [B, 6], ``hedged`` [B]."""

    token: torch.Tensor
    kind: torch.Tensor
    claim: torch.Tensor
    hedged: torch.Tensor


class Heads(nn.Module):
    """The four task heads over the encoder's last hidden states."""

    def __init__(self, hidden: int, dropout: float = 0.1) -> None:
        super().__init__()
        # e5's last hidden states are small (std ~0.26): normalising them lets the heads learn at ordinary
        # learning rates (measured: with raw states a 1e-3 head predicted no entity after 200 steps).
        self.norm = nn.LayerNorm(hidden)
        self.dropout = nn.Dropout(dropout)
        self.token = nn.Linear(hidden, len(BIO_TAGS))
        self.kind = nn.Linear(hidden, len(KIND_LABELS))
        self.claim = nn.Linear(hidden, len(CLAIM_LABELS))
        self.hedged = nn.Linear(hidden, 1)

    def forward(self, hidden: torch.Tensor, attention_mask: torch.Tensor) -> HeadOutputs:
        hidden = self.norm(hidden)
        h = self.dropout(hidden)
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = self.dropout((hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0))
        return HeadOutputs(self.token(h), self.kind(pooled), self.claim(pooled), self.hedged(pooled).squeeze(-1))


class MultiTaskNet(nn.Module):
    """Encoder (a ``BertModel``, possibly wrapped by peft) + :class:`Heads`."""

    def __init__(self, encoder: nn.Module, hidden: int, dropout: float = 0.1) -> None:
        super().__init__()
        self.encoder = encoder
        self.heads = Heads(hidden, dropout)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> HeadOutputs:
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        return self.heads(hidden, attention_mask)


@dataclass(frozen=True)
class LossWeights:
    """Relative weights of the task losses (the token task is the main one)."""

    token: float = 1.0
    kind: float = 0.5
    claim: float = 0.5
    hedged: float = 0.3


def multitask_loss(out: HeadOutputs, batch: dict[str, torch.Tensor], w: LossWeights = LossWeights()) -> tuple[torch.Tensor, dict[str, float]]:
    """Weighted sum of the task losses; sentence heads count only where their label is known.

    ``batch`` holds ``tags`` [B, T] (IGNORE where unknown), ``kind`` [B, 3] float (rows of -1 = unknown),
    ``claim`` [B] (IGNORE = unknown), ``hedged`` [B] float (-1 = unknown).
    """
    parts: dict[str, torch.Tensor] = {}
    parts["token"] = nn.functional.cross_entropy(
        out.token.reshape(-1, out.token.shape[-1]), batch["tags"].reshape(-1), ignore_index=IGNORE
    )
    known = batch["kind"][:, 0] >= 0
    if known.any():
        parts["kind"] = nn.functional.binary_cross_entropy_with_logits(out.kind[known], batch["kind"][known])
    if (batch["claim"] != IGNORE).any():
        parts["claim"] = nn.functional.cross_entropy(out.claim, batch["claim"], ignore_index=IGNORE)
    known_h = batch["hedged"] >= 0
    if known_h.any():
        parts["hedged"] = nn.functional.binary_cross_entropy_with_logits(out.hedged[known_h], batch["hedged"][known_h])
    total = sum(getattr(w, k) * v for k, v in parts.items())
    return total, {k: float(v.detach()) for k, v in parts.items()}  # type: ignore[return-value]


def lora_config(r: int = 16, alpha: int = 32, dropout: float = 0.1, first_layer: int = 0, num_layers: int | None = None) -> Any:
    """The peft ``LoraConfig`` used for training and for rebuilding a shipped adapter.

    ``first_layer`` > 0 puts adapters on layers ``first_layer..num_layers-1`` only: the layers below stay
    frozen, so the backward pass stops there (measured ~20% less CPU per step from layer 4 of 12).
    """
    from peft import LoraConfig

    layers = None
    if first_layer:
        layers = list(range(first_layer, num_layers if num_layers is not None else 12))
    return LoraConfig(r=r, lora_alpha=alpha, lora_dropout=dropout, target_modules=list(LORA_TARGETS), bias="none",
                      layers_to_transform=layers, layers_pattern="layer" if layers else None)


def add_lora(encoder: "BertModel", config: Any) -> nn.Module:
    """Wrap the encoder with LoRA adapters; every base weight (word embeddings included) is frozen."""
    import warnings

    from peft import get_peft_model

    with warnings.catch_warnings():  # peft calls a transformers API deprecated in v5 (harmless FutureWarning)
        warnings.simplefilter("ignore", FutureWarning)
        return get_peft_model(encoder, config)


def hf_token_classifier(encoder: "BertModel", heads: Heads) -> nn.Module:
    """A ``transformers.BertForTokenClassification`` sharing the (merged) encoder and the token head, for
    code that expects a stock model (``transformers.pipeline("token-classification")``)."""
    from transformers import BertConfig, BertForTokenClassification

    config = BertConfig.from_dict(encoder.config.to_dict())
    config.num_labels = len(BIO_TAGS)
    config.id2label = dict(enumerate(BIO_TAGS))
    config.label2id = {t: i for i, t in enumerate(BIO_TAGS)}
    with torch.device("meta"):
        model = BertForTokenClassification(config)
    model.bert = encoder
    model.classifier = heads.token
    model.dropout = nn.Dropout(0.0)
    return model.eval()


__all__ = ["MultiTaskNet", "Heads", "HeadOutputs", "LossWeights", "multitask_loss", "lora_config", "add_lora", "hf_token_classifier"]
