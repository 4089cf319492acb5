"""Blank spaCy pipelines for Chinese and English whose ``Doc.text`` is the raw text, with our sentences.

Contract:

* ``make_blank(lang)`` returns a new ``spacy.Language`` (``spacy.blank("zh")``/``spacy.blank("en")``) with
  the project tokenizer and the ``imnm_sentences`` component; ``nlp(text).text == text`` for every string
  (spaces, tabs, newlines, U+3000, emoji, mixed scripts, CRLF), and ``doc.sents`` agrees with
  :func:`imnm_nlp.text.sentences.split_sentences`.
* ``segment(text, lang)`` returns the ``(start, end)`` offsets of the non-whitespace tokens.

Chinese uses :class:`ZhTokenizer` (the private jieba tokenizer of :mod:`imnm_nlp.text.segment_zh`);
English uses spaCy's rule tokenizer with :mod:`imnm_nlp.text.segment_en` rules.

Cost and processes: each call builds a fresh pipeline (measured about 0.01 s for zh, 0.08 s for en),
so callers may add components without affecting others; the expensive part, the jieba dictionary
(1-2 s with the lexicon), is built once per process and shared. ``ZhTokenizer`` pickles without the
jieba object (each process rebuilds its own), so pipelines can be sent to Dask or multiprocessing
workers; building them in the worker with ``make_blank`` is cheaper still.

Limits: spaCy refuses texts longer than ``nlp.max_length`` (1,000,000 characters) and texts with lone
surrogates (its string store encodes UTF-8); readers produce neither.

Example:
    >>> nlp = make_blank("zh")
    >>> [t.text for t in nlp("抗HMGCR抗体阳性")]
    ['抗HMGCR抗体', '阳性']
"""

from __future__ import annotations

from typing import Any, Callable

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.vocab import Vocab

import imnm_nlp.text.sentencizer  # noqa: F401  (registers the "imnm_sentences" factory)
from imnm_nlp.errors import InputError
from imnm_nlp.text.segment_en import customize_en_tokenizer
from imnm_nlp.text.segment_zh import segment_zh

__all__ = ["make_blank", "segment", "ZhTokenizer", "words_and_spaces"]


def words_and_spaces(text: str, offsets: list[tuple[int, int]]) -> tuple[list[str], list[bool]]:
    """Turn token offsets covering ``text`` into spaCy ``words``/``spaces`` with ``"".join(...) == text``.

    A single ``" "`` after a token becomes that token's trailing space; any other whitespace (tabs,
    newlines, U+3000, runs of spaces) becomes one whitespace token, as spaCy's own tokenizer does.
    Linear time (spaCy's ``get_words_and_spaces`` searches the rest of the text for each word).
    """
    words: list[str] = []
    spaces: list[bool] = []
    pos = 0
    for start, end in offsets:
        if start > pos:  # a gap the offsets did not cover: keep it as whitespace/text
            _add_gap(text[pos:start], words, spaces)
        pos = max(pos, start)
        piece = text[pos:end]
        pos = max(pos, end)
        if not piece:
            continue
        if piece.isspace():
            _add_gap(piece, words, spaces)
        else:
            words.append(piece)
            spaces.append(False)
    if pos < len(text):
        _add_gap(text[pos:], words, spaces)
    return words, spaces


def _add_gap(gap: str, words: list[str], spaces: list[bool]) -> None:
    """Append whitespace or leftover text ``gap`` after the current last token."""
    if not gap.isspace():
        words.append(gap)
        spaces.append(False)
        return
    if words and not spaces[-1] and not words[-1].isspace() and gap[0] == " ":
        spaces[-1] = True
        gap = gap[1:]
    if not gap:
        return
    if words and words[-1].isspace() and not spaces[-1]:
        words[-1] += gap  # one whitespace token for a run ("\n" then "\u3000")
    else:
        words.append(gap)
        spaces.append(False)


class ZhTokenizer:
    """spaCy tokenizer callable: jieba tokens with the project dictionary, exact raw text."""

    def __init__(self, vocab: Vocab) -> None:
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        words, spaces = words_and_spaces(text, segment_zh(text))
        return Doc(self.vocab, words=words, spaces=spaces)

    def pipe(self, texts: Any, batch_size: int = 1000) -> Any:
        for text in texts:
            yield self(text)

    # Serialization: nothing of our own to save (the dictionary is rebuilt from the package), but
    # spaCy calls these on nlp.to_bytes()/to_disk() when a tokenizer defines them.
    def to_bytes(self, **kwargs: Any) -> bytes:
        return b""

    def from_bytes(self, data: bytes, **kwargs: Any) -> "ZhTokenizer":
        return self

    def to_disk(self, path: Any, **kwargs: Any) -> None:
        return None

    def from_disk(self, path: Any, **kwargs: Any) -> "ZhTokenizer":
        return self


def _blank_zh() -> Language:
    nlp = spacy.blank("zh")
    nlp.tokenizer = ZhTokenizer(nlp.vocab)
    return nlp


def _blank_en() -> Language:
    nlp = spacy.blank("en")
    customize_en_tokenizer(nlp)
    return nlp


_BUILDERS: dict[str, Callable[[], Language]] = {"zh": _blank_zh, "en": _blank_en}


def make_blank(lang: str, *, split_semicolons: bool = True) -> Language:
    """A new blank pipeline for ``lang`` with the project tokenizer and the ``imnm_sentences`` component.

    Args:
        lang: ``"zh"`` or ``"en"``.
        split_semicolons: passed to the sentence component (Chinese only).

    Raises:
        InputError: unknown ``lang``.
    """
    if lang not in _BUILDERS:
        raise InputError(f"make_blank: lang must be 'zh' or 'en'; got {lang!r}")
    nlp = _BUILDERS[lang]()
    nlp.add_pipe("imnm_sentences", config={"lang": lang, "split_semicolons": split_semicolons})
    return nlp


_TOKENIZERS: dict[str, Language] = {}


def segment(text: str, lang: str) -> list[tuple[int, int]]:
    """Offsets ``(start, end)`` of the non-whitespace tokens of ``text`` (tokenizer only, no components)."""
    if lang not in _BUILDERS:
        raise InputError(f"segment: lang must be 'zh' or 'en'; got {lang!r}")
    if lang == "zh":  # no spaCy Doc needed
        return [(s, e) for s, e in segment_zh(text) if not text[s:e].isspace()]
    nlp = _TOKENIZERS.get(lang)
    if nlp is None:
        nlp = _TOKENIZERS[lang] = _BUILDERS[lang]()
    return [(t.idx, t.idx + len(t.text)) for t in nlp.tokenizer(text) if not t.is_space]
