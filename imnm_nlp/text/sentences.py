"""Sentence splitting for Chinese and English biomedical abstracts (rules, no model).

Contract: ``split_sentences(text, lang)`` returns half-open ``(start, end)`` offsets into the raw ``text``,
in order, non-overlapping, each stripped of surrounding whitespace and non-empty, such that every
non-whitespace character of ``text`` lies in exactly one sentence. ``text[start:end]`` is the sentence.

Chinese (``lang="zh"``): a sentence ends after 。！？；and their half-width forms ``!?;`` (issue 3), after a
full-width ``．``, and after a ``.`` used as a full stop, which CSL/CNKI abstracts do after Chinese text
(``…的影响.方法 将120例患者`` splits between ``影响.`` and ``方法``). A ``.`` is a full stop when

* it is not between two digits (``0.83/10万``, ``3.5%``),
* it does not end an English abbreviation (``采用e.g.方案``, ``et al.``), and
* it touches Chinese: the character before it is Han, a closing bracket/quote or ``%``, or the next
  non-space character is Han (``P<0.05).结论``) or the text ends.

Half-width ``?``/``!`` between ASCII letters or digits (``Bio?oss``, a lost ®) is not a terminator; an
ellipsis (``...``, ``……``) is not either. Never inside matched brackets or quotes (``（…；…）`` stays whole;
see :mod:`imnm_nlp.text.brackets`). Closing quotes/brackets after a terminator stay with its sentence
(``。”``). A structured-abstract label (``目的``/``方法``/``结果``/``结论``...) preceded by whitespace and
followed by whitespace or a colon starts a sentence. A blank line ends one.

English (``lang="en"``): see :mod:`imnm_nlp.text.sentences_en`.

``split_semicolons=False`` keeps Chinese clauses joined by ；/; in one sentence, for consumers that need
clause context (the epi extractor reads ``发病率为0.83/10万,患病率为1.85/10万;而在欧洲...`` across the ``;``).

Example:
    >>> text = "目的 观察疗效.方法 将120例患者分组,发病率为0.83/10万。"
    >>> [text[s:e] for s, e in split_sentences(text, "zh")]
    ['目的 观察疗效.', '方法 将120例患者分组,发病率为0.83/10万。']
"""

from __future__ import annotations

import bisect
import math
import re

from imnm_nlp.errors import InputError
from imnm_nlp.text.brackets import is_protected, protected_ranges
from imnm_nlp.text.sentences_en import ABBREVIATIONS, boundaries_en

__all__ = ["split_sentences", "sentence_of"]

_HAN = "\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF"
_CLOSE = "”’」』》〉）)】〕〗］]}\"'"
# Terminators, with any repeats (？！, 。。) and the closing quotes/brackets that follow them.
_ZH_TERM = re.compile("[。！？!?；;．.]+[" + re.escape(_CLOSE) + "]*")
_ZH_TERM_NO_SEMI = re.compile("[。！？!?．.]+[" + re.escape(_CLOSE) + "]*")
_IS_HAN = re.compile("[" + _HAN + "]")
_ZH_LABEL = re.compile(
    r"(?<=\s)(?:目的|目标|背景|方法|结果|结论|讨论|对象|对象与方法|对象和方法|资料与方法|资料和方法|"
    r"材料与方法|材料和方法|方法与结果)(?=[\s:：])"
)
_BLANK_LINE = re.compile(r"\n[^\S\n]*\n\s*")
_LATIN_BEFORE = re.compile(r"[A-Za-z][A-Za-z.]*$")
_ASCII_ALNUM_AROUND = re.compile(r"[A-Za-z0-9][?!][A-Za-z0-9]")


def _dot_is_full_stop(text: str, i: int) -> bool:
    """Whether the ``.`` at ``i`` ends a Chinese sentence (see the module docstring)."""
    prev = text[i - 1] if i > 0 else ""
    nxt = text[i + 1] if i + 1 < len(text) else ""
    if prev.isdigit() and nxt.isdigit():
        return False  # 0.83, 3.5%
    word = _LATIN_BEFORE.search(text, max(0, i - 12), i)
    if word and word.group().lower() in ABBREVIATIONS:
        return False  # 采用e.g.方案, et al.研究
    if prev and (_IS_HAN.match(prev) or prev in _CLOSE or prev == "%"):
        return True
    j = i + 1
    while j < len(text) and text[j].isspace():
        j += 1
    return j == len(text) or bool(_IS_HAN.match(text, j))


def _boundaries_zh(text: str, split_semicolons: bool) -> list[int]:
    ranges = protected_ranges(text, max_span=400)
    starts = [r[0] for r in ranges]
    cuts: set[int] = set()
    pattern = _ZH_TERM if split_semicolons else _ZH_TERM_NO_SEMI
    for m in pattern.finditer(text):
        run = m.group()
        # A run made only of "." or "．" must be a full stop ("..." is an ellipsis); CNKI text writes
        # decimals with the full-width dot too ("4．92％").
        if set(run.rstrip(_CLOSE)) <= {".", "．"}:
            if len(run.rstrip(_CLOSE)) > 1 or not _dot_is_full_stop(text, m.start()):
                continue
        elif run[0] in "?!" and _ASCII_ALNUM_AROUND.match(text, max(0, m.start() - 1)):
            continue  # "Bio?oss": a lost ® or a product name, not a question
        if not is_protected(ranges, starts, m.end()):
            cuts.add(m.end())
    for m in _ZH_LABEL.finditer(text):
        if not is_protected(ranges, starts, m.start()):
            cuts.add(m.start())
    for m in _BLANK_LINE.finditer(text):
        cuts.add(m.end())
    return sorted(c for c in cuts if 0 < c < len(text))


def _segments(text: str, cuts: list[int]) -> list[tuple[int, int]]:
    """Cut ``text`` at ``cuts`` and strip each piece; empty pieces are dropped."""
    out: list[tuple[int, int]] = []
    bounds = [0, *cuts, len(text)]
    for a, b in zip(bounds, bounds[1:]):
        piece = text[a:b]
        stripped = piece.strip()
        if not stripped:
            continue
        start = a + (len(piece) - len(piece.lstrip()))
        out.append((start, start + len(stripped)))
    return out


def split_sentences(text: str, lang: str, *, split_semicolons: bool = True) -> list[tuple[int, int]]:
    """Split raw text into sentences; returns ``(start, end)`` offsets into ``text``.

    Args:
        text: the raw section text (never modified).
        lang: ``"zh"`` or ``"en"``.
        split_semicolons: Chinese only; False keeps ；/; clauses together.

    Returns:
        Sorted, non-overlapping, stripped, non-empty ``(start, end)`` pairs covering every non-space character.

    Raises:
        InputError: ``lang`` is not ``"zh"`` or ``"en"``, or ``text`` is not a string.
    """
    if not isinstance(text, str):
        raise InputError(f"split_sentences: text must be a str; got {type(text).__name__}")
    if lang == "zh":
        cuts = _boundaries_zh(text, split_semicolons)
    elif lang == "en":
        cuts = boundaries_en(text)
    else:
        raise InputError(f"split_sentences: lang must be 'zh' or 'en'; got {lang!r}")
    return _segments(text, cuts)


def sentence_of(sentences: list[tuple[int, int]], offset: int) -> tuple[int, int] | None:
    """The sentence (from :func:`split_sentences`) that contains character ``offset``, or None.

    Extractors use it to find the evidence sentence of a span: ``sentence_of(sents, span.start)``.
    """
    i = bisect.bisect_right(sentences, (offset, math.inf)) - 1
    return sentences[i] if i >= 0 and offset < sentences[i][1] else None
