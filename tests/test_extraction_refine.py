"""Claims and epi figures for failure modes found on the dev gold (ANNOTATION.md rules; rules-only pipeline).

Each case states what the annotation guide asks for in a sentence shape, not a tagger or extractor output.
"""

from __future__ import annotations

from functools import lru_cache

import pytest

from imnm_nlp.pipeline import Pipeline


@lru_cache(maxsize=1)
def _pipe() -> Pipeline:
    return Pipeline(use_model=False)


def claims(text: str, lang: str = "en") -> set[tuple[str, str]]:
    return {(c.drug, c.claim) for c in _pipe().analyze_text(text, lang).treatments}


def epi(text: str, lang: str = "en") -> list[tuple[str, float, str]]:
    return [(f.measure, round(f.value, 2), f.unit) for f in _pipe().analyze_text(text, lang).epi]


# ------------------------------------------------------------------ treatment claims
def test_an_outcome_sentence_after_the_treatment_sentence_makes_it_effective():
    text = "所有皮肌炎患儿均应用糖皮质激素,重症患儿加用环孢素A。早期治疗效果及远期预后均较好。"
    assert claims(text, "zh") >= {("glucocorticoids", "effective"), ("ciclosporin", "effective")}


def test_the_outcome_sentence_must_not_report_a_failure():
    text = "Patients with dermatomyositis were treated with methotrexate. Weakness persisted, however."
    assert ("methotrexate", "effective") not in claims(text)


def test_incomplete_response_is_a_failure_of_that_drug_only():
    text = ("Neither MTX nor ciclosporin improved clinical features in myositis patients "
            "who had incompletely responded to glucocorticoids.")
    got = claims(text)
    assert ("glucocorticoids", "ineffective") in got
    assert ("methotrexate", "effective") not in got and ("ciclosporin", "effective") not in got


def test_a_tapered_drug_was_used_not_effective():
    text = "In dermatomyositis, the severity of dyspnea decreased and the prednisone dose could be reduced."
    got = claims(text)
    assert ("prednisone", "effective") not in got and ("prednisone", "adverse") not in got


def test_a_drug_left_out_is_not_used():
    text = "We describe patients with juvenile dermatomyositis treated effectively without systemic corticosteroids."
    assert ("glucocorticoids", "used") not in claims(text)


def test_preventing_complications_is_not_an_adverse_claim():
    text = "Agents such as methotrexate may be prescribed to treat dermatomyositis and prevent complications."
    assert ("methotrexate", "adverse") not in claims(text)


def test_first_line_as_a_description_is_not_advice():
    text = ("Fifteen patients with antisynthetase syndrome were treated with tacrolimus "
            "(11 for refractory disease and 4 as first-line therapy).")
    assert ("tacrolimus", "recommended") not in claims(text)
    assert ("tacrolimus", "recommended") in claims("Tacrolimus is recommended as first-line therapy in antisynthetase syndrome.")


# ------------------------------------------------------------------ epidemiological figures
def test_counts_of_a_whole_in_english_shapes():
    text = "Sixty patients with antisynthetase autoantibodies were identified in our myositis cohort of 179 patients."
    assert ("proportion", 33.52, "percent") in epi(text)
    text = "A total of 4,534 patients were included, with 2,902 dermatomyositis and 592 polymyositis."
    got = epi(text)
    assert ("proportion", 64.01, "percent") in got and ("proportion", 13.06, "percent") in got


def test_a_worded_measure_carries_over_a_person_year_rate():
    text = "This corresponded to a mortality rate of 60/1000 person-years in IIM and 20/1000 person-years in the general population."
    assert [m for m, _, _ in epi(text)] == ["mortality", "mortality"]


def test_causes_of_death_and_relative_risks_are_not_mortality():
    assert epi("In dermatomyositis, dominant causes of death were cardiovascular disease (31%) and infections (22%).") == []
    assert epi("Patients with IIM are at 75% increased risk for mortality.") == []


def test_survival_stated_after_the_count():
    assert epi("Thirty-four out of 35 patients with PPBL are alive after a median follow up of 70.7 months.") == [
        ("other", 97.14, "percent")]


@pytest.mark.parametrize("text", [
    "One-third of patients with refractory anti-HMGCR myopathy had improved strength following rituximab treatment.",
])
def test_a_response_to_a_drug_is_not_a_proportion(text):
    assert epi(text) == []


def test_a_demographic_share_does_not_veto_the_next_clause():
    text = "Of 29 patients with dermatomyositis, 26 (90%) were female, and 12 (41%) had clinically amyopathic DM."
    got = epi(text)
    assert ("proportion", 41.0, "percent") in got and all(v != 90.0 for _, v, _ in got)


def test_a_class_followed_by_its_examples_leaves_the_claims_to_the_members():
    text = "In myositis, data support immunomodulatory agents such as methotrexate and rituximab, which improved strength."
    got = claims(text)
    assert ("methotrexate", "effective") in got and not any(d == "immunomodulators" for d, _ in got)
