"""Language detection for plain text (imnm_nlp.text.lang)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from imnm_nlp.errors import InputError
from imnm_nlp.text.lang import ZH_MIN_RATIO, detect_lang, han_ratio

FIXTURES = Path(__file__).parent / "fixtures" / "text"


@pytest.mark.parametrize(("text", "lang"), [
    ("IMNM的发病率", "zh"),
    ("IMNM的发病率为0.83/10万", "zh"),
    ("免疫介导坏死性肌病(immune-mediated necrotizing myopathy, IMNM)", "zh"),
    ("采用HPLC-ESI-MS技术", "zh"),
    ("The incidence of IMNM is 0.83 per 100,000.", "en"),
    ("Anti-HMGCR antibodies (抗HMGCR抗体) were detected in patients with statin exposure.", "en"),
    ("Wang (王) et al. reported IMNM in China.", "en"),
])
def test_detect(text: str, lang: str) -> None:
    assert detect_lang(text) == lang


def test_real_abstracts() -> None:
    with open(FIXTURES / "csl_medical_sample.jsonl", encoding="utf-8") as fh:
        assert all(detect_lang(json.loads(line)["abstract"]) == "zh" for line in fh)
    with open(FIXTURES / "episet_abstracts_sample.jsonl", encoding="utf-8") as fh:
        assert all(detect_lang(json.loads(line)["text"]) == "en" for line in fh)
    with open(FIXTURES / "seed_abstracts.jsonl", encoding="utf-8") as fh:
        for record in map(json.loads, fh):
            assert detect_lang(record["text"]) == record["lang"]


def test_threshold_boundary() -> None:
    # 2 Han characters and 3 Latin words: 2 / 5 is exactly the threshold; one more word falls below it.
    assert han_ratio("IMNM HMGCR SRP 肌病") == pytest.approx(ZH_MIN_RATIO)
    assert detect_lang("IMNM HMGCR SRP 肌病") == "zh"
    assert detect_lang("IMNM HMGCR SRP MDA5 肌病") == "en"
    assert han_ratio("anti-HMGCR") == 0.0 and han_ratio("免疫") == 1.0


def test_no_letters_uses_default() -> None:
    assert han_ratio("0.83/10 %") is None
    assert detect_lang("", default="zh") == "zh"
    assert detect_lang("12 34") == "en"
    with pytest.raises(InputError):
        detect_lang("text", default="fr")
