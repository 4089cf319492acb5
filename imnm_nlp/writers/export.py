"""Export a finished run (its ``--out`` directory) to BioC JSON or Parquet: ``imnm-nlp export``.

Contract of :func:`export_run`:

* ``parquet``: ``records.jsonl`` -> one Parquet file (see :mod:`imnm_nlp.writers.parquet`), default
  ``OUT_DIR/records.parquet``.
* ``bioc``: BioC needs the texts, which records.jsonl does not hold, so the inputs are read again: the
  ``inputs`` given, or else the inputs listed in ``manifest.json``. Each input listed in the manifest is
  checked against its recorded sha256 first: a file changed since the run would give offsets pointing at
  the wrong text, so that is an error, not a warning. The last document of an id wins (as in the run);
  default output ``OUT_DIR/records.bioc.json``.

Raises :class:`~imnm_nlp.errors.InputError` for an unknown target, a missing records.jsonl or no inputs,
and :class:`~imnm_nlp.errors.ImnmError` for an input whose content changed since the run.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Sequence

from imnm_nlp.errors import ImnmError, InputError
from imnm_nlp.writers.bioc import write_bioc
from imnm_nlp.writers.jsonl import read_jsonl
from imnm_nlp.writers.manifest import read_manifest, sha256_file
from imnm_nlp.writers.parquet import write_parquet

logger = logging.getLogger(__name__)

__all__ = ["export_run", "TARGETS"]

TARGETS = ("bioc", "parquet")


def _check_inputs(paths: Sequence[Path], manifest: dict[str, Any]) -> None:
    recorded = {str(Path(i["path"])): i.get("sha256") for i in manifest.get("inputs") or []}
    for p in paths:
        want = recorded.get(str(p))
        if want and p.is_file() and sha256_file(p) != want:
            raise ImnmError(f"{p}: changed since the run (sha256 differs from manifest.json); "
                            "re-run extract before exporting BioC, or the offsets would point at other text")


def export_run(
    out_dir: str | Path,
    to: str,
    inputs: Sequence[str | Path] = (),
    dest: str | Path | None = None,
) -> Path:
    """Export a run to ``to`` (``"bioc"`` or ``"parquet"``); return the written file.

    Args:
        out_dir: the ``--out`` directory of an extract run.
        to: ``bioc`` or ``parquet``.
        inputs: for BioC, the run's input files or folders (default: those in manifest.json).
        dest: the output file (default ``OUT_DIR/records.bioc.json`` or ``OUT_DIR/records.parquet``).
    """
    out = Path(out_dir)
    if to not in TARGETS:
        raise InputError(f"export: --to must be one of {', '.join(TARGETS)}; got {to!r}")
    records_path = out / "records.jsonl"
    if not records_path.is_file():
        raise InputError(f"{records_path}: missing; run `imnm-nlp extract ... --out {out}` first")
    if to == "parquet":
        target = Path(dest) if dest else out / "records.parquet"
        n = write_parquet(target, read_jsonl(records_path))
        logger.info("export: %d records -> %s", n, target)
        return target

    from imnm_nlp.readers import read_documents  # only BioC needs the readers (and the texts)

    manifest = read_manifest(out / "manifest.json") if (out / "manifest.json").is_file() else {}
    paths = [Path(p) for p in inputs] or [Path(i["path"]) for i in manifest.get("inputs") or []]
    if not paths:
        raise InputError("export --to bioc: no inputs given and none listed in manifest.json; pass --input FILE")
    _check_inputs(paths, manifest)
    fmt = (manifest.get("options") or {}).get("fmt", "auto")
    docs: dict[str, Any] = {}
    for doc in read_documents(paths, fmt=fmt, on_issue=lambda issue: None):  # issues were reported by the run
        docs.pop(doc.id, None)  # the later version wins and takes the later position, as in the run
        docs[doc.id] = doc
    target = Path(dest) if dest else out / "records.bioc.json"
    write_bioc(target, list(docs.values()), read_jsonl(records_path))
    logger.info("export: %d documents -> %s", len(docs), target)
    return target
