"""spaCy pipelines (imnm_nlp.text.tokenize): raw text kept, biomedical tokens, sentences agree."""

from __future__ import annotations

import json
import pickle
from functools import lru_cache
from pathlib import Path

import pytest
import spacy
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.tokenizer import Tokenizer

from imnm_nlp.errors import InputError
from imnm_nlp.text.sentences import split_sentences
from imnm_nlp.text.tokenize import make_blank, segment, words_and_spaces

FIXTURES = Path(__file__).parent / "fixtures" / "text"


@lru_cache(maxsize=None)
def nlp(lang: str) -> spacy.Language:
    return make_blank(lang)


def load(name: str) -> list[dict]:
    with open(FIXTURES / name, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


EN_TOKENS = [
    ("anti-HMGCR antibodies", ["anti-HMGCR", "antibodies"]),
    ("anti-TIF1-γ and anti-Jo-1,", ["anti-TIF1-γ", "and", "anti-Jo-1", ","]),
    ("carriers of HLA-DRB1*11:01.", ["carriers", "of", "HLA-DRB1*11:01", "."]),
    ("DRB1∗07:01 and HLA-DRB1*0701", ["DRB1∗07:01", "and", "HLA-DRB1*0701"]),
    ("HLA-DR3 and HLA-A1-B8-DR3", ["HLA-DR3", "and", "HLA-A1-B8-DR3"]),
    ("0.83/10万 or 1.85 per 100,000", ["0.83/10万", "or", "1.85", "per", "100,000"]),
    ("IL-1β and TNF-α levels", ["IL-1β", "and", "TNF-α", "levels"]),
    ("anti-HMGCR-positive IMNM", ["anti-HMGCR", "-", "positive", "IMNM"]),
    ("given i.v. (approx. 2 g/kg), see Fig. 2", ["given", "i.v.", "(", "approx.", "2", "g", "/", "kg", ")", ",", "see", "Fig.", "2"]),
    ("Smith et al. (2019), e.g. statins vs. placebo", ["Smith", "et", "al.", "(", "2019", ")", ",", "e.g.", "statins", "vs.", "placebo"]),
    ("in 12 of 48 patients (25%).", ["in", "12", "of", "48", "patients", "(", "25", "%", ")", "."]),
    ("PM/DM and immune-mediated", ["PM", "/", "DM", "and", "immune", "-", "mediated"]),
]


@pytest.mark.parametrize(("text", "expected"), EN_TOKENS)
def test_english_tokens(text: str, expected: list[str]) -> None:
    assert [t.text for t in nlp("en")(text)] == expected


def test_chinese_tokens_are_jieba_with_domain_words() -> None:
    doc = nlp("zh")("抗HMGCR抗体阳性的免疫介导坏死性肌病患者 使用利妥昔单抗")
    words = [t.text for t in doc]
    assert "抗HMGCR抗体" in words and "免疫介导坏死性肌病" in words and "利妥昔单抗" in words
    assert doc[words.index("患者")].whitespace_ == " "


NAUGHTY = [
    "", " ", "  ", "\u3000", "\t\n", "\r\n", "\n\n\n", "😀", "👍🏽 emoji 😀。", "a" * 10000, "中" * 10000,
    "mixed 中文 English\r\n第二行\u3000全角空格", "\x00", "a\u200bb", "  leading", "trailing  ", "a \t b",
    "ＩＭＮＭ（免疫介导坏死性肌病）：Ｐ＜０.０５", "٣٫٥ العربية", "e\u0301", "Ⅱ型 ㎎ ½",
    "IMNM的发病率为0.83/10万。" * 400,
]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("text", NAUGHTY, ids=range(len(NAUGHTY)))
def test_text_round_trip_naughty(lang: str, text: str) -> None:
    doc = nlp(lang)(text)
    assert doc.text == text
    assert "".join(t.text_with_ws for t in doc) == text
    list(doc.sents)  # sentence starts are consistent


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=120), st.sampled_from(["zh", "en"]))
def test_text_round_trip_property(text: str, lang: str) -> None:
    doc = nlp(lang)(text)
    assert doc.text == text
    for token in doc:
        assert text[token.idx : token.idx + len(token)] == token.text


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(list(" \t\n\u3000\r") + ["ab", "中文", "。", "."]), max_size=30).map("".join))
def test_whitespace_runs_property(text: str) -> None:
    offsets = [(i, i + 1) for i in range(len(text))]  # one-character tokens, whitespace included
    words, spaces = words_and_spaces(text, offsets)
    assert "".join(w + (" " if s else "") for w, s in zip(words, spaces)) == text
    for w, s in zip(words, spaces):
        assert w  # no empty words
        assert not (s and w.isspace())  # spaCy: a space flag only after a non-space token


def _sentence_texts(doc) -> list[str]:
    return [s.text.strip() for s in doc.sents if s.text.strip()]


@pytest.mark.parametrize(("name", "field", "lang"), [
    ("csl_medical_sample.jsonl", "abstract", "zh"),
    ("episet_abstracts_sample.jsonl", "text", "en"),
    ("seed_abstracts.jsonl", "text", None),
])
def test_doc_sents_agree_with_split_sentences(name: str, field: str, lang: str | None) -> None:
    for record in load(name):
        text, code = record[field], lang or record["lang"]
        expected = [text[s:e] for s, e in split_sentences(text, code)]
        assert _sentence_texts(nlp(code)(text)) == expected, record["id"]


def test_semicolon_option_reaches_the_component() -> None:
    text = "发病率为0.83/10万;而在欧洲为0.6/10万。"
    assert len(list(nlp("zh")(text).sents)) == 2
    assert len(list(make_blank("zh", split_semicolons=False)(text).sents)) == 1


def test_leading_whitespace_joins_first_sentence() -> None:
    doc = nlp("zh")("\u3000\u3000目的 观察。方法 分组。")
    assert [s.text for s in doc.sents] == ["\u3000\u3000目的 观察。", "方法 分组。"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_pickle_and_fresh_pipelines(lang: str) -> None:
    text = "免疫介导坏死性肌病患者 anti-HMGCR-positive, HLA-DRB1*11:01. 发病率为0.83/10万。Second one."
    first = make_blank(lang)
    assert first is not make_blank(lang)  # callers may add components safely
    assert first.pipe_names == ["imnm_sentences"]
    clone = pickle.loads(pickle.dumps(first))
    a, b = first(text), clone(text)
    assert [t.text for t in a] == [t.text for t in b]
    assert [s.text for s in a.sents] == [s.text for s in b.sents]


def test_english_rules_survive_tokenizer_serialization() -> None:
    original = nlp("en").tokenizer
    restored = Tokenizer(nlp("en").vocab).from_bytes(original.to_bytes())
    text = "anti-HMGCR-positive HLA-DRB1*11:01. TNF-α i.v. anti-TIF1-γ"
    assert [t.text for t in restored(text)] == [t.text for t in original(text)]


def test_segment_offsets() -> None:
    text = "IMNM的发病率 为0.83/10万"
    spans = segment(text, "zh")
    assert [text[s:e] for s, e in spans] == ["IMNM", "的", "发病率", "为", "0.83", "/", "10", "万"]
    text = "Anti-HMGCR  myopathy\n(IMNM)."
    assert [text[s:e] for s, e in segment(text, "en")] == ["Anti-HMGCR", "myopathy", "(", "IMNM", ")", "."]


def test_bad_lang() -> None:
    with pytest.raises(InputError, match="lang must be"):
        make_blank("fr")
    with pytest.raises(InputError, match="lang must be"):
        segment("x", "de")


def test_long_doc_is_not_quadratic() -> None:
    # Setting token.is_sent_start one token at a time took 18 s for 40,000 characters.
    import time

    text = "IMNM的发病率为0.83/10万;而在欧洲(见J. Smith et al.)为0.6/10万。" * 800
    nlp("zh")("warm up")
    t0 = time.perf_counter()
    doc = nlp("zh")(text)
    assert time.perf_counter() - t0 < 5.0
    assert sum(1 for _ in doc.sents) == len(split_sentences(text, "zh"))


def _tokens_in_worker(args: tuple) -> list[str]:
    pickled, text = args
    return [t.text for t in pickle.loads(pickled)(text)]


def test_pipeline_runs_in_a_spawned_worker() -> None:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    text = "免疫介导坏死性肌病患者 anti-HMGCR-positive"
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        got = pool.submit(_tokens_in_worker, (pickle.dumps(nlp("zh")), text)).result(timeout=120)
    assert got == [t.text for t in nlp("zh")(text)]
