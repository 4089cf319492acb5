"""Chinese segmentation (imnm_nlp.text.segment_zh): private jieba tokenizer with domain words."""

from __future__ import annotations

import json
import logging
import tempfile
from pathlib import Path

import pytest

from imnm_nlp.text import segment_zh as seg

FIXTURES = Path(__file__).parent / "fixtures" / "text"

# Chinese entity surfaces of the seed gold annotation (tests/fixtures/text/seed_abstracts.jsonl).
with open(FIXTURES / "seed_abstracts.jsonl", encoding="utf-8") as _fh:
    SEED = {d["id"]: d for d in map(json.loads, _fh)}
SEED_TERMS = [t for t in SEED["seed-zh"]["terms"] if any("\u4e00" <= ch <= "\u9fff" for ch in t)]

EXPECTED = [
    ("免疫介导坏死性肌病患者", ["免疫介导坏死性肌病", "患者"]),
    ("对于难治性患者,可能采用利妥昔单抗和静脉注射人免疫球蛋白等治疗方案",
     ["对于", "难治性", "患者", ",", "可能", "采用", "利妥昔单抗", "和", "静脉注射人免疫球蛋白", "等", "治疗", "方案"]),
    ("抗HMGCR抗体阳性患者", ["抗HMGCR抗体", "阳性", "患者"]),
    ("使用他汀类药物、免疫检查点抑制剂", ["使用", "他汀类药物", "、", "免疫检查点抑制剂"]),
    ("部分患者出现间质性肺病", ["部分", "患者", "出现", "间质性肺病"]),
    ("IMNM的发病率为0.83/10万", ["IMNM", "的", "发病率", "为", "0.83", "/", "10", "万"]),
]


@pytest.fixture(scope="module")
def seed_tokenizer():
    """A tokenizer with only the seed's gold terms and the extra words: tests the mechanism."""
    return seg.build_tokenizer([*SEED_TERMS, *seg._extra_words()])


def test_seed_terms_are_the_expected_ones() -> None:
    # Guards the fixture: the table below relies on these gold surfaces.
    for term in ("免疫介导坏死性肌病", "利妥昔单抗", "静脉注射人免疫球蛋白", "抗HMGCR抗体", "他汀类药物", "间质性肺病"):
        assert term in SEED_TERMS


@pytest.mark.parametrize(("text", "expected"), EXPECTED)
def test_expected_segmentation_with_domain_words(seed_tokenizer, text: str, expected: list[str]) -> None:
    assert list(seed_tokenizer.cut(text)) == expected


def test_default_jieba_splits_the_terms() -> None:
    # Why the dictionary matters: without domain words jieba breaks the disease name.
    plain = seg.build_tokenizer([])
    assert list(plain.cut("免疫介导坏死性肌病患者")) != ["免疫介导坏死性肌病", "患者"]


def test_with_project_lexicon() -> None:
    pytest.importorskip("imnm_nlp.tagging.lexicon")
    text = "免疫介导坏死性肌病患者使用他汀类药物后出现抗HMGCR抗体,采用利妥昔单抗和静脉注射人免疫球蛋白,合并间质性肺病"
    words = [text[s:e] for s, e in seg.segment_zh(text)]
    for term in ("免疫介导坏死性肌病", "患者", "他汀类药物", "抗HMGCR抗体", "利妥昔单抗", "静脉注射人免疫球蛋白", "间质性肺病"):
        assert term in words, (term, words)


def test_offsets_cover_text_exactly() -> None:
    text = SEED["seed-zh"]["text"] + " \t\r\n\u3000mixed English 😀 IL-1β"
    spans = seg.segment_zh(text)
    assert "".join(text[s:e] for s, e in spans) == text
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:]))
    assert spans[0][0] == 0 and spans[-1][1] == len(text)


def test_domain_words_filter() -> None:
    words = seg.domain_words()
    assert "患者" in words and "难治性" in words
    assert all(len(w) >= 2 and seg._HAS_HAN.search(w) for w in words)
    assert len(words) == len(set(words))


def test_private_tokenizer_leaves_global_jieba_alone(seed_tokenizer) -> None:
    import jieba

    assert seed_tokenizer is not jieba.dt
    assert "免疫介导坏死性肌病" not in jieba.dt.FREQ
    assert seg.zh_tokenizer() is seg.zh_tokenizer()  # cached per process


def test_no_cache_file_and_quiet_logger(monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    root = logging.getLogger()
    before = (root.level, list(root.handlers))
    seg.build_tokenizer(["免疫介导坏死性肌病"])
    assert list(tmp_path.iterdir()) == []  # no jieba.cache written
    assert logging.getLogger("jieba").level == logging.WARNING
    assert (root.level, list(root.handlers)) == before  # global logging config untouched


def test_fresh_process_quiets_jieba_logger() -> None:
    # jieba sets its logger to DEBUG when first imported; building our tokenizer must leave it at WARNING.
    import subprocess
    import sys

    code = (
        "import logging; from imnm_nlp.text.segment_zh import build_tokenizer; build_tokenizer([]); "
        "print(logging.getLogger('jieba').level)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == str(logging.WARNING)
    assert out.stderr == ""  # nothing printed by jieba
