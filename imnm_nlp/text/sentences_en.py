"""English sentence boundaries for biomedical abstracts (rules; used by :mod:`imnm_nlp.text.sentences`).

Contract: ``boundaries_en(text)`` returns sorted offsets at which a new sentence starts (before stripping).

A ``.``, ``!`` or ``?`` (with any closing quotes/brackets after it) ends a sentence when whitespace follows
and the next word can start a sentence, except:

* after an abbreviation (``et al.``, ``e.g.``, ``i.e.``, ``vs.``, ``i.v.``, ``approx.``, ``Fig.``), unless the
  next word is a common sentence opener (``The``, ``We``, ``In``...), which real abstracts show after
  ``etc.``/``et al.`` at a sentence end;
* after ``No.``/``Vol.``/``p.``/``pp.`` followed by a number (``No. 3``);
* after an initial (``J. Smith``) or a dotted acronym (``U.S.``), unless a sentence opener follows or the
  letter ends a lowercase phrase (``hepatitis B. Patients`` splits, ``by J. Smith`` does not);
* before a lowercase word, unless that word looks like a gene or measure name (``mRNA``, ``p53``, ``eGFR``);
* inside matched brackets or quotes (``(see Fig. 2. ...)``).

Decimals (``0.83``), ``p < 0.05.`` and ``HLA-DRB1*11:01.`` need no rule: a period without a following space
never splits, and a period after a number or an allele does. A missing space after a period
(``myopathy.The``) splits when a lowercase word of 2+ letters meets a capitalized word. Structured-abstract
labels (``METHODS:``, ``Results:``) always start a sentence. A blank line always ends one.
"""

from __future__ import annotations

import re

from imnm_nlp.text.brackets import is_protected, protected_ranges

__all__ = ["boundaries_en"]

# Never split after these (lowercased, inner periods kept, final period removed), unless an opener follows.
ABBREVIATIONS = frozenset(
    """
    al e.g eg i.e ie vs v cf viz approx appr ca c resp incl fig figs tab ref refs eq eqs suppl sect ch
    dr prof mr mrs ms st jr sr inc ltd co corp dept univ
    i.v i.m i.p s.c p.o b.i.d t.i.d q.i.d q.d p.r.n a.k.a n.s sp spp subsp var cv
    jan feb mar apr jun jul aug sep sept oct nov dec
    """.split()
)
# Split after these only when no number follows (No. 3, Vol. 12, p. 45).
NUMBER_PREFIXES = frozenset("no nos vol vols p pp n".split())
# Words that commonly open a sentence in abstracts; seeing one after an abbreviation or initial splits.
OPENERS = frozenset(
    """
    The This These That Those There Here It Its We Our Us In Of On At As For To From By With Without
    A An All Most Many Some Both Each Among Although However Moreover Furthermore Additionally Also
    Thus Therefore Hence Finally Overall Conversely Similarly Notably Importantly Interestingly
    After Before During When While Since Because If Patients Participants Treatment Further
    """.split()
)
# Words before an initial that introduce a name (``by J. Smith``, ``and R. Jones``).
NAME_LEADS = frozenset("by and with of from to et dr prof mr mrs ms".split())

LABELS = (
    "BACKGROUND AND AIMS", "BACKGROUND AND OBJECTIVES", "BACKGROUND", "OBJECTIVES", "OBJECTIVE",
    "AIMS", "AIM", "PURPOSE", "INTRODUCTION", "CONTEXT", "IMPORTANCE", "MATERIALS AND METHODS",
    "PATIENTS AND METHODS", "METHODS AND RESULTS", "METHODS", "METHOD", "DESIGN", "SETTING",
    "PARTICIPANTS", "PATIENTS", "INTERVENTIONS", "INTERVENTION", "MEASUREMENTS", "MAIN OUTCOME MEASURES",
    "RESULTS", "FINDINGS", "CONCLUSIONS AND RELEVANCE", "CONCLUSIONS", "CONCLUSION", "INTERPRETATION",
    "SIGNIFICANCE", "CASE PRESENTATION", "CASE REPORT", "CASE SUMMARY", "DISCUSSION", "SUMMARY",
    "TRIAL REGISTRATION", "FUNDING", "LIMITATIONS", "KEY POINTS", "STUDY DESIGN", "STUDY SELECTION",
    "DATA SOURCES", "DATA EXTRACTION", "DATA SYNTHESIS", "MAIN RESULTS", "EVIDENCE SYNTHESIS",
    "OBSERVATIONS", "RATIONALE", "HYPOTHESIS", "EXPOSURES", "EXPOSURE",
)


def _label_alternatives() -> str:
    forms: list[str] = []
    for label in sorted(LABELS, key=len, reverse=True):  # longest first: "METHODS AND RESULTS" before "METHODS"
        forms.append(re.escape(label))  # METHODS:
        forms.append(re.escape(label.capitalize()))  # Methods:
        forms.append(re.escape(label.title()))  # Materials And Methods:
    return "|".join(dict.fromkeys(forms))


# Not after an uppercase word: "STUDY DESIGN:" is one label even if only "DESIGN" were listed.
_LABEL = re.compile(r"(?<!\S)(?<![A-Z] )(?:" + _label_alternatives() + r")\s*:")
_TERM = re.compile(r"[.!?]+[\"'”’)\]}]*")
_BLANK_LINE = re.compile(r"\n[^\S\n]*\n\s*")
_GENE_LIKE = re.compile(r"[a-z]+[A-Z0-9]")  # mRNA, p53, eGFR, miR-21, iPSC
_INITIALS = re.compile(r"(?:[A-Z]\.)*[A-Z]")  # J / J.R / U.S
_CAPITALIZED = re.compile(r"[A-Z][a-z]")
_LOWER_WORD_END = re.compile(r"(?<![A-Za-z.])[a-z]{2,}$")


_MAX_WORD = 64  # scans stop here: no abbreviation is longer, and huge space-free runs stay linear


def _prev_token(text: str, end: int) -> str:
    """The whitespace-delimited token that ends at ``end``, without leading brackets/quotes."""
    start = end
    while start > 0 and end - start < _MAX_WORD and not text[start - 1].isspace():
        start -= 1
    return text[start:end].lstrip("([{\"'“‘")


def _prev_word_before(text: str, end: int) -> str:
    """The word before the token that ends at ``end`` (for ``by J. Smith``)."""
    i = end
    while i > 0 and end - i < _MAX_WORD and not text[i - 1].isspace():
        i -= 1
    while i > 0 and end - i < 2 * _MAX_WORD and text[i - 1].isspace():  # never slice the whole prefix
        i -= 1
    return _prev_token(text, i)


def _next_word(text: str, start: int) -> str:
    end = start
    while end < len(text) and end - start < _MAX_WORD and not text[end].isspace():
        end += 1
    return text[start:end].lstrip("([{\"'“‘").rstrip(".,;:!?)]}\"'”’")


def _splits(text: str, term_start: int, after: int) -> bool:
    """Decide a boundary for a terminator at ``term_start`` whose closers end at ``after``."""
    j = after
    while j < len(text) and text[j].isspace():
        j += 1
    if j == len(text):
        return False
    nxt = _next_word(text, j)
    first = text[j]
    if j == after:  # no space after the terminator: split only "myopathy.The"
        return (
            text[term_start] == "."
            and after == term_start + 1
            and bool(_CAPITALIZED.match(text, j))
            and bool(_LOWER_WORD_END.search(text, max(0, term_start - 30), term_start))
            and _prev_token(text, term_start).lower() not in ABBREVIATIONS
        )
    if text[term_start] != ".":
        return not first.islower()
    token = _prev_token(text, term_start)
    key = token.lower()
    if first.islower():
        return bool(_GENE_LIKE.match(nxt)) and key not in ABBREVIATIONS and not _INITIALS.fullmatch(token)
    if key in NUMBER_PREFIXES and first.isdigit():
        return False
    if key in ABBREVIATIONS:
        return nxt in OPENERS
    if _INITIALS.fullmatch(token):
        if nxt in OPENERS:
            return True
        if "." in token:  # U.S., U.K.
            return False
        lead = _prev_word_before(text, term_start)
        return bool(lead) and lead.isalpha() and lead.islower() and lead not in NAME_LEADS
    return True


def boundaries_en(text: str) -> list[int]:
    """Sorted, unique offsets where an English sentence starts (0 and ``len(text)`` excluded)."""
    ranges = protected_ranges(text, max_span=300)
    starts = [r[0] for r in ranges]
    cuts: set[int] = set()
    for m in _TERM.finditer(text):
        if _splits(text, m.start(), m.end()) and not is_protected(ranges, starts, m.end()):
            cuts.add(m.end())
    for m in _LABEL.finditer(text):
        if m.start() > 0 and not is_protected(ranges, starts, m.start()):
            cuts.add(m.start())
    for m in _BLANK_LINE.finditer(text):
        cuts.add(m.end())
    return sorted(c for c in cuts if 0 < c < len(text))
