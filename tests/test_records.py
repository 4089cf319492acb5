"""Records: validation, JSON round trip, stable ids, offsets that must match the raw text."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from imnm_nlp.errors import RecordError
from imnm_nlp.records import (
    Document,
    EntitySpan,
    EpiFigure,
    Mention,
    Provenance,
    Rate,
    ReadIssue,
    RiskFactor,
    Section,
    SectionContext,
    TreatmentClaim,
    record_from_dict,
)

ZH = "IMNM的发病率为0.83/10万,患病率为1.85/10万"


def prov(start: int = 11, end: int = 19, text: str = ZH) -> Provenance:
    return SectionContext("cnki:x1", "abstract", "zh", 1, "demo.txt").provenance(text, start, end, (0, len(text)), "test", "1")


def test_document_round_trip_keeps_linked_translations() -> None:
    doc = Document(
        id="doi:10.16150/j.1671-2870.2024.03.004", source_file="a.txt", record_index=0,
        sections=[Section("abstract", "zh", ZH), Section("abstract", "en", "The incidence was 0.83 per 100,000.", translation_of=0)],
        title="免疫介导坏死性肌病的诊治研究进展", keywords=["IMNM"], encoding="gb18030",
    )
    back = Document.from_dict(json.loads(json.dumps(doc.to_dict(), ensure_ascii=False)))
    assert back == doc
    assert back.sections[1].translation_of == 0
    assert back.langs == ("en", "zh")


@pytest.mark.parametrize("bad", ["123", "pmid:", "PMID 1", ""])
def test_document_id_must_be_namespaced(bad: str) -> None:
    with pytest.raises(RecordError, match="namespaced"):
        Document(id=bad, source_file="a", record_index=0, sections=())


def test_translation_link_must_point_at_another_section() -> None:
    with pytest.raises(RecordError, match="points nowhere"):
        Document(id="pmid:1", source_file="a", record_index=0, sections=[Section("abstract", "en", "x", translation_of=3)])


def test_section_rejects_unknown_language_and_unknown_fields() -> None:
    with pytest.raises(RecordError, match="lang"):
        Section("abstract", "fr", "texte")
    with pytest.raises(RecordError, match="unknown field"):
        Section.from_dict({"name": "a", "lang": "en", "text": "x", "langauge": "en"})


@pytest.mark.parametrize(
    "record",
    [
        lambda: Mention(label="RATE", text="0.83/10万", canonical="0.83 per 100000", provenance=prov(),
                        rate=Rate(0.83, "per 100000", per_100k=0.83)),
        lambda: EpiFigure(measure="incidence", value=0.83, unit="per 100000", provenance=prov(), per_100k=0.83,
                          population="IMNM", region="United States"),
        lambda: TreatmentClaim(drug="rituximab", claim="used", provenance=prov(), hedged=True, population="refractory IMNM"),
        lambda: RiskFactor(factor="statins", factor_label="DRUG", provenance=prov(), outcome="IMNM"),
    ],
)
def test_evidence_round_trip_and_stable_id(record) -> None:  # type: ignore[no-untyped-def]
    r = record()
    data = json.loads(json.dumps(r.to_dict(), ensure_ascii=False))
    back = record_from_dict(data)
    assert back == r
    assert data["record_id"] == back.record_id == record().record_id
    assert data["provenance"]["sentence"] == ZH


def test_record_ids_differ_by_content() -> None:
    a = TreatmentClaim(drug="rituximab", claim="used", provenance=prov())
    b = TreatmentClaim(drug="rituximab", claim="effective", provenance=prov())
    assert a.record_id != b.record_id


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"measure": "incidence", "value": 1.0, "unit": "per 10万"}, "unit"),
        ({"measure": "rate", "value": 1.0, "unit": "percent"}, "measure"),
        ({"measure": "incidence", "value": float("nan"), "unit": "percent"}, "finite"),
    ],
)
def test_epi_validation(kwargs, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(RecordError, match=message):
        EpiFigure(provenance=prov(), **kwargs)


def test_claim_validation() -> None:
    with pytest.raises(RecordError, match="lower-case"):
        TreatmentClaim(drug="Rituximab", claim="used", provenance=prov())
    with pytest.raises(RecordError, match="claim"):
        TreatmentClaim(drug="rituximab", claim="works", provenance=prov())
    with pytest.raises(RecordError, match="type"):
        record_from_dict({"type": "gossip"})


def test_issue_kinds() -> None:
    assert ReadIssue("f.xml", 3, "no abstract", kind="warning").to_dict()["kind"] == "warning"
    with pytest.raises(RecordError):
        ReadIssue("f.xml", 3, "x", kind="oops")


@given(st.text(min_size=1, max_size=60), st.data())
def test_entity_span_must_match_raw_text(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    span = EntitySpan(start, end, "DISEASE", text[start:end])
    span.check_against(text)
    shifted = text[:start] + "\u3000" + text[start:]
    if shifted[start:end] != span.text:
        with pytest.raises(RecordError):
            span.check_against(shifted)
