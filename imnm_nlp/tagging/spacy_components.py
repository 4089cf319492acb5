"""spaCy component ``imnm_rules``: run :func:`~imnm_nlp.tagging.rules.tag_rules` inside any spaCy pipeline.

Usage::

    import spacy
    import imnm_nlp.tagging.spacy_components  # registers the factory
    nlp = spacy.blank("en")
    nlp.add_pipe("imnm_rules")
    doc = nlp("Rituximab was used in 12 of 48 patients with IMNM.")
    [(e.text, e.label_, e._.imnm.canonical) for e in doc.ents]

Contract:
    * ``doc.ents`` gets one token-aligned Span per rule span. Entity boundaries never come from tokens:
      a rule span that cuts a token is widened to whole tokens (``alignment_mode="expand"``), and the exact
      :class:`~imnm_nlp.records.EntitySpan` (character offsets into ``doc.text``) is kept in ``span._.imnm``.
    * ``doc._.imnm_spans`` holds every rule span, including any that could not become an entity because its
      widened token span overlapped an earlier one (spaCy entities must not overlap; the earlier one wins).
    * With ``overwrite=False`` existing entities are kept and rule entities fill the gaps.

The extensions are registered when the component is created, not at import.
"""

from __future__ import annotations

import logging

from spacy.language import Language
from spacy.tokens import Doc, Span

from imnm_nlp.errors import InputError
from imnm_nlp.tagging.lexicon import Lexicon
from imnm_nlp.tagging.rules import tag_rules

log = logging.getLogger(__name__)


def _register_extensions() -> None:
    if not Span.has_extension("imnm"):
        Span.set_extension("imnm", default=None)
    if not Doc.has_extension("imnm_spans"):
        Doc.set_extension("imnm_spans", default=None)


class ImnmRules:
    """The component (see the module docstring). ``lang`` defaults to the pipeline's language."""

    def __init__(self, nlp: Language, name: str = "imnm_rules", lang: str | None = None, overwrite: bool = True,
                 lexicon: Lexicon | None = None) -> None:
        lang = lang or nlp.lang
        if lang not in ("zh", "en"):
            raise InputError(f"imnm_rules tags 'zh' or 'en' text; the pipeline is {nlp.lang!r}: pass config={{'lang': 'en'}}")
        self.name, self.lang, self.overwrite, self.lexicon = name, lang, overwrite, lexicon
        _register_extensions()

    def __call__(self, doc: Doc) -> Doc:
        spans = tag_rules(doc.text, self.lang, self.lexicon)
        doc._.imnm_spans = spans
        ents: list[Span] = [] if self.overwrite else list(doc.ents)
        taken = {i for e in ents for i in range(e.start, e.end)}
        for es in spans:
            span = doc.char_span(es.start, es.end, label=es.label, alignment_mode="expand")
            if span is None or any(i in taken for i in range(span.start, span.end)):
                log.debug("rule span %r [%d, %d) has no free token span; kept in doc._.imnm_spans only", es.text, es.start, es.end)
                continue
            span._.imnm = es
            ents.append(span)
            taken.update(range(span.start, span.end))
        doc.ents = sorted(ents, key=lambda s: s.start)
        return doc


@Language.factory("imnm_rules", default_config={"lang": None, "overwrite": True})
def make_imnm_rules(nlp: Language, name: str, lang: str | None, overwrite: bool) -> ImnmRules:
    """spaCy factory: ``nlp.add_pipe("imnm_rules", config={"lang": "zh", "overwrite": True})``."""
    return ImnmRules(nlp, name, lang, overwrite)


__all__ = ["ImnmRules", "make_imnm_rules"]
