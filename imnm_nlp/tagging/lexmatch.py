"""Find lexicon names in raw text: two compiled trie regexes over length-preserving views.

Contract: :meth:`LexiconMatcher.find` returns ``(start, end, Entry | None)`` candidates with offsets into
the raw text (``None`` = a blocked surface, which hides the names inside it and is then dropped).
Candidates of the two passes may overlap; the caller resolves overlaps (longest wins).

* case-insensitive pass over :func:`~imnm_nlp.tagging.view.lower_view`: English names, Chinese names
  (which contain Latin too: ``抗HMGCR抗体``, ``PD-1抑制剂``) and blocked surfaces;
* case-sensitive pass over :func:`~imnm_nlp.tagging.view.width_view`: abbreviations (``DM``, ``PM``, ``IMNM``,
  ``MTX``), which as lower-case words mean something else (``pm``, ``dm`` = decimetre, ...).

A matcher is built once per :class:`~imnm_nlp.tagging.lexicon.Lexicon` and cached on it.
"""

from __future__ import annotations

import logging
import time

from imnm_nlp.tagging.lexicon import Entry, Lexicon
from imnm_nlp.tagging.trie import compile_surfaces
from imnm_nlp.tagging.view import fold_key, lower_view, width_view

log = logging.getLogger(__name__)

_LABEL_ORDER = {"ANTIBODY": 0, "DRUG": 1, "DISEASE": 2}


def _cs_key(surface: str) -> str:
    return "".join(ch for ch in width_view(surface) if ch != "-" and not ch.isspace())


class LexiconMatcher:
    """Compiled matcher for one lexicon (build with :func:`matcher_for`)."""

    def __init__(self, lexicon: Lexicon) -> None:
        t0 = time.perf_counter()
        ci: dict[str, Entry | None] = {}
        cs: dict[str, Entry] = {}
        for surface in lexicon.blocked:
            ci.setdefault(fold_key(surface), None)
        # curated entries first, then by label: they win every tie over the generated gazetteers
        entries = sorted(lexicon.entries(), key=lambda e: (e.origin != "curated", _LABEL_ORDER[e.label]))
        for e in entries:
            for form in e.en + e.zh:
                key = fold_key(form)
                if ci.get(key) is None:  # an entry beats a blocked surface; the first label wins a tie
                    ci[key] = e
            for form in e.abbr:
                cs.setdefault(_cs_key(form), e)
        ci_forms = {lower_view(f) for e in entries for f in e.en + e.zh} | {lower_view(b) for b in lexicon.blocked}
        cs_forms = {width_view(f) for e in entries for f in e.abbr}
        self._ci_map, self._cs_map = ci, cs
        self._ci_re = compile_surfaces(ci_forms)
        self._cs_re = compile_surfaces(cs_forms)
        log.debug("lexicon matcher: %d + %d forms compiled in %.2fs", len(ci_forms), len(cs_forms), time.perf_counter() - t0)

    def find(self, text: str, view: str | None = None, low: str | None = None) -> list[tuple[int, int, Entry | None]]:
        """Lexicon candidates in ``text`` (raw): ``(start, end, Entry)`` or ``(start, end, None)`` if blocked.

        ``view``/``low`` may pass precomputed :func:`width_view`/:func:`lower_view` of ``text``.
        """
        out: list[tuple[int, int, Entry | None]] = []
        low = lower_view(text) if low is None else low
        for pattern in self._ci_re:
            for m in pattern.finditer(low):
                key = fold_key(m.group(0))
                if key in self._ci_map:
                    out.append((m.start(), m.end(), self._ci_map[key]))
        view = width_view(text) if view is None else view
        for pattern in self._cs_re:
            for m in pattern.finditer(view):
                entry = self._cs_map.get(_cs_key(m.group(0)))
                if entry is not None:
                    out.append((m.start(), m.end(), entry))
        return out


def matcher_for(lexicon: Lexicon) -> LexiconMatcher:
    """The (cached) matcher of ``lexicon``."""
    m = lexicon._cache.get("matcher")
    if m is None:
        m = LexiconMatcher(lexicon)
        lexicon._cache["matcher"] = m
    return m


def find_lexicon(text: str, lexicon: Lexicon) -> list[tuple[int, int, Entry | None]]:
    """Shortcut: ``matcher_for(lexicon).find(text)``."""
    return matcher_for(lexicon).find(text)


__all__ = ["LexiconMatcher", "matcher_for", "find_lexicon"]
