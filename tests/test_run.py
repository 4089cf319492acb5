"""The extract job: identical outputs whatever the engine, resume after kill -9, and the torture suite."""

from __future__ import annotations

import csv
import gzip
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from imnm_nlp.run import extract

FIX = Path(__file__).parent / "fixtures" / "readers"
DEMO = Path(__file__).parent.parent / "corpora" / "demo"
CONTENT = ("records.jsonl", "claims.csv", "errors.jsonl")


def outputs(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in CONTENT}


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A few real files in several formats (the demo corpus plus reader fixtures)."""
    d = tmp_path_factory.mktemp("inputs")
    for f in sorted(DEMO.iterdir()):
        if f.suffix != ".md":
            shutil.copy(f, d / f.name)
    shutil.copy(FIX / "pubmed_multi.xml", d / "z_pubmed_multi.xml")
    shutil.copy(FIX / "cnki" / "endnote_gb18030.txt", d / "z_endnote_gb18030.txt")
    return d


@pytest.fixture(scope="module")
def reference(inputs: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("ref")
    summary = extract([inputs], out, use_model=False)
    assert summary.documents > 50 and summary.records["epi"] > 10
    return out


def test_outputs_are_complete_and_consistent(reference: Path) -> None:
    manifest = json.loads((reference / "manifest.json").read_text("utf-8"))
    recs = [json.loads(line) for line in (reference / "records.jsonl").open(encoding="utf-8")]
    assert manifest["counts"]["records"]["total"] == len(recs)
    assert {i["path"].rsplit("/", 1)[-1] for i in manifest["inputs"]} >= {"pubmed_demo.xml.gz", "z_pubmed_multi.xml"}
    assert all(len(i["sha256"]) == 64 for i in manifest["inputs"])
    with (reference / "claims.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    claim_ids = {r["record_id"] for r in recs if r["type"] != "entity"}
    assert {r["record_id"] for r in rows} == claim_ids
    for r in recs:  # provenance offsets point into the sentence they carry
        p = r["provenance"]
        assert p["sentence_start"] <= p["start"] <= p["end"] <= p["sentence_end"] or r["type"] != "entity"
    assert not list((reference / ".parts").glob("*.tmp*"))


@pytest.mark.parametrize("engine, workers", [("local", 2), ("dask", 2)])
def test_engines_give_identical_outputs(inputs: Path, reference: Path, tmp_path: Path, engine: str, workers: int) -> None:
    extract([inputs], tmp_path, use_model=False, engine=engine, workers=workers)
    assert outputs(tmp_path) == outputs(reference)


def _many_inputs(tmp: Path, n_files: int, copies: int) -> Path:
    """n_files PubMed XML files of real demo articles with distinct PMIDs (big enough to kill mid-run)."""
    from imnm_nlp.bench import write_bench_xml

    d = tmp / "many"
    d.mkdir()
    for i in range(n_files):
        path = d / f"part{i:02d}.xml.gz"
        write_bench_xml(path, copies)
        data = gzip.decompress(path.read_bytes()).replace(b">9000", f">{80 + i}00".encode())
        path.write_bytes(gzip.compress(data))
    return d


def test_resume_after_kill_9_gives_identical_outputs(tmp_path: Path) -> None:
    src = _many_inputs(tmp_path, n_files=6, copies=150)
    full, crashed = tmp_path / "full", tmp_path / "crashed"
    extract([src], full, use_model=False)
    cmd = [sys.executable, "-m", "imnm_nlp.cli", "extract", str(src), "--out", str(crashed), "--no-model"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    parts = crashed / ".parts"
    deadline = time.time() + 120
    while time.time() < deadline and len(list(parts.glob("*.done"))) < 2 and proc.poll() is None:
        time.sleep(0.01)
    assert proc.poll() is None, "the run finished before it could be killed; make the inputs bigger"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not (crashed / "records.jsonl").exists()
    summary = extract([src], crashed, use_model=False, resume=True)
    assert 2 <= summary.resumed_files < 6
    assert outputs(crashed) == outputs(full)


def test_torture_suite_keeps_every_good_record(tmp_path: Path) -> None:
    d = tmp_path / "torture"
    d.mkdir()
    bad = FIX / "bad"
    for name in ("pubmed_truncated.xml.gz", "pubmed_broken.xml", "empty.txt", "junk.bin", "undecodable.txt",
                 "pubmed_dup_a.xml", "pubmed_dup_b.xml"):
        shutil.copy(bad / name, d / name)
    shutil.copy(FIX / "pubmed_multi.xml", d / "deletions.xml")  # carries a DeleteCitation
    shutil.copy(FIX / "cnki" / "refworks_gb18030.txt", d / "refworks_gb18030.txt")
    shutil.copy(FIX / "cnki" / "noteexpress_fullwidth_bom.net", d / "noteexpress_bom.net")
    medline = (FIX / "external" / "biopython_pubmed_result1.txt").read_text("utf-8")
    (d / "crlf.nbib").write_bytes(medline.replace("\n", "\r\n").encode("utf-8"))
    big = "Anti-HMGCR antibodies were found in 12 of 48 patients (25%). " * 17000  # about 1 MB
    formula = {"id": "evil", "title": "=HYPERLINK(\"http://x\")", "lang": "en",
               "text": "+SUM(A1) The prevalence of IMNM was 2.5 per 100,000. @cmd -2 refers to nothing."}
    (d / "docs.jsonl").write_text(
        json.dumps({"id": "big", "title": "big", "text": big, "lang": "en"}) + "\n" + "{not json\n" + json.dumps(formula) + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "imnm_nlp.cli", "extract", str(d), "--out", str(out), "--no-model"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    errors = [json.loads(line) for line in (out / "errors.jsonl").open(encoding="utf-8")]
    by_file = {}
    for e in errors:
        by_file.setdefault(Path(e["file"]).name, []).append(e)
    for name in ("pubmed_truncated.xml.gz", "pubmed_broken.xml", "junk.bin", "undecodable.txt", "empty.txt"):
        assert name in by_file, f"{name} not reported in errors.jsonl"
    assert any(e["kind"] == "deletion" for e in by_file["deletions.xml"])
    assert any(e["kind"] == "error" and e.get("line") for e in by_file["docs.jsonl"])
    dups = [e for e in errors if e["kind"] == "duplicate"]
    assert any(Path(e["file"]).name == "pubmed_dup_a.xml" for e in dups)
    records = [json.loads(line) for line in (out / "records.jsonl").open(encoding="utf-8")]
    files = {Path(r["provenance"]["source_file"]).name for r in records}
    assert {"pubmed_truncated.xml.gz", "pubmed_broken.xml", "refworks_gb18030.txt", "docs.jsonl"} <= files
    by_format = json.loads((out / "manifest.json").read_text("utf-8"))["counts"]["documents"]["by_format"]
    assert by_format.get("medline", 0) >= 1  # the CRLF nbib
    # the BOM/full-width NoteExpress file holds the same papers (same DOIs) as the RefWorks one, which sorts later and wins
    assert any(Path(e["file"]).name == "noteexpress_bom.net" for e in dups)
    for good in ("crlf.nbib", "noteexpress_bom.net", "refworks_gb18030.txt"):
        assert not [e for e in by_file.get(good, []) if e["kind"] == "error"]
    superseded = {(e["doc_id"], e["file"]) for e in dups}  # the later occurrence wins: nothing from these
    assert not [r for r in records if (r["provenance"]["doc_id"], r["provenance"]["source_file"]) in superseded]
    assert sum(1 for r in records if r["provenance"]["doc_id"] == "jsonl:big" and r["type"] == "epi") >= 1
    with (out / "claims.csv").open(encoding="utf-8-sig", newline="") as fh:
        evil = [r for r in csv.DictReader(fh) if r["doc_id"] == "jsonl:evil"]
    assert evil and all(not r["evidence"].startswith(("=", "+", "-", "@")) for r in evil)


def test_run_options_that_change_outputs_change_the_resume_key():
    from imnm_nlp.run import RunOptions

    base = RunOptions()
    assert base.gate == "names" and base.int8 is False
    keys = {base.key(), RunOptions(int8=True).key(), RunOptions(gate="candidates").key(), RunOptions(use_model=False).key()}
    assert len(keys) == 4  # a resumed run never mixes parts made with other model settings
