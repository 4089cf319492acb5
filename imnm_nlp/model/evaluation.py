"""Scoring the model on silver examples, and temperature scaling of the sentence heads.

Contract:
    * :func:`span_scores` — exact-match (start, end, label) precision/recall/F1, overall and per label,
      counted one-to-one per sentence (CONTRACT §3 at sentence level). Predicted spans overlapping an
      example's *ignore* ranges are not scored (their truth is unknown).
    * :func:`evaluate` — span scores plus sentence-head scores (kind: per-label and micro F1 at 0.5;
      claim: accuracy and macro F1 over the five claims; hedged: F1) and ``score``, the early-stopping
      criterion (0.6 × span F1 + 0.4 × mean sentence-head F1).
    * :func:`fit_temperatures` — one temperature per sentence head minimising the negative log-likelihood
      on the dev split (grid search). Reported: NLL and expected calibration error (ECE, 10 bins) before
      and after, measured by 2-fold cross-fitting (fit on one half, measure on the other) so the gain is not
      measured on the data it was fitted on; the shipped temperatures are then fitted on the whole split.
"""

from __future__ import annotations

import random
from typing import Any, Iterable, Sequence

import numpy as np

from imnm_nlp.model.labels import CLAIM2ID, CLAIM_LABELS, KIND_LABELS
from imnm_nlp.model.silver import Example
from imnm_nlp.records import CLAIMS

Span = tuple[int, int, str]


def prf(tp: int, n_pred: int, n_gold: int) -> dict[str, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": round(p, 4), "r": round(r, 4), "f1": round(f, 4), "tp": tp, "pred": n_pred, "gold": n_gold}


def span_scores(gold: Sequence[Iterable[Span]], pred: Sequence[Iterable[Span]], ignore: Sequence[Iterable[tuple[int, int]]] | None = None) -> dict[str, Any]:
    """Exact-match span P/R/F1 over aligned lists of per-sentence span sets."""
    counts: dict[str, list[int]] = {}
    for i, (g, p) in enumerate(zip(gold, pred)):
        ign = list(ignore[i]) if ignore is not None else []
        g_set = set(g)
        p_set = {s for s in p if not any(s[0] < b and a < s[1] for a, b in ign)}
        for label in {s[2] for s in g_set | p_set}:
            gl = {s for s in g_set if s[2] == label}
            pl = {s for s in p_set if s[2] == label}
            c = counts.setdefault(label, [0, 0, 0])
            c[0] += len(gl & pl)
            c[1] += len(pl)
            c[2] += len(gl)
    total = [sum(c[k] for c in counts.values()) for k in range(3)]
    return {**prf(*total), "by_label": {lb: prf(*c) for lb, c in sorted(counts.items())}}


def _f1(y: np.ndarray, p: np.ndarray) -> float:
    tp = int(((y == 1) & (p == 1)).sum())
    return prf(tp, int(p.sum()), int(y.sum()))["f1"]


def sentence_scores(kind_y: np.ndarray, kind_p: np.ndarray, claim_y: np.ndarray, claim_p: np.ndarray,
                    hedged_y: np.ndarray, hedged_p: np.ndarray) -> dict[str, Any]:
    """Scores of hard sentence predictions (kind multi-hot, claim ids, hedged 0/1)."""
    kind = {name: _f1(kind_y[:, i], kind_p[:, i]) for i, name in enumerate(KIND_LABELS)}
    kind["micro_f1"] = _f1(kind_y.reshape(-1), kind_p.reshape(-1))
    per_claim = {c: _f1((claim_y == CLAIM2ID[c]).astype(int), (claim_p == CLAIM2ID[c]).astype(int)) for c in CLAIMS}
    present = [c for c in CLAIMS if (claim_y == CLAIM2ID[c]).any()]
    claim = {"accuracy": round(float((claim_y == claim_p).mean()) if len(claim_y) else 0.0, 4),
             "macro_f1": round(float(np.mean([per_claim[c] for c in present])) if present else 0.0, 4), "by_claim": per_claim}
    return {"kind": kind, "claim": claim, "hedged": {"f1": _f1(hedged_y, hedged_p),
            "accuracy": round(float((hedged_y == hedged_p).mean()) if len(hedged_y) else 0.0, 4)}}


def sentence_targets(examples: Sequence[Example]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    kind = np.array([e.kind for e in examples], dtype=int).reshape(-1, len(KIND_LABELS))
    claim = np.array([CLAIM2ID[e.claim] for e in examples], dtype=int)
    hedged = np.array([e.hedged for e in examples], dtype=int)
    return kind, claim, hedged


def evaluate(net: Any, tokenizer: Any, examples: Sequence[Example], with_logits: bool = False, batch_size: int = 64) -> dict[str, Any]:
    """Score ``net`` (training or merged) on examples; ``with_logits`` adds the raw sentence logits."""
    from imnm_nlp.model.infer import ModelTagger

    tagger = ModelTagger(net, tokenizer, {})
    preds, logits = tagger.predict_raw([(e.text, e.lang) for e in examples], batch_size=batch_size)
    spans = span_scores([e.spans for e in examples], [[(s.start, s.end, s.label) for s in p.spans] for p in preds],
                        [e.ignore for e in examples])
    ky, cy, hy = sentence_targets(examples)
    sent = sentence_scores(ky, (logits["kind"] > 0).astype(int), cy, logits["claim"].argmax(-1), hy, (logits["hedged"] > 0).astype(int))
    by_lang = {}
    for lang in ("zh", "en"):
        idx = [i for i, e in enumerate(examples) if e.lang == lang]
        if idx:
            by_lang[lang] = {k: v for k, v in span_scores([examples[i].spans for i in idx],
                             [[(s.start, s.end, s.label) for s in preds[i].spans] for i in idx],
                             [examples[i].ignore for i in idx]).items() if k != "by_label"}
    head_mean = (sent["kind"]["micro_f1"] + sent["claim"]["macro_f1"] + sent["hedged"]["f1"]) / 3
    out: dict[str, Any] = {"spans": spans, "spans_by_lang": by_lang, **sent, "n": len(examples),
                           "score": round(0.6 * spans["f1"] + 0.4 * head_mean, 4)}
    if with_logits:
        out["logits"] = {**logits, "kind_y": ky, "claim_y": cy, "hedged_y": hy}
    return out


# ------------------------------------------------------------------------------------ calibration
_GRID = np.exp(np.linspace(np.log(0.25), np.log(4.0), 49))


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _softmax(x: np.ndarray) -> np.ndarray:
    z = np.exp(x - x.max(-1, keepdims=True))
    return z / z.sum(-1, keepdims=True)


def _nll(head: str, logits: np.ndarray, y: np.ndarray, t: float) -> float:
    eps = 1e-7
    if head == "claim":
        p = _softmax(logits / t)[np.arange(len(y)), y]
        return float(-np.log(np.clip(p, eps, 1)).mean())
    p = np.clip(_sigmoid(logits / t), eps, 1 - eps)
    return float(-(y * np.log(p) + (1 - y) * np.log(1 - p)).mean())


def _ece(head: str, logits: np.ndarray, y: np.ndarray, t: float, bins: int = 10) -> float:
    if head == "claim":
        prob = _softmax(logits / t)
        conf, hit = prob.max(-1), (prob.argmax(-1) == y).astype(float)
    else:
        p = _sigmoid(logits / t).reshape(-1)
        yy = y.reshape(-1)
        conf, hit = np.maximum(p, 1 - p), ((p >= 0.5) == (yy == 1)).astype(float)
    edges = np.linspace(0.0, 1.0, bins + 1)
    ece = 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        m = (conf > lo) & (conf <= hi)
        if m.any():
            ece += m.mean() * abs(conf[m].mean() - hit[m].mean())
    return float(ece)


def _best_t(head: str, logits: np.ndarray, y: np.ndarray) -> float:
    return float(min(_GRID, key=lambda t: _nll(head, logits, y, t)))


def fit_temperatures(logits: dict[str, np.ndarray], seed: int = 13) -> tuple[dict[str, float], dict[str, Any]]:
    """Temperatures per head (fitted on all rows) and a 2-fold cross-fitted before/after report."""
    n = len(logits["claim_y"])
    order = list(range(n))
    random.Random(seed).shuffle(order)
    halves = [np.array(sorted(order[: n // 2]), dtype=int), np.array(sorted(order[n // 2 :]), dtype=int)]
    temps: dict[str, float] = {}
    report: dict[str, Any] = {"method": "temperature scaling, grid search on dev NLL; before/after by 2-fold cross-fitting"}
    for head in ("kind", "claim", "hedged"):
        x, y = logits[head], logits[f"{head}_y"]
        before = {"nll": 0.0, "ece": 0.0}
        after = {"nll": 0.0, "ece": 0.0}
        for a, b in ((0, 1), (1, 0)):
            if len(halves[a]) == 0 or len(halves[b]) == 0:
                continue
            t = _best_t(head, x[halves[a]], y[halves[a]])
            w = len(halves[b]) / n
            before["nll"] += w * _nll(head, x[halves[b]], y[halves[b]], 1.0)
            before["ece"] += w * _ece(head, x[halves[b]], y[halves[b]], 1.0)
            after["nll"] += w * _nll(head, x[halves[b]], y[halves[b]], t)
            after["ece"] += w * _ece(head, x[halves[b]], y[halves[b]], t)
        temps[head] = round(_best_t(head, x, y), 4) if n else 1.0
        report[head] = {"temperature": temps[head], "before": {k: round(v, 4) for k, v in before.items()},
                        "after": {k: round(v, 4) for k, v in after.items()}}
    return temps, report


__all__ = ["evaluate", "span_scores", "sentence_scores", "sentence_targets", "fit_temperatures", "prf"]
