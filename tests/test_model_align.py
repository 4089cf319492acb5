"""Character spans <-> BIO tags with the real XLM-R tokenizer, in Chinese and English."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from imnm_nlp.model.align import decode_tags, encode_tags, snap
from imnm_nlp.model.base import load_tokenizer
from imnm_nlp.model.labels import BIO_TAGS, IGNORE, TAG2ID

def _spans(text: str, *named: tuple[str, str]) -> list[tuple[int, int, str]]:
    """Spans from surfaces (first occurrence after the previous span), so offsets are never typed by hand."""
    out, pos = [], 0
    for surface, label in named:
        s = text.index(surface, pos)
        out.append((s, s + len(surface), label))
        pos = s + len(surface)
    return out


_RAW = [
    ("抗HMGCR抗体阳性患者", ("抗HMGCR抗体", "ANTIBODY")),
    ("携带HLA-DRB1*11:01的患者", ("HLA-DRB1*11:01", "HLA_ALLELE")),
    ("IMNM的发病率为0.83/10万。", ("IMNM", "DISEASE"), ("0.83/10万", "RATE")),
    ("采用利妥昔单抗和静脉注射人免疫球蛋白治疗", ("利妥昔单抗", "DRUG"), ("静脉注射人免疫球蛋白", "DRUG")),
    ("Anti-HMGCR antibodies were found in 22 of 405 patients (5.4%).",
     ("Anti-HMGCR antibodies", "ANTIBODY"), ("22 of 405 patients", "RATE"), ("5.4%", "RATE")),
    ("Carriers of HLA-DRB1*11:01 treated with rituximab and IVIG.",
     ("HLA-DRB1*11:01", "HLA_ALLELE"), ("rituximab", "DRUG"), ("IVIG", "DRUG")),
]
CASES = [(text, _spans(text, *named)) for text, *named in _RAW]


@pytest.fixture(scope="module")
def tok():
    return load_tokenizer()


def _enc(tok, text):
    enc = tok(text, return_offsets_mapping=True)
    return enc["offset_mapping"], enc["input_ids"], tok.convert_tokens_to_ids("▁")


@pytest.mark.parametrize("text,spans", CASES)
def test_round_trip(tok, text, spans):
    for s, e, _ in spans:
        assert text[s:e] == text[s:e].strip()
    offsets, ids, marker = _enc(tok, text)
    tags = encode_tags(offsets, ids, spans, marker)
    assert tags[0] == IGNORE and tags[-1] == IGNORE
    assert sum(1 for t in tags if t != IGNORE and BIO_TAGS[t].startswith("B-")) == len(spans)
    decoded = decode_tags(text, offsets, ids, [max(t, 0) for t in tags], [1.0] * len(tags), marker)
    assert [(s, e, lab) for s, e, lab, _ in decoded] == sorted(spans)


def test_lone_marker_is_ignored(tok):
    text = "采用利妥昔单抗"
    offsets, ids, marker = _enc(tok, text)
    tags = encode_tags(offsets, ids, [(2, 7, "DRUG")], marker)
    assert ids[1] == marker and tags[1] == IGNORE  # "▁" overlaps 采 but carries no label
    tags = encode_tags(offsets, ids, [(0, 2, "DRUG")], marker)
    assert BIO_TAGS[tags[2]] == "B-DRUG"  # the B goes to 采 itself


def test_ignore_ranges(tok):
    text = "Selegiline-induced hypotension"
    offsets, ids, marker = _enc(tok, text)
    tags = encode_tags(offsets, ids, [(19, 30, "DISEASE")], marker, ignore=[(0, 10)])
    toks = tok.convert_ids_to_tokens(ids)
    for t, (a, b), tag in zip(toks, offsets, tags):
        if a < 10 and b > 0 and a != b:
            assert tag == IGNORE, t
    assert TAG2ID["B-DISEASE"] in tags


def test_boundary_inside_a_token_snaps(tok):
    text = "患者(5.4%),"
    offsets, ids, marker = _enc(tok, text)
    # the model tags every token of "(5.4%)," as RATE: the decoded span must still be "5.4%"
    tags = [TAG2ID["O"]] * len(ids)
    inside = [j for j, (a, b) in enumerate(offsets) if a != b and a >= 2]
    tags[inside[0]] = TAG2ID["B-RATE"]
    for j in inside[1:]:
        tags[j] = TAG2ID["I-RATE"]
    (s, e, label, score), = decode_tags(text, offsets, ids, tags, [0.9] * len(ids), marker)
    assert text[s:e] == "5.4%" and label == "RATE" and score == pytest.approx(0.9)


def test_snap_keeps_inner_brackets():
    t = "anti-3-hydroxy-3-methylglutaryl coenzyme A reductase (HMGCR) antibodies"
    assert snap(t, 0, len(t)) == (0, len(t))
    assert snap(" (IMNM)", 0, 7) == (2, 6)
    assert snap("。，", 0, 2) == (2, 2)


@settings(max_examples=60, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list("抗体肌病患者 anti-HMGCR0.5%/10万()，。,")), min_size=0, max_size=40),
    st.lists(st.integers(min_value=0, max_value=len(BIO_TAGS) - 1), min_size=0, max_size=60),
)
def test_decoded_spans_are_valid_for_any_tags(tok, text, tag_seq):
    offsets, ids, marker = _enc(tok, text)
    tags = (tag_seq + [0] * len(ids))[: len(ids)]
    spans = decode_tags(text, offsets, ids, tags, [0.5] * len(ids), marker)
    last = 0
    for s, e, label, score in spans:
        assert 0 <= s < e <= len(text) and s >= last
        assert text[s:e] == text[s:e].strip()
        assert label in {t[2:] for t in BIO_TAGS if t != "O"}
        last = e
