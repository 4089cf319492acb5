"""Golden tests of the treatment extractor and of collapse_claims (fixtures/extraction/treatment_cases.json)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from imnm_nlp.extraction import SentenceHint, collapse_claims, extract_treatments
from imnm_nlp.records import EntitySpan, RiskFactor, SectionContext, TreatmentClaim

from test_epi import FIX, split, spans

CASES = json.loads((FIX / "treatment_cases.json").read_text(encoding="utf-8"))["cases"]


def run(case: dict, **kw) -> list:
    text, lang = case["text"], case["lang"]
    return extract_treatments(text, lang, split(text, lang), spans(text, case["entities"]),
                              SectionContext("text:case", "abstract", lang), **kw)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_golden_case(case: dict) -> None:
    out = run(case)
    claims = [r for r in out if isinstance(r, TreatmentClaim)]
    risks = [r for r in out if isinstance(r, RiskFactor)]
    assert [[c.drug, c.claim, c.hedged, c.negated] for c in claims] == case["claims"]
    assert [[r.factor, r.factor_label] for r in risks] == case["risks"]
    for drug, population in case.get("populations", {}).items():
        assert {c.population for c in claims if c.drug == drug} == {population}
    for drug, (k, n) in case.get("counts", {}).items():
        assert [(c.responders, c.treated) for c in claims if c.drug == drug] == [(k, n)]
    text = case["text"]
    for rec in out:  # provenance points at the drug (or allele) mention as written
        p = rec.provenance
        surface = rec.drug_text if isinstance(rec, TreatmentClaim) else rec.factor_text
        assert text[p.start : p.end] == surface
        assert text[p.sentence_start : p.sentence_end] == p.sentence


def _seed() -> list[dict]:
    return [json.loads(line) for line in (FIX / "seed.gold.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("doc", _seed(), ids=lambda d: d["id"])
def test_seed_abstract_full_treatments(doc: dict) -> None:
    canon = {"糖皮质激素": "glucocorticoids", "免疫抑制剂": "immunosuppressants", "利妥昔单抗": "rituximab",
             "静脉注射人免疫球蛋白": "intravenous immunoglobulin", "他汀类药物": "statins", "免疫检查点抑制剂": "immune checkpoint inhibitors",
             "intravenous human immunoglobulin": "intravenous immunoglobulin"}
    ents = [EntitySpan(e["start"], e["end"], e["label"], e["text"], canon.get(e["text"], e["text"].lower()) if e["label"] == "DRUG" else "")
            for e in doc["entities"]]
    out = extract_treatments(doc["text"], doc["lang"], split(doc["text"], doc["lang"]), ents,
                             SectionContext("gold:" + doc["id"], "abstract", doc["lang"]))
    got = sorted((c.drug, c.claim, c.population) for c in collapse_claims(out))
    want = sorted((t["drug"], t["claim"], t["population"]) for t in doc["treatments"])
    assert got == want
    assert sorted(r.factor for r in out if isinstance(r, RiskFactor) and r.factor_label == "DRUG") == ["immune checkpoint inhibitors", "statins"]


def _claim(doc: str, drug: str, claim: str, start: int, hedged: bool = False) -> TreatmentClaim:
    ctx = SectionContext(doc, "abstract", "en")
    return TreatmentClaim(drug, claim, ctx.provenance("x" * 50, start, start + 3, (0, 50), "t", "0"), hedged=hedged)


def test_collapse_claims_one_per_doc_drug_claim_with_used_suppression() -> None:
    recs = [_claim("text:a", "ivig", "used", 0), _claim("text:a", "ivig", "effective", 10, hedged=True),
            _claim("text:a", "ivig", "effective", 20), _claim("text:a", "ivig", "recommended", 30),
            _claim("text:a", "rituximab", "used", 5), _claim("text:a", "rituximab", "used", 40),
            _claim("text:b", "ivig", "used", 0)]
    out = collapse_claims(recs + [object()])
    assert [(c.provenance.doc_id, c.drug, c.claim) for c in out] == [  # document order, first evidence kept
        ("text:a", "rituximab", "used"), ("text:a", "ivig", "effective"), ("text:a", "ivig", "recommended"), ("text:b", "ivig", "used")]
    assert out[1].provenance.start == 10 and not out[1].hedged  # one firm statement outweighs a hedged one


def test_hints_relabel_veto_and_add() -> None:
    from imnm_nlp.extraction.hints import HintPolicy

    FULL = HintPolicy()  # the mechanism; the default policy switches relabel, veto and add off (see hints.py)
    case = next(c for c in CASES if c["name"] == "used, hedged, refractory population (en)")
    hint_eff = {1: SentenceHint(kind={"treatment": 0.9}, claim={"effective": 0.9})}
    claims = [r for r in run(case, hints=hint_eff, policy=FULL) if isinstance(r, TreatmentClaim)]
    assert [c.claim for c in claims if c.drug == "glucocorticoids"] == ["effective"]
    veto = {1: SentenceHint(kind={"treatment": 0.02, "other": 0.98})}
    assert "glucocorticoids" not in {r.drug for r in run(case, hints=veto, policy=FULL) if isinstance(r, TreatmentClaim)}
    bare = {"text": "Rituximab and IMNM.", "lang": "en", "entities": [["Rituximab", "DRUG", "rituximab"], ["IMNM", "DISEASE", "IMNM"]]}
    assert run(bare) == []
    added = run(bare, hints={0: SentenceHint(kind={"treatment": 0.95}, claim={"effective": 0.9}, hedged=0.8)}, policy=FULL)
    assert [(c.drug, c.claim, c.hedged) for c in added] == [("rituximab", "effective", True)]
    assert run(bare, hints={0: SentenceHint(kind={"treatment": 0.95}, claim={"effective": 0.9}, hedged=0.8)}) == []


def test_hint_validation() -> None:
    from imnm_nlp.errors import RecordError
    with pytest.raises(RecordError):
        SentenceHint(kind={"epidemiology": 0.5})
    with pytest.raises(RecordError):
        SentenceHint(claim={"effective": 1.5})


def test_gold_view_counts_a_negated_adverse_claim_as_used():
    from imnm_nlp.extraction import collapse_claims
    from imnm_nlp.records import SectionContext, TreatmentClaim

    ctx = SectionContext("text:a", "abstract", "en")
    p = ctx.provenance("x" * 40, 0, 3, (0, 40), "t", "0")
    no_harm = TreatmentClaim("prednisone", "adverse", p, negated=True)  # "no difference in side effects"
    assert [(c.claim, c.negated) for c in collapse_claims([no_harm])] == [("used", False)]
    harm = TreatmentClaim("prednisone", "adverse", ctx.provenance("x" * 40, 10, 13, (0, 40), "t", "0"))
    assert [c.claim for c in collapse_claims([no_harm, harm])] == ["adverse"]  # a real harm is still a firm claim


@pytest.mark.parametrize("text, negated", [
    ("In IMNM patients, rituximab caused no serious side effects.", True),
    ("In IMNM patients, no adverse events were attributed to rituximab.", True),
    ("IMNM患者应用利妥昔单抗未出现不良反应。", True),
    ("Two IMNM patients were intolerant of azathioprine.", False),
    ("2例IMNM患者不能耐受硫唑嘌呤。", False),  # the cue carries its own negator: cannot tolerate = harm
])
def test_adverse_negation_comes_from_the_cue(text: str, negated: bool) -> None:
    import imnm_nlp

    (claim,) = imnm_nlp.load(use_model=False)(text).treatments
    assert (claim.claim, claim.negated) == ("adverse", negated)
