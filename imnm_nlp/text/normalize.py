"""A length-preserving normalized *view* of raw text, for matching only.

Contract: ``normalized_view(text)`` returns a string of exactly ``len(text)`` code points in which a few
look-alike characters are folded to their ASCII form. Because every replacement is one code point for
one code point, an offset found in the view is the same offset in the raw text: the "map back" is the
identity, and the raw text is never modified.

Why not NFKC: NFKC changes lengths (``Ⅱ型`` → ``II型``, ``㎎`` → ``mg``, ``½`` → ``1⁄2``) and would shift
every offset after the first such character. Chinese abstracts mix full-width ASCII (``（``, ``：``,
``Ｐ＜０.０５``) with half-width text, and HLA alleles are often written with U+2217 (``DRB1∗07:01``);
folding just those, one for one, is enough for the rules and lexicon matchers.

Example:
    >>> normalized_view("抗ＨＭＧＣＲ抗体（IMNM）：Ｐ＜0.05，DRB1∗07:01")
    '抗HMGCR抗体(IMNM):P<0.05,DRB1*07:01'
"""

from __future__ import annotations

from functools import lru_cache

__all__ = ["normalized_view", "FOLDED_CHARS"]


def _build_table() -> dict[int, str]:
    table: dict[int, str] = {}
    # Full-width ASCII block U+FF01..U+FF5E maps to U+0021..U+007E (！→!, （→(, ：→:, ；→;, ，→,, ～→~, Ａ→A, ０→0).
    for code in range(0xFF01, 0xFF5F):
        table[code] = chr(code - 0xFEE0)
    # Spaces: ideographic space, no-break space and the typographic spaces all become " ".
    for code in (0x3000, 0x00A0, 0x202F, 0x205F, *range(0x2000, 0x200B)):
        table[code] = " "
    # Asterisk look-alikes used in HLA allele names (DRB1∗07:01 uses U+2217).
    for ch in "∗⁎﹡":
        table[ord(ch)] = "*"
    # Tildes used in ranges (1/10万～6/10万, 0.7∼1.5): wave dash, tilde operator.
    for ch in "〜∼～":
        table[ord(ch)] = "~"
    # Hyphens, the minus sign and the en dash (ranges "0.7–1.5", signs "−6.44%"); the em dash stays.
    for ch in "‐‑‒–−﹣":
        table[ord(ch)] = "-"
    return table


FOLDED_CHARS: frozenset[str] = frozenset(chr(c) for c in _build_table())


@lru_cache(maxsize=1)
def _table() -> dict[int, str]:
    return _build_table()


def normalized_view(text: str) -> str:
    """Fold full-width ASCII, odd spaces, asterisks, tildes and dashes to ASCII, one character for one.

    Args:
        text: raw text (any string).

    Returns:
        A string with ``len(result) == len(text)``; ``result[i] == text[i]`` unless ``text[i]`` is in
        :data:`FOLDED_CHARS`.
    """
    return text.translate(_table())
