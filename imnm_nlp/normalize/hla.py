"""HLA names: find them in text and normalize them to current (post-2010, colon-separated) nomenclature.

Contract:
    * :func:`normalize_hla` takes one name as written and returns an :class:`HlaName` with the canonical
      form and its ``kind``: ``allele`` (two or more fields, ``HLA-DRB1*11:01``), ``group`` (one field,
      ``HLA-DRB1*11``), ``serological`` (``HLA-DR11``, ``DR3``, ``HLA-B8``) or ``haplotype``
      (``HLA-A1-B8-DR3``; allele haplotypes are joined with ``~`` as in current usage).
    * :data:`HLA_PATTERN` finds HLA names in a :func:`~imnm_nlp.tagging.view.width_view` of the text
      (``∗`` U+2217 and full-width ``＊`` are already ``*`` there).

Pre-2010 names without colons (``DRB1*0701``) are split two digits a field (``07:01``; six and eight digits
give three and four fields); a five- or seven-digit name ends with a one-digit synonymous field which is
zero-padded (``A*02011`` → ``A*02:01:01``), following the WHO conversion tables' convention.

Example:
    >>> normalize_hla("HLA DRB1∗0701").canonical
    'HLA-DRB1*07:01'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from imnm_nlp.errors import RecordError
from imnm_nlp.tagging.view import width_view

_LOCUS = r"(?:DRB[1-9]|DQA1|DQB1|DPA1|DPB1|DRA|MICA|A|B|C|E|F|G)"
_FIELDS = r"\d{1,3}(?::\d{2,3}){1,3}[NLSQ]?(?![\d:])|\d{2,8}[NLSQ]?(?!\d)"
_ALLELE_BARE = rf"{_LOCUS}\s?\*\s?(?:{_FIELDS})"
_SERO_BARE = r"(?:DRw?|DQw?|DPw?|Cw|Bw|A|B|C)\d{1,3}(?!\d)"
_SERO_NOHLA = r"(?:DRw?|DQA?|DPw?)\d{1,2}(?!\d)"  # bare serological names worth tagging (not A1/B8: too ambiguous)
_PREFIX = r"HLA(?:[-\s]|\s?-\s?)?"
_UNIT = rf"(?:{_ALLELE_BARE}|{_SERO_BARE})"
_B = r"(?<![A-Za-z0-9*])"
_E = r"(?![A-Za-z0-9])"

HLA_PATTERN = re.compile(
    rf"{_B}(?:"
    rf"(?P<hap>{_PREFIX}{_UNIT}(?:\s?[-~]\s?{_UNIT})+)"
    rf"|(?P<allele>(?:{_PREFIX})?{_ALLELE_BARE})"
    rf"|(?P<sero>{_PREFIX}{_SERO_BARE}|{_SERO_NOHLA})"
    rf"){_E}"
)
_ALLELE_PARTS = re.compile(rf"^(?:{_PREFIX})?(?P<locus>{_LOCUS})\s?\*\s?(?P<fields>{_FIELDS})$")
_SERO_PARTS = re.compile(rf"^(?:{_PREFIX})?(?P<name>{_SERO_BARE}|{_SERO_NOHLA})$")
_UNIT_SPLIT = re.compile(rf"{_ALLELE_BARE}|{_SERO_BARE}")


@dataclass(frozen=True, slots=True)
class HlaName:
    """A normalized HLA name: ``canonical`` (``HLA-DRB1*07:01``), ``kind``, ``locus`` and ``fields``."""

    canonical: str
    kind: str  # allele | group | serological | haplotype
    locus: str | None = None
    fields: tuple[str, ...] = ()


def _split_v2(digits: str) -> list[str]:
    """Pre-2010 digit string → fields (``0701`` → ``07``, ``01``; ``02011`` → ``02``, ``01``, ``01``)."""
    if len(digits) <= 3:
        return [digits.zfill(2)]
    fields = [digits[i : i + 2] for i in range(0, len(digits) - len(digits) % 2, 2)]
    if len(digits) % 2:  # the odd last digit is a one-digit synonymous field
        fields.append(digits[-1].zfill(2))
    return fields


def _allele(m: re.Match[str]) -> HlaName:
    locus = m.group("locus").upper()
    raw = m.group("fields")
    suffix = raw[-1] if raw[-1].isalpha() else ""
    body = raw[:-1] if suffix else raw
    fields = [f.zfill(2) for f in body.split(":")] if ":" in body else _split_v2(body)
    kind = "group" if len(fields) == 1 else "allele"
    return HlaName(f"HLA-{locus}*{':'.join(fields)}{suffix}", kind, locus, tuple(fields))


def _sero(name: str) -> HlaName:
    m = re.match(r"([A-Za-z]+?)(w?)(\d+)$", name)
    locus = m.group(1).upper() if m else name
    canon = f"{locus}{m.group(2)}{int(m.group(3))}" if m else name
    return HlaName(f"HLA-{canon}", "serological", locus, ())


def normalize_hla(surface: str) -> HlaName:
    """Normalize one HLA name as written.

    Raises:
        RecordError: ``surface`` is not an HLA allele, group, serological type or haplotype.
    """
    s = width_view(surface).strip()
    m = _ALLELE_PARTS.match(s)
    if m:
        return _allele(m)
    m = _SERO_PARTS.match(s)
    if m:
        return _sero(m.group("name"))
    hap = HLA_PATTERN.fullmatch(s)
    if hap and hap.group("hap"):
        body = re.sub(rf"^{_PREFIX}", "", s)
        units = [normalize_hla(u.group(0)) for u in _UNIT_SPLIT.finditer(body)]
        if all(u.kind == "serological" for u in units):
            canon = "HLA-" + "-".join(u.canonical[4:] for u in units)
        else:
            canon = "HLA-" + "~".join(u.canonical[4:] for u in units)
        return HlaName(canon, "haplotype", None, ())
    raise RecordError(f"not an HLA name: {surface!r} (expected e.g. HLA-DRB1*11:01, DRB1*0701, HLA-DR3)")


def find_hla(view: str) -> list[tuple[int, int, HlaName]]:
    """All HLA names in a width view: ``(start, end, HlaName)``, left to right, non-overlapping."""
    out = []
    for m in HLA_PATTERN.finditer(view):
        out.append((m.start(), m.end(), normalize_hla(m.group(0))))
    return out


__all__ = ["HlaName", "HLA_PATTERN", "normalize_hla", "find_hla"]
