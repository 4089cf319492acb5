"""Read a claims sheet back the way a spreadsheet may have re-saved it.

Contract: :func:`read_sheet` takes a CSV that Excel or LibreOffice re-saved and returns its rows as
``{canonical column: cell}`` dicts with the spreadsheet row number (header = row 1). It copes with:

* encodings: UTF-8, UTF-8 with BOM ("CSV UTF-8" in Excel), GB18030/GBK (Excel's plain "CSV" on a
  Chinese Windows, which writes the ANSI code page 936), UTF-16 with BOM (Excel's "Unicode text");
  detected in that order, never assumed;
* delimiters ``,`` ``;`` (Excel in locales whose decimal separator is a comma) ``TAB`` and ``|``,
  found with :class:`csv.Sniffer` on the header line and confirmed by finding ``record_id`` in it;
* Excel's optional ``sep=;`` first line;
* CRLF or LF line ends, quoted cells with embedded line breaks;
* columns reordered, renamed in case/spacing (``Review Status``), or added (ignored), blank rows;
* the ``'`` that :func:`imnm_nlp.writers.csv.neutralize` added (removed again).

Raises :class:`~imnm_nlp.errors.ReviewError` when the file cannot be decoded or has no ``record_id``
column.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from imnm_nlp.errors import ReviewError
from imnm_nlp.writers.csv import unneutralize

__all__ = ["Sheet", "read_sheet", "decode_sheet"]

_DELIMITERS = ",;\t|"


@dataclass
class Sheet:
    """A decoded sheet: what was detected and the data rows (``(row number, {column: cell})``)."""

    path: str
    encoding: str
    delimiter: str
    columns: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)


def decode_sheet(data: bytes, name: str = "<sheet>") -> tuple[str, str]:
    """Decode a sheet's bytes; return ``(text, encoding)``.

    A BOM decides first; then strict UTF-8 (a GB18030 file of Chinese text is almost never valid
    UTF-8, while the reverse often "succeeds" as garbage, so UTF-8 must be tried first); then GB18030.
    """
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise ReviewError(f"{name}: has a UTF-16 byte-order mark but is not UTF-16 ({exc.reason})") from exc
    for enc in ("utf-8", "gb18030"):
        try:
            return data.decode(enc, errors="strict"), enc
        except UnicodeDecodeError:
            continue
    raise ReviewError(
        f"{name}: not UTF-8, UTF-8 with BOM, UTF-16 or GB18030; re-save it from the spreadsheet as 'CSV UTF-8'"
    )


def _canonical(name: str) -> str:
    # "Review Status", " review_status ", "'record_id" (a neutralized header) -> review_status / record_id
    name = name.strip().lstrip("'\ufeff").strip().lower()
    return re.sub(r"[\s\-]+", "_", name)


def _header_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line
    return ""


def _find_delimiter(header: str, name: str) -> str:
    candidates: list[str] = []
    try:
        candidates.append(csv.Sniffer().sniff(header, delimiters=_DELIMITERS).delimiter)
    except csv.Error:
        pass  # the sniffer gives up on one-column or oddly quoted lines; the loop below decides
    candidates += [d for d in _DELIMITERS if d not in candidates]
    for delim in candidates:
        cells = next(csv.reader([header], delimiter=delim), [])
        if "record_id" in {_canonical(c) for c in cells}:
            return delim
    raise ReviewError(
        f"{name}: no 'record_id' column in the header {header[:80]!r}; the sheet must keep the columns of claims.csv"
    )


def read_sheet(path: str | os.PathLike[str], columns: tuple[str, ...] | None = None) -> Sheet:
    """Read a reviewed claims sheet; see the module docstring for what is tolerated.

    Args:
        path: the sheet.
        columns: keep only these (canonical) columns in the rows; None keeps all.

    Raises:
        ReviewError: unreadable file, unknown encoding, or no ``record_id`` column.
    """
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise ReviewError(f"{p}: cannot read the reviewed sheet ({exc.strerror or exc})") from exc
    text, encoding = decode_sheet(data, str(p))
    hint = re.match(r"\s*sep=(.)\r?\n", text)
    if hint:  # Excel's "sep=;" first line names the delimiter; it is not the header
        text = text[hint.end():]
    header = _header_line(text)
    if not header:
        raise ReviewError(f"{p}: the sheet is empty")
    delim = hint.group(1) if hint else _find_delimiter(header, str(p))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    header_cols: list[str] | None = None
    keep: list[tuple[int, str]] = []
    sheet = Sheet(path=str(p), encoding=encoding, delimiter=delim, columns=[])
    row_no = 0
    try:
        for cells in reader:
            row_no += 1
            if header_cols is None:
                if not any(c.strip() for c in cells):
                    continue  # blank lines above the header
                header_cols = [_canonical(c) for c in cells]
                sheet.columns = header_cols
                seen: set[str] = set()
                for i, col in enumerate(header_cols):
                    if col and col not in seen and (columns is None or col in columns):
                        keep.append((i, col))  # the first of duplicated columns wins
                        seen.add(col)
                row_no = 1
                continue
            if not any(c.strip() for c in cells):
                continue  # Excel's trailing ";;;;" rows
            n = len(cells)
            sheet.rows.append((row_no, {col: unneutralize(cells[i]) for i, col in keep if i < n}))
    except csv.Error as exc:
        raise ReviewError(f"{p}: row {row_no}: malformed CSV ({exc})") from exc
    return sheet
