"""Score the pipeline against a gold file (CONTRACT §3): entities, epidemiological figures, treatment claims.

Takes a gold JSON Lines file (CONTRACT §2) and anything with ``analyze_text(text, lang, doc_id)`` that returns an
object with ``entities`` (EntitySpan-like: start, end, label), ``epi`` (EpiFigure) and ``treatments``
(TreatmentClaim). Yields a metrics dict exactly as the contract's ``--json`` object, extended with per-language
and per-label breakdowns for epi and treatments.

Matching is one-to-one: a gold item is matched at most once.
- entities: exact (doc, start, end, label);
- epi: same doc, same measure, same unit, value within 1% relative; region accuracy over matched pairs;
- treatments: (doc, drug, claim), after collapsing predictions to one per (drug, claim) per document, as the
  gold is annotated; hedging accuracy over matched claims whose gold item carries ``hedged``.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from imnm_nlp.errors import InputError

log = logging.getLogger(__name__)

EPI_TOLERANCE = 0.01  # relative, CONTRACT §3


@dataclass
class Tally:
    """True positives, false positives and false negatives of one slice."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, tp: int, fp: int, fn: int) -> None:
        self.tp += tp
        self.fp += fp
        self.fn += fn

    def scores(self) -> dict[str, float | int]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        return {"p": round(p, 4), "r": round(r, 4), "f1": round(f1, 4), "tp": self.tp, "fp": self.fp, "fn": self.fn}


@dataclass
class Slices:
    """A tally overall, per language and per label."""

    overall: Tally = field(default_factory=Tally)
    by_lang: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_label: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))

    def add(self, lang: str, label: str | None, tp: int, fp: int, fn: int) -> None:
        self.overall.add(tp, fp, fn)
        self.by_lang[lang].add(tp, fp, fn)
        if label is not None:
            self.by_label[label].add(tp, fp, fn)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = dict(self.overall.scores())
        out["by_label"] = {k: v.scores() for k, v in sorted(self.by_label.items())}
        out["by_lang"] = {k: v.scores() for k, v in sorted(self.by_lang.items())}
        return out


def read_gold(path: str | Path, split: str | None = None) -> list[dict[str, Any]]:
    """Read a gold JSONL file; ``split`` keeps only lines whose ``split`` field equals it (``all``/None: every line)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"gold file not found: {path}")
    from imnm_nlp.writers.jsonl import read_jsonl  # reports the file and line of a bad line

    docs = []
    for n, doc in enumerate(read_jsonl(path), 1):
        missing = [k for k in ("id", "lang", "text", "entities", "epi", "treatments") if k not in doc]
        if missing:
            raise InputError(f"{path}: gold document {n} ({doc.get('id', '?')}) lacks field(s) {missing}")
        if split in (None, "all") or doc.get("split", "dev") == split:
            docs.append(doc)
    return docs


def _match_entities(gold: Sequence[Mapping[str, Any]], pred: Sequence[Mapping[str, Any]]) -> tuple[Counter, Counter, Counter]:
    g = Counter((e["start"], e["end"], e["label"]) for e in gold)
    p = Counter((e["start"], e["end"], e["label"]) for e in pred)
    tp = g & p
    return (
        Counter(k[2] for k in tp.elements()),
        Counter(k[2] for k in (p - tp).elements()),
        Counter(k[2] for k in (g - tp).elements()),
    )


def _value_close(a: float, b: float) -> bool:
    if a == b:
        return True
    return abs(a - b) <= EPI_TOLERANCE * max(abs(a), abs(b))


def match_epi(gold: Sequence[Mapping[str, Any]], pred: Sequence[Mapping[str, Any]]) -> list[tuple[int, int]]:
    """One-to-one matching of epi items: same measure and unit, value within 1%; closest value first."""
    candidates = []
    for gi, g in enumerate(gold):
        for pi, p in enumerate(pred):
            if g["measure"] == p["measure"] and g["unit"] == p["unit"] and _value_close(float(g["value"]), float(p["value"])):
                candidates.append((abs(float(g["value"]) - float(p["value"])), gi, pi))
    pairs, used_g, used_p = [], set(), set()
    for _, gi, pi in sorted(candidates):
        if gi not in used_g and pi not in used_p:
            used_g.add(gi)
            used_p.add(pi)
            pairs.append((gi, pi))
    return pairs


def _norm_region(value: Any) -> str | None:
    return value.strip().lower() if isinstance(value, str) and value.strip() else None


def score(gold_docs: Sequence[Mapping[str, Any]], predictions: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """Compute CONTRACT §3 metrics from gold documents and predictions in the gold format (keyed by doc id)."""
    ents, epi, trt = Slices(), Slices(), Slices()
    region_hits = region_total = 0
    hedge_hits = hedge_total = 0
    for doc in gold_docs:
        lang = doc["lang"]
        pred = predictions.get(doc["id"], {"entities": [], "epi": [], "treatments": []})
        tp, fp, fn = _match_entities(doc["entities"], pred["entities"])
        for label in set(tp) | set(fp) | set(fn):
            ents.add(lang, label, tp[label], fp[label], fn[label])
        ents.by_lang[lang]  # a language with no entities still shows up
        pairs = match_epi(doc["epi"], pred["epi"])
        matched_g = {g for g, _ in pairs}
        matched_p = {p for _, p in pairs}
        for gi, g in enumerate(doc["epi"]):
            epi.add(lang, g["measure"], int(gi in matched_g), 0, int(gi not in matched_g))
        for pi, p in enumerate(pred["epi"]):
            if pi not in matched_p:
                epi.add(lang, p["measure"], 0, 1, 0)
        for gi, pi in pairs:
            region_total += 1
            region_hits += _norm_region(doc["epi"][gi].get("region")) == _norm_region(pred["epi"][pi].get("region"))
        gold_t = {(t["drug"], t["claim"]) for t in doc["treatments"]}
        pred_t = {(t["drug"], t["claim"]) for t in pred["treatments"]}
        pred_hedged = {(t["drug"], t["claim"]): bool(t.get("hedged")) for t in pred["treatments"]}
        for t in doc["treatments"]:  # hedging, where the gold marks it, over matched claims
            key = (t["drug"], t["claim"])
            if "hedged" in t and key in pred_hedged:
                hedge_total += 1
                hedge_hits += bool(t["hedged"]) == pred_hedged[key]
        for claim in {c for _, c in gold_t | pred_t}:
            g = {x for x in gold_t if x[1] == claim}
            p = {x for x in pred_t if x[1] == claim}
            trt.add(lang, claim, len(g & p), len(p - g), len(g - p))
    epi_out = epi.to_dict()
    epi_out["region_acc"] = round(region_hits / region_total, 4) if region_total else 0.0
    epi_out["region_pairs"] = region_total
    trt_out = trt.to_dict()
    trt_out["hedged_acc"] = round(hedge_hits / hedge_total, 4) if hedge_total else 0.0
    trt_out["hedged_pairs"] = hedge_total
    return {"entities": ents.to_dict(), "epi": epi_out, "treatments": trt_out, "docs": len(gold_docs)}


def predict_gold(gold_docs: Iterable[Mapping[str, Any]], pipeline: Any) -> dict[str, dict[str, Any]]:
    """Run ``pipeline.analyze_text`` over each gold text; return predictions in the gold format, keyed by id."""
    from imnm_nlp.extraction.epi import collapse_epi
    from imnm_nlp.extraction.treatment import collapse_claims

    out: dict[str, dict[str, Any]] = {}
    for doc in gold_docs:
        res = pipeline.analyze_text(doc["text"], doc["lang"], doc_id=f"gold:{doc['id']}")
        out[doc["id"]] = {
            "id": doc["id"],
            "lang": doc["lang"],
            "entities": [{"text": e.text, "start": e.start, "end": e.end, "label": e.label} for e in res.entities],
            "epi": [
                {
                    "measure": f.measure, "value": f.value, "value_high": f.value_high, "unit": f.unit,
                    "population": f.population, "region": f.region, "evidence": f.provenance.sentence,
                }
                for f in collapse_epi(res.epi)  # a figure restated in one abstract is one gold item
            ],
            "treatments": [
                {
                    "drug": t.drug, "population": t.population, "claim": t.claim, "hedged": t.hedged,
                    "negated": t.negated, "evidence": t.provenance.sentence,
                }
                for t in collapse_claims(res.treatments)
            ],
        }
    return out


def evaluate_gold(
    gold_path: str | Path,
    pipeline: Any,
    *,
    split: str | None = None,
    predictions_out: str | Path | None = None,
) -> dict[str, Any]:
    """Run the pipeline over a gold file and score it (CONTRACT §3).

    Example:
        >>> from imnm_nlp.pipeline import Pipeline
        >>> metrics = evaluate_gold("corpora/gold/dev.jsonl", Pipeline(use_model=False))  # doctest: +SKIP
        >>> metrics["epi"]["f1"]  # doctest: +SKIP
    """
    docs = read_gold(gold_path, split)
    preds = predict_gold(docs, pipeline)
    if predictions_out is not None:
        from imnm_nlp.writers.jsonl import write_jsonl

        write_jsonl(Path(predictions_out), (preds[d["id"]] for d in docs))
    metrics = score(docs, preds)
    metrics["gold"] = str(gold_path)
    metrics["split"] = split or "all"
    return metrics


def format_table(metrics: Mapping[str, Any]) -> str:
    """A plain-text table of the metrics, one row per slice."""
    rows = [("task", "slice", "P", "R", "F1", "tp", "fp", "fn")]

    def add(task: str, name: str, s: Mapping[str, Any]) -> None:
        rows.append((task, name, f"{s['p']:.3f}", f"{s['r']:.3f}", f"{s['f1']:.3f}", str(s["tp"]), str(s["fp"]), str(s["fn"])))

    for task in ("entities", "epi", "treatments"):
        m = metrics[task]
        add(task, "overall", m)
        for lang, s in m["by_lang"].items():
            add(task, f"lang={lang}", s)
        for label, s in m["by_label"].items():
            add(task, label, s)
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append(
        f"docs={metrics['docs']}  split={metrics.get('split', 'all')}  "
        f"epi region accuracy={metrics['epi']['region_acc']:.3f} over {metrics['epi'].get('region_pairs', 0)} matched figures  "
        f"treatment hedging accuracy={metrics['treatments'].get('hedged_acc', 0):.3f} over {metrics['treatments'].get('hedged_pairs', 0)} matched claims"
    )
    return "\n".join(lines)
