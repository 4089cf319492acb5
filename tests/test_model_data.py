"""Training data: corpora/train units, the gold leak guard, silver labelling, the shipped snapshot."""

from __future__ import annotations

from pathlib import Path

import pytest

from imnm_nlp.errors import ModelError
from imnm_nlp.model.corpus import GOLD_DIR, SOURCES, TRAIN_DIR, GoldGuard, Unit, fingerprints, read_units
from imnm_nlp.model.labels import CLAIM_LABELS
from imnm_nlp.model.silver import Example, check_examples, data_hash, make_examples, read_examples, split_of
from imnm_nlp.records import EntitySpan

REPO = Path(__file__).resolve().parent.parent
SNAPSHOT = REPO / "corpora" / "silver" / "silver.jsonl.gz"
MODEL = REPO / "models" / "imnm-e5-lora"


def test_training_corpora_are_real_and_attributed():
    assert (TRAIN_DIR / "README.md").is_file()
    readme = (TRAIN_DIR / "README.md").read_text(encoding="utf-8")
    for name in SOURCES:
        assert name in readme
    counts = {}
    for u in read_units():
        counts[u.source] = counts.get(u.source, 0) + 1
        for spans in u.ann.values():
            for s, e in spans:
                assert 0 <= s < e <= len(u.text) and u.text[s:e] == u.text[s:e].strip()
    assert set(counts) == set(SOURCES) and all(n > 50 for n in counts.values())


def test_guard_sees_through_spacing_case_and_width():
    guard = GoldGuard(["Statins can cause a necrotizing myopathy. It responds to IVIG treatment in most cases."])
    assert guard.overlaps("statins can cause a necrotizing myopathy .")  # detokenized differently
    assert guard.overlaps("Ｓｔａｔｉｎｓ can cause a necrotizing myopathy.")  # full width
    assert guard.overlaps("Intro. Statins can cause a necrotizing myopathy. It responds to IVIG treatment in most cases. More.")
    assert not guard.overlaps("Statins are widely prescribed for hypercholesterolaemia.")
    with pytest.raises(ModelError, match="gold text found"):
        guard.check(["fine sentence here", "It responds to IVIG treatment in most cases."])


def _fake_tagger(text: str, lang: str) -> list[EntitySpan]:
    out = []
    for name, label in (("rituximab", "DRUG"), ("IMNM", "DISEASE"), ("25%", "RATE")):
        i = text.find(name)
        if i >= 0:
            out.append(EntitySpan(i, i + len(name), label, name, source="lexicon"))
    return sorted(out, key=lambda e: e.start)


def test_make_examples_maps_annotations_and_drops_gold():
    text = "Rituximab-treated IMNM: 25% had hepatotoxicity after carbachol and rituximab."
    chem = [(text.index("carbachol"), text.index("carbachol") + 9), (text.index("rituximab"), text.index("rituximab") + 9)]
    hep = (text.index("hepatotoxicity"), text.index("hepatotoxicity") + 14)
    units = [
        Unit("bc5cdr_train", "d1", 0, "en", text, {"Chemical": chem, "Disease": [hep], "STAT": []}),
        Unit("bc5cdr_train", "d2", 0, "en", "This sentence is in the gold file already.", {}),
    ]
    guard = GoldGuard(["This sentence is in the gold file already."])
    examples = make_examples(units, _fake_tagger, lambda s, lang: s.lower() == "rituximab", guard)
    assert [e.doc for e in examples] == ["d1"]
    (ex,) = examples
    labelled = {(ex.text[s:e], lab) for s, e, lab in ex.spans}
    assert ("hepatotoxicity", "DISEASE") in labelled and ("rituximab", "DRUG") in labelled and ("IMNM", "DISEASE") in labelled
    assert [ex.text[s:e] for s, e in ex.ignore] == ["carbachol"]  # an unknown chemical: neither DRUG nor O
    assert ex.claim in CLAIM_LABELS and len(ex.kind) == 3
    check_examples(examples)


def test_split_is_stable_and_by_document():
    assert split_of("csl-dev-2") == split_of("csl-dev-2")
    share = sum(split_of(f"doc-{i}") == "dev" for i in range(2000)) / 2000
    assert 0.1 < share < 0.2


@pytest.mark.skipif(not SNAPSHOT.is_file(), reason="no silver snapshot yet")
def test_snapshot_is_valid_and_shares_nothing_with_current_gold():
    examples = read_examples(SNAPSHOT)
    check_examples(examples)
    assert len(examples) > 1000 and {e.split for e in examples} == {"train", "dev"}
    docs_by_split: dict[str, set[str]] = {}
    for e in examples:
        docs_by_split.setdefault(e.split, set()).add(e.doc)
    assert not docs_by_split["train"] & docs_by_split["dev"]  # split by document
    GoldGuard.from_folder(GOLD_DIR).check(e.text for e in examples)
    assert len(data_hash(examples)) == 64


@pytest.mark.skipif(not (MODEL / "train_hashes.txt.gz").is_file(), reason="no shipped model yet")
def test_shipped_model_never_saw_current_gold():
    from imnm_nlp.model.artifact import read_hashes

    seen = read_hashes(MODEL)
    gold = GoldGuard.from_folder(GOLD_DIR)
    assert len(gold.hashes) > 100 and len(seen) > 1000
    leaked = gold.hashes & seen
    assert not leaked, f"{len(leaked)} gold sentences were in the shipped model's training data: retrain"


def test_fingerprints_match_across_sentence_splitters():
    text = "Statins can cause a necrotizing myopathy. It responds to IVIG treatment in most cases."
    pieces = fingerprints("It responds to IVIG treatment in most cases.")
    assert pieces and set(pieces) <= GoldGuard([text]).hashes


def test_guard_does_not_cut_sentences_at_decimal_points():
    guard = GoldGuard(["The mortality was 54.5%, respectively. Survival was poor in every group we studied."])
    assert not guard.overlaps("The incidence of deafness in two groups was 16.7% and 54.5%, respectively.")
    assert guard.overlaps("Survival was poor in every group we studied.")
