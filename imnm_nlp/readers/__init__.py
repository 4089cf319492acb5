"""Readers: files in, :class:`~imnm_nlp.records.Document` objects out, problems reported, never raised.

Contract:

* :func:`iter_input_files` turns files and folders into the sorted list of files to read (folders walked
  recursively; hidden files and folders, README/SOURCE/LICENSE files skipped; duplicates dropped). A missing path raises ``InputError``.
* :func:`read_documents` streams documents from those files in order. ``fmt="auto"`` sniffs each file's
  content (:func:`~imnm_nlp.readers.detect.detect_format`, gzip-aware); an unknown ``fmt`` raises
  ``InputError`` listing the allowed values.
* Bad data never raises: an unreadable, empty or unrecognizable file, or a malformed record, becomes one
  :class:`~imnm_nlp.records.ReadIssue` (file, record index and/or line, reason) passed to ``on_issue``, and
  everything before and after it still comes out. Without ``on_issue`` issues are logged.
* Duplicates: a document id already yielded earlier in the same stream (the same PMID in a baseline and an
  update file, a record exported twice) is still yielded (the later version wins) and a ``duplicate``
  issue names it (``record`` = index of the later, winning record). De-duplication is the pipeline's job:
  keep the last document per id.
* Each format module (``pubmed_xml``, ``medline``, ``refworks``, ``endnote``, ``noteexpress``, ``estudy``,
  ``jsonl``, ``text``) has ``read(path, on_issue) -> Iterator[Document]``.

Example:
    >>> issues = []
    >>> docs = list(read_documents(["corpora/demo"], on_issue=issues.append))  # doctest: +SKIP
    >>> docs[0].id  # doctest: +SKIP
    'pmid:...'
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from imnm_nlp.errors import InputError, ReaderError, RecordError
from imnm_nlp.readers._common import log_issue
from imnm_nlp.readers.detect import FORMATS, decode_bytes, detect_format
from imnm_nlp.records import Document, ReadIssue

# Attribution files that sit next to corpora (corpora/demo/SOURCE.md) are not abstracts: skipped when a
# folder is walked, still read when named explicitly.
_DOC_FILES = re.compile(r"^(readme|source|licen[cs]e|copying|notice)(\.[a-z]+)?$", re.I)

_MODULES = {
    "pubmed-xml": "pubmed_xml", "medline": "medline", "refworks": "refworks", "endnote": "endnote",
    "noteexpress": "noteexpress", "estudy": "estudy", "jsonl": "jsonl", "text": "text",
}


def iter_input_files(paths: Sequence[str | Path]) -> list[Path]:
    """Expand files and folders into the list of input files.

    Args:
        paths: files and/or folders, in the order given (a single path is accepted too).

    Returns:
        Files in the order of ``paths``; each folder contributes its files (recursively) sorted by path,
        skipping names that start with ``.`` below it and attribution files (``README*``, ``SOURCE.md``,
        ``LICENSE*``, ``COPYING``, ``NOTICE``). A file named twice is listed once.

    Raises:
        InputError: a path does not exist (one-line message naming it).
    """
    if isinstance(paths, (str, Path)):  # a lone path, not a sequence of one-character "paths"
        paths = [paths]
    out: list[Path] = []
    seen: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise InputError(f"input path not found: {path}")
        if path.is_dir():
            found = sorted(
                p for p in path.rglob("*")
                if p.is_file() and not _DOC_FILES.match(p.name)
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        else:
            found = [path]
        for file in found:
            key = file.resolve()
            if key not in seen:
                seen.add(key)
                out.append(file)
    return out


def reader_for(fmt: str) -> Callable[[Path, Callable[[ReadIssue], None]], Iterator[Document]]:
    """The ``read`` function of a format module; unknown names raise ``InputError``."""
    if fmt not in _MODULES:
        raise InputError(f"unknown input format {fmt!r}; allowed: auto, {', '.join(FORMATS)}")
    module = importlib.import_module(f"imnm_nlp.readers.{_MODULES[fmt]}")
    return module.read  # type: ignore[no-any-return]


def read_documents(
    paths: Sequence[str | Path],
    fmt: str = "auto",
    on_issue: Callable[[ReadIssue], None] | None = None,
) -> Iterator[Document]:
    """Stream the documents of all input files, in order.

    Args:
        paths: files and/or folders (see :func:`iter_input_files`).
        fmt: ``"auto"`` (sniff each file) or one of :data:`FORMATS` for all files.
        on_issue: called with each :class:`ReadIssue`; defaults to logging a warning.

    Yields:
        Documents, file by file, record by record.

    Raises:
        InputError: ``fmt`` is unknown or a path does not exist (raised before anything is read).
    """
    if fmt != "auto":
        reader_for(fmt)  # validate eagerly
    files = iter_input_files(paths)
    report = on_issue or log_issue
    return _stream(files, fmt, report)


def _stream(files: list[Path], fmt: str, report: Callable[[ReadIssue], None]) -> Iterator[Document]:
    seen: dict[str, tuple[str, int]] = {}
    for path in files:
        try:
            name = fmt if fmt != "auto" else detect_format(path)
        except ReaderError as exc:
            kind = "warning" if str(exc) == "empty file" else "error"
            report(ReadIssue(file=str(path), record=None, reason=str(exc), kind=kind))
            continue
        try:
            for doc in reader_for(name)(path, report):
                earlier = seen.get(doc.id)
                if earlier is not None:
                    report(ReadIssue(
                        file=str(path), record=doc.record_index, kind="duplicate", doc_id=doc.id,
                        reason=f"{doc.id} also in {earlier[0]} record {earlier[1]}; this later record supersedes it",
                    ))
                seen[doc.id] = (str(path), doc.record_index)
                yield doc
        except (ReaderError, RecordError, OSError) as exc:  # an I/O failure or invalid record must not end the run
            report(ReadIssue(file=str(path), record=None, reason=f"{type(exc).__name__}: {exc}"))


__all__ = ["FORMATS", "decode_bytes", "detect_format", "iter_input_files", "read_documents", "reader_for"]
