"""Dev-time scorer for the extractors (CONTRACT §3 matching), on the seed and ``split == "dev"`` gold lines.

Run ``.venv/bin/python tests/test_extraction_dev.py [--entities gold|rules] [--show]`` to print epi and
treatment P/R/F1 per language; under pytest it checks the seed only (the dev gold grows during the day).
Test lines (``split == "test"``) are never read here: they are for honest reporting.

``--entities gold`` feeds the gold entity spans (an oracle tagger: measures the extractors alone);
``--entities rules`` uses ``imnm_nlp.tagging.tag_rules`` and the real sentence splitter when present.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

from imnm_nlp.extraction import collapse_claims, collapse_epi, extract_epi, extract_treatments
from imnm_nlp.records import EntitySpan, SectionContext, TreatmentClaim

ROOT = Path(__file__).resolve().parents[1]
SEED = Path(__file__).parent / "fixtures" / "extraction" / "seed.gold.jsonl"
PARTS = ROOT / "corpora" / "gold" / "parts"


def simple_sentences(text: str, lang: str) -> list[tuple[int, int]]:
    """A trivial splitter (。！？ / '. ' before a capital), used when the real one is absent."""
    pat = re.compile(r"[。！？!?]+" if lang == "zh" else r"(?<=[.!?])\s+(?=[A-Z(])")
    out, start = [], 0
    for m in pat.finditer(text):
        end = m.end() if lang == "zh" else m.start()
        if text[start:end].strip():
            out.append((start, end))
        start = m.end()
    if text[start:].strip():
        out.append((start, len(text)))
    return out


def _sentences(text: str, lang: str, mode: str) -> list[tuple[int, int]]:
    if True:  # the real splitter whenever it is importable, in both modes
        try:
            from imnm_nlp.text.sentences import split_sentences
            return list(split_sentences(text, lang))
        except ImportError:
            pass
    return simple_sentences(text, lang)


def _drug_names() -> dict[str, str]:
    """Surface -> canonical for DRUG gold spans, from the tagger's drug lexicon (gold spans carry none)."""
    path = ROOT / "imnm_nlp" / "resources" / "drugs.json"
    names: dict[str, str] = {}
    if path.exists():
        for entry in json.loads(path.read_text(encoding="utf-8"))["entries"]:
            for name in [entry["canonical"], *entry.get("en", []), *entry.get("zh", []), *entry.get("abbr", []),
                         *entry.get("trade_zh", [])]:
                names.setdefault(name.lower(), entry["canonical"])
    return names


_DRUGS: dict[str, str] = {}


def _canonical(text: str) -> str:
    if not _DRUGS:
        _DRUGS.update(_drug_names())
    low = text.lower()
    for cand in (low, low.rstrip("s"), re.sub(r"\s+(drugs|agents|medications|therapy)$", "", low).rstrip("s"), low[:-2] if low.endswith("es") else low):
        if cand in _DRUGS:
            return _DRUGS[cand]
    return ""


def _entities(doc: dict, mode: str) -> list[EntitySpan]:
    if mode == "rules":
        from imnm_nlp.tagging import tag_rules
        return list(tag_rules(doc["text"], doc["lang"]))
    return [EntitySpan(e["start"], e["end"], e["label"], e["text"], canonical=_canonical(e["text"]) if e["label"] == "DRUG" else "")
            for e in doc.get("entities", [])]


def predict(doc: dict, mode: str = "gold") -> tuple[list, list]:
    text, lang = doc["text"], doc["lang"]
    sents = _sentences(text, lang, mode)
    ents = _entities(doc, mode)
    ctx = SectionContext(doc_id="gold:" + str(doc["id"]), section="abstract", lang=lang)
    epi = collapse_epi(extract_epi(text, lang, sents, ents, ctx))
    treats = collapse_claims([r for r in extract_treatments(text, lang, sents, ents, ctx) if isinstance(r, TreatmentClaim)])
    return epi, treats


def _match_epi(pred: list, gold: list) -> int:
    used, hits = set(), 0
    for p in pred:
        for j, g in enumerate(gold):
            if j in used or g["measure"] != p.measure or g["unit"] != p.unit:
                continue
            gv = float(g["value"])
            if abs(p.value - gv) <= 0.01 * max(abs(gv), 1e-9):
                used.add(j)
                hits += 1
                break
    return hits


def load_docs() -> list[dict]:
    docs = [json.loads(line) for line in SEED.read_text(encoding="utf-8").splitlines() if line.strip()]
    for path in (PARTS / "zh.jsonl", PARTS / "en.jsonl", PARTS.parent / "dev.jsonl"):
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                if not line.strip():
                    continue
                try:
                    doc = json.loads(line)
                except json.JSONDecodeError:
                    continue  # a line being written right now
                if doc.get("split") == "dev" and doc["id"] not in {d["id"] for d in docs}:  # never "test"
                    docs.append(doc)
    return docs


def score(docs: list[dict], mode: str = "gold", show: bool = False) -> dict:
    tally: dict = defaultdict(lambda: [0, 0, 0])  # key -> [tp, n_pred, n_gold]
    for doc in docs:
        epi, treats = predict(doc, mode)
        gold_epi, gold_tr = doc.get("epi", []), doc.get("treatments", [])
        tp = _match_epi(epi, gold_epi)
        pred_keys = {(t.drug, t.claim) for t in treats}
        gold_keys = {(g["drug"], g["claim"]) for g in gold_tr}
        for key, (a, b, c) in ((("epi", doc["lang"]), (tp, len(epi), len(gold_epi))),
                               (("treat", doc["lang"]), (len(pred_keys & gold_keys), len(pred_keys), len(gold_keys)))):
            for k in (key, (key[0], "all")):
                tally[k][0] += a
                tally[k][1] += b
                tally[k][2] += c
        if show:
            print(f"== {doc['id']} ({doc['lang']})")
            print("  epi pred:", [(f.measure, f.value, f.unit, f.region, f.population) for f in epi])
            print("  epi gold:", [(g['measure'], g['value'], g['unit'], g.get('region')) for g in gold_epi])
            print("  tr  pred:", sorted(pred_keys), " gold:", sorted(gold_keys))
    out = {}
    for k, (tp, npred, ngold) in sorted(tally.items()):
        p = tp / npred if npred else 0.0
        r = tp / ngold if ngold else 0.0
        out["/".join(k)] = {"p": round(p, 3), "r": round(r, 3), "f1": round(2 * p * r / (p + r), 3) if p + r else 0.0,
                            "tp": tp, "pred": npred, "gold": ngold}
    return out


def test_seed_scores_perfectly_with_gold_entities() -> None:
    docs = load_docs()[:2]
    result = score(docs, "gold")
    assert result["epi/all"]["f1"] == 1.0, result
    assert result["treat/all"]["f1"] == 1.0, result


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--entities", choices=("gold", "rules"), default="gold")
    ap.add_argument("--show", action="store_true")
    ap.add_argument("--seed-only", action="store_true")
    args = ap.parse_args()
    all_docs = load_docs()
    if args.seed_only:
        all_docs = all_docs[:2]
    print(f"{len(all_docs)} docs (seed + dev)", file=sys.stderr)
    for key, val in score(all_docs, args.entities, args.show).items():
        print(f"{key:12s} P {val['p']:.3f} R {val['r']:.3f} F1 {val['f1']:.3f}  (tp {val['tp']}, pred {val['pred']}, gold {val['gold']})")
