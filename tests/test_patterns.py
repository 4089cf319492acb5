"""HLA normalization and RATE parsing tables (values written from ANNOTATION.md / CONTRACT.md by hand)."""

from __future__ import annotations

import pytest

from imnm_nlp.errors import RecordError
from imnm_nlp.normalize.hla import normalize_hla
from imnm_nlp.normalize.rates import parse_rate
from imnm_nlp.tagging import tag_rules

HLA = [
    ("HLA-DRB1*11:01", "HLA-DRB1*11:01", "allele"),
    ("DRB1*11", "HLA-DRB1*11", "group"),
    ("HLA-DRB1*11", "HLA-DRB1*11", "group"),
    ("HLA-DRB1*11:01:01", "HLA-DRB1*11:01:01", "allele"),
    ("HLA DRB1∗03:01", "HLA-DRB1*03:01", "allele"),
    ("DRB1∗07:01", "HLA-DRB1*07:01", "allele"),
    ("DRB1*0701", "HLA-DRB1*07:01", "allele"),
    ("HLA-DRB1*0701", "HLA-DRB1*07:01", "allele"),
    ("HLA-DQA1*050101", "HLA-DQA1*05:01:01", "allele"),
    ("ＨＬＡ－ＤＲＢ１＊１１：０１", "HLA-DRB1*11:01", "allele"),
    ("HLA-DR11", "HLA-DR11", "serological"),
    ("DR3", "HLA-DR3", "serological"),
    ("HLA-B8", "HLA-B8", "serological"),
    ("HLA-DR3", "HLA-DR3", "serological"),
    ("HLA-A1-B8-DR3", "HLA-A1-B8-DR3", "haplotype"),
    ("HLA-DRB1*03:01-DQB1*02:01", "HLA-DRB1*03:01~DQB1*02:01", "haplotype"),
]


@pytest.mark.parametrize("surface, canonical, kind", HLA)
def test_hla_normalization(surface, canonical, kind):
    name = normalize_hla(surface)
    assert (name.canonical, name.kind) == (canonical, kind)


@pytest.mark.parametrize("surface", ["HLA", "8.1 ancestral haplotype", "DRB1", "B", "HLA-", "IMNM", "DRB1*"])
def test_not_hla(surface):
    with pytest.raises(RecordError):
        normalize_hla(surface)


def test_hla_spans_in_text():
    # bare A1/B8 are too ambiguous to tag in running text (normalize_hla accepts them when told it is HLA)
    text = "易感等位基因如HLA-DRB1*11,以及HLA alone and the 8.1 ancestral haplotype; B8 and A1; HLA-A1-B8-DR3 carriers"
    assert [(s.text, s.canonical) for s in tag_rules(text, "zh") if s.label == "HLA_ALLELE"] == [
        ("HLA-DRB1*11", "HLA-DRB1*11"), ("HLA-A1-B8-DR3", "HLA-A1-B8-DR3")]


# surface, value, unit, per_100k, extra expected fields
RATES = [
    ("0.83 per 100,000", 0.83, "per 100000", 0.83, {}),
    ("1.85 per 100 000", 1.85, "per 100000", 1.85, {}),
    ("3 per 100 000 person-years", 3, "per 100000 person-years", 3, {"person_years": True}),
    ("8.3 per million person-years", 8.3, "per 1000000 person-years", 0.83, {}),
    ("1.7 per 1,000,000 live births", 1.7, "per 1000000", 0.17, {}),
    ("0.83/10万", 0.83, "per 100000", 0.83, {}),
    ("3/10万人年", 3, "per 100000 person-years", 3, {}),
    ("每10万人0.83例", 0.83, "per 100000", 0.83, {}),
    ("万分之3", 3, "per 10000", 30, {}),
    ("十万分之一", 1, "per 100000", 1, {}),
    ("5‰", 5, "per 1000", 500, {}),
    ("25%", 25, "percent", None, {}),
    ("２５％", 25, "percent", None, {}),
    ("-6.44%", -6.44, "percent", None, {}),
    ("20%-30%", 20, "percent", None, {"value_high": 30}),
    ("20%～30%", 20, "percent", None, {"value_high": 30}),
    ("12 of 48 patients", 25, "percent", None, {"numerator": 12, "total": 48}),
    ("22/405", 5.43, "percent", None, {"numerator": 22, "total": 405}),
    ("1 in 8,400", 1, "per 8400", 100_000 / 8400, {}),
    ("1 in 15 000", 1, "per 15000", 100_000 / 15000, {}),  # a space as thousands separator
    ("1/9000", 1, "per 9000", 100_000 / 9000, {}),
    ("1/10万~6/10万", 1, "per 100000", 1, {"value_high": 6, "per_100k_high": 6}),
    ("1 to 6 per 100,000", 1, "per 100000", 1, {"value_high": 6}),
    ("1.1 (95% CI 0.7–1.5) per 100,000 person-years", 1.1, "per 100000 person-years", 1.1, {"ci_low": 0.7, "ci_high": 1.5}),
    # number words, ratios, 10(6) powers, counted events (ANNOTATION.md RATE; spelled-out figures are figures)
    ("eight cases per million population", 8, "per 1000000", 0.8, {}),
    ("Eighty percent", 80, "percent", None, {}),
    ("Thirty-four out of 35 patients", 97.14, "percent", None, {"numerator": 34, "total": 35}),
    ("Three of 9 patients", 33.33, "percent", None, {"numerator": 3, "total": 9}),
    ("1:26 676", 1, "per 26676", 100_000 / 26676, {}),
    ("3.8 cases/10(6) persons", 3.8, "per 1000000", 0.38, {}),
    ("11.3 [95% CI: 10.6-12.1] events per 100,000 person-years", 11.3, "per 100000 person-years", 11.3,
     {"ci_low": 10.6, "ci_high": 12.1}),
    ("48例中12例", 25, "percent", None, {"numerator": 12, "total": 48}),
    ("3.2 per million children", 3.2, "per 1000000", 0.32, {}),
]


@pytest.mark.parametrize("surface, value, unit, per_100k, extra", RATES, ids=[r[0] for r in RATES])
def test_rate_parsing(surface, value, unit, per_100k, extra):
    rate = parse_rate(surface, "zh" if any("\u4e00" <= c <= "\u9fff" for c in surface) else "en")
    assert rate.value == pytest.approx(value)
    assert rate.unit == unit
    assert (rate.per_100k is None) == (per_100k is None)
    if per_100k is not None:
        assert rate.per_100k == pytest.approx(per_100k)
    for key, want in extra.items():
        assert getattr(rate, key) == pytest.approx(want), key


@pytest.mark.parametrize("surface", [
    "p = 0.03", "P<0.001", "95% CI", "95%CI", "OR 2.5", "HR 1.8", "50 mg/kg", "1 mg/kg/d", "22 patients",
    "CK 10,000 IU/L", "aged 45 years", "45岁", "120/80", "2010/2011", "3 in 2019", "6 of whom", "12 months", "",
    "1:4", "1∶1", "one of the most", "eight patients",
])
def test_non_rates_rejected(surface):
    with pytest.raises(RecordError):
        parse_rate(surface, "en")


def test_ci_bounds_and_95_are_not_rate_spans():
    text = "HR 2.1 (95% CI, 1.4%-3.2%); 25% (95% CI 20%-30%) responded"
    assert [s.text for s in tag_rules(text, "en") if s.label == "RATE"] == ["25%"]


def _rates(text: str, lang: str = "en") -> list[str]:
    return [s.text for s in tag_rules(text, lang) if s.label == "RATE"]


def test_a_year_is_not_the_low_end_of_a_range():
    assert _rates("rose from 8.4/100,000 in 2000 to 14.0/ 100,000 in 2007") == ["8.4/100,000", "14.0/ 100,000"]


def test_a_serum_dilution_is_not_a_population_ratio():
    assert _rates("sera were diluted 1:1000 before testing") == []
    assert _rates("the birth incidence was 1:26 676, the") == ["1:26 676"]


def test_figures_sharing_one_percent_sign_are_one_span_each():
    # corpora/gold/README.md: "92.7, 73.6 and 55.1%" → three spans; never a year or a p-value
    assert _rates("was 92.7, 73.6 and 55.1%, respectively") == ["92.7", "73.6", "55.1%"]
    assert _rates("group (95.2 vs 72.4%, P < 0.01)") == ["95.2", "72.4%"]
    assert _rates("In 2019, 25% of patients") == ["25%"]
    assert _rates("P = 0.03 and 25%") == ["25%"]


def test_a_spelled_out_share_before_of():
    assert _rates("One-third of patients improved") == ["One-third"]
    assert _rates("one of the most common") == []


def test_a_chinese_count_with_its_own_percentage_gives_the_percentage():
    assert _rates("96例皮肌炎患者中共有17例(18%)患者阳性", "zh") == ["18%"]
    assert _rates("报告的36 382例人员中,77.7%进行了调查", "zh") == ["77.7%"]
