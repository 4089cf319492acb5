"""Generate the written forms of lexicon entries from their cores (dev- and load-time, pure functions).

Why generate: an antibody is written a dozen ways (``anti-HMGCR``, ``anti-HMGCR antibodies``, ``HMGCR Ab``,
``抗HMGCR抗体``, ``HMGCR抗体`` ...) and listing them by hand per antigen drifts. The resource files hold the
antigen names (``targets_en``/``targets_abbr``/``targets_zh``); this module expands them, adds Greek letter
spellings (``TIF1-γ`` / ``TIF1-gamma``), English plurals of class and disease names, and
``X drugs``/``X agents``/``X medications`` for drug classes (ANNOTATION.md keeps that word in the span).

Hyphen/space variants are not generated here: the matcher treats ``-``, a space, and nothing as the same
separator (see :mod:`imnm_nlp.tagging.trie`).
"""

from __future__ import annotations

import re
from typing import Iterable

EN_AB_WORDS = ("antibody", "antibodies", "autoantibody", "autoantibodies", "auto-antibodies", "Ab", "Abs")
ZH_AB_WORDS = ("抗体", "自身抗体")
CLASS_NOUNS = ("drug", "drugs", "medication", "medications", "agent", "agents")

_GREEK = (("γ", "gamma"), ("α", "alpha"), ("β", "beta"))
_NO_PLURAL = re.compile(r"(?:s|is|ia|um|ae|[0-9]|γ|α|β)$", re.IGNORECASE)
_CONSONANT_Y = re.compile(r"[^aeiou]y$", re.IGNORECASE)


def trna_variants(form: str) -> list[str]:
    """``histidyl-tRNA synthetase`` → also ``histidyl-transfer RNA synthetase`` (abstracts spell it out)."""
    return [form, form.replace("tRNA", "transfer RNA")] if "tRNA" in form else [form]


def greek_variants(form: str) -> list[str]:
    """``form`` plus its spelled-out Greek variants: ``TIF1-γ`` → ``TIF1-γ``, ``TIF1-gamma``."""
    out = [form]
    for letter, name in _GREEK:
        if letter in form:
            out += [f.replace(letter, name) for f in list(out)]
    return out


def antibody_forms_en(long_names: Iterable[str], abbrs: Iterable[str]) -> list[str]:
    """English forms of an antibody against the given antigen names.

    ``anti-X``, ``anti-X <word>``, ``X <word>`` for every antigen name and antibody word, and the
    interrupted form ``anti-<long name> (<abbr>) <word>`` that ANNOTATION.md keeps as one span.
    """
    long_names, abbrs = list(long_names), list(abbrs)
    forms: list[str] = []
    for core in [v for name in long_names for v in trna_variants(name)] + abbrs:
        for c in greek_variants(core):
            forms.append(f"anti-{c}")
            for word in EN_AB_WORDS:
                forms += [f"anti-{c} {word}", f"{c} {word}"]
    for name in long_names:  # only the usual words here: these long forms dominate the compiled pattern
        for abbr in abbrs:
            for word in ("antibody", "antibodies", "autoantibodies"):
                forms += [f"anti-{name} ({abbr}) {word}", f"{name} ({abbr}) {word}"]
    return forms


def antibody_forms_zh(zh_names: Iterable[str], abbrs: Iterable[str]) -> list[str]:
    """Chinese forms: ``抗X``, ``抗X抗体``, ``X抗体``, ``抗X自身抗体``, ``X自身抗体``, and ``anti-X抗体`` for
    Latin abbreviations (Chinese abstracts mix both)."""
    forms: list[str] = []
    for core in list(zh_names) + list(abbrs):
        for c in greek_variants(core):
            forms.append(f"抗{c}")
            for word in ZH_AB_WORDS:
                forms += [f"抗{c}{word}", f"{c}{word}"]
    for abbr in abbrs:
        forms += [f"anti-{c}抗体" for c in greek_variants(abbr)]
    return forms


def plural(form: str) -> str | None:
    """English plural of the last word (``myopathy`` → ``myopathies``), or None when it has none."""
    if _NO_PLURAL.search(form):
        return None
    if _CONSONANT_Y.search(form):
        return form[:-1] + "ies"
    if form.endswith(("ch", "sh", "x")):
        return form + "es"
    return form + "s"


def with_plurals(forms: Iterable[str]) -> list[str]:
    """The forms and their plurals."""
    out: list[str] = []
    for form in forms:
        out.append(form)
        p = plural(form)
        if p:
            out.append(p)
    return out


def class_noun_forms(forms: Iterable[str]) -> list[str]:
    """``statin`` → ``statin drugs``, ``statin medications``, ... (singular bases ending in a letter)."""
    out: list[str] = []
    for form in forms:
        last = form.rsplit(" ", 1)[-1].lower()
        if last in CLASS_NOUNS or not form[-1:].isalpha():
            continue
        out += [f"{form} {noun}" for noun in CLASS_NOUNS]
    return out


def abbr_plurals(abbrs: Iterable[str]) -> list[str]:
    """``ICI`` → ``ICIs`` for upper-case abbreviations of 3+ letters (``IIMs``, ``ILDs``)."""
    return [a + "s" for a in abbrs if len(a) >= 3 and a[-1].isupper()]


def dedupe(forms: Iterable[str]) -> tuple[str, ...]:
    """Keep the first occurrence of each form, in order; drop empty strings."""
    seen: set[str] = set()
    out: list[str] = []
    for f in forms:
        f = f.strip()
        if f and f not in seen:
            seen.add(f)
            out.append(f)
    return tuple(out)


__all__ = [
    "trna_variants", "antibody_forms_en", "antibody_forms_zh", "greek_variants", "plural", "with_plurals",
    "class_noun_forms", "abbr_plurals", "dedupe",
]
