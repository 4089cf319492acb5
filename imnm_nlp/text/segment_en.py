"""English tokenizer rules for biomedical names, on top of spaCy's English defaults.

Contract: ``customize_en_tokenizer(nlp)`` changes ``nlp.tokenizer`` (a spaCy ``Tokenizer`` of an English
pipeline) in place so that these stay single tokens (a sentence-final period is still split off):

* antibodies ``anti-HMGCR``, ``anti-TIF1-γ``, ``anti-Jo-1``, ``anti-U1-RNP`` (spaCy splits letter-hyphen-letter);
* HLA alleles ``HLA-DRB1*11:01``, ``DRB1∗07:01`` (U+2217), ``HLA-DRB1*0701``, ``HLA-DR3``, ``HLA-A1-B8-DR3``
  (spaCy splits ``HLA``/``-``/``DRB1``/``*``/``11:01``);
* Greek-suffixed names ``TNF-α``, ``TGF-β1`` (spaCy keeps ``IL-1β`` but splits ``TNF-α``);
* ``-positive``/``-negative``/``-associated``... after an uppercase name is cut off as ``-`` and the word
  (``anti-HMGCR-positive`` → ``anti-HMGCR``, ``-``, ``positive``), so the antibody span is token-aligned;
* abbreviations keep their period: ``i.v.``, ``i.m.``, ``s.c.``, ``p.o.``, ``b.i.d.``, ``approx.``, ``Fig.``,
  ``No.``, ``al.`` (``e.g.``, ``i.e.``, ``vs.`` are spaCy's own exceptions).

Numbers already behave (``0.83``, ``100,000``, ``0.83/10万``, ``22/405``); tests pin that down.

How (spaCy "Customizing spaCy's Tokenizer class"): a ``token_match`` pattern, checked before infixes
split a string and after each prefix/suffix is stripped, plus two suffix rules and special cases. The
pattern ends in ``\\Z`` and is used with ``.match``: spaCy serializes ``token_match`` as its pattern and
restores it with ``re.compile(pattern).match``, so a ``fullmatch`` would not survive ``to_bytes``.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.symbols import ORTH
from spacy.util import compile_suffix_regex

__all__ = ["customize_en_tokenizer", "BIO_TOKEN"]

_GREEK = "α-ωΑ-Ω"
BIO_TOKEN = re.compile(
    rf"""(?x)(?:
      [Aa]nti-[A-Z0-9][A-Za-z0-9]*(?:-(?:[A-Z0-9][A-Za-z0-9]*|[{_GREEK}][0-9]?))*     # anti-HMGCR anti-TIF1-γ anti-Jo-1
    | (?:HLA[-‐\s]?)?[A-Z]{{1,4}}[0-9]{{0,2}}[*∗][0-9]{{2,4}}(?::[0-9]{{2,3}}){{0,3}}[A-Z]?  # HLA-DRB1*11:01 DRB1∗07:01
    | HLA-[A-Z]{{1,4}}[0-9]{{0,3}}(?:-[A-Z]{{1,4}}[0-9]{{0,3}})*                   # HLA-DR3 HLA-A1-B8-DR3
    | [A-Z][A-Za-z0-9]{{0,5}}-[0-9]{{0,3}}[{_GREEK}][0-9]?                         # TNF-α IL-1β TGF-β1
    )\Z"""  # inline (?x): the flag must survive spaCy's pattern-only serialization
)
_QUALIFIERS = "positive|negative|seropositive|seronegative|associated|related|induced|mediated|specific|type"
_EXTRA_SUFFIXES = (
    rf"(?<=[A-Z0-9{_GREEK}]-)(?:{_QUALIFIERS})$",  # anti-HMGCR-|positive
    rf"(?<=[A-Z0-9{_GREEK}])-$",  # anti-HMGCR|-
)
ABBREVIATIONS = (
    "i.v.", "i.m.", "i.p.", "s.c.", "p.o.", "b.i.d.", "t.i.d.", "q.i.d.", "q.d.", "p.r.n.", "approx.",
    "Approx.", "Fig.", "Figs.", "fig.", "figs.", "No.", "Nos.", "no.", "al.", "ca.", "resp.", "Ref.", "Refs.",
    "Suppl.", "Tab.", "Eq.", "cf.", "Dr.", "Prof.", "viz.", "spp.", "sp.",
)


def customize_en_tokenizer(nlp: Language) -> None:
    """Install the biomedical token rules on ``nlp.tokenizer`` (an English spaCy pipeline)."""
    tokenizer = nlp.tokenizer
    tokenizer.token_match = BIO_TOKEN.match
    suffixes = [*_EXTRA_SUFFIXES, *nlp.Defaults.suffixes]
    tokenizer.suffix_search = compile_suffix_regex(suffixes).search
    for abbr in ABBREVIATIONS:
        tokenizer.add_special_case(abbr, [{ORTH: abbr}])
