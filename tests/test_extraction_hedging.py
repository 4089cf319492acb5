"""Hedging and negation scopes (ConText-style rules as data), both languages."""

from __future__ import annotations

import pytest

from imnm_nlp.extraction.hedging import find_triggers, hedge_scope, is_hedged, is_negated, negation_scope

HEDGED = [
    ("en", "For refractory cases, treatment regimens may involve rituximab and intravenous human immunoglobulin.", "rituximab"),
    ("en", "These observations suggest that statins may initiate an immune-mediated myopathy.", "statins"),
    ("en", "Tofacitinib could possibly be of benefit in refractory dermatomyositis.", "benefit"),
    ("zh", "对于难治性患者,可能采用利妥昔单抗和静脉注射人免疫球蛋白等治疗方案。", "利妥昔单抗"),
    ("zh", "JAK抑制剂有望成为难治性皮肌炎的治疗选择。", "成为"),
    ("zh", "其疗效尚需大样本研究证实。", "疗效"),
]
NOT_HEDGED = [
    ("en", "Rituximab improved strength in 8 of 10 patients.", "Rituximab"),
    ("en", "In May 2019, glucocorticoids were given.", "glucocorticoids"),  # May the month, not the modal
    ("zh", "糖皮质激素治疗后肌力明显改善。", "糖皮质激素"),
    ("zh", "未来的研究将揭示新的治疗靶点。", "治疗"),
]
NEGATED = [
    ("en", "The patients did not respond to rituximab.", "rituximab"),
    ("en", "No improvement was seen with methotrexate.", "improvement"),
    ("en", "There was no significant difference in CK levels, and patients failed to improve on IVIG.", "improve"),
    ("zh", "激素治疗后肌无力无明显改善。", "改善"),
    ("zh", "加用他克莫司后未见好转。", "好转"),
    ("zh", "患者没有出现间质性肺病。", "间质性肺病"),
]
NOT_NEGATED = [
    ("en", "There was no significant difference in CK levels between groups.", "CK"),
    ("en", "Steroids were given but no IVIG.", "Steroids"),  # scope runs forward only
    ("zh", "IMNM的发病率在不同地域间有所不同。", "地域"),
    ("zh", "未来的研究可能揭示新的治疗靶点。", "治疗"),
    ("zh", "观察两组不良反应发生情况。", "发生"),
    ("zh", "患者肌力无效果不佳以外的变化,激素治疗有效。", "有效"),  # the comma ends the 无 scope
]


def _span(sentence: str, word: str) -> tuple[int, int]:
    i = sentence.index(word)
    return i, i + len(word)


@pytest.mark.parametrize("lang,sentence,word", HEDGED)
def test_hedged(lang: str, sentence: str, word: str) -> None:
    assert is_hedged(sentence, lang)
    assert is_hedged(sentence, lang, *_span(sentence, word))


@pytest.mark.parametrize("lang,sentence,word", NOT_HEDGED)
def test_not_hedged(lang: str, sentence: str, word: str) -> None:
    assert not is_hedged(sentence, lang, *_span(sentence, word))


@pytest.mark.parametrize("lang,sentence,word", NEGATED)
def test_negated(lang: str, sentence: str, word: str) -> None:
    assert is_negated(sentence, lang, *_span(sentence, word))


@pytest.mark.parametrize("lang,sentence,word", NOT_NEGATED)
def test_not_negated(lang: str, sentence: str, word: str) -> None:
    assert not is_negated(sentence, lang, *_span(sentence, word))


def test_scopes_are_offsets_into_the_sentence() -> None:
    s = "She did not respond to rituximab; IVIG helped."
    (lo, hi), = negation_scope(s, "en")
    assert s[lo:hi] == "did not respond to rituximab"
    assert hedge_scope(s, "en") == []
    for t in find_triggers("患者可能未见好转", "zh"):
        assert 0 <= t.scope_start <= t.start < t.end <= t.scope_end <= len("患者可能未见好转") or t.direction != "FORWARD"


def test_terminators_cut_scope() -> None:
    s = "Rituximab was not tolerated but IVIG improved strength."
    assert is_negated(s, "en", *_span(s, "tolerated"))
    assert not is_negated(s, "en", *_span(s, "IVIG"))


@pytest.mark.parametrize("text", ["", " ", "\u3000", "😀😀", "no", "不"])
def test_naughty_strings(text: str) -> None:
    for lang in ("en", "zh"):
        assert isinstance(is_hedged(text, lang), bool)
        assert all(0 <= lo <= hi <= len(text) for lo, hi in negation_scope(text, lang))
