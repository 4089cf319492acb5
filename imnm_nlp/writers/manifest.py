"""``manifest.json``: what a run read, what it produced, with which versions, how long it took.

Contract of :func:`build_manifest` (``manifest_version`` 1; a reader checks it with :func:`check_manifest`)::

    {"manifest_version": 1, "created": "2026-11-24T08:00:00+00:00",
     "package": {"name": "imnm-nlp", "version": "0.1.0"},
     "versions": {"model": ..., "extractors": ..., ...},   # what the caller passes
     "python": "3.12.3", "platform": "Linux-...",
     "inputs": [{"path": ..., "size": 123, "sha256": ...}],
     "counts": {"documents": {"total", "by_lang", "by_format"},
                "records": {"total", "by_type", "by_type_lang"},
                "rejected": 2, "issues_by_kind": {"error": 2}},
     "timings": {...seconds...}, "options": {...}}

* Inputs are hashed streaming, 1 MiB at a time (a 200 MB baseline file never sits in memory).
* ``documents.by_lang`` counts a document under the languages of its sections joined with ``+``
  (``zh``, ``en``, ``en+zh`` for a bilingual CNKI record), so the numbers add up to the total.
* Counts come from a :class:`RunCounts` the pipeline feeds as it goes, or a plain mapping of the
  same shape.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Mapping

from imnm_nlp.errors import ImnmError, InputError
from imnm_nlp.writers.atomic import atomic_write

__all__ = ["MANIFEST_VERSION", "RunCounts", "build_manifest", "write_manifest", "read_manifest",
           "check_manifest", "sha256_file"]

MANIFEST_VERSION = 1
_CHUNK = 1 << 20


def sha256_file(path: str | os.PathLike[str], chunk_size: int = _CHUNK) -> str:
    """The hex sha256 of a file, read in chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk_size):
            h.update(block)
    return h.hexdigest()


@dataclass
class RunCounts:
    """Counters a run fills as documents, records and rejected inputs go by."""

    docs_by_lang: Counter[str] = field(default_factory=Counter)
    docs_by_format: Counter[str] = field(default_factory=Counter)
    records_by_type_lang: Counter[tuple[str, str]] = field(default_factory=Counter)
    issues_by_kind: Counter[str] = field(default_factory=Counter)

    def add_document(self, doc: Any) -> None:
        """Count a :class:`~imnm_nlp.records.Document`."""
        self.docs_by_lang["+".join(doc.langs) or "none"] += 1
        self.docs_by_format[doc.source_format or "unknown"] += 1

    def add_record(self, rec: Any) -> None:
        """Count an evidence record (object or dict)."""
        d = rec if isinstance(rec, Mapping) else rec.to_dict()
        self.records_by_type_lang[(d["type"], d["provenance"]["lang"])] += 1

    def add_records(self, records: Iterable[Any]) -> None:
        for rec in records:
            self.add_record(rec)

    def add_issue(self, issue: Any) -> None:
        """Count a :class:`~imnm_nlp.records.ReadIssue` (``kind`` error/deletion/duplicate/warning)."""
        kind = issue.get("kind", "error") if isinstance(issue, Mapping) else issue.kind
        self.issues_by_kind[kind] += 1

    def to_dict(self) -> dict[str, Any]:
        by_type: Counter[str] = Counter()
        by_type_lang: dict[str, dict[str, int]] = {}
        for (kind, lang), n in sorted(self.records_by_type_lang.items()):
            by_type[kind] += n
            by_type_lang.setdefault(kind, {})[lang] = n
        return {
            "documents": {"total": sum(self.docs_by_lang.values()), "by_lang": dict(sorted(self.docs_by_lang.items())),
                          "by_format": dict(sorted(self.docs_by_format.items()))},
            "records": {"total": sum(by_type.values()), "by_type": dict(sorted(by_type.items())),
                        "by_type_lang": by_type_lang},
            "rejected": self.issues_by_kind.get("error", 0),
            "issues_by_kind": dict(sorted(self.issues_by_kind.items())),
        }


def _input_entry(item: str | os.PathLike[str] | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(item, Mapping):  # already hashed by the caller (a run hashes each input once, when planning)
        return {"path": str(item["path"]), "size": int(item["size"]), "sha256": str(item["sha256"])}
    path = Path(item)
    try:
        return {"path": str(path), "size": path.stat().st_size, "sha256": sha256_file(path)}
    except IsADirectoryError:
        raise InputError(f"manifest: {path} is a directory; pass the files found in it") from None
    except OSError as exc:
        raise InputError(f"manifest: cannot read input {path} ({exc.strerror or exc})") from exc


def build_manifest(
    inputs: Iterable[str | os.PathLike[str] | Mapping[str, Any]],
    counts: RunCounts | Mapping[str, Any],
    versions: Mapping[str, Any] | None = None,
    timings: Mapping[str, float] | None = None,
    options: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Build the manifest dict (see module docstring).

    Args:
        inputs: the input files read (hashed here), or entries ``{"path", "size", "sha256"}`` already hashed.
        counts: a :class:`RunCounts` or its ``to_dict()`` shape.
        versions: model and component versions, e.g. ``{"model": "imnm-e5-lora 1.0", "base_sha256": ...}``.
        timings: seconds per stage, e.g. ``{"read": 1.2, "extract": 30.5, "total": 32.0}``.
        options: the run's options (workers, engine, use_model...); must be JSON-serializable.

    Raises:
        InputError: an input cannot be read.
    """
    from imnm_nlp import __version__  # here, not at import: the package imports this module

    return {
        "manifest_version": MANIFEST_VERSION,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "package": {"name": "imnm-nlp", "version": __version__},
        "versions": dict(versions or {}),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "inputs": [_input_entry(p) for p in inputs],
        "counts": counts.to_dict() if isinstance(counts, RunCounts) else dict(counts),
        "timings": {k: round(float(v), 4) for k, v in (timings or {}).items()},
        "options": dict(options or {}),
    }


def write_manifest(path: str | os.PathLike[str], manifest: Mapping[str, Any]) -> None:
    """Write the manifest as indented UTF-8 JSON, atomically."""
    with atomic_write(path, "w", encoding="utf-8") as fh:
        json.dump(manifest, fh, ensure_ascii=False, indent=2, sort_keys=False, default=str)
        fh.write("\n")


def check_manifest(data: Any, path: str = "manifest.json") -> dict[str, Any]:
    """Raise :class:`ImnmError` (one line, naming the file and field) unless ``data`` is a usable manifest."""
    if not isinstance(data, dict):
        raise ImnmError(f"{path}: expected a JSON object, got {type(data).__name__}")
    version = data.get("manifest_version")
    if version is None:
        raise ImnmError(f"{path}: field 'manifest_version' is missing (written by an older imnm-nlp?)")
    if version != MANIFEST_VERSION:
        raise ImnmError(f"{path}: field 'manifest_version' is {version!r}; this imnm-nlp reads version {MANIFEST_VERSION}")
    return data


def read_manifest(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read and check a manifest.json (see :func:`check_manifest`)."""
    try:
        with open(path, encoding="utf-8-sig") as fh:
            data = json.load(fh)
    except OSError as exc:
        raise ImnmError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    except json.JSONDecodeError as exc:
        raise ImnmError(f"{path}: invalid JSON at line {exc.lineno}: {exc.msg}") from exc
    return check_manifest(data, str(path))
