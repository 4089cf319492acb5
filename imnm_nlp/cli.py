"""The ``imnm-nlp`` command line: each command parses, checks paths, calls one library function, exits.

Exit codes: 0 success (also when some input records were rejected: they are in errors.jsonl); 1 a data or
model error with a clean one-line message (``-v`` for the traceback); 2 a usage error (bad option, missing
input path, unknown format).
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any, Callable, List, Optional

import typer

from imnm_nlp import __version__
from imnm_nlp.errors import ImnmError, InputError

app = typer.Typer(
    name="imnm-nlp",
    help="Mine Chinese and English biomedical literature for evidence on IMNM and the inflammatory myopathies.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
review_app = typer.Typer(help="Read a reviewed claims.csv back into records.", no_args_is_help=True)
app.add_typer(review_app, name="review")

_state = {"verbose": False}
FORMAT_HELP = "auto|pubmed-xml|medline|refworks|endnote|noteexpress|estudy|jsonl|text"


def _fail(exc: BaseException) -> None:
    code = 2 if isinstance(exc, InputError) else 1
    if _state["verbose"]:
        raise exc
    typer.echo(f"imnm-nlp: error: {exc}", err=True)
    raise typer.Exit(code)


def _guard(fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except ImnmError as exc:
        _fail(exc)
    except (OSError, ValueError) as exc:  # unreadable files, bad values: data errors, not crashes
        _fail(exc)


def _check_inputs(paths: List[Path]) -> None:
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        typer.echo(f"imnm-nlp: error: input path not found: {', '.join(missing)}", err=True)
        raise typer.Exit(2)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"imnm-nlp {__version__}")
        raise typer.Exit(0)


@app.callback()
def main_callback(
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log progress details and show tracebacks."),
    version: bool = typer.Option(False, "--version", help="Print the version and exit.", is_eager=True, callback=_print_version),
) -> None:
    _state["verbose"] = verbose
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")


class _Progress:
    """A rich progress bar over input files on stderr; silent when stderr is not a terminal."""

    def __init__(self) -> None:
        self.bar: Any = None
        self.task: Any = None

    def plan(self, total: int, done: int) -> None:
        if not sys.stderr.isatty():
            return
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        from rich.console import Console

        self.bar = Progress(TextColumn("files"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=Console(stderr=True))
        self.bar.start()
        self.task = self.bar.add_task("extract", total=total, completed=done)

    def done(self, marker: dict) -> None:
        if self.bar is not None:
            self.bar.advance(self.task)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


@app.command()
def extract(
    inputs: List[Path] = typer.Argument(..., help="Files or folders (walked recursively, in sorted order)."),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder."),
    fmt: str = typer.Option("auto", "--format", "-f", help=f"Input format: {FORMAT_HELP}."),
    no_model: bool = typer.Option(False, "--no-model", help="Rules only (no transformer)."),
    model: Optional[Path] = typer.Option(None, "--model", help="Model folder (default: the shipped model)."),
    int8: bool = typer.Option(False, "--int8", help="Quantize the transformer's encoder to int8 (faster, see README)."),
    workers: int = typer.Option(1, "--workers", "-w", min=1, help="Worker processes."),
    engine: str = typer.Option("local", "--engine", help="local | dask"),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Dask scheduler address (default: a LocalCluster)."),
    resume: bool = typer.Option(False, "--resume", help="Skip input files an interrupted run already finished."),
    report: bool = typer.Option(False, "--report", help="Also write report.html."),
) -> None:
    """Read INPUTS, extract evidence, write records.jsonl, claims.csv, errors.jsonl, manifest.json into --out."""
    from imnm_nlp.run import extract as run_extract

    _check_inputs(inputs)
    if engine not in ("local", "dask"):
        typer.echo(f"imnm-nlp: error: unknown engine {engine!r}; use local or dask", err=True)
        raise typer.Exit(2)
    progress = _Progress()
    try:
        summary = _guard(lambda: run_extract(
            inputs, out, fmt=fmt, use_model=not no_model, model_path=str(model) if model else None,
            int8=int8, engine=engine, workers=workers, scheduler=scheduler, resume=resume, report=report,
            on_file_done=progress.done, on_plan=progress.plan,
        ))
    finally:
        progress.close()
    recs = ", ".join(f"{k} {v}" for k, v in sorted(summary.records.items())) or "no records"
    typer.echo(
        f"{summary.files} files ({summary.resumed_files} resumed), {summary.documents} documents, {recs}, "
        f"{summary.errors} issues, {summary.seconds:.1f} s"
    )
    for name, path in summary.outputs.items():
        typer.echo(f"  {name:14s} {path}")


@app.command()
def read(
    inputs: List[Path] = typer.Argument(..., help="Files or folders."),
    out: Path = typer.Option(..., "--out", "-o", help="Where to write the parsed documents (JSONL)."),
    fmt: str = typer.Option("auto", "--format", "-f", help=f"Input format: {FORMAT_HELP}."),
) -> None:
    """Parse INPUTS and dump the documents as JSON Lines (for checking the readers); issues go to stderr."""
    from imnm_nlp.readers import FORMATS, read_documents
    from imnm_nlp.writers.jsonl import write_jsonl

    _check_inputs(inputs)
    if fmt != "auto" and fmt not in FORMATS:
        typer.echo(f"imnm-nlp: error: unknown format {fmt!r}; allowed: auto, {', '.join(FORMATS)}", err=True)
        raise typer.Exit(2)
    issues: list = []
    n = [0]

    def docs() -> Any:
        for doc in read_documents(inputs, fmt=fmt, on_issue=issues.append):
            n[0] += 1
            yield doc.to_dict()

    _guard(lambda: write_jsonl(out, docs()))
    for issue in issues:
        typer.echo(json.dumps(issue.to_dict(), ensure_ascii=False), err=True)
    typer.echo(f"{n[0]} documents, {len(issues)} issues → {out}")


@app.command()
def evaluate(
    gold: Path = typer.Option(..., "--gold", "-g", help="Gold JSONL (CONTRACT §2)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object instead of a table."),
    no_model: bool = typer.Option(False, "--no-model", help="Rules only."),
    model: Optional[Path] = typer.Option(None, "--model", help="Model folder (default: the shipped model)."),
    int8: bool = typer.Option(False, "--int8", help="Quantize the transformer's encoder to int8."),
    split: str = typer.Option("all", "--split", help="Score only gold lines with this 'split' (dev | test | all)."),
    predictions: Optional[Path] = typer.Option(None, "--predictions", help="Also write the predictions (gold format)."),
) -> None:
    """Run the pipeline over a gold file's texts and print CONTRACT §3 metrics."""
    from imnm_nlp.evaluate import evaluate_gold, format_table
    from imnm_nlp.pipeline import Pipeline

    _check_inputs([gold])
    metrics = _guard(lambda: evaluate_gold(
        gold, Pipeline(use_model=not no_model, model_path=str(model) if model else None, int8=int8),
        split=None if split == "all" else split, predictions_out=predictions,
    ))
    metrics["mode"] = "rules" if no_model else "rules+transformer" + (" (int8)" if int8 else "")
    typer.echo(json.dumps(metrics, ensure_ascii=False) if as_json else f"mode={metrics['mode']}\n" + format_table(metrics))


@review_app.command("apply")
def review_apply(
    sheet: Path = typer.Argument(..., help="The reviewed claims.csv (UTF-8, UTF-8-BOM or GB18030; , or ; delimited)."),
    records: Path = typer.Option(..., "--records", help="The run's records.jsonl."),
    out: Path = typer.Option(..., "--out", "-o", help="Where to write the reviewed records (JSONL)."),
) -> None:
    """Apply a reviewer's decisions (accepted / rejected / corrected) to the records."""
    from imnm_nlp.writers.review import apply_review

    _check_inputs([sheet, records])
    rep = _guard(lambda: apply_review(sheet, records, out))
    typer.echo(rep.summary() if hasattr(rep, "summary") else str(rep))


@app.command()
def report(
    out_dir: Path = typer.Argument(..., help="The output folder of an extract run."),
    reviewed: Optional[Path] = typer.Option(None, "--reviewed", help="reviewed.jsonl from 'review apply'."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="The HTML file (default: OUT_DIR/report.html)."),
) -> None:
    """Write one self-contained HTML evidence report of a run."""
    from imnm_nlp.report import build_report

    _check_inputs([out_dir] + ([reviewed] if reviewed else []))
    path = _guard(lambda: build_report(out_dir, reviewed=reviewed, out_html=out))
    typer.echo(f"report → {path}")


@app.command()
def export(
    out_dir: Path = typer.Argument(..., help="The output folder of an extract run."),
    to: str = typer.Option(..., "--to", help="bioc | parquet"),
    inputs: List[Path] = typer.Option([], "--input", "-i", help="The run's inputs (BioC needs the texts)."),
    dest: Optional[Path] = typer.Option(None, "--out", "-o", help="Destination file (default in OUT_DIR)."),
) -> None:
    """Export a run's records to BioC JSON (PubTator users) or Parquet."""
    from imnm_nlp.writers.export import export_run

    _check_inputs([out_dir, *inputs])
    if to not in ("bioc", "parquet"):
        typer.echo("imnm-nlp: error: --to must be bioc or parquet", err=True)
        raise typer.Exit(2)
    path = _guard(lambda: export_run(out_dir, to, inputs=inputs, dest=dest))
    typer.echo(f"{to} → {path}")


@app.command()
def train(
    out: Path = typer.Option(Path("models/imnm-e5-lora"), "--out", "-o", help="Model folder to write."),
    minutes: float = typer.Option(35.0, "--max-minutes", help="Wall-clock budget for training."),
    seed: int = typer.Option(13, "--seed"),
    ablate: Optional[float] = typer.Option(None, "--ablate", help="Hold out this fraction of DRUG/ANTIBODY lexicon entries (ablation)."),
) -> None:
    """Fine-tune the transformer (LoRA on multilingual-e5-small) on silver + mapped data; reproduces the shipped model."""
    from imnm_nlp.model.train import train as run_train

    metrics = _guard(lambda: run_train(out, seed=seed, max_minutes=minutes, ablate=ablate))
    typer.echo(json.dumps(metrics, ensure_ascii=False, indent=2))


@app.command()
def bench(
    n: int = typer.Option(300, "--n", help="Abstracts per measurement."),
    baseline_n: int = typer.Option(60, "--baseline-n", help="Abstracts for the naive transformer baseline."),
    job_n: int = typer.Option(4000, "--job-n", help="PubMed articles for the whole-job rows (1 and 2 workers)."),
) -> None:
    """Throughput and peak memory: reading, rules, the whole job, rules + transformer, a naive baseline (same run)."""
    from imnm_nlp.bench import run_bench

    _guard(lambda: run_bench(n=n, baseline_n=baseline_n, job_n=job_n, echo=typer.echo))


def main() -> None:
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
