"""Golden tests: every fixture file read into Document/ReadIssue dicts, compared with reviewed JSON files.

The golden files were generated once (``IMNM_REGEN_GOLDEN=1 pytest tests/test_readers_golden.py``), read
and checked by hand against the fixture files, and are kept; a change in reader output fails here.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from imnm_nlp.readers import read_documents
from imnm_nlp.records import Document

FIX = Path(__file__).parent / "fixtures" / "readers"
GOLDEN = FIX / "golden"
CASES = [
    "pubmed-29768149.xml",
    "pubmed_multi.xml",
    "cnki/refworks_gb18030.txt",
    "cnki/endnote_utf8bom.txt",
    "cnki/noteexpress_fullwidth_bom.net",
    "cnki/estudy_gb18030.txt",
    "jsonl/gold_like.jsonl",
    "jsonl/mixed.jsonl",
    "text/one_doc.txt",
    "text/blocks.txt",
    "external/biopython_pubmed_result1.txt",
    "external/mrhelper_pubmed.nbib",
    "external/mrhelper_cnki_estudy.txt",
    "external/mrhelper_wanfang_noteexpress.net",
    "external/biopython_pubmed1.xml",
    "external/biopython_pubmed6.xml",
    "external/biopython_pubmed_result2.txt",
    "external/gemma_pubmed-bookarticle.xml",
    "external/gemma_pubmed-fullbook.xml",
    "external/translatorsCN_cnki_refworks.txt",
    "external/translatorsCN_cnki_endnote.txt",
    "bad/pubmed_broken.xml",
    "bad/refworks_bad_record.txt",
]


def snapshot(rel: str) -> dict:
    issues = []
    docs = list(read_documents([FIX / rel], on_issue=issues.append))
    out_docs = []
    for doc in docs:
        data = doc.to_dict()
        data["source_file"] = rel  # machine-independent
        out_docs.append(data)
    out_issues = [dict(i.to_dict(), file=rel) for i in issues]
    return {"documents": out_docs, "issues": out_issues}


@pytest.mark.parametrize("rel", CASES)
def test_golden(rel: str) -> None:
    path = GOLDEN / (rel.replace("/", "__") + ".json")
    got = snapshot(rel)
    if os.environ.get("IMNM_REGEN_GOLDEN") == "1":
        path.write_text(json.dumps(got, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    expected = json.loads(path.read_text(encoding="utf-8"))
    assert got == expected
    for data in expected["documents"]:  # golden documents are valid records (round trip)
        assert Document.from_dict(data).to_dict() == data
