"""Synthetic template sentences and the TF-IDF baseline."""

from __future__ import annotations

import numpy as np

from imnm_nlp.model.baseline import fit_baseline
from imnm_nlp.model.labels import CLAIM_LABELS
from imnm_nlp.model.synthetic import EN, ZH, synthetic_examples
from imnm_nlp.tagging.lexicon import load_lexicon


def test_synthetic_spans_are_exact_and_deterministic():
    lex = load_lexicon()
    a = synthetic_examples(lex, 120, seed=5)
    assert a == synthetic_examples(lex, 120, seed=5)
    assert len(a) == 240 and {e.lang for e in a} == {"zh", "en"}
    assert all(e.split == "train" and e.source == "synthetic" for e in a)
    labels = set()
    for e in a:
        last = 0
        for s, t, label in e.spans:
            assert last <= s < t <= len(e.text) and e.text[s:t].strip() == e.text[s:t]
            last = t
            labels.add(label)
        assert e.claim in CLAIM_LABELS
    assert labels == {"ANTIBODY", "DRUG", "DISEASE", "HLA_ALLELE", "RATE"}


def test_ablated_names_never_appear():
    lex = load_lexicon()
    ablated = lex.without(0.3, seed=13)
    held = [e for e in lex.entries() if e.id in ablated.dropped]
    assert held
    for ex in synthetic_examples(ablated, 300, seed=13):
        for s, t, label in ex.spans:
            if label in ("DRUG", "ANTIBODY"):
                entry = ablated.lookup(ex.text[s:t], label=label)
                assert entry is not None and entry.id not in ablated.dropped


def test_templates_have_consistent_labels():
    for template, kind, claim, hedged in EN + ZH:
        assert len(kind) == 3 and claim in CLAIM_LABELS and hedged in (0, 1)
        if claim != "none":
            assert "{DRUG}" in template


def test_baseline_learns_something_from_templates():
    lex = load_lexicon()
    train = synthetic_examples(lex, 300, seed=1)
    dev = synthetic_examples(lex, 60, seed=2)
    b = fit_baseline(train)
    kind, claim, hedged = b.predict([e.text for e in dev])
    assert kind.shape == (len(dev), 3) and claim.shape == (len(dev),) and set(np.unique(hedged)) <= {0, 1}
    scores = b.scores(dev)
    assert scores["claim"]["accuracy"] > 0.6  # templates are easy: a broken fit would be near chance
