"""Span refinement of the rule tagger: abbreviations, modifiers, salts and dosage forms, preparations, shapes.

Expected spans are written from ANNOTATION.md and corpora/gold/parts/zh_notes.md (calls cited), not from
tagger output.
"""

from __future__ import annotations

import pytest

from imnm_nlp.errors import ResourceError
from imnm_nlp.tagging import tag_rules
from imnm_nlp.tagging.abbrev import schwartz_hearst
from imnm_nlp.tagging.span_rules import parse_span_rules


def spans(text: str, lang: str, label: str | None = None) -> list[tuple[str, str]]:
    return [(s.label, s.text) for s in tag_rules(text, lang) if label is None or s.label == label]


# ------------------------------------------------------------------ abbreviations defined in the text
def test_schwartz_hearst_finds_the_shortest_long_form():
    long = "children with congenital hypothyroidism"
    assert long[schwartz_hearst("CH", long):] == "congenital hypothyroidism"
    long = "BACKGROUND Persistent polyclonal B-cell lymphocytosis"
    assert long[schwartz_hearst("PPBL", long):] == "Persistent polyclonal B-cell lymphocytosis"
    assert schwartz_hearst("XYZ", "interstitial lung disease") is None


def test_an_abbreviation_of_an_unlisted_disease_is_tagged_everywhere():
    text = "Prader-Willi syndrome (PWS) is rare. We studied PWS in Flanders; PWSX is not it."
    got = spans(text, "en", "DISEASE")
    assert got == [("DISEASE", "Prader-Willi syndrome"), ("DISEASE", "PWS"), ("DISEASE", "PWS")]


def test_an_abbreviation_grows_its_long_form_and_drops_inner_spans():
    text = "Newborns were screened for congenital hypothyroidism (CH). The incidence of CH rose."
    assert spans(text, "en", "DISEASE") == [
        ("DISEASE", "congenital hypothyroidism"), ("DISEASE", "CH"), ("DISEASE", "CH")]


def test_chinese_long_form_with_latin_abbreviation():
    text = "目的 了解手术部位感染(SSI)现状,探讨降低SSI发病率的措施"
    assert spans(text, "zh", "DISEASE") == [("DISEASE", "手术部位感染"), ("DISEASE", "SSI"), ("DISEASE", "SSI")]


def test_a_state_is_not_a_disease_long_form():
    text = "Proportion of clinically inactive disease (CID) was assessed; CID was achieved in 5 patients."
    assert spans(text, "en", "DISEASE") == []


def test_an_antibody_abbreviation_is_not_propagated_as_a_bare_antigen():
    # ANNOTATION.md: the antigen alone (HMGCR+ patients) is not an ANTIBODY span
    text = "anti-synthetase antibody (ASA) positive patients; ASA status was recorded."
    got = spans(text, "en", "ANTIBODY")
    assert ("ANTIBODY", "ASA") in got and len([g for g in got if g[1] == "ASA"]) == 1


def test_an_interrupting_parenthetical_stays_inside_the_antibody():
    text = "抗黑色素瘤分化相关基因5(MDA5)抗体和抗氨酰tRNA合成酶(ARS)抗体与ILD相关"
    assert spans(text, "zh", "ANTIBODY") == [
        ("ANTIBODY", "抗黑色素瘤分化相关基因5(MDA5)抗体"), ("ANTIBODY", "抗氨酰tRNA合成酶(ARS)抗体")]
    # a parenthetical after the full name (with its antibody word) is its own span
    text = "anti-signal recognition particle antibodies (anti-SRP) were found"
    assert len(spans(text, "en", "ANTIBODY")) == 2


# ------------------------------------------------------------------ boundaries
@pytest.mark.parametrize("text, lang, want", [
    ("治疗急性缺血性中风患者", "zh", "急性缺血性中风"),          # zh_notes call 8: 急性/慢性 and subtype words inside
    ("96例慢性乙肝患者", "zh", "慢性乙肝"),
    ("affected by autoimmune thyroiditis", "en", "autoimmune thyroiditis"),
    ("the patient died because of lung adenocarcinoma and", "en", "lung adenocarcinoma"),
    ("patients with systemic autoimmune myopathies were", "en", "systemic autoimmune myopathies"),
])
def test_name_internal_modifiers_are_inside(text, lang, want):
    assert ("DISEASE", want) in spans(text, lang)


@pytest.mark.parametrize("text, lang, want", [
    ("patients with refractory IMNM", "en", "IMNM"),       # ANNOTATION.md: refractory is outside
    ("severe myositis", "en", "myositis"),
    ("难治性皮肌炎", "zh", "皮肌炎"),
    ("重症皮肌炎", "zh", "皮肌炎"),
])
def test_excluded_modifiers_stay_outside(text, lang, want):
    assert ("DISEASE", want) in spans(text, lang)


def test_salts_and_dosage_forms_are_inside_chinese_drug_spans():
    # zh_notes call 2
    assert ("DRUG", "硫酸吗啡控释片") in spans("评价应用硫酸吗啡控释片后的效果", "zh")
    assert ("DRUG", "长春西汀注射液") in spans("对照组静脉滴注长春西汀注射液.结果", "zh")
    assert ("DRUG", "长春西汀") in spans("明显优于长春西汀,可广泛运用", "zh")


def test_named_preparations_are_drugs_with_their_left_edge_after_the_verb():
    # zh_notes call 1: TCM formulas and proprietary medicines are DRUG; 中药, 中药复方 are not
    text = "目的 观察中药复方益气活血解毒汤对家兔的作用;治疗组服腰舒胶囊,对照组服大活络胶囊;加快胸片吸收"
    got = spans(text, "zh", "DRUG")
    assert got == [("DRUG", "益气活血解毒汤"), ("DRUG", "腰舒胶囊"), ("DRUG", "大活络胶囊")]


def test_a_route_word_stays_outside_and_short_names_are_tagged():
    text = "益气活血汤配合注射用血塞通治疗;随机分为神脑康组,口服神脑康胶囊"
    got = [t for _, t in spans(text, "zh", "DRUG")]
    assert got == ["益气活血汤", "血塞通", "神脑康", "神脑康胶囊"]


def test_named_infections_and_eponyms_are_diseases():
    assert ("DISEASE", "肺部感染") in spans("肺癌化疗后合并肺部感染的患者", "zh")
    assert spans("术后感染率", "zh", "DISEASE") == []                   # generic 感染 is not one
    assert ("DISEASE", "Hirschsprung's disease") in spans("The incidence of Hirschsprung's disease was", "en")
    assert spans("The disease is rare. This syndrome too.", "en", "DISEASE") == []


def test_disease_words_inside_names_and_looks_are_not_diseases():
    assert spans("patients in the Johns Hopkins Myositis Cohort from 2002", "en", "DISEASE") == []
    assert spans("IMNM may present with dystrophy-like features", "en", "DISEASE") == [("DISEASE", "IMNM")]
    assert ("DISEASE", "白癜风") not in spans("恶性黑素瘤伴有白癜风样色素减退斑", "zh")


def test_x_induced_y_is_one_disease_span():
    # corpora/gold/README.md: X-induced Y is one DISEASE span, like X-associated Y
    assert spans("a woman with chloroquine-induced myopathy.", "en") == [("DISEASE", "chloroquine-induced myopathy")]


# ------------------------------------------------------------------ the rule file is validated
def test_span_rules_reject_unknown_keys_and_bad_lists():
    with pytest.raises(ResourceError, match="unknown key"):
        parse_span_rules({"disease_prefix_xx": {}})
    with pytest.raises(ResourceError, match="missing"):
        parse_span_rules({"version": 1})


def test_a_latin_abbreviation_glued_to_a_chinese_count():
    # "其中PM50例": Chinese text writes the count right after the abbreviation
    assert spans("其中PM50例,男14例,DM93例", "zh", "DISEASE") == [("DISEASE", "PM"), ("DISEASE", "DM")]
    assert spans("at 3 PM the patient", "en", "DISEASE") == []


def test_a_capsule_endoscope_is_not_a_preparation():
    assert spans("行胶囊内镜检查", "zh", "DRUG") == []
