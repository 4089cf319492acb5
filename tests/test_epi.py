"""Golden tests of the epi extractor: tricky sentence types in both languages (fixtures/extraction/epi_cases.json)
and the seed abstracts' full expected figures."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from imnm_nlp.errors import InputError
from imnm_nlp.extraction import SentenceHint, collapse_epi, extract_epi
from imnm_nlp.records import EntitySpan, EpiFigure, Rate, SectionContext

FIX = Path(__file__).parent / "fixtures" / "extraction"
CASES = json.loads((FIX / "epi_cases.json").read_text(encoding="utf-8"))["cases"]


def split(text: str, lang: str) -> list[tuple[int, int]]:
    """A trivial splitter: 。！？；; for Chinese (as the project's splitter does), '. ' + capital for English."""
    pat = re.compile(r"[。！？；;]" if lang == "zh" else r"(?<=[.!?])\s+(?=[A-Z(])")
    out, start = [], 0
    for m in pat.finditer(text):
        end = m.end() if lang == "zh" else m.start()
        if text[start:end].strip():
            out.append((start, end))
        start = m.end()
    if text[start:].strip():
        out.append((start, len(text)))
    return out


def spans(text: str, items: list[list[str]]) -> list[EntitySpan]:
    """Tag every occurrence of each surface, longest surfaces first, never overlapping."""
    taken: list[tuple[int, int]] = []
    out = []
    for surface, label, canonical in sorted(items, key=lambda i: -len(i[0])):
        for m in re.finditer(re.escape(surface), text):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            taken.append((m.start(), m.end()))
            out.append(EntitySpan(m.start(), m.end(), label, surface, canonical))
    return sorted(out, key=lambda e: e.start)


def run(case: dict, **kw) -> list[EpiFigure]:
    text, lang = case["text"], case["lang"]
    ctx = SectionContext("text:case", "abstract", lang)
    return extract_epi(text, lang, split(text, lang), spans(text, case["entities"]), ctx, **kw)


def check(figs: list[EpiFigure], expect: list[dict], text: str) -> None:
    assert len(figs) == len(expect), [(f.measure, f.value, f.unit) for f in figs]
    for fig, exp in zip(figs, expect):
        for key, want in exp.items():
            got = getattr(fig, key)
            if isinstance(want, float | int) and not isinstance(want, bool):
                assert got == pytest.approx(want, rel=0.01), (key, got, want)
            else:
                assert got == want, (key, got, want)
        p = fig.provenance
        assert text[p.start : p.end] == fig.surface
        assert p.sentence_start <= p.start and p.end <= p.sentence_end
        assert text[p.sentence_start : p.sentence_end] == p.sentence


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_golden_case(case: dict) -> None:
    check(run(case), case["expect"], case["text"])


def _seed() -> list[dict]:
    return [json.loads(line) for line in (FIX / "seed.gold.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("doc", _seed(), ids=lambda d: d["id"])
def test_seed_abstract_full_epi(doc: dict) -> None:
    text, lang = doc["text"], doc["lang"]
    ents = [EntitySpan(e["start"], e["end"], e["label"], e["text"]) for e in doc["entities"]]
    figs = collapse_epi(extract_epi(text, lang, split(text, lang), ents, SectionContext("gold:" + doc["id"], "abstract", lang)))
    got = [(f.measure, f.value, f.unit, f.region) for f in figs]
    want = [(g["measure"], float(g["value"]), g["unit"], g["region"]) for g in doc["epi"]]
    assert got == want
    for fig, gold in zip(figs, doc["epi"]):
        assert fig.surface in gold["evidence"]
    # The antibody subgroup is carried into the population of the Spanish figures.
    assert [f.population for f in figs][2:] == ["anti-HMGCR positive IMNM"] * 2 or lang == "en"


def test_tagger_rate_takes_priority_over_surface() -> None:
    text = "The prevalence of IMNM was 2.5 per 100,000."
    rate = Rate(2.5, "per 100000", per_100k=2.5, ci_low=1.0, ci_high=4.0)
    ents = [EntitySpan(18, 22, "DISEASE", "IMNM", "IMNM"), EntitySpan(27, 42, "RATE", "2.5 per 100,000", rate=rate)]
    fig, = extract_epi(text, "en", [(0, len(text))], ents, SectionContext("text:x", "abstract", "en"))
    assert (fig.measure, fig.per_100k, fig.ci_low, fig.ci_high, fig.population) == ("prevalence", 2.5, 1.0, 4.0, "IMNM")


def test_region_is_never_an_institution() -> None:
    text = "患者均来自北京协和医院风湿免疫科,IMNM的患病率为2/10万。"
    case = {"text": text, "lang": "zh", "entities": [["IMNM", "DISEASE", "IMNM"], ["2/10万", "RATE", ""]]}
    fig, = run(case)
    assert fig.region is None and fig.measure == "prevalence"


def test_hints_veto_weak_and_add_missing_proportions() -> None:
    from imnm_nlp.extraction.hints import HintPolicy

    FULL = HintPolicy()  # the mechanism; the default policy switches veto and add off (see hints.py)
    case = next(c for c in CASES if c["name"] == "cohort proportion (zh)")
    assert run(case, hints={0: SentenceHint(kind={"epi": 0.01, "other": 0.99})}, policy=FULL) == []
    strong = next(c for c in CASES if c["name"] == "two figures in one sentence (zh)")
    assert len(run(strong, hints={0: SentenceHint(kind={"epi": 0.01})}, policy=FULL)) == 2  # explicit words are never vetoed
    bare = {"text": "Twelve cases (25%) were seen in 2019.", "lang": "en", "entities": [["25%", "RATE", ""]]}
    assert run(bare) == []
    added = run(bare, hints={0: SentenceHint(kind={"epi": 0.95})}, policy=FULL)
    assert [(f.measure, f.value) for f in added] == [("proportion", 25.0)]


def test_default_policy_lets_the_model_only_mark_hedging() -> None:
    bare = {"text": "Twelve cases (25%) were seen in 2019.", "lang": "en", "entities": [["25%", "RATE", ""]]}
    assert run(bare, hints={0: SentenceHint(kind={"epi": 0.99})}) == []
    case = next(c for c in CASES if c["name"] == "cohort proportion (zh)")
    assert run(case, hints={0: SentenceHint(kind={"epi": 0.01, "other": 0.99})}) == run(case)


def test_empty_and_bad_inputs() -> None:
    ctx = SectionContext("text:x", "abstract", "en")
    assert extract_epi("", "en", [], [], ctx) == []
    assert extract_epi("　 \n", "zh", [(0, 3)], [], ctx) == []
    with pytest.raises(InputError):
        extract_epi("abc", "fr", [(0, 3)], [], ctx)
    with pytest.raises(InputError):
        extract_epi("abc", "en", [(0, 9)], [], ctx)


@pytest.mark.parametrize(
    "text, period",
    [
        ("自2003年首次被国际医学界命名以来,IMNM逐渐被认识", None),  # a naming date, not a study period
        ("Since 2003, IMNM has been recognized", None),
        ("2066 patients were enrolled", None),  # a count
        ("在2019年,发病率为", "2019"),
        ("In 2019, the incidence was", "2019"),
        ("between 1999 and 2008 the incidence", "1999-2008"),
        ("2010-2015年间", "2010-2015"),
    ],
)
def test_study_period(text: str, period: str | None) -> None:
    from imnm_nlp.extraction.figures import period_in

    assert period_in(text) == period
