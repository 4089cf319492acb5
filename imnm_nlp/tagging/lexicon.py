"""The bundled lexicons (antibodies, drugs, diseases) as validated, lookup-ready objects.

Contract:
    * :func:`load_lexicon` reads ``imnm_nlp/resources/{antibodies,drugs,diseases}.json`` (curated) and
      ``{drugs,diseases}_cmekg.json`` (general gazetteers generated from CMeKG) once (cached),
      validates every entry (unknown keys, missing fields, duplicate ids, unknown drug classes →
      :class:`~imnm_nlp.errors.ResourceError`) and expands the written forms (:mod:`.forms`).
    * ``Lexicon.lookup(surface)`` normalizes a surface as written (``抗HMGCR抗体``, ``anti-HMGCR``) to its
      :class:`Entry`: case-, width-, hyphen- and space-insensitive for English, width-insensitive for Chinese.
    * ``Lexicon.surfaces(lang)`` lists ``(surface, label)`` pairs, e.g. for a jieba user dictionary.
    * ``Lexicon.without(...)`` returns a copy with DRUG/ANTIBODY entries held out (lexicon ablation).

``norm_id`` of a tagged span is the entry ``id`` (``IMNM:AB:HMGCR``): unique per concept, the same for the
Chinese and the English name; MeSH and ICD-10 codes are on the entry when known.

Example:
    >>> lex = load_lexicon()
    >>> lex.lookup("抗HMGCR抗体").canonical == lex.lookup("anti-HMGCR antibodies").canonical == "anti-HMGCR"
    True
"""

from __future__ import annotations

import json
import logging
import random
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Mapping

from imnm_nlp.errors import ResourceError
from imnm_nlp.tagging import forms as F
from imnm_nlp.tagging.entry import Entry
from imnm_nlp.tagging.lexicon_files import LEXICON_FILES, check_consistency, parse_lexicon_file, prune_generated
from imnm_nlp.tagging.view import fold_key

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Lexicon:
    """All entries by label, plus blocked surfaces (matched so that they hide a shorter name inside
    them, then dropped: ``肿瘤坏死因子`` must not yield DISEASE ``肿瘤``)."""

    by_label: Mapping[str, tuple[Entry, ...]]
    blocked: tuple[str, ...] = ()
    dropped: frozenset[str] = frozenset()
    _index: dict[str, dict[str, list[Entry]]] = field(default_factory=dict, repr=False, compare=False)
    _cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        for lang in ("en", "zh"):
            idx: dict[str, list[Entry]] = {}
            for entries in self.by_label.values():
                for e in sorted(entries, key=lambda e: e.origin != "curated"):
                    for form in e.forms(lang):
                        bucket = idx.setdefault(fold_key(form), [])
                        if e not in bucket:
                            bucket.append(e)
            self._index[lang] = idx

    # ------------------------------------------------------------------ queries
    def entries(self, label: str | None = None, curated_only: bool = False) -> tuple[Entry, ...]:
        """Entries of one label (``ANTIBODY``, ``DRUG``, ``DISEASE``), or all of them.

        ``curated_only`` leaves out the general gazetteers generated from CMeKG (``origin != "curated"``).
        """
        if label is None:
            found = tuple(e for es in self.by_label.values() for e in es)
        elif label not in LEXICON_FILES:
            raise ResourceError(f"no lexicon for label {label!r}; lexicon labels are {', '.join(LEXICON_FILES)}")
        else:
            found = self.by_label.get(label, ())
        return tuple(e for e in found if e.origin == "curated") if curated_only else found

    def get(self, entry_id: str) -> Entry | None:
        """The entry with this id, or None."""
        return next((e for e in self.entries() if e.id == entry_id), None)

    def lookup(self, surface: str, label: str | None = None, lang: str | None = None) -> Entry | None:
        """The entry a surface names, or None.

        Args:
            surface: the text as written (``Anti-HMGCR``, ``抗ＨＭＧＣＲ抗体``, ``IVIg``).
            label: restrict to one label.
            lang: ``en`` or ``zh`` to search that language's forms only; None searches both.
        """
        key = fold_key(surface)
        langs = (lang,) if lang else ("en", "zh")
        for lg in langs:
            for e in self._index.get(lg, {}).get(key, ()):
                if label is None or e.label == label:
                    return e
        return None

    def surfaces(self, lang: str, curated_only: bool = False) -> list[tuple[str, str]]:
        """Sorted, unique ``(surface, label)`` pairs of one language (``zh``: Chinese forms; ``en``: English
        forms and abbreviations). Used to build the jieba user dictionary."""
        if lang not in ("en", "zh"):
            raise ResourceError(f"lang must be 'en' or 'zh'; got {lang!r}")
        return sorted({(f, e.label) for e in self.entries(curated_only=curated_only) for f in e.forms(lang)})

    def without(self, ids_or_fraction: float | Iterable[str], seed: int = 0) -> "Lexicon":
        """A copy without some DRUG/ANTIBODY entries, for the lexicon-ablation experiment.

        Args:
            ids_or_fraction: entry ids to drop, or a fraction in (0, 1] of the curated DRUG + ANTIBODY
                entries, chosen with ``random.Random(seed)`` over the sorted ids (same seed → same held-out
                set). Generated gazetteer entries are never in the pool: they share no form with a curated
                entry, so they cannot bring a held-out drug back.
            seed: the seed for a fraction.

        Returns:
            A new Lexicon; its ``dropped`` attribute lists the held-out ids.
        """
        pool = sorted(e.id for lb in ("DRUG", "ANTIBODY") for e in self.by_label.get(lb, ()) if e.origin == "curated")
        if isinstance(ids_or_fraction, (int, float)) and not isinstance(ids_or_fraction, bool):
            frac = float(ids_or_fraction)
            if not 0.0 < frac <= 1.0:
                raise ResourceError(f"fraction must be in (0, 1]; got {frac!r}")
            drop = set(random.Random(seed).sample(pool, round(frac * len(pool))))
        else:
            drop = set(ids_or_fraction)
            unknown = drop - {e.id for e in self.entries()}
            if unknown:
                raise ResourceError(f"unknown lexicon id(s) {sorted(unknown)}; see Lexicon.entries()")
        kept = {lb: tuple(e for e in es if e.id not in drop) for lb, es in self.by_label.items()}
        return Lexicon(kept, self.blocked, frozenset(drop) | self.dropped)


def read_lexicon(directory: Path | None = None) -> Lexicon:
    """Read and validate the lexicon files (:data:`LEXICON_FILES`) from ``directory`` (default: bundled).

    Raises:
        ResourceError: a file is missing, not JSON, or fails validation (the message names file and entry).
    """
    by_label: dict[str, list[Entry]] = {}
    blocked: list[str] = []
    for label, names in LEXICON_FILES.items():
        by_label[label] = []
        for name in names:
            path = (directory / name) if directory else resources.files("imnm_nlp").joinpath("resources", name)
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except FileNotFoundError as exc:
                raise ResourceError(f"lexicon file {name} is missing ({exc}); reinstall imnm-nlp") from exc
            except json.JSONDecodeError as exc:
                raise ResourceError(f"lexicon file {name} is not valid JSON: {exc}") from exc
            entries, b = parse_lexicon_file(data, label, name)
            by_label[label] += entries
            blocked += b
    prune_generated(by_label)
    check_consistency(by_label)
    lex = Lexicon({k: tuple(v) for k, v in by_label.items()}, tuple(F.dedupe(blocked)))
    log.debug("lexicon loaded: %s", {k: len(v) for k, v in by_label.items()})
    return lex


@lru_cache(maxsize=4)
def load_lexicon(directory: str | Path | None = None) -> Lexicon:
    """The lexicon (cached: the files are read once per process per directory).

    Args:
        directory: a folder holding the files of :data:`LEXICON_FILES`; None for the bundled ones.
    """
    return read_lexicon(Path(directory) if directory is not None else None)


__all__ = ["Entry", "Lexicon", "LEXICON_FILES", "load_lexicon", "read_lexicon", "parse_lexicon_file"]
