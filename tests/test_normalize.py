"""normalize_name: mentions as written (zh or en, with modifiers) → one lexicon entry."""

from __future__ import annotations

import pytest

from imnm_nlp.normalize import normalize_name
from imnm_nlp.tagging.lexicon import load_lexicon


@pytest.mark.parametrize("surface, label, canonical", [
    ("抗HMGCR抗体阳性", "ANTIBODY", "anti-HMGCR"),
    ("anti-HMGCR-positive", "ANTIBODY", "anti-HMGCR"),
    ("Anti-MDA5 antibody positive", "ANTIBODY", "anti-MDA5"),
    ("high-dose glucocorticoids", "DRUG", "glucocorticoids"),
    ("intravenous cyclophosphamide", "DRUG", "cyclophosphamide"),
    ("intravenous immunoglobulin", "DRUG", "intravenous immunoglobulin"),
    ("传统免疫抑制剂", "DRUG", "immunosuppressants"),
    ("rituximab therapy", "DRUG", "rituximab"),
    ("美罗华", "DRUG", "rituximab"),
    ("难治性皮肌炎", "DISEASE", "dermatomyositis"),
    ("refractory IMNM", "DISEASE", "immune-mediated necrotizing myopathy"),
    ("Idiopathic Inflammatory Myopathies", "DISEASE", "idiopathic inflammatory myopathy"),
])
def test_normalize_name(surface, label, canonical):
    e = normalize_name(surface)
    assert e is not None and (e.label, e.canonical) == (label, canonical)


@pytest.mark.parametrize("zh, en", [("抗HMGCR抗体", "anti-HMGCR"), ("利妥昔单抗", "rituximab"), ("皮肌炎", "dermatomyositis"),
                                    ("他汀类药物", "statins"), ("间质性肺病", "ILD")])
def test_zh_en_same_id(zh, en):
    a, b = normalize_name(zh, lang="zh"), normalize_name(en, lang="en")
    assert a is not None and a.norm_id == b.norm_id and a.canonical == b.canonical


def test_unknown_and_label_filter():
    assert normalize_name("plasma exchange") is None
    assert normalize_name("皮肌炎", label="DRUG") is None
    assert normalize_name("rituximab", lexicon=load_lexicon().without(["IMNM:DRUG:rituximab"])) is None
