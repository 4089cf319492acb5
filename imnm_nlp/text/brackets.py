"""Balanced bracket and quote ranges: where a sentence boundary must not fall.

Contract: ``protected_ranges(text, max_span)`` returns sorted, merged half-open ranges ``[open, close]``
as ``(open, close_plus_one)`` pairs such that the text between a matched opening bracket/quote at ``open``
and its closing partner at ``close`` is "inside". A boundary candidate at position ``p`` (the index where
the next sentence would start) is inside when ``open < p <= close``: a terminator immediately followed by
the closing bracket (``（见下。）``) is not inside once its closers are consumed.

Why a maximum span: real abstracts contain unbalanced brackets (``1) ... 2) ...`` enumerations, a lost
``(``); a pair further apart than ``max_span`` characters is not treated as a bracket pair, so one stray
bracket cannot swallow the sentence splits of a whole section.
"""

from __future__ import annotations

import bisect
import re

__all__ = ["protected_ranges", "is_protected"]

# Opening → closing partners. Full-width and CJK forms included; ASCII quotes are handled apart
# because the same character opens and closes.
PAIRS: dict[str, str] = {
    "(": ")", "（": "）", "[": "]", "［": "］", "{": "}", "【": "】", "〔": "〕", "〖": "〗",
    "“": "”", "「": "」", "『": "』", "《": "》", "〈": "〉", "﹁": "﹂",
}
_CLOSERS = {v: k for k, v in PAIRS.items()}
_ANY = re.compile("[" + re.escape("".join(PAIRS) + "".join(_CLOSERS) + '"') + "]")


def protected_ranges(text: str, max_span: int = 400) -> list[tuple[int, int]]:
    """Return merged ``(open, close + 1)`` ranges of matched bracket and quote pairs.

    Args:
        text: raw text.
        max_span: pairs whose partners are more than this many characters apart are ignored.

    Returns:
        Sorted, non-overlapping ranges; nested pairs are merged into their outermost pair.
    """
    stack: list[tuple[int, str]] = []
    ranges: list[tuple[int, int]] = []
    quote_open: int | None = None
    for m in _ANY.finditer(text):
        pos, ch = m.start(), m.group()
        if ch == '"':
            # ASCII double quotes pair up in order of appearance.
            if quote_open is not None and pos - quote_open <= max_span:
                ranges.append((quote_open, pos + 1))
                quote_open = None
            else:
                quote_open = pos
        elif ch in PAIRS:
            stack.append((pos, ch))
        else:
            want = _CLOSERS[ch]
            # Find the nearest open partner; brackets opened after it are unbalanced and dropped.
            for depth in range(len(stack) - 1, -1, -1):
                start, opener = stack[depth]
                if pos - start > max_span:  # older openers cannot pair: stop (keeps the scan linear)
                    break
                if opener == want:
                    del stack[depth:]
                    ranges.append((start, pos + 1))
                    break
    ranges.sort()
    merged: list[tuple[int, int]] = []
    for start, end in ranges:
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def is_protected(ranges: list[tuple[int, int]], starts: list[int], pos: int) -> bool:
    """True when a boundary at ``pos`` falls inside one of ``ranges`` (``starts`` = their start offsets)."""
    i = bisect.bisect_left(starts, pos) - 1
    if i < 0:
        return False
    start, end = ranges[i]
    # (start, end - 1] is inside: the opener itself may begin a sentence, the character after the closer too.
    return start < pos <= end - 1
