"""Text stage: sentences, tokens, language and a normalized view, all as offsets into the raw text.

Public entry points:

* :func:`split_sentences` (``text``, ``lang``) → ``[(start, end)]`` sentence offsets;
* :func:`make_blank` (``lang``) → a spaCy pipeline whose ``Doc.text`` is the raw text, with jieba (zh) or
  biomedical rules (en) and the ``imnm_sentences`` component; :func:`segment` → token offsets;
* :func:`detect_lang` for plain text without a language; :func:`normalized_view` for matching.

``make_blank``/``segment`` import spaCy (and jieba, lazily) on first use, so importing this package stays
cheap for callers that need only sentences.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from imnm_nlp.text.lang import detect_lang
from imnm_nlp.text.normalize import normalized_view
from imnm_nlp.text.sentences import sentence_of, split_sentences

if TYPE_CHECKING:
    from imnm_nlp.text.tokenize import make_blank, segment

__all__ = ["split_sentences", "sentence_of", "make_blank", "segment", "detect_lang", "normalized_view"]


def __getattr__(name: str) -> Any:
    # Lazy: importing spaCy costs about 2 s, which the sentence splitter does not need.
    if name in ("make_blank", "segment"):
        from imnm_nlp.text import tokenize

        return getattr(tokenize, name)
    raise AttributeError(f"module 'imnm_nlp.text' has no attribute {name!r}")
