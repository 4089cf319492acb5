"""Rule-based entity tagging: lexicons, patterns (HLA, rates) and the tagger that combines them.

Public entry point: :func:`tag_rules` (see :mod:`imnm_nlp.tagging.rules`). Nothing is loaded at import:
the lexicon and the compiled matchers are built on first use and cached.
"""

from __future__ import annotations

__all__ = ["tag_rules"]


def __getattr__(name: str):  # lazy: importing the package must not compile patterns
    if name == "tag_rules":
        from imnm_nlp.tagging.rules import tag_rules

        return tag_rules
    raise AttributeError(name)
