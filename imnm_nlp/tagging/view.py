"""Length-preserving normalized views of raw text, for matching only.

Contract: ``width_view(text)`` and ``lower_view(text)`` return strings of exactly ``len(text)``
characters where character ``i`` of the view stands for character ``i`` of the raw text. So an offset
found in a view is an offset into the raw text, and the raw text is never changed.

Why not NFKC: it changes lengths (``Ⅱ型`` → ``II型``, ``㎎`` → ``mg``), which would break every offset.
We only fold the characters that matter for our patterns one to one: full-width ASCII (``ＨＭＧＣＲ``,
``０.８３``, ``（``, ``％``), the ideographic space U+3000, the other Unicode spaces, dash and hyphen
variants (``‐ ‑ ‒ – — −``), the tildes (``～ 〜 ∼``) and the asterisk operator ``∗`` (U+2217, common in
HLA names copied from PDFs).
"""

from __future__ import annotations

from functools import lru_cache

_FOLD: dict[int, int] = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}  # full-width ASCII → ASCII
_FOLD.update({cp: 0x20 for cp in (0x3000, 0x00A0, 0x1680, 0x202F, 0x205F, *range(0x2000, 0x200B))})
_FOLD.update({cp: 0x2D for cp in (0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015, 0x2212, 0xFE58, 0xFE63)})
_FOLD.update({cp: 0x7E for cp in (0x301C, 0x223C, 0x2053)})
_FOLD.update({0x2217: 0x2A, 0x204E: 0x2A})


def width_view(text: str) -> str:
    """Fold full-width/dash/space/asterisk variants one to one (same length as ``text``).

    Example:
        >>> width_view("ＩＭＮＭ发病率０.８３／10万")
        'IMNM发病率0.83/10万'
    """
    return text.translate(_FOLD)


def lower_view(text: str, view: str | None = None) -> str:
    """``width_view(text).lower()``, kept one to one even where ``str.lower`` would not be.

    ``"İ".lower()`` is two code points; such characters are left as they are so offsets still hold.
    ``view`` may pass an already computed ``width_view(text)``.
    """
    view = width_view(text) if view is None else view
    low = view.lower()
    if len(low) == len(view):
        return low
    return "".join(_lower_char(ch) for ch in view)


@lru_cache(maxsize=256)
def _lower_char(ch: str) -> str:
    low = ch.lower()
    return low if len(low) == 1 else ch


def fold_key(surface: str) -> str:
    """The lookup key of a surface: width-folded, case-folded, without hyphens and whitespace.

    ``anti-HMGCR``, ``Anti HMGCR`` and ``ANTI‐HMGCR`` share the key ``antihmgcr``; Chinese text is unchanged
    apart from width folding (``抗ＨＭＧＣＲ抗体`` → ``抗hmgcr抗体``).
    """
    view = lower_view(surface)
    return "".join(ch for ch in view if ch != "-" and not ch.isspace())


__all__ = ["width_view", "lower_view", "fold_key"]
