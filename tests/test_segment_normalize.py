"""Length-preserving normalized view (imnm_nlp.text.normalize)."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from imnm_nlp.text.normalize import FOLDED_CHARS, normalized_view


def test_examples() -> None:
    assert normalized_view("抗ＨＭＧＣＲ抗体（IMNM）：Ｐ＜０.０５，ｎ＝１２；") == "抗HMGCR抗体(IMNM):P<0.05,n=12;"
    assert normalized_view("DRB1∗07:01") == "DRB1*07:01"
    assert normalized_view("1/10万～6/10万 0.7–1.5 −6.44%") == "1/10万~6/10万 0.7-1.5 -6.44%"
    assert normalized_view("a\u3000b\u00a0c") == "a b c"


def test_chinese_punctuation_and_compatibility_forms_stay() -> None:
    # 。、 are not ASCII look-alikes; Ⅱ ㎎ ½ would change length under NFKC and are left alone.
    text = "结论。甲、乙 Ⅱ型 ㎎ ½"
    assert normalized_view(text) == text
    assert len(unicodedata.normalize("NFKC", "Ⅱ型㎎")) != len("Ⅱ型㎎")  # why NFKC is not used


@given(st.text())
def test_length_preserved_and_only_folded_chars_change(text: str) -> None:
    view = normalized_view(text)
    assert len(view) == len(text)
    for raw, new in zip(text, view):
        assert raw == new or raw in FOLDED_CHARS


@given(st.text())
def test_idempotent(text: str) -> None:
    view = normalized_view(text)
    assert normalized_view(view) == view
