"""English number words and fractions in rates: ``eight cases per million``, ``Thirty-four out of 35``, ``One-third``.

Contract:
    * :data:`NUMWORD` is a regex fragment (use with ``re.IGNORECASE``) for a cardinal from ``zero`` to
      ``ninety-nine`` (``thirty-four``, ``thirty four``) and ``a/one hundred``; :func:`word_value` turns such a
      match into its integer and raises :class:`~imnm_nlp.errors.RecordError` on anything else.
    * :data:`FRACTION` matches ``one-third``, ``two thirds``, ``a quarter``, ``one half``; :func:`fraction_value`
      returns the share in percent (``one-third`` → 33.33).

Why a module of its own: abstracts start sentences with spelled-out numbers ("Eighty percent of cases",
"Three of 9 patients"), and style guides ask for words below ten ("eight cases per million population");
the digit patterns of :mod:`imnm_nlp.normalize.rates` miss all of them.
"""

from __future__ import annotations

import re

from imnm_nlp.errors import RecordError

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_DENOMS = {"half": 2, "halves": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4, "fourth": 4,
           "fourths": 4, "fifth": 5, "fifths": 5}


def _alt(words: dict[str, int]) -> str:
    return "|".join(sorted(words, key=len, reverse=True))  # longest first: "seventeen" before "seven"


_UNIT_RE = _alt(_UNITS)
_TENS_RE = _alt(_TENS)
NUMWORD = (rf"(?<![A-Za-z-])(?:(?:a|one)\s+hundred|(?:{_TENS_RE})(?:[-\s](?:{_UNIT_RE}))?|(?:{_UNIT_RE}))"
           r"(?![A-Za-z])")
FRACTION = (rf"(?<![A-Za-z-])(?P<fk>a|one|two|three|four)[-\s](?P<fd>{_alt(_DENOMS)})(?![A-Za-z])")


def word_value(words: str) -> int:
    """The integer a number word names: ``Thirty-four`` → 34, ``eight`` → 8, ``one hundred`` → 100.

    Raises:
        RecordError: ``words`` is not one number word.
    """
    parts = [p for p in re.split(r"[-\s]+", words.strip().lower()) if p]
    if parts in (["a", "hundred"], ["one", "hundred"]):
        return 100
    if len(parts) == 1 and parts[0] in _UNITS:
        return _UNITS[parts[0]]
    if len(parts) == 1 and parts[0] in _TENS:
        return _TENS[parts[0]]
    if len(parts) == 2 and parts[0] in _TENS and parts[1] in _UNITS and 0 < _UNITS[parts[1]] < 10:
        return _TENS[parts[0]] + _UNITS[parts[1]]
    raise RecordError(f"not a number word: {words!r} (expected e.g. 'eight', 'Thirty-four')")


def fraction_value(k: str, d: str) -> float:
    """A spelled-out fraction in percent, to two decimals: (``two``, ``thirds``) → 66.67."""
    num = 1 if k.lower() == "a" else word_value(k)
    den = _DENOMS.get(d.lower())
    if den is None or num >= den:
        raise RecordError(f"not a proper fraction: {k!r} {d!r}")
    return round(100 * num / den, 2)


def to_number(s: str) -> float:
    """A figure as written, digits (``1,234.5``) or words (``eight``)."""
    s = s.strip()
    if s[:1].isalpha():
        return float(word_value(s))
    return float(s.replace(",", "").replace(" ", "").replace("+", ""))


__all__ = ["NUMWORD", "FRACTION", "word_value", "fraction_value", "to_number"]
