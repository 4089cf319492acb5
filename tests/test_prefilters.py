"""Speed-ups that must not change a single match: the shared cue lookbehind and the rate rules' pieces.

Both are checked against the slow form they replaced, on the demo corpus (real abstracts, both languages).
"""

from __future__ import annotations

import re

import pytest

from imnm_nlp.bench import demo_documents
from imnm_nlp.extraction.cues import _WORD, find_cues
from imnm_nlp.normalize import rates
from imnm_nlp.tagging.view import width_view


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return [s.text for d in demo_documents() for s in d.sections]


def _per_cue_pattern(cues: tuple[str, ...]) -> re.Pattern[str]:
    """The former English cue pattern: every alternative carries its own lookbehind."""
    pieces = []
    for c in sorted(cues, key=len, reverse=True):
        head = "" if c[0] in "-(" else rf"(?<![{_WORD}])"
        tail = "" if c[-1] in "-(" else rf"(?![{_WORD}])"
        pieces.append(head + re.escape(c).replace(r"\ ", r"\s+") + tail)
    return re.compile("|".join(pieces), re.IGNORECASE)


@pytest.mark.parametrize("cues", [
    ("incidence", "incidence rate", "prevalence", "rate"),
    ("-induced", "induced", "statin-induced", "(IMNM", "IMNM", "myopathy"),
    ("patients", "patient", "-associated", "associated with", "(", "with"),
])
def test_cue_pattern_matches_per_cue_form(texts, cues):
    old = _per_cue_pattern(cues)
    for text in texts:
        want = [(m.start(), m.end(), m.group(0)) for m in old.finditer(text)]
        assert find_cues(text, cues, "en") == want
        mid = len(text) // 2  # windows: lookbehind before the start, lookahead at the end
        want = [(m.start(), m.end(), m.group(0)) for m in old.finditer(text, mid // 2, mid)]
        assert find_cues(text, cues, "en", mid // 2, mid) == want


def test_rate_pieces_never_skip_a_match(texts):
    """A rule whose piece is absent from a view must have no match there."""
    for text in texts:
        view = width_view(text)
        for piece, pattern, _ in rates._compiled():
            if piece.search(view) is None:
                assert pattern.search(view) is None, (pattern.pattern[:60], text[:60])
