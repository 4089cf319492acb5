"""Rule files are validated on load; extractors never produce offsets that miss the raw text (property test)."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from importlib import resources

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imnm_nlp.errors import ResourceError
from imnm_nlp.extraction import extract_epi, extract_treatments
from imnm_nlp.extraction.rules import exposure_only_drugs, load_regions, load_rules, parse_regions, parse_rules
from imnm_nlp.records import EpiFigure, SectionContext, TreatmentClaim

from test_epi import split, spans


def _raw(name: str) -> dict:
    return json.loads(resources.files("imnm_nlp").joinpath("resources", "extraction", name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_bundled_rules_load_and_are_longest_first(lang: str) -> None:
    rules = load_rules(lang)
    assert rules.lang == lang
    for cues in (*rules.measures.values(), *rules.claims.values(), rules.non_epi, rules.respectively):
        assert cues and all(len(a) >= len(b) for a, b in zip(cues, cues[1:]))
    assert "statins" in exposure_only_drugs() and "rituximab" not in exposure_only_drugs()
    assert any(r.en == "China" and "我国" in r.zh for r in load_regions().regions)


@pytest.mark.parametrize("mutate,message", [
    (lambda d: d.update(typo=[1]), "unknown keys"),
    (lambda d: d.pop("non_epi"), "missing keys"),
    (lambda d: d["measures"].update(incidense=["x"]), "keys must be exactly"),
    (lambda d: d["claims"].update(effective=[]), "non-empty list"),
    (lambda d: d["context_rules"].append({"literal": "may", "category": "MAYBE", "direction": "FORWARD"}), "category must be"),
    (lambda d: d["context_rules"].append({"literal": "may", "category": "HEDGED", "direction": "FORWARD", "max_scope": -2}), "max_scope"),
    (lambda d: d.update(lang="fr"), "lang must be"),
])
def test_rule_validation_errors(mutate, message: str) -> None:
    data = copy.deepcopy(_raw("en.json"))
    mutate(data)
    with pytest.raises(ResourceError, match=message):
        parse_rules(data, "en.json")


def test_region_validation_errors() -> None:
    data = copy.deepcopy(_raw("regions.json"))
    data["regions"][0]["level"] = "planet"
    with pytest.raises(ResourceError, match="level"):
        parse_regions(data)
    data = copy.deepcopy(_raw("regions.json"))
    data["regions"][0]["extra"] = 1
    with pytest.raises(ResourceError, match="keys must be"):
        parse_regions(data)


def test_nothing_is_loaded_at_import() -> None:
    code = ("import imnm_nlp.extraction\nfrom imnm_nlp.extraction.rules import load_rules, load_regions\n"
            "assert load_rules.cache_info().currsize == 0 and load_regions.cache_info().currsize == 0\n"
            "import sys; assert 'jieba' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


_FRAGMENTS = {
    "en": ["The incidence of IMNM was 0.83 per 100,000.", " Anti-SRP antibodies were found in 12 of 48 patients (25%).",
           " Rituximab may improve strength", " despite glucocorticoids", " in the United States", "; 60% were female.",
           " Statins can cause myopathy.", " ", "\u3000", "😀", " IVIG and rituximab, respectively 3 and 5%.", "(", ")"],
    "zh": ["IMNM的发病率为0.83/10万,", "患病率为1.85/10万;", "抗SRP抗体阳性12例(25%)。", "可能采用利妥昔单抗", "糖皮质激素治疗无效,",
           "在美国", "男性占60%。", "使用他汀类药物是危险因素。", "　", "😀", "分别为3和5%。", "（", "）"],
}
_ENTS = {
    "en": [["IMNM", "DISEASE", "IMNM"], ["0.83 per 100,000", "RATE", ""], ["Anti-SRP antibodies", "ANTIBODY", "anti-SRP"],
           ["12 of 48 patients", "RATE", ""], ["25%", "RATE", ""], ["60%", "RATE", ""], ["5%", "RATE", ""], ["Rituximab", "DRUG", "rituximab"],
           ["rituximab", "DRUG", "rituximab"], ["glucocorticoids", "DRUG", "glucocorticoids"], ["Statins", "DRUG", "statins"],
           ["IVIG", "DRUG", "intravenous immunoglobulin"], ["myopathy", "DISEASE", "myopathy"]],
    "zh": [["IMNM", "DISEASE", "IMNM"], ["0.83/10万", "RATE", ""], ["1.85/10万", "RATE", ""], ["抗SRP抗体", "ANTIBODY", "anti-SRP"],
           ["25%", "RATE", ""], ["60%", "RATE", ""], ["5%", "RATE", ""], ["利妥昔单抗", "DRUG", "rituximab"], ["糖皮质激素", "DRUG", "glucocorticoids"],
           ["他汀类药物", "DRUG", "statins"]],
}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["en", "zh"]), st.lists(st.integers(0, 12), min_size=0, max_size=12))
def test_records_always_point_into_the_raw_text(lang: str, picks: list[int]) -> None:
    text = "".join(_FRAGMENTS[lang][i] for i in picks)
    ents = spans(text, _ENTS[lang])
    sents = split(text, lang)
    ctx = SectionContext("text:prop", "abstract", lang)
    records = [*extract_epi(text, lang, sents, ents, ctx), *extract_treatments(text, lang, sents, ents, ctx)]
    for rec in records:
        p = rec.provenance
        assert 0 <= p.sentence_start <= p.start <= p.end <= p.sentence_end <= len(text)
        assert text[p.sentence_start : p.sentence_end] == p.sentence
        if isinstance(rec, EpiFigure):
            assert text[p.start : p.end] == rec.surface
        elif isinstance(rec, TreatmentClaim):
            assert text[p.start : p.end] == rec.drug_text
        rec.to_dict()  # serializable


def test_docstring_examples() -> None:
    import doctest
    import importlib

    for name in ("cues", "hedging", "hints", "rules", "context", "figures", "epi", "treatment", "collapse"):
        module = importlib.import_module(f"imnm_nlp.extraction.{name}")
        failed, _ = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
        assert failed == 0, name
