"""Merge policy of rule and model spans (imnm_nlp.tagging.merge) and the candidate gate."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from imnm_nlp.model.gate import is_candidate
from imnm_nlp.records import EntitySpan
from imnm_nlp.tagging.merge import merge_spans, normalize_model_span, plausible

TEXT = "IMNM patients received rituximab, nomacizumab and IVIG; 25% responded (0.83/10万)."


def _span(surface: str, label: str, source: str = "model", score: float = 0.9, start_at: int = 0) -> EntitySpan:
    s = TEXT.index(surface, start_at)
    return EntitySpan(s, s + len(surface), label, surface, source=source, score=score)


def test_rules_win_on_overlap_whatever_the_label():
    rule = [_span("rituximab", "DRUG", source="lexicon", score=1.0)]
    model = [_span("rituximab, nomacizumab", "DISEASE", score=0.99)]
    assert merge_spans(rule, model) == rule


def test_lexicon_known_model_only_span_is_dropped_but_would_normalize():
    # The rules know IVIG: if they left it untagged here, that was on purpose (a blocked phrase, a context rule).
    ivig = _span("IVIG", "DRUG", score=0.95)
    assert merge_spans([], [ivig]) == []
    span = normalize_model_span(ivig)
    assert span.source == "model" and span.score == 0.95
    assert span.canonical == "intravenous immunoglobulin" and span.norm_id  # lexicon lookup fills it


def test_implausible_model_spans_are_dropped():
    text = "Pulmonary tuberculosis and dyspnea; 抗体 titres; 19 patients; nomacizumab was given."
    def at(surface: str, label: str) -> EntitySpan:
        s = text.index(surface)
        return EntitySpan(s, s + len(surface), label, surface, source="model", score=0.97)

    cut = at("culos", "DISEASE")  # inside a word
    symptom = at("dyspnea", "DISEASE")  # a symptom: not DISEASE (ANNOTATION.md)
    head = at("抗体", "ANTIBODY")  # a bare head word
    number = at("19", "RATE")  # the rate parser cannot read it as a rate
    novel = at("nomacizumab", "DRUG")  # unknown to the lexicon, whole word: the model's job
    for span in (cut, symptom, head, number):
        assert not plausible(span, text), span.text
    assert plausible(novel, text)
    assert [s.text for s in merge_spans([], [cut, symptom, head, number, novel], text=text)] == ["nomacizumab"]


def test_ablated_lexicon_lets_held_out_names_through():
    from imnm_nlp.tagging.lexicon import load_lexicon

    lex = load_lexicon()
    entry = lex.lookup("rituximab", label="DRUG")
    span = _span("rituximab", "DRUG", score=0.95)
    assert merge_spans([], [span]) == []  # the full lexicon knows it
    (kept,) = merge_spans([], [span], lexicon=lex.without([entry.id]))
    assert kept.text == "rituximab" and kept.norm_id is None


def test_unknown_model_span_keeps_its_surface_as_canonical():
    from imnm_nlp.tagging.lexicon import load_lexicon

    assert load_lexicon().lookup("nomacizumab") is None  # a made-up name, unknown to the lexicon
    (span,) = merge_spans([], [_span("nomacizumab", "DRUG", score=0.7)], threshold=0.5)
    assert span.canonical == "nomacizumab" and span.norm_id is None


def test_model_rate_is_parsed():
    (span,) = merge_spans([], [_span("0.83/10万", "RATE", score=0.93)])
    assert span.rate is not None and span.rate.per_100k == 0.83


def test_threshold_and_single_characters():
    low = _span("nomacizumab", "DRUG", score=0.3)
    one = EntitySpan(0, 1, "DISEASE", "I", source="model", score=0.99)
    assert merge_spans([], [low, one]) == []
    assert len(merge_spans([], [low], threshold=0.2)) == 1


def test_overlapping_model_spans_keep_the_more_confident():
    a = _span("rituximab", "DRUG", score=0.6)
    b = _span("rituximab, nomacizumab", "DRUG", score=0.9)
    assert [s.text for s in merge_spans([], [a, b], threshold=0.5)] == ["rituximab, nomacizumab"]


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(0, len(TEXT) - 1), st.integers(1, 12), st.floats(0, 1), st.booleans()), max_size=12))
def test_output_sorted_non_overlapping_and_keeps_every_rule_span(items):
    rules, model = [], []
    for start, length, score, is_rule in items:
        end = min(len(TEXT), start + length)
        span = EntitySpan(start, end, "DISEASE", TEXT[start:end], source="lexicon" if is_rule else "model", score=score)
        if is_rule:
            if not any(span.start < r.end and r.start < span.end for r in rules):
                rules.append(span)
        else:
            model.append(span)
    merged = merge_spans(rules, model)
    assert all(r in merged for r in rules)
    for a, b in zip(merged, merged[1:]):
        assert a.end <= b.start
    for s in merged:
        assert TEXT[s.start : s.end] == s.text


def test_gate():
    assert not is_candidate("The patients were followed up.", "en")
    assert not is_candidate("方法 回顾性分析。", "zh")
    assert is_candidate("Anti-SRP was found in 12 of 48 patients.", "en")  # digits
    assert is_candidate("Patients were treated with nomacizumab.", "en")  # an unknown -mab drug
    assert is_candidate("患者接受托法替尼", "zh")  # an unknown -替尼 drug
    assert is_candidate("nothing here", "en", [EntitySpan(0, 7, "DISEASE", "nothing")])  # a rule span
