"""The classical baseline for the sentence heads: TF-IDF character n-grams + logistic regression.

Contract: :func:`fit_baseline` trains, on the same silver train split as the transformer, one classifier
per sentence head — kind (one binary model per label: the labels are not exclusive), claim (multinomial over
the six classes), hedged (binary) — on character 1–4-grams within word boundaries (``char_wb``), which
work for Chinese (no segmentation needed) and English alike. :meth:`Baseline.scores` gives the same
sentence metrics as :func:`imnm_nlp.model.evaluation.evaluate`, so the two can be compared line by line.
``class_weight="balanced"`` because the positive classes are rare (a few % of sentences make a claim).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from imnm_nlp.model.evaluation import sentence_scores, sentence_targets
from imnm_nlp.model.labels import KIND_LABELS
from imnm_nlp.model.silver import Example


@dataclass
class Baseline:
    """Fitted vectorizer and per-head classifiers (``None`` for a head whose labels were constant)."""

    vectorizer: Any
    kind: list[Any]
    claim: Any
    hedged: Any

    def predict(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Hard predictions: kind multi-hot [N, 3], claim ids [N], hedged 0/1 [N]."""
        x = self.vectorizer.transform(list(texts))
        kind = np.stack([_hard(m, x) for m in self.kind], axis=1)
        return kind, _hard(self.claim, x), _hard(self.hedged, x)

    def scores(self, examples: Sequence[Example]) -> dict[str, Any]:
        ky, cy, hy = sentence_targets(examples)
        kp, cp, hp = self.predict([e.text for e in examples])
        return sentence_scores(ky, kp, cy, cp, hy, hp)


class _Constant:
    def __init__(self, value: int) -> None:
        self.value = value

    def predict(self, x: Any) -> np.ndarray:
        return np.full(x.shape[0], self.value, dtype=int)


def _hard(model: Any, x: Any) -> np.ndarray:
    return np.asarray(model.predict(x), dtype=int)


def _fit(x: Any, y: np.ndarray, seed: int) -> Any:
    from sklearn.linear_model import LogisticRegression

    if len(set(y.tolist())) < 2:
        return _Constant(int(y[0]) if len(y) else 0)
    return LogisticRegression(max_iter=2000, C=4.0, class_weight="balanced", random_state=seed).fit(x, y)


def fit_baseline(train: Sequence[Example], seed: int = 13) -> Baseline:
    """Fit the TF-IDF + logistic-regression heads on ``train``.

    Example:
        >>> b = fit_baseline(train_examples)  # doctest: +SKIP
        >>> b.scores(dev_examples)["claim"]["accuracy"]  # doctest: +SKIP
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 4), min_df=2, sublinear_tf=True, max_features=200_000)
    x = vec.fit_transform([e.text for e in train])
    ky, cy, hy = sentence_targets(train)
    kind = [_fit(x, ky[:, i], seed) for i in range(len(KIND_LABELS))]
    return Baseline(vec, kind, _fit(x, cy, seed), _fit(x, hy, seed))


__all__ = ["Baseline", "fit_baseline"]
