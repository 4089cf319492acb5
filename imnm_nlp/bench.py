"""Benchmark: throughput and peak memory of each stage, against a naive baseline measured in the same run.

Every measurement runs in its own fresh process (spawn), so its peak RSS is its own and not the maximum of
everything before it. Inputs are the real abstracts of the bundled demo corpus (``corpora/demo``), repeated to
the requested count; reading is measured on a PubMed XML built from those real articles with distinct PMIDs.

Rows:
- ``read``: parsing PubMed XML into Documents (articles/s).
- ``rules``: sentences + rule tagger + extractors (abstracts/s).
- ``rules, extract job``: the whole CLI job (read two PubMed XML files, analyze, write every output), rules
  only, with 1 and with 2 worker processes: what ``--workers`` buys on this machine.
- ``rules+transformer``: the same plus the fine-tuned transformer on gated candidate sentences, batched and
  sorted by length; once in fp32 and once with the encoder quantized to int8 (``--int8``).
- ``naive``: a plain ``transformers`` token-classification pipeline (same fine-tuned model) over every sentence,
  one sentence at a time, no gate: what one would write without this package.
- ``report``: building report.html from a run directory of 100,000 synthetic records (build time, page size).
"""

from __future__ import annotations

import gzip
import multiprocessing as mp
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

DEMO = Path(__file__).resolve().parent.parent / "corpora" / "demo"


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def demo_documents() -> list[Any]:
    """The real abstracts of the demo corpus, as Documents (both languages)."""
    from imnm_nlp.readers import read_documents

    if not DEMO.is_dir():
        from imnm_nlp.errors import InputError

        raise InputError(f"the demo corpus is missing: {DEMO}")
    return [d for d in read_documents([DEMO]) if any(s.name != "title" for s in d.sections)]


def _repeat(docs: list[Any], n: int) -> list[Any]:
    return [docs[i % len(docs)] for i in range(n)]


def _bench_read(n: int, workdir: str) -> dict[str, Any]:
    from imnm_nlp.readers import read_documents

    path = Path(workdir) / "bench.xml.gz"
    t0 = time.perf_counter()
    count = sum(1 for _ in read_documents([path]))
    return {"items": count, "seconds": time.perf_counter() - t0}


def _bench_pipeline(n: int, use_model: bool, int8: bool = False) -> dict[str, Any]:
    from imnm_nlp.pipeline import Pipeline

    docs = _repeat(demo_documents(), n)
    pipe = Pipeline(use_model=use_model, int8=int8)
    pipe.process(docs[0])  # warm-up: lazy lexicon/jieba/model loads are not throughput
    t0 = time.perf_counter()
    sentences = model_sentences = 0
    for res in pipe.process_many(docs):
        for sec in res.sections:
            sentences += len(sec.sentences)
            model_sentences += sec.model_sentences
    out = {"items": len(docs), "seconds": time.perf_counter() - t0, "sentences": sentences}
    if use_model:
        out["gated_share"] = round(model_sentences / max(1, sentences), 3)
    return out


def _bench_naive(n: int) -> dict[str, Any]:
    """transformers' own token-classification pipeline, every sentence, batch size 1."""
    from transformers import pipeline as hf_pipeline

    from imnm_nlp.model.infer import load_model
    from imnm_nlp.text.sentences import split_sentences

    docs = _repeat(demo_documents(), n)
    tagger = load_model(None)
    nlp = hf_pipeline("token-classification", model=tagger.hf_token_model(), tokenizer=tagger.tokenizer, device=-1)
    texts = [s.text[a:b] for d in docs for s in d.sections for a, b in split_sentences(s.text, s.lang)]
    nlp(texts[0])
    t0 = time.perf_counter()
    for t in texts:
        nlp(t)
    return {"items": len(docs), "seconds": time.perf_counter() - t0, "sentences": len(texts)}


def _bench_job(n: int, workers: int, workdir: str) -> dict[str, Any]:
    """The whole ``extract`` job, rules only, over two PubMed XML files of n/2 articles, with ``workers`` processes.

    Reading, analysis and writing every output included. ``peak_rss_mb`` (added by the caller) is this process's;
    with workers, ``children_rss_mb`` is the largest worker's.
    """
    from imnm_nlp.run import extract

    inputs = Path(workdir) / f"job{n}"
    if not inputs.is_dir():
        inputs.mkdir()
        for part in range(2):
            write_bench_xml(inputs / f"part{part}.xml.gz", n // 2, first_pmid=90_000_000 + part * n)
    out = Path(workdir) / f"job_out_w{workers}"
    t0 = time.perf_counter()
    summary = extract([inputs], out, use_model=False, workers=workers)
    seconds = time.perf_counter() - t0
    result: dict[str, Any] = {"items": summary.documents, "seconds": seconds}
    if workers > 1:
        result["children_rss_mb"] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0, 1)
    return result


def _bench_report(n: int, workdir: str) -> dict[str, Any]:
    """Build the HTML report of a run directory holding ``n`` synthetic records (the report tests' generator)."""
    import importlib.util

    from imnm_nlp.report import build_report

    gen = DEMO.parent.parent / "tests" / "fixtures" / "report" / "make_run.py"
    spec = importlib.util.spec_from_file_location("make_run", gen)
    if spec is None or spec.loader is None or not gen.is_file():
        return {"error": f"needs the repository checkout ({gen} not found)"}
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    run_dir = module.make_big_run(Path(workdir) / "report_run", n)
    t0 = time.perf_counter()
    html = build_report(run_dir)
    return {"items": n, "seconds": time.perf_counter() - t0, "size_mb": round(html.stat().st_size / 1e6, 2)}


def _child(fn_name: str, args: tuple, queue: Any) -> None:
    try:
        import torch

        torch.set_num_threads(2)
    except ImportError:
        pass
    try:
        result = globals()[fn_name](*args)
        result["peak_rss_mb"] = round(_peak_rss_mb(), 1)
        queue.put(result)
    except Exception as exc:  # report, don't hang the parent
        queue.put({"error": f"{type(exc).__name__}: {exc}"})


def _measure(fn_name: str, *args: Any) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(fn_name, args, queue))
    proc.start()
    result = queue.get()
    proc.join()
    return result


def write_bench_xml(path: Path, n: int, first_pmid: int = 90_000_000) -> int:
    """A PubMed XML (.gz) of ``n`` real English demo articles repeated with distinct PMIDs."""
    from lxml import etree

    src = sorted(DEMO.glob("*.xml.gz")) + sorted(DEMO.glob("*.xml"))
    if not src:
        from imnm_nlp.errors import InputError

        raise InputError(f"no PubMed XML in {DEMO}")
    opener = gzip.open if src[0].suffix == ".gz" else open
    with opener(src[0], "rb") as fh:
        articles = etree.parse(fh).getroot().findall("PubmedArticle")
    with gzip.open(path, "wb", compresslevel=1) as out:
        out.write(b'<?xml version="1.0" encoding="UTF-8"?>\n<PubmedArticleSet>\n')
        for i in range(n):
            art = articles[i % len(articles)]
            pmid = art.find("MedlineCitation/PMID")
            old = pmid.text
            pmid.text = str(first_pmid + i)
            out.write(etree.tostring(art, encoding="utf-8"))
            pmid.text = old
        out.write(b"</PubmedArticleSet>\n")
    return n


def run_bench(n: int = 300, baseline_n: int = 60, read_n: int = 20000, job_n: int = 4000,
              echo: Callable[[str], None] = print) -> list[dict[str, Any]]:
    """Run every measurement and print a table; returns the rows."""
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        write_bench_xml(Path(tmp) / "bench.xml.gz", read_n)
        plan = [
            ("read (PubMed XML)", "_bench_read", (read_n, tmp), "articles/s"),
            ("rules", "_bench_pipeline", (n, False), "abstracts/s"),
            ("rules, extract job, 1 worker", "_bench_job", (job_n, 1, tmp), "abstracts/s"),
            ("rules, extract job, 2 workers", "_bench_job", (job_n, 2, tmp), "abstracts/s"),
            ("rules+transformer (gated)", "_bench_pipeline", (n, True), "abstracts/s"),
            ("rules+transformer (gated, int8)", "_bench_pipeline", (n, True, True), "abstracts/s"),
            ("naive transformers pipeline", "_bench_naive", (baseline_n,), "abstracts/s"),
            ("report.html, 100,000 records", "_bench_report", (100_000, tmp), "records/s"),
        ]
        for name, fn, args, unit in plan:
            res = _measure(fn, *args)
            res.update(name=name, unit=unit)
            if "error" not in res:
                res["rate"] = res["items"] / res["seconds"] if res["seconds"] else float("inf")
            rows.append(res)
            echo(_row(res))
    naive = next((r for r in rows if r["name"].startswith("naive") and "rate" in r), None)
    for model in (r for r in rows if r["name"].startswith("rules+") and "rate" in r):
        if naive:
            echo(f"{model['name']} vs naive baseline: {model['rate'] / naive['rate']:.1f}x")
    return rows


def _row(r: dict[str, Any]) -> str:
    if "error" in r:
        return f"{r['name']:32s} ERROR {r['error']}"
    extra = f"  sentences={r['sentences']}" if "sentences" in r else ""
    if "size_mb" in r:
        extra += f"  {r['seconds']:.1f} s, page {r['size_mb']} MB"
    if r.get("children_rss_mb"):
        extra += f"  (largest worker {r['children_rss_mb']} MB)"
    if "gated_share" in r:
        extra += f"  sentences through the model={r['gated_share']:.0%}"
    return f"{r['name']:32s} {r['rate']:10.1f} {r['unit']:12s} n={r['items']:<6d} peak RSS {r['peak_rss_mb']:7.1f} MB{extra}"


if __name__ == "__main__":  # pragma: no cover
    run_bench(*(int(a) for a in sys.argv[1:3]))
