"""Format and encoding detection for input files.

Contract:

* :func:`decode_bytes` turns raw bytes into text, trying UTF-8 with a BOM, UTF-16 with a BOM, strict UTF-8,
  then GB18030 (a superset of GBK/GB2312, what CNKI/Wanfang exports on Chinese Windows use). The encoding is
  *detected*, never assumed: a GB18030 decode that yields control characters is rejected as binary.
  Undecodable or binary data raises :class:`~imnm_nlp.errors.ReaderError`.
* :func:`detect_format` sniffs the first bytes of a file (gunzipped when it starts with the gzip magic)
  and returns one of :data:`FORMATS`. An unrecognizable file raises ``ReaderError`` (a data problem: the
  caller reports it as a :class:`~imnm_nlp.records.ReadIssue` and goes on), not ``InputError``.

Example:
    >>> decode_bytes("免疫".encode("gb18030"))
    ('免疫', 'gb18030')
"""

from __future__ import annotations

import codecs
import gzip
import json
import re
import zlib
from pathlib import Path
from typing import BinaryIO

from imnm_nlp.errors import ReaderError

FORMATS = ("pubmed-xml", "medline", "refworks", "endnote", "noteexpress", "estudy", "jsonl", "text")

GZIP_MAGIC = b"\x1f\x8b"
_SNIFF_BYTES = 64 * 1024
# Control characters that never occur in text exports (tab, LF, CR and form feed do).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")

# Line-start signatures of the tagged formats, checked against the first few non-blank lines.
_SIGNATURES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("medline", re.compile(r"^PMID- ?\d+\s*$")),
    ("refworks", re.compile(r"^RT\s+\S")),
    ("endnote", re.compile(r"^%0\s+\S")),
    ("noteexpress", re.compile(r"^\{Reference Type\}\s*[:：]")),
    ("estudy", re.compile(r"^(DataType\s*[:：]|[A-Za-z]+-[\u4e00-\u9fff]+\s*[:：])")),
)
_XML_ROOTS = re.compile(r"<(PubmedArticleSet|MedlineCitationSet|PubmedArticle|PubmedBookArticle|MedlineCitation)[\s>]")


def open_binary(path: Path) -> BinaryIO:
    """Open ``path`` for reading bytes, transparently gunzipping when the file starts with the gzip magic.

    Detection is by content, not by the ``.gz`` suffix: renamed or double-suffixed files are common in
    downloads. Raises ``OSError`` like :func:`open` when the file cannot be opened.
    """
    raw = open(path, "rb")  # noqa: SIM115 - returned to the caller, who closes it
    try:
        magic = raw.read(2)
        raw.seek(0)
    except OSError:
        raw.close()
        raise
    if magic == GZIP_MAGIC:
        return gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[return-value]
    return raw


def read_all_bytes(path: Path) -> bytes:
    """Read a whole (possibly gzipped) file; a truncated gzip stream raises ``ReaderError``."""
    try:
        with open_binary(path) as fh:
            return fh.read()
    except (EOFError, gzip.BadGzipFile, OSError) as exc:
        raise ReaderError(f"{path}: cannot read ({type(exc).__name__}: {exc})") from exc


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode ``data`` and say which encoding worked.

    Args:
        data: the raw bytes of a whole file (or a prefix of it).

    Returns:
        ``(text, encoding)`` where encoding is ``utf-8-sig``, ``utf-16``, ``utf-8`` or ``gb18030``.

    Raises:
        ReaderError: the bytes are neither UTF-8 nor GB18030 text (binary junk, another encoding).
    """
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data, "utf-8-sig"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(data, "utf-16"), "utf-16"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        _reject_binary(text, "utf-8")
        return text, "utf-8"
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise ReaderError(
            f"bytes are neither UTF-8 nor GB18030 (first bad byte at offset {exc.start}); "
            "re-export the file as UTF-8"
        ) from exc
    # GB18030 maps most byte pairs to *something*: random binary often "decodes". Control characters are
    # the tell-tale that it was not text.
    _reject_binary(text, "gb18030")
    return text, "gb18030"


def _strict(data: bytes, encoding: str) -> str:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ReaderError(f"invalid {encoding} at byte offset {exc.start}: {exc.reason}") from exc
    _reject_binary(text, encoding)
    return text


def _reject_binary(text: str, encoding: str) -> None:
    match = _CONTROL.search(text)
    if match is not None:
        raise ReaderError(
            f"looks like binary data, not text: control character {match.group()!r} at character "
            f"{match.start()} when decoded as {encoding}"
        )


def _decode_prefix(data: bytes, truncated: bool) -> str:
    """Decode a sniffed prefix; when it was cut from a longer file, a multi-byte character may be split."""
    if not truncated:
        return decode_bytes(data)[0]
    last: ReaderError | None = None
    for cut in range(4):  # a UTF-8/GB18030 character is at most 4 bytes long
        try:
            return decode_bytes(data[: len(data) - cut])[0]
        except ReaderError as exc:
            last = exc
    raise last  # type: ignore[misc]


def _sniff(path: Path) -> bytes:
    """The first bytes of the (gunzipped) file. A gzip stream truncated inside the sniffed prefix still
    gives what could be decompressed: the reader reports the truncation itself, after the good records."""
    chunks: list[bytes] = []
    size = 0
    try:
        with open_binary(path) as fh:
            while size < _SNIFF_BYTES:
                chunk = fh.read(4096)
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
    except (EOFError, zlib.error) as exc:
        if not chunks:
            raise ReaderError(f"cannot read ({type(exc).__name__}: {exc})") from exc
    except OSError as exc:  # includes gzip.BadGzipFile
        raise ReaderError(f"cannot read ({type(exc).__name__}: {exc})") from exc
    return b"".join(chunks)[:_SNIFF_BYTES]


def detect_format(path: Path) -> str:
    """Sniff ``path`` (gzip-aware) and return its format name, one of :data:`FORMATS`.

    Args:
        path: an existing file.

    Returns:
        The format name. Plain text is the fallback for any decodable, non-empty text.

    Raises:
        ReaderError: the file is empty, binary, undecodable, or unreadable (truncated gzip header...).

    Example:
        >>> detect_format(Path("tests/fixtures/readers/pubmed-29768149.xml"))  # doctest: +SKIP
        'pubmed-xml'
    """
    head = _sniff(path)
    if not head.strip():
        raise ReaderError("empty file")
    text = _decode_prefix(head, len(head) == _SNIFF_BYTES).lstrip("\ufeff \t\r\n")
    if text.startswith("<"):
        if _XML_ROOTS.search(text):
            return "pubmed-xml"
        raise ReaderError("unrecognized format: XML without a PubmedArticleSet/MedlineCitationSet root")
    lines = [ln.rstrip("\r") for ln in text.split("\n") if ln.strip()][:20]
    for name, pattern in _SIGNATURES:
        if lines and pattern.match(lines[0].lstrip("\ufeff")):
            return name
    if lines and lines[0].startswith("{"):
        # A first line longer than the sniffed prefix (a 1 MB abstract) cannot be parsed here: trust the
        # object's opening and the file name instead.
        first_line_cut = "\n" not in text
        if _is_json_object(lines[0]) or (first_line_cut and re.match(r'\{\s*"', lines[0])) or (
            path.name.lower().removesuffix(".gz").endswith((".jsonl", ".ndjson"))
        ):
            return "jsonl"
    # A MEDLINE export sometimes starts with a blank PMID-less header; look a little further.
    if any(_SIGNATURES[0][1].match(ln) for ln in lines):
        return "medline"
    return "text"


def _is_json_object(line: str) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False


__all__ = ["FORMATS", "decode_bytes", "detect_format", "open_binary", "read_all_bytes"]
