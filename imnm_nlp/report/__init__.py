"""The HTML evidence report: one self-contained page of what a run found.

Entry point: :func:`build_report`. It reads a run directory (``records.jsonl``, ``manifest.json``,
``errors.jsonl``; ``claims.csv`` for PMID/DOI when present) and optionally a reviewed file, and writes
ONE HTML file: CSS, script and SVG figures inline, nothing fetched (a Content-Security-Policy of
``default-src 'none'`` in the page makes the browser refuse any network load), so it opens offline
from a USB stick.

Sections: run summary (inputs with sha256, documents per language and format, records per type and
language, rejected inputs with reasons, versions, timings); epidemiology (forest plots per population,
see :mod:`imnm_nlp.report.evidence`); treatments (drug x claim matrices, see
:mod:`imnm_nlp.report.claims`); risk factors; a sortable, filterable claims table (vanilla JS; the
filter can be set from the URL: ``report.html#filter=type=treatment&lang=zh``).

Example:
    >>> from imnm_nlp.report import build_report
    >>> build_report("out/demo")  # doctest: +SKIP
    PosixPath('out/demo/report.html')
"""

from __future__ import annotations

import functools
import logging
import time
from collections import Counter
from importlib import resources
from pathlib import Path
from typing import Any

from imnm_nlp.report.load import ReportError, RunData, load_run

logger = logging.getLogger(__name__)

__all__ = ["build_report", "render_report", "ReportError"]

_MAX_ERRORS = 500
_MAX_INPUTS = 300


@functools.lru_cache(maxsize=1)
def _env() -> Any:
    """The Jinja2 environment, built on first use (nothing is loaded at import)."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("imnm_nlp.report", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"], default=True),
        trim_blocks=True, lstrip_blocks=True,
        undefined=jinja2.ChainableUndefined,  # a manifest field missing renders empty, never crashes the page
    )
    env.filters["filesize"] = _filesize
    return env


@functools.lru_cache(maxsize=2)
def _asset(name: str) -> str:
    return resources.files("imnm_nlp.report").joinpath("templates", name).read_text(encoding="utf-8")


def _filesize(n: Any) -> str:
    try:
        size = float(n)
    except (TypeError, ValueError):
        return ""
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return ""


def _summary(run: RunData) -> dict[str, Any]:
    man = run.manifest
    counts = man.get("counts") or {}
    by_type_lang: dict[str, Counter[str]] = {}
    for r in run.records:
        by_type_lang.setdefault(r["type"], Counter())[r["provenance"]["lang"]] += 1
    statuses = Counter(r["status"] for r in run.records if r["type"] != "entity")
    inputs = man.get("inputs") or []
    errors = [e for e in run.errors]
    return {
        "manifest": man, "documents": counts.get("documents") or {},
        "records": {t: {"zh": c.get("zh", 0), "en": c.get("en", 0), "total": sum(c.values())}
                    for t, c in sorted(by_type_lang.items())},
        "n_records": len(run.records), "statuses": dict(statuses), "reviewed_file": run.reviewed_file,
        "inputs": inputs[:_MAX_INPUTS], "inputs_more": max(0, len(inputs) - _MAX_INPUTS),
        "errors": errors[:_MAX_ERRORS], "errors_more": max(0, len(errors) - _MAX_ERRORS),
        "error_kinds": dict(Counter(e.get("kind", "error") for e in errors)),
    }


def render_report(run: RunData, *, max_points: int | None = None) -> str:
    """Render the page for loaded run data; return the HTML text."""
    from imnm_nlp.report.claims import (
        MAX_CELL_ENTRIES, MAX_TABLE_ROWS, claims_table, entity_counts, risk_factor_rows, treatment_matrices,
    )
    from imnm_nlp.report.evidence import MAX_POINTS, Anchors, epi_panels

    anchors = Anchors()
    panels, epi_skipped = epi_panels(run.records, anchors, run.doc_meta, max_points or MAX_POINTS)
    matrices, tx_rejected = treatment_matrices(run.records, anchors, run.doc_meta)
    risks = risk_factor_rows(run.records, anchors, run.doc_meta)
    table, n_claims = claims_table(run.records, anchors, run.doc_meta)  # last: it links to existing entries only
    options = {k: sorted({row[k] for row in table if row[k]}) for k in ("type", "lang", "status")}
    return _env().get_template("report.html.j2").render(
        title=f"imnm-nlp evidence report — {run.out_dir.name}", run=_summary(run), panels=panels,
        epi_skipped=epi_skipped, matrices=matrices, tx_rejected=tx_rejected, risks=risks, table=table,
        n_claims=n_claims, table_cap=MAX_TABLE_ROWS, cell_cap=MAX_CELL_ENTRIES, options=options,
        entities=entity_counts(run.records), max_points=max_points or MAX_POINTS,
        css=_asset("report.css"), js=_asset("report.js"),
    )


def build_report(
    out_dir: str | Path,
    reviewed: str | Path | None = None,
    out_html: str | Path | None = None,
    *,
    max_points: int | None = None,
) -> Path:
    """Write the self-contained HTML evidence report of a run; return its path.

    Args:
        out_dir: the ``--out`` directory of an ``imnm-nlp extract`` run.
        reviewed: a ``reviewed.jsonl`` from ``imnm-nlp review apply``: review statuses and corrections are
            shown, rejected records are left out of figures and matrices (still listed in the table).
        out_html: where to write the page (default ``out_dir/report.html``), atomically.
        max_points: rows per figure before aggregating (default 300).

    Raises:
        ReportError: a required file or field is missing, or the manifest's version is incompatible
            (one line naming the file and field).
    """
    from imnm_nlp.writers.atomic import atomic_write

    t0 = time.perf_counter()
    run = load_run(out_dir, reviewed)
    html = render_report(run, max_points=max_points)
    target = Path(out_html) if out_html is not None else Path(out_dir) / "report.html"
    with atomic_write(target, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(html)
    logger.info("report: %s (%d records, %.1f MB) in %.2f s", target, len(run.records),
                len(html.encode("utf-8")) / 1e6, time.perf_counter() - t0)
    return target
