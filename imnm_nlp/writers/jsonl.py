"""JSON Lines in and out: ``records.jsonl``, ``errors.jsonl``, ``reviewed.jsonl``.

Contract:
    * Writing: UTF-8, ``ensure_ascii=False`` (Chinese stays readable), one JSON object per line,
      ``\\n`` line ends, atomically (see :mod:`imnm_nlp.writers.atomic`). Items may be mappings or
      objects with ``to_dict()`` (every record class of :mod:`imnm_nlp.records`). Non-finite floats
      are refused: ``NaN`` is not JSON and other tools would choke on it.
    * Reading: streams one ``dict`` per non-blank line; tolerates a UTF-8 BOM and CRLF line ends;
      a line that is not a JSON object raises :class:`~imnm_nlp.errors.ReaderError` naming the file
      and the 1-based line number.

Example:
    >>> write_jsonl(out / "records.jsonl", records)  # doctest: +SKIP
    >>> for rec in read_jsonl(out / "records.jsonl"):  # doctest: +SKIP
    ...     print(rec["type"], rec["record_id"])
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Protocol

from imnm_nlp.errors import ReaderError, RecordError
from imnm_nlp.writers.atomic import atomic_write

__all__ = ["write_jsonl", "read_jsonl", "dumps_line"]


class _HasToDict(Protocol):
    def to_dict(self) -> dict[str, Any]: ...


def _as_dict(item: Mapping[str, Any] | _HasToDict) -> Mapping[str, Any]:
    if isinstance(item, Mapping):
        return item
    to_dict = getattr(item, "to_dict", None)
    if to_dict is None:
        raise RecordError(f"write_jsonl: expected a mapping or an object with to_dict(); got {type(item).__name__}")
    return to_dict()  # type: ignore[no-any-return]


def dumps_line(item: Mapping[str, Any] | _HasToDict) -> str:
    """One JSON Lines line (with its ``\\n``) for a mapping or a record."""
    try:
        return json.dumps(_as_dict(item), ensure_ascii=False, allow_nan=False, separators=(",", ":")) + "\n"
    except ValueError as exc:  # NaN/inf, or a circular structure
        raise RecordError(f"write_jsonl: item cannot be written as JSON ({exc})") from exc


def write_jsonl(path: str | os.PathLike[str], items: Iterable[Mapping[str, Any] | _HasToDict]) -> int:
    """Write ``items`` as JSON Lines to ``path`` atomically; return the number of lines written.

    Args:
        path: the output file (replaced atomically; parent directories are created).
        items: mappings or records with ``to_dict()``; consumed lazily, so a generator keeps memory flat.

    Raises:
        RecordError: an item is neither a mapping nor a record, or holds a non-finite float.
    """
    n = 0
    with atomic_write(path, "w", encoding="utf-8", newline="\n") as fh:
        for item in items:
            fh.write(dumps_line(item))
            n += 1
    return n


def read_jsonl(path: str | os.PathLike[str]) -> Iterator[dict[str, Any]]:
    """Yield each line of a JSON Lines file as a dict; blank lines are skipped.

    Raises:
        ReaderError: the file cannot be opened, is not UTF-8, or a line is not a JSON object
            (the message names the file and the 1-based line number).
    """
    p = Path(path)
    try:
        fh = open(p, encoding="utf-8-sig", newline=None)  # utf-8-sig: accept a BOM a text editor added
    except OSError as exc:
        raise ReaderError(f"{p}: cannot open ({exc.strerror or exc})") from exc
    with fh:
        lineno = 0
        while True:
            try:
                line = fh.readline()
            except UnicodeDecodeError as exc:
                raise ReaderError(f"{p}:{lineno + 1}: not UTF-8 ({exc.reason} at byte {exc.start})") from exc
            if not line:
                return
            lineno += 1
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ReaderError(f"{p}:{lineno}: invalid JSON ({exc.msg} at column {exc.colno})") from exc
            if not isinstance(obj, dict):
                raise ReaderError(f"{p}:{lineno}: expected a JSON object, got {type(obj).__name__}")
            yield obj
