"""``export_run``: a finished run to Parquet, or to BioC JSON by reading the inputs again (and refusing
inputs that changed since the run, whose offsets would point at other text)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from imnm_nlp.errors import ImnmError, InputError
from imnm_nlp.readers import read_documents
from imnm_nlp.records import Mention, SectionContext
from imnm_nlp.writers import RunCounts, build_manifest, write_jsonl, write_manifest
from imnm_nlp.writers.export import export_run

SEED_EN = ("For refractory cases, treatment regimens may involve rituximab and intravenous human immunoglobulin. "
           "Identified risk factors for IMNM include susceptibility alleles (e.g., HLA-DRB1*11).")
SEED_ZH = "对于难治性患者,可能采用利妥昔单抗和静脉注射人免疫球蛋白等治疗方案。"


@pytest.fixture()
def run(tmp_path: Path) -> Path:
    src = tmp_path / "input.jsonl"
    src.write_text(json.dumps({"id": "doi:10.16150/j.1671-2870.2024.03.004", "title": "免疫介导坏死性肌病的诊治研究进展",
                               "sections": [{"name": "abstract", "text": SEED_ZH, "lang": "zh"},
                                            {"name": "abstract", "text": SEED_EN, "lang": "en"}]},
                              ensure_ascii=False) + "\n", encoding="utf-8")
    (doc,) = list(read_documents([src]))
    records = []
    for idx, sec in enumerate(doc.sections):
        ctx = SectionContext(doc.id, sec.name, sec.lang, idx, str(src))
        for surface, label, canonical in (("利妥昔单抗", "DRUG", "rituximab"), ("rituximab", "DRUG", "rituximab"),
                                          ("HLA-DRB1*11", "HLA_ALLELE", "HLA-DRB1*11"), ("IMNM", "DISEASE", "IMNM")):
            start = sec.text.find(surface)
            if start >= 0:
                prov = ctx.provenance(sec.text, start, start + len(surface), (0, len(sec.text)), "rules", "0.1.0")
                records.append(Mention(label, surface, canonical, prov))
    out = tmp_path / "out"
    write_jsonl(out / "records.jsonl", records)
    counts = RunCounts()
    counts.add_document(doc)
    counts.add_records(records)
    write_manifest(out / "manifest.json", build_manifest([src], counts, options={"fmt": "auto"}))
    return out


def test_export_bioc_from_manifest_inputs(run: Path) -> None:
    path = export_run(run, "bioc")
    assert path == run / "records.bioc.json"
    coll = json.loads(path.read_text(encoding="utf-8"))
    (doc,) = coll["documents"]
    full = "\n".join(p["text"] for p in doc["passages"])
    anns = [a for p in doc["passages"] for a in p["annotations"]]
    assert len(anns) == 4
    for a in anns:
        loc = a["locations"][0]
        assert full[loc["offset"]: loc["offset"] + loc["length"]] == a["text"]
    assert {a["infons"]["canonical"] for a in anns if a["infons"]["type"] == "DRUG"} == {"rituximab"}


def test_export_refuses_changed_input(run: Path) -> None:
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    src = Path(manifest["inputs"][0]["path"])
    src.write_text(src.read_text(encoding="utf-8").replace("对于", "对于所有"), encoding="utf-8")
    with pytest.raises(ImnmError, match="changed since the run"):
        export_run(run, "bioc")
    assert not (run / "records.bioc.json").exists()


def test_export_parquet_and_errors(run: Path, tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    path = export_run(run, "parquet", dest=tmp_path / "x.parquet")
    assert pq.read_table(path).num_rows == 4
    with pytest.raises(InputError, match="bioc, parquet"):
        export_run(run, "xlsx")
    with pytest.raises(InputError, match="records.jsonl"):
        export_run(tmp_path / "nowhere", "parquet")
