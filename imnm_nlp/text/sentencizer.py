"""spaCy component ``imnm_sentences``: sentence starts from :func:`imnm_nlp.text.sentences.split_sentences`.

Contract: after the component runs, ``doc.sents`` agrees with ``split_sentences(doc.text, lang)``: every
sentence offset pair starts at a token that has ``is_sent_start`` True, and no other token has it (token 0
always has it). Whitespace between sentences stays at the end of the previous spaCy sentence, as spaCy's
own sentencizer does. A sentence start that falls inside a token (the tokenizer kept ``x.Y`` together)
moves to the next token; a start inside the last token is dropped. Leading whitespace belongs to the
first sentence.

``lang`` defaults to ``nlp.lang``; ``split_semicolons`` is passed through (Chinese only).

Example:
    >>> from imnm_nlp.text.tokenize import make_blank  # adds this component
    >>> nlp = make_blank("zh")
    >>> [s.text for s in nlp("目的 观察.方法 分组。").sents]
    ['目的 观察.', '方法 分组。']
"""

from __future__ import annotations

import bisect

import numpy
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.tokens import Doc

from imnm_nlp.errors import InputError
from imnm_nlp.text.sentences import split_sentences

__all__ = ["ImnmSentencizer"]


class ImnmSentencizer:
    """Set ``token.is_sent_start`` on every token from the rule-based sentence offsets."""

    def __init__(self, lang: str, split_semicolons: bool = True) -> None:
        if lang not in ("zh", "en"):
            raise InputError(f"imnm_sentences: lang must be 'zh' or 'en'; got {lang!r}")
        self.lang = lang
        self.split_semicolons = split_semicolons

    def __call__(self, doc: Doc) -> Doc:
        if len(doc) == 0:
            return doc
        starts = [s for s, _ in split_sentences(doc.text, self.lang, split_semicolons=self.split_semicolons)]
        idx = [t.idx for t in doc]
        flags = [False] * len(doc)
        flags[0] = True
        first_word = next((t.i for t in doc if not t.is_space), len(doc))
        for start in starts:
            # The first token that starts at or after the sentence start.
            i = bisect.bisect_left(idx, start)
            while i < len(doc) and doc[i].is_space:
                i += 1
            if first_word < i < len(doc):  # leading whitespace joins the first sentence
                flags[i] = True
        # One array write: setting token.is_sent_start checks the whole doc for a parse on every call,
        # which made a 40,000-character Doc take 18 s.
        # from_array reads the buffer as uint64 (another dtype reads past the end): -1 is stored wrapped.
        values = numpy.fromiter((1 if f else -1 for f in flags), dtype=numpy.int64, count=len(flags))
        doc.from_array([SENT_START], values.view(numpy.uint64).reshape(-1, 1))
        return doc


@Language.factory(
    "imnm_sentences",
    default_config={"lang": None, "split_semicolons": True},
    requires=[],
    assigns=["token.is_sent_start"],
)
def make_imnm_sentences(nlp: Language, name: str, lang: str | None, split_semicolons: bool) -> ImnmSentencizer:
    """Factory registered with spaCy; ``nlp.add_pipe("imnm_sentences")``."""
    return ImnmSentencizer(lang or nlp.lang, split_semicolons)
