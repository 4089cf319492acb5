"""BioC JSON export: structure (bioc schema's required keys) and offsets that point at the right text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from imnm_nlp.errors import RecordError
from imnm_nlp.records import Document, record_from_dict
from imnm_nlp.writers import read_jsonl, to_bioc, write_bioc

FIX = Path(__file__).parent / "fixtures" / "writers"


@pytest.fixture(scope="module")
def data() -> tuple[list[Document], list]:
    docs = [Document.from_dict(d) for d in read_jsonl(FIX / "documents.jsonl")]
    recs = [record_from_dict(d) for d in read_jsonl(FIX / "records.jsonl")]
    return docs, recs


def test_structure_has_bioc_required_keys(data) -> None:  # type: ignore[no-untyped-def]
    docs, recs = data
    coll = to_bioc(docs, recs, date="2026-11-24")
    assert {"source", "date", "key", "documents"} <= coll.keys()  # required by bioc_schema.json
    assert [d["id"] for d in coll["documents"]] == [d.id for d in docs]
    for doc in coll["documents"]:
        assert {"id", "passages"} <= doc.keys()
        for p in doc["passages"]:
            assert isinstance(p["offset"], int) and {"type", "section", "lang"} <= p["infons"].keys()
            for a in p["annotations"]:
                assert {"id", "text", "locations"} <= a.keys()
                assert all(isinstance(v, str) for v in a["infons"].values()), "BioC infons are strings"
            for r in p["relations"]:
                assert {"id", "nodes"} <= r.keys()
    json.dumps(coll)  # serializable


def test_offsets_point_at_the_text(data) -> None:  # type: ignore[no-untyped-def]
    docs, recs = data
    coll = to_bioc(docs, recs)
    n_ann = 0
    for doc, bdoc in zip(docs, coll["documents"]):
        full = "\n".join(s.text for s in doc.sections)  # the PubTator document text: sections joined by one char
        assert len(bdoc["passages"]) == len(doc.sections)
        for sec, p in zip(doc.sections, bdoc["passages"]):
            assert full[p["offset"]: p["offset"] + len(p["text"])] == sec.text == p["text"]
            assert p["infons"]["lang"] == sec.lang
            for a in p["annotations"]:
                n_ann += 1
                (loc,) = a["locations"]
                assert full[loc["offset"]: loc["offset"] + loc["length"]] == a["text"]
                assert p["offset"] <= loc["offset"] < p["offset"] + len(p["text"])
    assert n_ann == sum(r.TYPE == "entity" for r in recs)


def test_zh_passage_offsets_and_identifiers(data) -> None:  # type: ignore[no-untyped-def]
    docs, recs = data
    bdoc = to_bioc(docs, recs)["documents"][0]
    title_zh, abstract_zh = bdoc["passages"][0], bdoc["passages"][1]
    assert title_zh["offset"] == 0 and title_zh["infons"]["type"] == "title"
    assert abstract_zh["offset"] == len(docs[0].sections[0].text) + 1
    ab = next(a for a in abstract_zh["annotations"] if a["text"] == "抗HMGCR抗体")
    assert ab["infons"]["type"] == "ANTIBODY" and ab["infons"]["identifier"] == "IMNM:AB:HMGCR"
    assert ab["infons"]["canonical"] == "anti-HMGCR"
    assert bdoc["infons"]["doi"] == "10.16150/j.1671-2870.2024.03.004"


def test_evidence_records_become_relations_linked_to_mentions(data) -> None:  # type: ignore[no-untyped-def]
    docs, recs = data
    bdoc = to_bioc(docs, recs)["documents"][0]
    rels = [r for p in bdoc["passages"] for r in p["relations"]]
    assert len(rels) == sum(r.TYPE != "entity" and r.provenance.doc_id == docs[0].id for r in recs)
    ann_by_id = {a["id"]: a for p in bdoc["passages"] for a in p["annotations"]}
    linked = [r for r in rels if r["nodes"]]
    assert linked, "the 0.83/10万 figure and the rituximab claim have matching mentions"
    for r in linked:
        ann = ann_by_id[r["nodes"][0]["refid"]]
        assert ann["text"] in r["infons"]["evidence"]
    rtx = next(r for r in rels if r["infons"]["type"] == "treatment" and r["infons"].get("drug_text") == "利妥昔单抗")
    assert rtx["infons"]["hedged"] == "true" and ann_by_id[rtx["nodes"][0]["refid"]]["infons"]["canonical"] == "rituximab"


def test_mismatched_mention_raises(data) -> None:  # type: ignore[no-untyped-def]
    docs, recs = data
    bad = recs[0].to_dict()
    bad["provenance"]["start"] += 1
    bad["provenance"]["end"] += 1
    with pytest.raises(RecordError, match="BioC: mention"):
        to_bioc(docs, [bad])


def test_write_bioc(tmp_path: Path, data) -> None:  # type: ignore[no-untyped-def]
    docs, recs = data
    assert write_bioc(tmp_path / "out.bioc.json", docs, recs, date="2026-01-01") == 2
    text = (tmp_path / "out.bioc.json").read_text(encoding="utf-8")
    assert "抗HMGCR抗体" in text
    assert json.loads(text)["date"] == "2026-01-01"
