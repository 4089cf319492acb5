"""The pipeline's model path: how model spans and sentence hints reach the outputs (fake tagger), and the
shipped model end to end (real weights, one load)."""

from __future__ import annotations

from pathlib import Path

import pytest

from imnm_nlp.model.infer import SentencePrediction
from imnm_nlp.pipeline import Pipeline
from imnm_nlp.records import EntitySpan

TEXT = "Nomacizumab was effective in refractory IMNM."
NEW_DRUG = "Nomacizumab"  # made up: unknown to the lexicon, so only the model can find it


class FakeTagger:
    """Stands in for ModelTagger: finds NEW_DRUG and says every sentence is a hedged treatment claim."""

    version = "fake-model"

    def __init__(self) -> None:
        self.seen: list[str] = []

    def predict(self, sentences, batch_size=32):
        out = []
        for text, _lang in sentences:
            self.seen.append(text)
            spans = []
            if NEW_DRUG in text:
                s = text.index(NEW_DRUG)
                spans.append(EntitySpan(s, s + len(NEW_DRUG), "DRUG", NEW_DRUG, source="model", score=0.97))
            out.append(SentencePrediction(spans=spans, kind={"treatment": 0.99, "epi": 0.01, "risk_factor": 0.01, "other": 0.0},
                                          claim={"effective": 0.95}, no_claim=0.01, hedged=0.99))
        return out


def _pipeline(**kwargs) -> tuple[Pipeline, FakeTagger]:
    pipe = Pipeline(use_model=False, **kwargs)
    fake = FakeTagger()
    pipe._model, pipe.model_version = fake, fake.version
    return pipe, fake


def test_model_only_span_is_an_entity_but_not_extraction_evidence_by_default():
    pipe, fake = _pipeline()
    res = pipe(TEXT, lang="en")
    assert fake.seen == [TEXT] and res.model_sentences == 1
    assert [(e.text, e.source) for e in res.entities if e.label == "DRUG"] == [(NEW_DRUG, "model")]
    assert res.mentions[0].provenance.model_version == "fake-model"
    assert res.treatments == []  # rules alone decide the claims: they see no drug here


def test_extract_model_spans_lets_the_extractors_use_them():
    pipe, _ = _pipeline(extract_model_spans=True)
    (claim,) = pipe(TEXT, lang="en").treatments
    assert claim.drug.lower() == NEW_DRUG.lower() and claim.claim == "effective"
    assert claim.hedged is False  # the default hint policy leaves hedging to the rules (P(hedged)=0.99 ignored)


@pytest.mark.skipif(not (Path(__file__).resolve().parents[1] / "models" / "imnm-e5-lora" / "meta.json").is_file(),
                    reason="the shipped model is not in this checkout")
def test_shipped_model_end_to_end():
    nlp = Pipeline(use_model=True)
    en = nlp("Anti-HMGCR antibodies were found in 12 of 48 patients (25%) treated with rituximab.", lang="en")
    zh = nlp("抗HMGCR抗体阳性IMNM的发病率为0.83/10万。", lang="zh")
    for res in (en, zh):
        assert res.model_sentences == 1
        assert all(m.provenance.model_version == nlp.model_version for m in res.mentions)
        assert {"ANTIBODY", "RATE"} <= {e.label for e in res.entities}
    assert zh.epi and zh.epi[0].value == 0.83


def test_gates_choose_what_the_model_sees():
    text = "Nomacizumab was effective. The patients were followed for 2 years. 患者随访2年。"
    seen = {}
    for gate in ("names", "candidates", "none"):
        pipe, fake = _pipeline(gate=gate)
        pipe.analyze_text(text, "en")
        seen[gate] = fake.seen
    assert seen["none"] == ["Nomacizumab was effective.", "The patients were followed for 2 years.", "患者随访2年。"]
    assert seen["candidates"] == seen["none"]  # every sentence has a digit or a cue
    assert seen["names"] == ["Nomacizumab was effective."]  # the only one with a name-shaped word


def test_unknown_gate_is_an_error():
    from imnm_nlp.errors import InputError

    with pytest.raises(InputError, match="gate"):
        Pipeline(use_model=False, gate="some")
