"""The extract job: input files → per-file part files → one assembly into the run's outputs.

Why part files: each input file is one task whose results (documents, records, read issues) go to
``OUT/.parts/NNNNNN.*`` atomically, with a ``.done`` marker holding the input's sha256 and the options. So

* any engine (in-process, local processes, a Dask cluster) can run the tasks in any order, and the assembly,
  which reads parts in input order, gives identical outputs whatever ran them;
* ``--resume`` after a crash (even ``kill -9``) skips the tasks whose marker matches and redoes the rest;
* memory stays bounded by one file's worth of records per worker.

The assembly writes ``records.jsonl``, ``claims.csv``, ``errors.jsonl`` and ``manifest.json`` atomically. When a
document id occurs more than once (a PubMed update re-issues a PMID), the LATER occurrence wins and the earlier
one is recorded in ``errors.jsonl`` as ``kind: duplicate``; a ``DeleteCitation`` is recorded as ``kind: deletion``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

from imnm_nlp import __version__
from imnm_nlp.errors import InputError
from imnm_nlp.records import ReadIssue
from imnm_nlp.writers.manifest import sha256_file

log = logging.getLogger(__name__)

PARTS = ".parts"
CLAIM_TYPES = ("epi", "treatment", "risk_factor")


@dataclass(frozen=True)
class RunOptions:
    """What changes the content of the outputs (part markers store it, so --resume never mixes options)."""

    fmt: str = "auto"
    use_model: bool = True
    model_path: str | None = None
    gate: str = "names"  # model.gate.GATES
    int8: bool = False  # the transformer's encoder quantized to int8 (model.infer.quantize_int8)

    def key(self) -> str:
        return hashlib.sha1(json.dumps([asdict(self), __version__], sort_keys=True).encode()).hexdigest()[:12]


@dataclass(frozen=True)
class FileTask:
    index: int
    path: str
    sha256: str
    parts_dir: str
    options: RunOptions

    @property
    def stem(self) -> Path:
        return Path(self.parts_dir) / f"{self.index:06d}"


@dataclass
class RunSummary:
    out_dir: Path
    files: int
    documents: int
    records: dict[str, int]
    errors: int
    resumed_files: int
    seconds: float
    outputs: dict[str, str] = field(default_factory=dict)


# ------------------------------------------------------------------------------------------------ worker side
_PIPELINES: dict[RunOptions, Any] = {}


def _pipeline(options: RunOptions) -> Any:
    """One pipeline per process and options (loading the transformer is the expensive part)."""
    if options not in _PIPELINES:
        from imnm_nlp.pipeline import Pipeline

        _PIPELINES[options] = Pipeline(
            use_model=options.use_model, model_path=options.model_path, gate=options.gate, int8=options.int8
        )
    return _PIPELINES[options]


def _doc_meta(doc: Any) -> dict[str, Any]:
    return {
        "id": doc.id, "pmid": doc.pmid, "doi": doc.doi, "title": doc.title, "year": doc.year, "journal": doc.journal,
        "source_file": doc.source_file, "record_index": doc.record_index, "source_format": doc.source_format,
        "encoding": doc.encoding, "langs": list(doc.langs), "sections": len(doc.sections),
    }


def process_file(task: FileTask) -> dict[str, Any]:
    """Run the pipeline over one input file; write its part files; return the marker (a small dict).

    Runs in a worker (any engine). Never raises on bad data: read problems become issues in the part.
    """
    from imnm_nlp.readers import read_documents
    from imnm_nlp.writers.atomic import atomic_write

    t0 = time.perf_counter()
    issues: list[ReadIssue] = []
    pipe = _pipeline(task.options)
    docs_path, recs_path = task.stem.with_suffix(".docs.jsonl"), task.stem.with_suffix(".records.jsonl")
    n_docs = 0
    counts: dict[str, int] = {}
    with atomic_write(docs_path) as fdocs, atomic_write(recs_path) as frecs:
        documents = read_documents([task.path], fmt=task.options.fmt, on_issue=issues.append)
        for ordinal, result in enumerate(pipe.process_many(documents)):
            n_docs += 1
            fdocs.write(json.dumps(_doc_meta(result.document), ensure_ascii=False) + "\n")
            for rec in result.records():
                d = rec.to_dict()
                d["_doc_ordinal"] = ordinal
                counts[d["type"]] = counts.get(d["type"], 0) + 1
                frecs.write(json.dumps(d, ensure_ascii=False) + "\n")
    marker = {
        "index": task.index, "path": task.path, "sha256": task.sha256, "options": task.options.key(),
        "documents": n_docs, "records": counts, "issues": [i.to_dict() for i in issues],
        "seconds": round(time.perf_counter() - t0, 3), "pid": os.getpid(),
    }
    with atomic_write(task.stem.with_suffix(".done")) as fh:
        json.dump(marker, fh, ensure_ascii=False)
    return marker


def _read_marker(task: FileTask) -> dict[str, Any] | None:
    path = task.stem.with_suffix(".done")
    try:
        marker = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if marker.get("sha256") == task.sha256 and marker.get("options") == task.options.key():
        return marker
    return None


# ------------------------------------------------------------------------------------------------ driver side
def plan(inputs: Sequence[str | Path], out_dir: Path, options: RunOptions, resume: bool) -> tuple[list[FileTask], list[dict]]:
    """List the input files, hash them, and split them into tasks still to run and markers already done."""
    from imnm_nlp.readers import iter_input_files

    files = iter_input_files(inputs)
    if not files:
        raise InputError(f"no input files under {', '.join(map(str, inputs))}")
    parts = out_dir / PARTS
    if parts.exists() and not resume:
        shutil.rmtree(parts)
    parts.mkdir(parents=True, exist_ok=True)
    todo, done = [], []
    for i, f in enumerate(files):
        task = FileTask(i, str(f), sha256_file(f), str(parts), options)
        marker = _read_marker(task) if resume else None
        (done.append(marker) if marker else todo.append(task))
    return todo, done


def run_tasks(
    tasks: Sequence[FileTask],
    engine: str = "local",
    workers: int = 1,
    scheduler: str | None = None,
    on_done: Callable[[dict], None] | None = None,
) -> list[dict]:
    """Run the tasks on the chosen engine; markers come back in task order."""
    if engine == "local":
        from imnm_nlp.engine.local import run_local

        markers = run_local(process_file, tasks, workers=workers, on_done=on_done)
    elif engine == "dask":
        from imnm_nlp.engine.dask import run_dask

        markers = run_dask(process_file, tasks, workers=workers, scheduler=scheduler, on_done=on_done)
    else:
        raise InputError(f"unknown engine {engine!r}; use 'local' or 'dask'")
    return sorted(markers, key=lambda m: m["index"])


def _superseded(markers: Sequence[dict], parts: Path) -> tuple[set[tuple[int, int]], list[ReadIssue]]:
    """The (file index, ordinal) of every document occurrence a later one supersedes, and a duplicate issue for each.

    Why SQLite (stdlib) and not a dict: a whole PubMed baseline holds tens of millions of ids, and a dict of
    them would grow with the dump (hundreds of bytes per id). The ids go to a table on disk; one query with a
    window function finds each id's next occurrence. Only the superseded ones, rare, are held in memory.
    """
    import sqlite3

    db_path = parts / "ids.sqlite"
    db_path.unlink(missing_ok=True)
    db = sqlite3.connect(db_path)
    try:
        db.execute("PRAGMA journal_mode=OFF")
        db.execute("PRAGMA synchronous=OFF")
        db.execute("CREATE TABLE occ (id TEXT, file INTEGER, ordinal INTEGER, source_file TEXT, record INTEGER)")
        for m in markers:
            with open(parts / f"{m['index']:06d}.docs.jsonl", encoding="utf-8") as fh:
                rows = ((meta["id"], m["index"], ordinal, meta["source_file"], meta["record_index"])
                        for ordinal, meta in enumerate(map(json.loads, fh)))
                db.executemany("INSERT INTO occ VALUES (?, ?, ?, ?, ?)", rows)
        query = """
            SELECT id, file, ordinal, source_file, record, next_source, next_record FROM (
                SELECT *, LEAD(file) OVER w AS next_file, LEAD(ordinal) OVER w AS next_ordinal,
                       LEAD(source_file) OVER w AS next_source, LEAD(record) OVER w AS next_record
                FROM occ WINDOW w AS (PARTITION BY id ORDER BY file, ordinal))
            WHERE next_file IS NOT NULL ORDER BY next_file, next_ordinal"""
        losers: set[tuple[int, int]] = set()
        dups: list[ReadIssue] = []
        for doc_id, file, ordinal, source_file, record, next_source, next_record in db.execute(query):
            losers.add((file, ordinal))
            dups.append(ReadIssue(
                file=source_file, record=record, kind="duplicate", doc_id=doc_id,
                reason=f"superseded by a later occurrence in {next_source} record {next_record}",
            ))
    finally:
        db.close()
        db_path.unlink(missing_ok=True)
    return losers, dups


def assemble(out_dir: Path, markers: Sequence[dict], options: RunOptions, t_start: float, report: bool = False) -> RunSummary:
    """Merge the part files, in input order, into the run's outputs (each written atomically)."""
    from imnm_nlp.writers.atomic import atomic_write
    from imnm_nlp.writers.csv import claims_csv_writer
    from imnm_nlp.writers.manifest import build_manifest, write_manifest

    from imnm_nlp.writers.manifest import RunCounts

    parts = out_dir / PARTS
    superseded, dups = _superseded(markers, parts)
    counts = RunCounts()
    # Streamed: memory holds one document's claims and one file's document metadata, whatever the dump's size.
    with atomic_write(out_dir / "records.jsonl") as frec, claims_csv_writer(out_dir / "claims.csv") as sheet:
        for m in markers:
            doc_meta: dict[str, dict[str, Any]] = {}
            with open(parts / f"{m['index']:06d}.docs.jsonl", encoding="utf-8") as fh:
                for ordinal, line in enumerate(fh):
                    meta = json.loads(line)
                    if (m["index"], ordinal) not in superseded:
                        counts.docs_by_lang["+".join(meta["langs"]) or "none"] += 1
                        counts.docs_by_format[meta["source_format"] or "unknown"] += 1
                        doc_meta[meta["id"]] = {"pmid": meta["pmid"], "doi": meta["doi"], "year": meta["year"]}
            claims: list[dict[str, Any]] = []  # one document's claims at a time: rows in input order
            with open(parts / f"{m['index']:06d}.records.jsonl", encoding="utf-8") as fh:
                for line in fh:
                    d = json.loads(line)
                    ordinal = d.pop("_doc_ordinal")
                    if (m["index"], ordinal) in superseded:
                        continue
                    counts.add_record(d)
                    frec.write(json.dumps(d, ensure_ascii=False) + "\n")
                    if d["type"] in CLAIM_TYPES:
                        if claims and claims[-1]["provenance"]["doc_id"] != d["provenance"]["doc_id"]:
                            sheet.add(claims, documents_meta=doc_meta)
                            claims = []
                        claims.append(d)
            sheet.add(claims, documents_meta=doc_meta)
    # Readers flag duplicates within one file; the assembly sees every file, so its own report replaces theirs.
    issues = [i for m in markers for i in m["issues"] if i["kind"] != "duplicate"] + [d.to_dict() for d in dups]
    with atomic_write(out_dir / "errors.jsonl") as fh:
        for issue in issues:
            counts.add_issue(issue)
            fh.write(json.dumps(issue, ensure_ascii=False) + "\n")
    seconds = time.perf_counter() - t_start
    manifest = build_manifest(
        inputs=[{"path": Path(m["path"]).resolve(), "size": Path(m["path"]).stat().st_size, "sha256": m["sha256"]}
                for m in markers],
        counts=counts,
        versions=_versions(options),
        timings={"total": seconds, "tasks": sum(m["seconds"] for m in markers)},
        options={**asdict(options), "files": len(markers)},
    )
    write_manifest(out_dir / "manifest.json", manifest)
    totals = counts.to_dict()
    outputs = {k: str(out_dir / k) for k in ("records.jsonl", "claims.csv", "errors.jsonl", "manifest.json")}
    if report:
        from imnm_nlp.report import build_report

        outputs["report.html"] = str(build_report(out_dir))
    return RunSummary(
        out_dir=out_dir, files=len(markers), documents=totals["documents"]["total"],
        records=totals["records"]["by_type"], errors=len(issues),
        resumed_files=0, seconds=seconds, outputs=outputs,
    )


def _versions(options: RunOptions) -> dict[str, Any]:
    versions: dict[str, Any] = {"imnm_nlp": __version__}
    if options.use_model:
        pipe = _PIPELINES.get(options)
        if pipe is None:  # tasks ran in other processes; read the model's identity without loading it
            from imnm_nlp.model.infer import model_version

            versions["model"] = model_version(options.model_path, quantize=options.int8)
        else:
            versions["model"] = pipe.model_version
    return versions


def extract(
    inputs: Sequence[str | Path],
    out: str | Path,
    *,
    fmt: str = "auto",
    use_model: bool = True,
    model_path: str | None = None,
    int8: bool = False,
    engine: str = "local",
    workers: int = 1,
    scheduler: str | None = None,
    resume: bool = False,
    report: bool = False,
    on_file_done: Callable[[dict], None] | None = None,
    on_plan: Callable[[int, int], None] | None = None,
) -> RunSummary:
    """Run the whole job: read every input, analyze, write the outputs into ``out``.

    Example:
        >>> import imnm_nlp
        >>> summary = imnm_nlp.extract(["corpora/demo"], out="out/demo", use_model=False)  # doctest: +SKIP
        >>> summary.outputs["records.jsonl"]  # doctest: +SKIP
        'out/demo/records.jsonl'
    """
    from imnm_nlp.readers import FORMATS

    if fmt != "auto" and fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; allowed: auto, {', '.join(FORMATS)}")
    if workers < 1:
        raise InputError(f"--workers must be >= 1; got {workers}")
    t0 = time.perf_counter()
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    options = RunOptions(fmt=fmt, use_model=use_model, model_path=model_path, int8=int8 and use_model)
    if use_model:  # fail before any work when the model is missing, with the message that says how to get it
        from imnm_nlp.model.infer import model_version

        model_version(model_path)
    todo, done = plan(inputs, out_dir, options, resume)
    if on_plan:
        on_plan(len(todo) + len(done), len(done))
    markers = done + run_tasks(todo, engine=engine, workers=workers, scheduler=scheduler, on_done=on_file_done)
    markers.sort(key=lambda m: m["index"])
    summary = assemble(out_dir, markers, options, t0, report=report)
    summary.resumed_files = len(done)
    return summary
