"""One lexicon concept with all its written forms (the value :class:`~imnm_nlp.tagging.lexicon.Lexicon` holds)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Entry:
    """One concept with all its written forms.

    ``en`` and ``zh`` forms match case-insensitively; ``abbr`` forms (``DM``, ``IMNM``, ``MTX``) only as
    written, because lower-case ``dm``/``pm`` are ordinary words or units.
    """

    id: str
    label: str
    canonical: str
    cls: str
    en: tuple[str, ...]
    zh: tuple[str, ...]
    abbr: tuple[str, ...] = ()
    kind: str | None = None
    mesh: str | None = None
    icd10: tuple[str, ...] = ()
    origin: str = "curated"  # or the generated gazetteer's name ("cmekg")

    @property
    def norm_id(self) -> str:
        return self.id

    def forms(self, lang: str | None = None) -> tuple[str, ...]:
        """Written forms for ``lang`` (``en`` → English + abbreviations, ``zh`` → Chinese, None → all)."""
        if lang == "en":
            return self.en + self.abbr
        if lang == "zh":
            return self.zh
        return self.en + self.abbr + self.zh


__all__ = ["Entry"]
