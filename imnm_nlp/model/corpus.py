"""Training texts (``corpora/train``) and the gold leak guard (``corpora/gold``).

Contract:
    * :func:`read_units` yields the :class:`Unit` s of the bundled training corpora (gzip JSON Lines written
      by ``scripts/train_build_corpora.py``; origin and licences in ``corpora/train/README.md``).
    * :class:`GoldGuard` fingerprints every text of every ``*.jsonl`` under ``corpora/gold`` (the dev/test
      gold, never to be trained on). :meth:`GoldGuard.overlaps` says whether a training text shares a
      sentence with gold, or contains / is contained in a gold text, after a normalization that ignores
      whitespace, case and width (the token corpora were detokenized differently from the gold copies of the
      same abstracts). :meth:`GoldGuard.check` raises :class:`ModelError` when any training text overlaps:
      the training code filters first, then checks, so a leak can only come from a bug, and it is loud.
    * :func:`fingerprints` are the sentence hashes stored with a model (``train_hashes.txt.gz``), so a test
      can show later that gold added after training was never seen by the shipped model.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from imnm_nlp.errors import ModelError

logger = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[2]
TRAIN_DIR = REPO / "corpora" / "train"
GOLD_DIR = REPO / "corpora" / "gold"
# corpus name -> kind: "abstract" units are split into sentences, "sentence" units are one sentence each
SOURCES: dict[str, str] = {
    "csl_medical": "abstract",
    "episet_classify": "abstract",
    "episet_ner_train": "sentence",
    "bc5cdr_train": "sentence",
}
EVAL_SOURCES: dict[str, str] = {"episet_ner_test": "sentence"}  # hand-corrected STAT: RATE reference only
_MIN_SENT = 12  # normalized characters; shorter sentences ("Methods:", "结果") are too common to fingerprint
_SENT_CUT = re.compile(r"(?<=[!?;。！？；])|(?<=\.)(?!\d)")  # never inside a decimal ("54.5%")


@dataclass(frozen=True)
class Unit:
    """One text of a training corpus: a title, an abstract or a sentence, with the source's annotations."""

    source: str
    doc: str
    unit: int
    lang: str
    text: str
    ann: dict[str, list[tuple[int, int]]] = field(default_factory=dict)


def read_units(sources: Iterable[str] = SOURCES, folder: Path = TRAIN_DIR) -> Iterator[Unit]:
    """Read the named corpora in order (files ``<folder>/<name>.jsonl.gz``)."""
    for name in sources:
        path = folder / f"{name}.jsonl.gz"
        if not path.is_file():
            raise ModelError(f"training corpus {path} is missing: restore corpora/train from the repository "
                             "or rebuild it with scripts/train_build_corpora.py")
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for line_no, line in enumerate(fh, 1):
                try:
                    d = json.loads(line)
                    ann = {k: [(int(s), int(e)) for s, e in v] for k, v in d.get("ann", {}).items()}
                    yield Unit(name, d["doc"], int(d["unit"]), d["lang"], d["text"], ann)
                except (KeyError, ValueError, TypeError) as exc:
                    raise ModelError(f"{path}:{line_no}: malformed training unit ({exc})") from exc


def normalize(text: str) -> str:
    """The comparison view: NFKC, lower case, no whitespace at all."""
    return "".join(unicodedata.normalize("NFKC", text).lower().split())


def _pieces(text: str) -> list[str]:
    return [p for p in (normalize(s) for s in _SENT_CUT.split(text)) if len(p) >= _MIN_SENT]


def fingerprint(text: str) -> str:
    """A short stable hash of a normalized sentence."""
    return hashlib.sha1(normalize(text).encode("utf-8")).hexdigest()[:16]


def fingerprints(text: str) -> list[str]:
    """Fingerprints of the sentence pieces of ``text`` (cut after . ! ? ; 。！？；, pieces of 12+ normalized
    characters): the same cut for training and gold texts, whatever their sentence splitter did."""
    return [fingerprint(p) for p in _pieces(text)]


class GoldGuard:
    """Everything the training data must not share with the gold files."""

    def __init__(self, gold_texts: Sequence[str]) -> None:
        self.texts = [normalize(t) for t in gold_texts if t.strip()]
        self.sentences = {p for t in gold_texts for p in _pieces(t)}
        self.hashes = {h for t in gold_texts for h in fingerprints(t)}
        self._blob = "\x00".join(self.texts)

    @classmethod
    def from_folder(cls, folder: Path = GOLD_DIR) -> "GoldGuard":
        """Fingerprint ``text`` (and ``title``) of every record of every ``*.jsonl`` below ``folder``."""
        texts: list[str] = []
        files = sorted(folder.rglob("*.jsonl")) if folder.is_dir() else []
        for path in files:
            for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if not line.strip():
                    continue
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise ModelError(f"{path}:{line_no}: unreadable gold line ({exc}); the leak check needs every gold text") from exc
                texts.extend(t for t in (rec.get("text"), rec.get("title")) if isinstance(t, str))
        logger.info("gold guard: %d texts from %d files", len(texts), len(files))
        return cls(texts)

    def overlaps(self, text: str) -> bool:
        """True when ``text`` shares a sentence with gold, or one contains the other."""
        norm = normalize(text)
        if not norm:
            return False
        if len(norm) >= _MIN_SENT and norm in self._blob:
            return True
        if any(t in norm for t in self.texts):
            return True
        return any(p in self.sentences for p in _pieces(text))

    def check(self, texts: Iterable[str]) -> int:
        """Raise ModelError if any text overlaps gold; return how many texts were checked."""
        n = 0
        for n, text in enumerate(texts, 1):
            if self.overlaps(text):
                raise ModelError(f"gold text found in the training data: {text[:80]!r}; the training set must "
                                 "exclude corpora/gold (this is a bug in the data filter)")
        return n


__all__ = ["Unit", "read_units", "GoldGuard", "normalize", "fingerprint", "fingerprints", "SOURCES", "EVAL_SOURCES", "TRAIN_DIR", "GOLD_DIR"]
