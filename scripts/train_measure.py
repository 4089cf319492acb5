"""Measurements for the model report (run from the repository root, 2 threads).

    .venv/bin/python scripts/train_measure.py baseline MODEL_DIR   # TF-IDF + LR vs transformer, silver dev
    .venv/bin/python scripts/train_measure.py gate [MODEL_DIR]     # share skipped, recall cost (gold + silver dev)
    .venv/bin/python scripts/train_measure.py ablation MODEL_DIR [test]  # held-out names: ablated rules vs model
    .venv/bin/python scripts/train_measure.py speed MODEL_DIR      # sentences/s, peak RSS, load time
    .venv/bin/python scripts/train_measure.py gold MODEL_DIR [test]      # entity P/R/F1 on gold: rules, model, merged

Gold files (``corpora/gold/**/*.jsonl``) are only *evaluated* on here, never trained on.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


SPLIT: str | None = None  # "dev" / "test" / None (all), from the third argument


def _gold_docs() -> list[dict]:
    """Gold documents (deduplicated by id over all gold files), restricted to SPLIT when set."""
    docs, seen = [], set()
    for path in sorted((REPO / "corpora" / "gold").rglob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                d = json.loads(line)
                if d["id"] not in seen and (SPLIT is None or d.get("split", "dev") == SPLIT):
                    seen.add(d["id"])
                    docs.append(d)
    return docs


def _silver():
    from imnm_nlp.model.silver import read_examples
    from imnm_nlp.model.train import SILVER_SNAPSHOT

    return read_examples(SILVER_SNAPSHOT)


def baseline(model_dir: str) -> dict:
    from imnm_nlp.model.baseline import fit_baseline
    from imnm_nlp.model.synthetic import synthetic_examples
    from imnm_nlp.model.train import TrainConfig, select_train
    from imnm_nlp.tagging.lexicon import load_lexicon

    cfg = TrainConfig()
    train, dev = select_train(_silver(), cfg)
    train = train + synthetic_examples(load_lexicon(), cfg.synthetic_per_lang, seed=cfg.seed)
    t0 = time.perf_counter()
    b = fit_baseline(train, seed=cfg.seed)
    fit_s = time.perf_counter() - t0
    base = b.scores(dev)
    model = json.loads((Path(model_dir) / "metrics.json").read_text(encoding="utf-8"))["dev"]
    rows = {}
    for name, m in (("tfidf_lr", base), ("transformer", model)):
        rows[name] = {"kind_micro_f1": m["kind"]["micro_f1"], **{f"kind_{k}_f1": m["kind"][k] for k in ("epi", "treatment", "risk_factor")},
                      "claim_accuracy": m["claim"]["accuracy"], "claim_macro_f1": m["claim"]["macro_f1"], "hedged_f1": m["hedged"]["f1"]}
    return {"dev_sentences": len(dev), "baseline_fit_seconds": round(fit_s, 1), **rows}


def gate(model_dir: str | None = None) -> dict:
    from imnm_nlp.model.gate import is_candidate
    from imnm_nlp.tagging import tag_rules
    from imnm_nlp.text.sentences import split_sentences

    out: dict = {}
    n_sent = skipped = ents = ents_lost = 0
    lost_examples = []
    for d in _gold_docs():
        text, lang = d["text"], d["lang"]
        spans = tag_rules(text, lang)
        for s0, s1 in split_sentences(text, lang):
            n_sent += 1
            inside = [e for e in spans if s0 <= e.start and e.end <= s1]
            gold_in = [g for g in d.get("entities", []) if s0 <= g["start"] and g["end"] <= s1]
            ents += len(gold_in)
            if not is_candidate(text[s0:s1], lang, inside):
                skipped += 1
                ents_lost += len(gold_in)
                lost_examples.extend(g["text"] for g in gold_in)
    out["gold"] = {"sentences": n_sent, "skipped": skipped, "skipped_share": round(skipped / max(1, n_sent), 3),
                   "gold_entities": ents, "gold_entities_in_skipped": ents_lost,
                   "entity_recall_ceiling": round(1 - ents_lost / max(1, ents), 4), "lost": lost_examples[:20]}
    dev = [e for e in _silver() if e.split == "dev"]
    sk = [e for e in dev if not is_candidate(e.text, e.lang, [1] if e.spans else [])]  # type: ignore[list-item]
    out["silver_dev"] = {"sentences": len(dev), "skipped_share": round(len(sk) / len(dev), 3),
                         "kind_positive_in_skipped": sum(1 for e in sk if any(e.kind)),
                         "kind_positive": sum(1 for e in dev if any(e.kind)),
                         "claims_in_skipped": sum(1 for e in sk if e.claim != "none")}
    return out


def _occurrences(held_out: set[str]) -> list[tuple[str, str, int, int, str]]:
    """Gold DRUG/ANTIBODY mentions whose name the full lexicon maps to a held-out entry."""
    from imnm_nlp.tagging.lexicon import load_lexicon

    lex = load_lexicon()
    occ = []
    for d in _gold_docs():
        for g in d.get("entities", []):
            if g["label"] in ("DRUG", "ANTIBODY"):
                entry = lex.lookup(g["text"], label=g["label"])
                if entry is not None and entry.id in held_out:
                    occ.append((d["id"], d["lang"], g["start"], g["end"], g["label"]))
    return occ


def ablation(model_dir: str) -> dict:
    from imnm_nlp.model.infer import load_model
    from imnm_nlp.tagging import tag_rules
    from imnm_nlp.tagging.lexicon import load_lexicon
    from imnm_nlp.tagging.merge import merge_spans
    from imnm_nlp.text.sentences import split_sentences

    meta = json.loads((Path(model_dir) / "meta.json").read_text(encoding="utf-8"))
    held = set(meta["ablation"]["held_out_ids"])
    ablated = load_lexicon().without(held)
    occ = _occurrences(held)
    docs = {d["id"]: d for d in _gold_docs()}
    tagger = load_model(model_dir, threads=2)
    found = {"rules_ablated": set(), "model": set(), "merged": set()}
    found_overlap = {k: set() for k in found}
    for doc_id in sorted({o[0] for o in occ}):
        d = docs[doc_id]
        text, lang = d["text"], d["lang"]
        rules = tag_rules(text, lang, lexicon=ablated)
        sents = split_sentences(text, lang)
        preds = tagger.predict([(text[a:b], lang) for a, b in sents])
        model = []
        from dataclasses import replace

        for (a, _), p in zip(sents, preds):
            model.extend(replace(s, start=s.start + a, end=s.end + a) for s in p.spans)
        merged = merge_spans(rules, model, lang=lang, text=text, lexicon=ablated)
        for name, spans in (("rules_ablated", rules), ("model", model), ("merged", merged)):
            for o in occ:
                if o[0] != doc_id:
                    continue
                if any(s.start == o[2] and s.end == o[3] and s.label == o[4] for s in spans):
                    found[name].add(o)
                if any(s.start < o[3] and o[2] < s.end and s.label == o[4] for s in spans):
                    found_overlap[name].add(o)
    n = len(occ)
    res = {"held_out_entries": len(held), "gold_occurrences": n, "gold_split": SPLIT or "all",
           "by_lang": {lg: sum(1 for o in occ if o[1] == lg) for lg in ("zh", "en")}}
    for k in found:
        res[k] = {"exact_recall": round(len(found[k]) / max(1, n), 4), "overlap_recall": round(len(found_overlap[k]) / max(1, n), 4)}
    res["silver_dev"] = _ablation_silver_dev(tagger, held, ablated)
    return res


def _ablation_silver_dev(tagger, held: set[str], ablated) -> dict:
    """Held-out names in the silver dev sentences (labelled by the full lexicon; never trained on)."""
    from imnm_nlp.tagging import tag_rules
    from imnm_nlp.tagging.lexicon import load_lexicon

    lex = load_lexicon()
    items = []
    for e in _silver():
        if e.split != "dev":
            continue
        occ = [(s, t, lab) for s, t, lab in e.spans if lab in ("DRUG", "ANTIBODY")
               and (entry := lex.lookup(e.text[s:t], label=lab)) is not None and entry.id in held]
        if occ:
            items.append((e, occ))
    preds = tagger.predict([(e.text, e.lang) for e, _ in items])
    n = sum(len(o) for _, o in items)
    hit = {"rules_ablated": 0, "model": 0}
    for (e, occ), p in zip(items, preds):
        rules = {(x.start, x.end, x.label) for x in tag_rules(e.text, e.lang, lexicon=ablated)}
        model = {(x.start, x.end, x.label) for x in p.spans}
        hit["rules_ablated"] += sum(1 for o in occ if o in rules)
        hit["model"] += sum(1 for o in occ if o in model)
    names = sorted({e.text[s:t] for e, occ in items for s, t, _ in occ})
    return {"sentences": len(items), "occurrences": n, "distinct_names": len(names), "names": names[:25],
            **{k: round(v / max(1, n), 4) for k, v in hit.items()}}


def speed(model_dir: str) -> dict:
    import torch

    torch.set_num_threads(2)
    from imnm_nlp.model.infer import load_model

    t0 = time.perf_counter()
    tagger = load_model(model_dir, threads=2)
    load_s = time.perf_counter() - t0
    dev = [e for e in _silver() if e.split == "dev"][:640]
    sents = [(e.text, e.lang) for e in dev]
    tagger.predict(sents[:32])
    t0 = time.perf_counter()
    tagger.predict(sents, batch_size=32)
    dt = time.perf_counter() - t0
    return {"sentences": len(sents), "seconds": round(dt, 2), "sentences_per_s": round(len(sents) / dt, 1),
            "load_seconds": round(load_s, 1), "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
            "threads": torch.get_num_threads()}


def gold(model_dir: str) -> dict:
    from dataclasses import replace

    from imnm_nlp.model.evaluation import span_scores
    from imnm_nlp.model.infer import load_model
    from imnm_nlp.tagging import tag_rules
    from imnm_nlp.tagging.merge import merge_spans
    from imnm_nlp.text.sentences import split_sentences

    tagger = load_model(model_dir, threads=2)
    g, r, m, mg, langs = [], [], [], [], []
    for d in _gold_docs():
        text, lang = d["text"], d["lang"]
        rules = tag_rules(text, lang)
        sents = split_sentences(text, lang)
        preds = tagger.predict([(text[a:b], lang) for a, b in sents])
        model = [replace(s, start=s.start + a, end=s.end + a) for (a, _), p in zip(sents, preds) for s in p.spans]
        g.append({(e["start"], e["end"], e["label"]) for e in d.get("entities", [])})
        r.append({(s.start, s.end, s.label) for s in rules})
        m.append({(s.start, s.end, s.label) for s in model})
        mg.append({(s.start, s.end, s.label) for s in merge_spans(rules, model, lang=lang, text=text)})
        langs.append(lang)
    out = {"docs": len(g)}
    for name, pred in (("rules", r), ("model", m), ("merged", mg)):
        sc = span_scores(g, pred)
        out[name] = {"p": sc["p"], "r": sc["r"], "f1": sc["f1"], "by_label": {k: v["f1"] for k, v in sc["by_label"].items()},
                     "by_lang": {lg: span_scores([x for x, l in zip(g, langs) if l == lg], [x for x, l in zip(pred, langs) if l == lg])["f1"]
                                 for lg in ("zh", "en")}}
    return out


def threshold(model_dir: str) -> dict:
    """Entity P/R/F1 of rules+model merged at several score thresholds (choose on the dev split only)."""
    from dataclasses import replace

    from imnm_nlp.model.evaluation import span_scores
    from imnm_nlp.model.infer import load_model
    from imnm_nlp.tagging import tag_rules
    from imnm_nlp.tagging.merge import merge_spans
    from imnm_nlp.text.sentences import split_sentences

    tagger = load_model(model_dir, threads=2)
    rows = []
    for d in _gold_docs():
        text, lang = d["text"], d["lang"]
        sents = split_sentences(text, lang)
        preds = tagger.predict([(text[a:b], lang) for a, b in sents])
        model = [replace(s, start=s.start + a, end=s.end + a) for (a, _), p in zip(sents, preds) for s in p.spans]
        rows.append(({(e["start"], e["end"], e["label"]) for e in d.get("entities", [])}, tag_rules(text, lang), model, lang))
    out = {"docs": len(rows), "split": SPLIT or "all"}
    for t in (0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1.01):
        sc = span_scores([g for g, _, _, _ in rows], [{(s.start, s.end, s.label) for s in merge_spans(r, m, threshold=t, lang=lg)} for _, r, m, lg in rows])
        out[str(t)] = {k: sc[k] for k in ("p", "r", "f1")}
    return out


if __name__ == "__main__":
    what = sys.argv[1]
    arg = sys.argv[2] if len(sys.argv) > 2 else None
    SPLIT = sys.argv[3] if len(sys.argv) > 3 else None
    result = {"baseline": baseline, "gate": gate, "ablation": ablation, "speed": speed, "gold": gold, "threshold": threshold}[what](arg)  # type: ignore[operator]
    print(json.dumps(result, ensure_ascii=False, indent=1))
