"""Normalize an ANTIBODY/DRUG/DISEASE mention as written (e.g. a model-predicted span) to its lexicon entry.

Contract: :func:`normalize_name` returns the :class:`~imnm_nlp.tagging.lexicon.Entry` a surface names, or
None. Chinese and English mentions of one concept give the same entry (``抗HMGCR抗体`` ↔ ``anti-HMGCR``,
``利妥昔单抗`` ↔ ``rituximab``, ``皮肌炎`` ↔ ``dermatomyositis``), so ``entry.canonical``/``entry.norm_id``
are language-independent.

Order of attempts: the surface itself; then without the words that ANNOTATION.md keeps outside a span
(``-positive``/``阳性``, doses, routes except in immunoglobulin names, ``therapy``/``治疗``, disease modifiers
such as ``refractory``/``难治性``/``adult``); then the single rule-tagged span of that label inside it.
"""

from __future__ import annotations

import re

from imnm_nlp.tagging.lexicon import Entry, Lexicon, load_lexicon

_TRAIL = re.compile(
    r"(?:[-\s]?(?:sero)?(?:positive|negative|positivity)|[-\s](?:therapy|therapies|treatment|treatments|regimen|regimens)"
    r"|阳性|阴性|治疗|疗法|方案)$",
    re.IGNORECASE,
)
_LEAD = re.compile(
    r"^(?:(?:high|low|moderate)[-\s]dose|pulse[d]?|oral|intravenous|i\.?v\.?|subcutaneous|adult|classic(?:al)?|"
    r"refractory|severe|new[-\s]onset|seronegative|autoantibody[-\s]negative|traditional|conventional|"
    r"大剂量|小剂量|中剂量|冲击|口服|静脉|静脉注射|传统|经典|难治性|重症|成人)\s*",
    re.IGNORECASE,
)


def _strip(surface: str) -> str:
    s = surface.strip()
    for _ in range(3):  # a few layers: "refractory high-dose steroid therapy"
        t = _TRAIL.sub("", _LEAD.sub("", s)).strip()
        if t == s:
            break
        s = t
    return s


def normalize_name(surface: str, label: str | None = None, lang: str | None = None,
                   lexicon: Lexicon | None = None) -> Entry | None:
    """The lexicon entry ``surface`` names, or None.

    Args:
        surface: the mention as written.
        label: ``ANTIBODY``, ``DRUG`` or ``DISEASE`` to restrict the search.
        lang: ``zh``/``en`` to search that language's forms first (both are tried).
        lexicon: default the bundled lexicon.

    Example:
        >>> normalize_name("抗HMGCR抗体阳性").canonical
        'anti-HMGCR'
    """
    lex = lexicon if lexicon is not None else load_lexicon()
    for candidate in (surface, _strip(surface)):
        if not candidate:
            continue
        found = lex.lookup(candidate, label, lang) or (lex.lookup(candidate, label) if lang else None)
        if found is not None:
            return found
    from imnm_nlp.tagging.rules import tag_rules  # local: rules imports this package's siblings

    wanted = {label} if label else {"ANTIBODY", "DRUG", "DISEASE"}
    spans = [s for s in tag_rules(surface, lang or "en", lex) if s.label in wanted]
    if len(spans) == 1 and spans[0].norm_id:
        return lex.get(spans[0].norm_id) or lex.lookup(spans[0].text, spans[0].label)
    return None


__all__ = ["normalize_name"]
