"""Small pieces every reader shares: issue reporting, language by script, whole-file decoding.

Private to the ``readers`` package; the public API is in ``readers/__init__.py``.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path

from imnm_nlp.errors import ReaderError
from imnm_nlp.readers.detect import decode_bytes, read_all_bytes
from imnm_nlp.records import ReadIssue

logger = logging.getLogger(__name__)

OnIssue = Callable[[ReadIssue], None]

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")
# Characters next to which a wrapped line break is not a space: CJK, full-width forms and CJK punctuation on
# either side; ASCII punctuation that attaches to the previous word at the start of the next line.
_CJK_GLUE = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
_GLUE = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef,.;:!?)\]]")

# Below this share of CJK ideographs (counted against Latin letters / 4, i.e. roughly per word) a text is
# English. Chinese abstracts carry many English abbreviations (IMNM, HMGCR, CK); the seed abstract is ~0.9.
_ZH_SHARE = 0.3


def log_issue(issue: ReadIssue) -> None:
    """Default ``on_issue``: log it (the library never prints)."""
    logger.warning("%s [record %s, line %s] %s: %s", issue.file, issue.record, issue.line, issue.kind, issue.reason)


def detect_lang(text: str) -> str:
    """``"zh"`` when CJK ideographs make up a real share of the text, else ``"en"``.

    Counts ideographs against Latin letters divided by four (about one English word), so a Chinese abstract
    full of English abbreviations is still ``zh`` and an English abstract quoting one Chinese name is ``en``.

    Example:
        >>> detect_lang("免疫介导坏死性肌病(IMNM)"), detect_lang("Anti-HMGCR myopathy in 中国")
        ('zh', 'en')
    """
    cjk = len(_CJK.findall(text))
    if cjk == 0:
        return "en"
    latin = len(_LATIN.findall(text)) / 4.0
    return "zh" if cjk / (cjk + latin) >= _ZH_SHARE else "en"


def has_cjk(text: str) -> bool:
    return _CJK.search(text) is not None


def read_text(path: Path, on_issue: OnIssue) -> tuple[str, str] | None:
    """Read and decode a whole file; on failure report one ``error`` issue and return None."""
    try:
        return decode_bytes(read_all_bytes(path))
    except ReaderError as exc:
        on_issue(ReadIssue(file=str(path), record=None, reason=str(exc)))
        return None


def split_lines(text: str) -> list[str]:
    """Split on LF, CRLF or lone CR (old Mac exports) without keeping the line ends."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def clean_doi(value: str | None) -> str | None:
    """A DOI as an identifier: NFKC (Wanfang writes full-width ／ and －), no URL prefix, no spaces."""
    if not value:
        return None
    doi = unicodedata.normalize("NFKC", value).strip()
    doi = re.sub(r"^(https?://(dx\.)?doi\.org/|doi:\s*)", "", doi, flags=re.I)
    doi = re.sub(r"\s+", "", doi)
    return doi if re.match(r"^10\.\d{3,9}/\S+$", doi) else None


def first_year(value: str | None) -> int | None:
    """The first plausible 4-digit year in a date string (``2018 May 17``, ``1998 Dec-1999 Jan``)."""
    if not value:
        return None
    match = re.search(r"(1[89]\d\d|20\d\d)", value)
    return int(match.group(1)) if match else None


def stable_key(*parts: str | int | None) -> str:
    """A short stable hash of the parts (for ids of records without DOI or PMID)."""
    joined = "\x1f".join("" if p is None else unicodedata.normalize("NFKC", str(p)).strip() for p in parts)
    return hashlib.sha1(joined.encode("utf-8")).hexdigest()[:16]


def split_keywords(values: list[str]) -> tuple[str, ...]:
    """Keywords from repeated fields and/or ``;``/``；`` separated lists, de-duplicated in order.

    Commas (``,``/``，``) separate keywords only in a value without semicolons: with semicolons present a
    comma is part of a keyword (``Myositis, Inclusion Body``).
    """
    out: list[str] = []
    for value in values:
        separators = r"[;；]" if re.search(r"[;；]", value) else r"[,，]"
        for kw in re.split(separators, value):
            kw = kw.strip()
            if kw and kw not in out:
                out.append(kw)
    return tuple(out)


def split_names(values: list[str]) -> tuple[str, ...]:
    """Author names from repeated fields and/or ``;``/``；`` separated lists.

    Commas separate names only in Chinese lists (CNKI writes ``颜宏,石德成``); in Latin names a comma is
    part of the name (``Smith, John``).
    """
    out: list[str] = []
    for value in values:
        separators = r"[;；,，]" if has_cjk(value) else r"[;；]"
        for name in re.split(separators, value):
            name = name.strip()
            if name:
                out.append(name)
    return tuple(out)


def join_wrapped(value: str, more: str) -> str:
    """Join a continuation line to a field value the way the text was wrapped.

    CNKI wraps long values at arbitrary points (``...序列`` / ``图谱...``, ``...作物`` / ``,也是...``): a line
    break next to Chinese text or punctuation is not a character, so the parts are glued; between Latin words
    it stands for a space.
    """
    if not value:
        return more
    if not more:
        return value
    if _CJK_GLUE.match(value[-1]) or _GLUE.match(more[0]):
        return value + more
    return f"{value} {more}"
