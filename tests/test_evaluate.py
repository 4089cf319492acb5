"""The scorer: CONTRACT §3 matching rules on hand-made gold and predictions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from imnm_nlp.errors import InputError
from imnm_nlp.evaluate import format_table, match_epi, read_gold, score


def gold_doc(**kw):  # type: ignore[no-untyped-def]
    base = {"id": "d1", "lang": "zh", "text": "x" * 50, "entities": [], "epi": [], "treatments": []}
    base.update(kw)
    return base


def epi(measure: str, value: float, unit: str = "per 100000", region: str | None = None) -> dict:
    return {"measure": measure, "value": value, "unit": unit, "region": region}


def test_entities_exact_match_per_label_and_language() -> None:
    gold = [gold_doc(entities=[{"start": 0, "end": 4, "label": "DISEASE"}, {"start": 10, "end": 18, "label": "RATE"}])]
    pred = {"d1": {"entities": [{"start": 0, "end": 4, "label": "DISEASE"}, {"start": 10, "end": 17, "label": "RATE"}],
                   "epi": [], "treatments": []}}
    m = score(gold, pred)["entities"]
    assert (m["tp"], m["fp"], m["fn"]) == (1, 1, 1)
    assert m["by_label"]["DISEASE"]["f1"] == 1.0
    assert m["by_label"]["RATE"]["f1"] == 0.0
    assert m["by_lang"]["zh"]["p"] == 0.5


def test_epi_value_tolerance_is_one_percent_relative() -> None:
    assert match_epi([epi("proportion", 9.18, "percent")], [epi("proportion", 9.2, "percent")]) == [(0, 0)]
    assert match_epi([epi("proportion", 9.18, "percent")], [epi("proportion", 9.5, "percent")]) == []
    assert match_epi([epi("incidence", 0.83)], [epi("prevalence", 0.83)]) == []
    assert match_epi([epi("incidence", 0.83)], [epi("incidence", 0.83, "per 100000 person-years")]) == []


def test_epi_matching_is_one_to_one_and_region_accuracy_counts_matched_pairs() -> None:
    gold = [gold_doc(epi=[epi("incidence", 0.83, region="United States"), epi("prevalence", 1.85, region="United States")])]
    pred = {"d1": {"entities": [], "treatments": [],
                   "epi": [epi("incidence", 0.83, region="united states"), epi("incidence", 0.83), epi("prevalence", 1.85)]}}
    m = score(gold, pred)["epi"]
    assert (m["tp"], m["fp"], m["fn"]) == (2, 1, 0)
    assert m["region_acc"] == 0.5


def test_treatments_match_on_drug_and_claim() -> None:
    gold = [gold_doc(lang="en", treatments=[{"drug": "rituximab", "claim": "used"}, {"drug": "ivig", "claim": "effective"}])]
    pred = {"d1": {"entities": [], "epi": [], "treatments": [{"drug": "rituximab", "claim": "used"},
                                                              {"drug": "ivig", "claim": "used"}]}}
    m = score(gold, pred)["treatments"]
    assert (m["tp"], m["fp"], m["fn"]) == (1, 1, 1)
    assert m["by_lang"]["en"]["f1"] == 0.5
    assert "mode" not in m and "used" in m["by_label"]


def test_missing_prediction_counts_as_misses(tmp_path: Path) -> None:
    gold = [gold_doc(epi=[epi("incidence", 1.0)])]
    assert score(gold, {})["epi"]["r"] == 0.0
    assert "epi" in format_table(score(gold, {}))


def test_read_gold_filters_split_and_reports_bad_lines(tmp_path: Path) -> None:
    f = tmp_path / "g.jsonl"
    f.write_text(json.dumps(gold_doc(id="a", split="dev")) + "\n" + json.dumps(gold_doc(id="b", split="test")) + "\n", "utf-8")
    assert [d["id"] for d in read_gold(f, "test")] == ["b"]
    assert len(read_gold(f)) == 2
    f.write_text('{"id": "a"}\n', "utf-8")
    with pytest.raises(InputError, match="lacks"):
        read_gold(f)


def test_hedging_accuracy_over_matched_claims() -> None:
    gold = [gold_doc(treatments=[{"drug": "rituximab", "claim": "effective", "hedged": True},
                                 {"drug": "ivig", "claim": "used", "hedged": False},
                                 {"drug": "methotrexate", "claim": "used"}])]
    pred = {"d1": {"entities": [], "epi": [], "treatments": [
        {"drug": "rituximab", "claim": "effective", "hedged": False},
        {"drug": "ivig", "claim": "used", "hedged": False},
        {"drug": "methotrexate", "claim": "used", "hedged": True}]}}
    m = score(gold, pred)["treatments"]
    assert (m["hedged_acc"], m["hedged_pairs"]) == (0.5, 2)
