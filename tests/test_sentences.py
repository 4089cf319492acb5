"""Sentence splitting (imnm_nlp.text.sentences): expected splits, real abstracts, invariants."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from imnm_nlp.errors import InputError
from imnm_nlp.text.sentences import sentence_of, split_sentences

FIXTURES = Path(__file__).parent / "fixtures" / "text"


def sents(text: str, lang: str, **kw: bool) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text, lang, **kw)]


def load(name: str) -> list[dict]:
    with open(FIXTURES / name, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


EN_CASES = [
    ("Anti-HMGCR antibodies were detected (n = 12). The incidence was 0.83 per 100,000.",
     ["Anti-HMGCR antibodies were detected (n = 12).", "The incidence was 0.83 per 100,000."]),
    ("Smith et al. reported a case. We confirm it.", ["Smith et al. reported a case.", "We confirm it."]),
    ("Drugs (e.g. statins), IVIG, i.e. immunoglobulin, vs. placebo were given i.v. Patients improved.",
     ["Drugs (e.g. statins), IVIG, i.e. immunoglobulin, vs. placebo were given i.v.", "Patients improved."]),
    ("The dose was approx. 2 g/kg. See Fig. 2 and No. 3 for details.",
     ["The dose was approx. 2 g/kg.", "See Fig. 2 and No. 3 for details."]),
    ("Risk was linked to HLA-DRB1*11:01. Statins were also implicated.",
     ["Risk was linked to HLA-DRB1*11:01.", "Statins were also implicated."]),
    ("The difference was significant, p < 0.05. Weakness improved.",
     ["The difference was significant, p < 0.05.", "Weakness improved."]),
    ("It was described by J. Smith in 2003. Patients had weakness.",
     ["It was described by J. Smith in 2003.", "Patients had weakness."]),
    ("BACKGROUND: IMNM is rare. METHODS: We reviewed 48 patients. RESULTS: Anti-SRP was found in 12 of 48 (25%).",
     ["BACKGROUND: IMNM is rare.", "METHODS: We reviewed 48 patients.", "RESULTS: Anti-SRP was found in 12 of 48 (25%)."]),
    ("Background: a rare myopathy Methods: chart review", ["Background: a rare myopathy", "Methods: chart review"]),
    ("STUDY DESIGN: Case report.", ["STUDY DESIGN: Case report."]),
    ("The value was 0.83. Another was 1.85.", ["The value was 0.83.", "Another was 1.85."]),
    ("Is IVIG effective? Yes! It is.", ["Is IVIG effective?", "Yes!", "It is."]),
    ('He said "it works." Then he left.', ['He said "it works."', "Then he left."]),
    ("Weakness (as shown in the table. It has data) was seen. The end.",
     ["Weakness (as shown in the table. It has data) was seen.", "The end."]),
    ("Proximal weakness was common (see below.) The CK was high.",
     ["Proximal weakness was common (see below.)", "The CK was high."]),
    ("It was a necrotizing myopathy.The CK was high.", ["It was a necrotizing myopathy.", "The CK was high."]),
    ("Levels of mRNA rose. mRNA levels then fell.", ["Levels of mRNA rose.", "mRNA levels then fell."]),
    ("Titres rose, cf. Table 2, and fell.", ["Titres rose, cf. Table 2, and fell."]),
    ("Cases followed hepatitis B. The patients recovered.", ["Cases followed hepatitis B.", "The patients recovered."]),
    ("Data from the U.S. and the U.K. were pooled.", ["Data from the U.S. and the U.K. were pooled."]),
    ("Tacrolimus, rituximab etc. The response was good.", ["Tacrolimus, rituximab etc.", "The response was good."]),
    ("A title without a period\n\nThe abstract starts here.", ["A title without a period", "The abstract starts here."]),
    ("  Leading and trailing space.  Second one.  ", ["Leading and trailing space.", "Second one."]),
]


@pytest.mark.parametrize(("text", "expected"), EN_CASES)
def test_english_splits(text: str, expected: list[str]) -> None:
    assert sents(text, "en") == expected


ZH_CASES = [
    ("临床疗效及对血管内皮功能的影响.方法 将120例患者", ["临床疗效及对血管内皮功能的影响.", "方法 将120例患者"]),
    ("发病率为0.83/10万,患病率为1.85/10万;而在欧洲发病率为0.6/10万。",
     ["发病率为0.83/10万,患病率为1.85/10万;", "而在欧洲发病率为0.6/10万。"]),
    ("比例为3.5%。结论：有效！是否安全？尚不清楚。", ["比例为3.5%。", "结论：有效！", "是否安全？", "尚不清楚。"]),
    ("治疗方案（甲；乙。丙）有效。", ["治疗方案（甲；乙。丙）有效。"]),
    ("他说：“治疗有效。”随后出院。", ["他说：“治疗有效。”", "随后出院。"]),
    ("《指南。解读》发布。", ["《指南。解读》发布。"]),
    ("结果 A组优于B组(P<0.05).结论 有效.", ["结果 A组优于B组(P<0.05).", "结论 有效."]),
    ("男女之比为1:4.", ["男女之比为1:4."]),
    ("偏离度值为7.59.结论:可行.", ["偏离度值为7.59.", "结论:可行."]),
    ("联合应用Bio?oss骨代材料。", ["联合应用Bio?oss骨代材料。"]),
    ("目的 观察疗效 方法 将患者分组", ["目的 观察疗效", "方法 将患者分组"]),
    ("真的吗?是的!好", ["真的吗?", "是的!", "好"]),
    ("研究……结果显示有效", ["研究……结果显示有效"]),
    ("共24例;年龄1 d～7岁;体质量3～20kg.", ["共24例;", "年龄1 d～7岁;", "体质量3～20kg."]),
    ("对血管内皮功能的影响．方法 分组", ["对血管内皮功能的影响．", "方法 分组"]),
    ("IMNM\n\n免疫介导坏死性肌病", ["IMNM", "免疫介导坏死性肌病"]),
    ("见表1。?！下一句", ["见表1。?！", "下一句"]),
    ("采用e.g.方案", ["采用e.g.方案"]),
]


@pytest.mark.parametrize(("text", "expected"), ZH_CASES)
def test_chinese_splits(text: str, expected: list[str]) -> None:
    assert sents(text, "zh") == expected


def test_semicolons_can_stay_joined_for_clause_context() -> None:
    text = "发病率为0.83/10万,患病率为1.85/10万;而在欧洲发病率为0.6/10万。结论 有效。"
    assert sents(text, "zh", split_semicolons=False) == [
        "发病率为0.83/10万,患病率为1.85/10万;而在欧洲发病率为0.6/10万。", "结论 有效。"]


# Real abstracts, expected sentence endings checked by hand against the text.
REAL_ZH = {
    "csl-dev-2": ["的影响.", "疗程8周.", "水平的变化.", "(P＜0.05).", "有较好的疗效."],
    "csl-dev-666": ["可有家族史.", "可自行缓解.", "男女之比为1:4.", "年发病率为79.7/10万."],
    "csl-dev-859": ["进行筛选优化.", "并进行验证试验.", "偏离度值为7.59.", "能够达到试验要求."],
}


@pytest.mark.parametrize("doc_id", sorted(REAL_ZH))
def test_real_chinese_abstracts(doc_id: str) -> None:
    doc = next(d for d in load("csl_medical_sample.jsonl") if d["id"] == doc_id)
    got = sents(doc["abstract"], "zh")
    assert len(got) == len(REAL_ZH[doc_id])
    for sentence, ending in zip(got, REAL_ZH[doc_id]):
        assert sentence.endswith(ending)


def test_seed_abstracts() -> None:
    seed = {d["id"]: d["text"] for d in load("seed_abstracts.jsonl")}
    zh = sents(seed["seed-zh"], "zh")
    assert len(zh) == 12
    assert zh[4].endswith("患病率为1.85/10万;") and zh[5].startswith("而在欧洲西班牙北部地区")
    assert zh[0].endswith("(Idiopathic Inflammatory Myopathy, IIM)的重要亚型。")
    en = sents(seed["seed-en"], "en")
    assert len(en) == 14
    assert any("(e.g., HLA-DRB1*11), the use of statins" in s for s in en)
    assert all(s.endswith(".") for s in en)


def _check_cover(text: str, spans: list[tuple[int, int]]) -> None:
    prev_end = 0
    for start, end in spans:
        assert prev_end <= start < end <= len(text)
        piece = text[start:end]
        assert piece == piece.strip() and piece
        assert not text[prev_end:start].strip(), "non-space text fell between sentences"
        prev_end = end
    assert not text[prev_end:].strip()


_TERMINATED = re.compile(r"[。！？；!?;.．][”’」』》）)】\]\"']*$")


@pytest.mark.parametrize(("name", "field", "lang"), [
    ("csl_medical_sample.jsonl", "abstract", "zh"),
    ("episet_abstracts_sample.jsonl", "text", "en"),
])
def test_invariants_on_real_abstracts(name: str, field: str, lang: str) -> None:
    for doc in load(name):
        text = doc[field]
        spans = split_sentences(text, lang)
        _check_cover(text, spans)
        for (_, end), (nxt, _) in zip(spans, spans[1:]):
            # Every sentence but the last ends with a terminator, unless the next starts with a label.
            label = re.match(r"(目的|方法|结果|结论|[A-Z][A-Za-z ]+:)", text[nxt : nxt + 30])
            assert _TERMINATED.search(text[:end]) or label, (doc["id"], text[end - 30 : nxt + 10])
            # Never inside a decimal number.
            assert not (text[end - 2 : end - 1].isdigit() and text[end - 1] == "." and text[end : end + 1].isdigit())


_ALPHABET = st.sampled_from(list("ab AZ09.!?;。！？；（）()“”\"\n\u3000\t中文e.g.") + ["et al.", "Fig. ", "METHODS: ", "方法 "])


@settings(max_examples=300, deadline=None)
@given(st.lists(_ALPHABET, max_size=60).map("".join), st.sampled_from(["zh", "en"]))
def test_cover_property(text: str, lang: str) -> None:
    _check_cover(text, split_sentences(text, lang))


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200), st.sampled_from(["zh", "en"]))
def test_cover_any_text(text: str, lang: str) -> None:
    _check_cover(text, split_sentences(text, lang))


def test_empty_and_whitespace() -> None:
    for lang in ("zh", "en"):
        assert split_sentences("", lang) == []
        assert split_sentences(" \u3000\n\t ", lang) == []


def test_long_text_is_linear_enough() -> None:
    text = "IMNM的发病率为0.83/10万。" * 2000 + "Anti-HMGCR was found (n = 12). " * 500
    assert len(split_sentences(text, "zh")) >= 2000
    assert len(split_sentences(text, "en")) >= 500


def test_sentence_of() -> None:
    text = "First one. Second one."
    spans = split_sentences(text, "en")
    assert sentence_of(spans, text.index("Second")) == spans[1]
    assert sentence_of(spans, 0) == spans[0]
    assert sentence_of(spans, text.index(" Second")) is None


def test_bad_arguments() -> None:
    with pytest.raises(InputError, match="lang must be"):
        split_sentences("text", "fr")
    with pytest.raises(InputError, match="must be a str"):
        split_sentences(b"text", "en")  # type: ignore[arg-type]


def test_pathological_brackets_stay_fast() -> None:
    import time

    text = "(" * 20000 + "]" * 20000 + "。x。"
    t0 = time.perf_counter()
    assert [text[s:e] for s, e in split_sentences(text, "zh")][-1] == "x。"
    assert time.perf_counter() - t0 < 2.0


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_one_megabyte(lang: str) -> None:
    from imnm_nlp.text.tokenize import make_blank

    unit = "IMNM的发病率为0.83/10万;而在欧洲(见J. Smith et al.)为0.6/10万。" if lang == "zh" else (
        "Anti-HMGCR antibodies were found by J. Smith et al. in 12 of 48 (25%), p < 0.05. ")
    text = unit * (1_000_000 // len(unit))
    spans = split_sentences(text, lang)
    _check_cover(text, spans)
    assert make_blank(lang)(text).text == text


def test_space_free_runs_stay_fast() -> None:
    import time

    text = "a.B" * 100_000 + " x. Y"
    t0 = time.perf_counter()
    split_sentences(text, "en")
    split_sentences(text, "zh")
    assert time.perf_counter() - t0 < 3.0


def test_full_width_decimal_point_is_not_a_sentence_end() -> None:
    from imnm_nlp.text.sentences import split_sentences

    text = "感染率为4．92％。对照组为１．５％．结论 有效。"
    sents = [text[a:b] for a, b in split_sentences(text, "zh")]
    assert sents == ["感染率为4．92％。", "对照组为１．５％．", "结论 有效。"]
