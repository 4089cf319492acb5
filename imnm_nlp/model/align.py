"""Character spans <-> subword BIO tags, in both directions, for the XLM-R SentencePiece tokenizer.

Contract:
    * :func:`encode_tags` gives one tag id per token of an encoding: ``B-X`` on the token holding a span's
      first character, ``I-X`` on the following tokens that start inside it, ``O`` elsewhere, and
      :data:`~imnm_nlp.model.labels.IGNORE` on special tokens, on lone ``▁`` tokens (their offsets overlap
      the next character, so they carry no information of their own) and on tokens touching an
      ``ignore`` range (e.g. a BC5CDR chemical that is not known to be a drug).
    * :func:`decode_tags` turns per-token tag ids and probabilities back into character spans of the
      sentence, then snaps each span to clean character boundaries (:func:`snap`): a token such as
      ``▁(5``, ``),`` or ``为0`` may hold an entity boundary inside it (a RATE also starts at its number).
    * Offsets are code-point indices into the sentence as given (the tokenizer's ``offset_mapping``).
"""

from __future__ import annotations

from typing import Sequence

from imnm_nlp.model.labels import BIO_TAGS, IGNORE, TAG2ID

Offsets = Sequence[tuple[int, int]]
_OPEN, _CLOSE = "([{（【［", ")]}）】］"
_EDGE_PUNCT = " \t\n\u3000,.;:!?，。；：、！？\"'“”‘’"


def encode_tags(
    offsets: Offsets,
    input_ids: Sequence[int],
    spans: Sequence[tuple[int, int, str]],
    marker_id: int,
    ignore: Sequence[tuple[int, int]] = (),
) -> list[int]:
    """BIO tag ids for one encoded sentence.

    Args:
        offsets: ``(start, end)`` per token; ``(0, 0)`` marks special tokens.
        input_ids: the token ids (to recognise the lone ``▁`` token, id ``marker_id``).
        spans: ``(start, end, label)`` character spans, non-overlapping.
        marker_id: the id of the bare ``▁`` piece.
        ignore: character ranges whose tokens get IGNORE (unknown status, not O).

    Example:
        >>> encode_tags([(0, 0), (0, 1), (0, 1), (1, 2), (0, 0)], [0, 6, 7, 8, 2], [(0, 2, "DRUG")], 6)
        [-100, -100, 3, 4, -100]
    """
    tags = []
    ordered = sorted(spans)
    for (a, b), tid in zip(offsets, input_ids):
        if a == b or tid == marker_id:
            tags.append(IGNORE)
            continue
        if any(a < i1 and i0 < b for i0, i1 in ignore):
            tags.append(IGNORE)
            continue
        tag = "O"
        for s, e, label in ordered:
            if a <= s < b:  # the token holds the span's first character
                tag = f"B-{label}"
                break
            if s < a < e:  # the token starts inside the span
                tag = f"I-{label}"
                break
        tags.append(TAG2ID[tag])
    return tags


def snap(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink ``[start, end)`` to clean boundaries: no edge whitespace/punctuation, no unmatched bracket.

    A bracket pair is kept when it is inside the span (``anti-3-hydroxy... (HMGCR) antibodies``) and dropped
    when it wraps the whole span or has no partner in it.

    Example:
        >>> snap("(5.4%),", 0, 7)
        (1, 5)
        >>> snap("x (5.4", 1, 6)
        (3, 6)
    """
    changed = True
    while changed and start < end:
        changed = False
        if text[start] in _EDGE_PUNCT:
            start, changed = start + 1, True
        elif text[end - 1] in _EDGE_PUNCT:
            end, changed = end - 1, True
        elif text[start] in _OPEN and _partner(text, start, end) in (None, end - 1):
            start, changed = start + 1, True  # unmatched, or wrapping the whole span: "(5.4%)" -> "5.4%"
        elif text[end - 1] in _CLOSE and _opener(text, start, end) is None:
            end, changed = end - 1, True
    return start, end


def _partner(text: str, pos: int, end: int) -> int | None:
    depth = 0
    for i in range(pos, end):
        if text[i] in _OPEN:
            depth += 1
        elif text[i] in _CLOSE:
            depth -= 1
            if depth == 0:
                return i
    return None


def _opener(text: str, start: int, pos: int) -> int | None:
    depth = 0
    for i in range(pos - 1, start - 1, -1):
        if text[i] in _CLOSE:
            depth += 1
        elif text[i] in _OPEN:
            depth -= 1
            if depth == 0:
                return i
    return None


def decode_tags(
    text: str,
    offsets: Offsets,
    input_ids: Sequence[int],
    tag_ids: Sequence[int],
    tag_probs: Sequence[float],
    marker_id: int,
) -> list[tuple[int, int, str, float]]:
    """Character spans ``(start, end, label, score)`` from per-token predictions; score = mean token prob.

    An ``I-X`` after ``O`` (or after another label) opens a span, as most BIO decoders do: the model
    rarely forgets a ``B`` but often puts it on the lone ``▁`` we skip.
    """
    spans: list[tuple[int, int, str, float]] = []
    cur: list | None = None  # [start, end, label, [probs]]
    for (a, b), tid, tag_id, p in zip(offsets, input_ids, tag_ids, tag_probs):
        if a == b or tid == marker_id:
            continue
        tag = BIO_TAGS[tag_id]
        if tag == "O":
            cur = _close(text, cur, spans)
            continue
        prefix, label = tag.split("-", 1)
        if cur is not None and prefix == "I" and cur[2] == label:
            cur[1] = max(cur[1], b)
            cur[3].append(p)
            continue
        cur = _close(text, cur, spans)
        cur = [a, b, label, [p]]
    _close(text, cur, spans)
    return spans


def _rate_start(text: str, start: int, end: int) -> int:
    """A RATE starts at its number, a sign or 每 (每10万人0.83例): Chinese pieces such as ``为0`` glue the
    preceding word to the number, so skip leading characters until one of those."""
    i = start
    while i < end and not (text[i].isdigit() or text[i] in "-+−每.") and any(c.isdigit() for c in text[i:end]):
        i += 1
    return i


def _close(text: str, cur: list | None, spans: list[tuple[int, int, str, float]]) -> None:
    if cur is not None:
        if cur[2] == "RATE":
            cur[0] = _rate_start(text, cur[0], cur[1])
        s, e = snap(text, cur[0], cur[1])
        if e > s:
            spans.append((s, e, cur[2], sum(cur[3]) / len(cur[3])))
    return None


__all__ = ["encode_tags", "decode_tags", "snap"]
