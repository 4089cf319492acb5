"""Silver training examples: the project's rules label the real training texts, sentence by sentence.

Contract: :func:`make_examples` turns :class:`~imnm_nlp.model.corpus.Unit` s into :class:`Example` s, one
per sentence, with

* ``spans``: the rules' entity spans (``tag_rules``, or a tagger built on an ablated lexicon), plus the
  annotated corpora's own spans mapped onto our labels where the rules are silent (``corpora/silver/README.md``):
  BC5CDR ``Disease`` → DISEASE; BC5CDR ``Chemical`` → DRUG when the (possibly ablated) drug lexicon knows the
  name, otherwise an *ignore* range (an unknown chemical may well be a drug missing from the lexicon: teaching
  ``O`` there would teach the model to suppress exactly the names it should generalise to); EpiSet ``STAT`` →
  ignore range (its programmatic labels reach entity F1 0.21 against the hand-corrected test set, and its
  boundaries follow other conventions than ours); EpiSet ``EPI``/``LOC`` are not entities.
* ``kind``/``claim``/``hedged``: from the rule extractors run over the whole unit (``extract_epi``,
  ``extract_treatments``; a record's evidence sentence gives the sentence its kind and claim), widened
  by the context-free claim cues (``claims.claims_for``) of every DRUG or BC5CDR chemical of a sentence:
  the treatment extractor speaks only of myositis treatment, which these corpora rarely discuss, but
  what a sentence claims about a drug is learnable from any of them. ``treatment`` = a non-adverse
  claim; ``risk_factor`` = the extractor's risk factors, or a drug/allele with a risk cue; ``claim`` = the
  strongest claim (:func:`~imnm_nlp.model.labels.sentence_claim`); ``hedged`` = the ConText hedge detector
  (``is_hedged``) over the sentence.

Examples of documents that share any text with ``corpora/gold`` are dropped (:class:`GoldGuard`).
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Iterable, Sequence

from imnm_nlp.errors import ModelError
from imnm_nlp.model.corpus import SOURCES, GoldGuard, Unit
from imnm_nlp.model.labels import KIND_LABELS, sentence_claim
from imnm_nlp.records import EntitySpan, RiskFactor, SectionContext, TreatmentClaim

logger = logging.getLogger(__name__)

Tagger = Callable[[str, str], list[EntitySpan]]
DrugLookup = Callable[[str, str], bool]


@dataclass(frozen=True)
class Example:
    """One training sentence and its weak labels (offsets into ``text``)."""

    id: str
    doc: str
    source: str
    lang: str
    text: str
    spans: tuple[tuple[int, int, str], ...]
    ignore: tuple[tuple[int, int], ...]
    kind: tuple[int, ...]  # multi-hot over KIND_LABELS
    claim: str  # one of CLAIM_LABELS
    hedged: int
    split: str = "train"

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_dict(cls, d: dict) -> "Example":
        return cls(
            d["id"], d["doc"], d["source"], d["lang"], d["text"], tuple(tuple(s) for s in d["spans"]),  # type: ignore[misc]
            tuple(tuple(r) for r in d["ignore"]), tuple(d["kind"]), d["claim"], int(d["hedged"]), d.get("split", "train"),  # type: ignore[misc]
        )


def split_of(doc: str, dev_share: float = 0.15) -> str:
    """``dev`` for a stable pseudo-random ``dev_share`` of documents (by hash of the id), else ``train``."""
    h = int(hashlib.sha1(doc.encode("utf-8")).hexdigest()[:8], 16) / 0xFFFFFFFF
    return "dev" if h < dev_share else "train"


def _sentences(unit: Unit) -> list[tuple[int, int]]:
    if SOURCES.get(unit.source, "sentence") == "abstract":
        from imnm_nlp.text.sentences import split_sentences

        return split_sentences(unit.text, unit.lang)
    stripped = unit.text.strip()
    if not stripped:
        return []
    start = unit.text.index(stripped)
    return [(start, start + len(stripped))]


def _index_of(sentences: Sequence[tuple[int, int]], start: int) -> int | None:
    for i, (s0, s1) in enumerate(sentences):
        if s0 <= start < s1:
            return i
    return None


def _sentence_labels(unit: Unit, sentences: list[tuple[int, int]], spans: list[EntitySpan]) -> list[tuple[list[int], set[str]]]:
    """Per sentence: the kind multi-hot and the set of claims (see module docstring)."""
    from imnm_nlp.extraction.claims import claims_for
    from imnm_nlp.extraction.cues import has_cue
    from imnm_nlp.extraction.epi import extract_epi
    from imnm_nlp.extraction.rules import load_rules
    from imnm_nlp.extraction.treatment import extract_treatments

    ctx = SectionContext(f"text:{unit.doc}", "abstract", unit.lang)
    out: list[tuple[list[int], set[str]]] = [([0] * len(KIND_LABELS), set()) for _ in sentences]
    epi, treat, risk = (KIND_LABELS.index(k) for k in ("epi", "treatment", "risk_factor"))
    for fig in extract_epi(unit.text, unit.lang, sentences, spans, ctx):
        i = _index_of(sentences, fig.provenance.sentence_start)
        if i is not None:
            out[i][0][epi] = 1
    for rec in extract_treatments(unit.text, unit.lang, sentences, spans, ctx):
        i = _index_of(sentences, rec.provenance.sentence_start)
        if i is not None:
            out[i][0][treat if isinstance(rec, TreatmentClaim) else risk] = 1
            if isinstance(rec, TreatmentClaim):
                out[i][1].add(rec.claim)
    # Context-free claims: the extractor only speaks about myositis treatment, which these corpora rarely
    # discuss; what a sentence claims about a drug (or a BC5CDR chemical) is learnable from any of them.
    rules = load_rules(unit.lang)
    anchors = [e for e in spans if e.label == "DRUG"] + [
        EntitySpan(s, e, "DRUG", unit.text[s:e], source="model") for s, e in unit.ann.get("Chemical", [])
        if not any(s < x.end and x.start < e for x in spans)
    ]
    for i, (s0, s1) in enumerate(sentences):
        drugs = sorted((d for d in anchors if s0 <= d.start and d.end <= s1), key=lambda d: d.start)
        for d in drugs:
            claims = {c.claim for c in claims_for(unit.text, unit.lang, (s0, s1), d, drugs, rules)}
            out[i][1].update(claims)
            if claims - {"adverse"}:
                out[i][0][treat] = 1
        factors = drugs or [e for e in spans if e.label == "HLA_ALLELE" and s0 <= e.start and e.end <= s1]
        if factors and has_cue(unit.text, rules.risk, unit.lang, s0, s1):
            out[i][0][risk] = 1
    return out


def _mapped(unit: Unit, rule_spans: list[EntitySpan], drug_known: DrugLookup) -> tuple[list[tuple[int, int, str]], list[tuple[int, int]]]:
    """Annotated-corpus spans where the rules are silent: (extra labelled spans, ignore ranges)."""
    taken = [(e.start, e.end) for e in rule_spans]

    def free(s: int, e: int) -> bool:
        return not any(s < b and a < e for a, b in taken)

    extra: list[tuple[int, int, str]] = []
    ignore: list[tuple[int, int]] = []
    for s, e in unit.ann.get("Disease", []):
        if free(s, e):
            extra.append((s, e, "DISEASE"))
            taken.append((s, e))
    for s, e in unit.ann.get("Chemical", []):
        if not free(s, e):
            continue
        if drug_known(unit.text[s:e], unit.lang):
            extra.append((s, e, "DRUG"))
            taken.append((s, e))
        else:
            ignore.append((s, e))
    ignore.extend((s, e) for s, e in unit.ann.get("STAT", []) if free(s, e))
    return extra, ignore


def make_examples(units: Iterable[Unit], tagger: Tagger, drug_known: DrugLookup, guard: GoldGuard | None,
                  dev_share: float = 0.15) -> list[Example]:
    """Label every sentence of every unit; drop documents that overlap gold (see module docstring)."""
    from imnm_nlp.extraction.hedging import is_hedged

    units = list(units)
    leaked = {u.doc for u in units if guard is not None and guard.overlaps(u.text)}
    if leaked:
        logger.info("dropping %d documents that share text with gold", len(leaked))
    examples: list[Example] = []
    for unit in units:
        if unit.doc in leaked:
            continue
        sentences = _sentences(unit)
        if not sentences:
            continue
        rule_spans = sorted(tagger(unit.text, unit.lang), key=lambda e: e.start)
        labels = _sentence_labels(unit, sentences, rule_spans)
        extra, ignore = _mapped(unit, rule_spans, drug_known)
        all_spans = sorted([(e.start, e.end, e.label) for e in rule_spans] + extra)
        for i, ((s0, s1), (kind, claims)) in enumerate(zip(sentences, labels)):
            sent = unit.text[s0:s1]
            spans = tuple((a - s0, b - s0, lab) for a, b, lab in all_spans if s0 <= a and b <= s1)
            ign = tuple((max(a, s0) - s0, min(b, s1) - s0) for a, b in ignore if a < s1 and s0 < b)
            examples.append(Example(
                id=f"{unit.doc}#{unit.unit}.{i}", doc=unit.doc, source=unit.source, lang=unit.lang, text=sent,
                spans=spans, ignore=ign, kind=tuple(kind), claim=sentence_claim(claims),
                hedged=int(is_hedged(sent, unit.lang)), split=split_of(unit.doc, dev_share),
            ))
    if guard is not None:
        guard.check(e.text for e in examples)
    return examples


def data_hash(examples: Sequence[Example]) -> str:
    """sha256 over the examples' canonical JSON, in order: the training data's identity in ``meta.json``."""
    h = hashlib.sha256()
    for ex in examples:
        h.update(ex.to_json().encode("utf-8"))
        h.update(b"\n")
    return h.hexdigest()


def check_examples(examples: Sequence[Example]) -> None:
    """Offsets inside their sentence and non-overlapping; raise ModelError naming the first bad example."""
    for ex in examples:
        last = 0
        for s, e, _ in ex.spans:
            if not (0 <= s < e <= len(ex.text)) or s < last:
                raise ModelError(f"silver example {ex.id}: bad or overlapping span [{s}, {e}) in {ex.text[:60]!r}")
            last = e




def write_examples(examples: Sequence[Example], path: Path) -> None:
    """Gzip JSON Lines snapshot (``corpora/silver/silver.jsonl.gz``), byte-stable for the same examples."""
    import gzip

    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        for ex in examples:
            gz.write((ex.to_json() + "\n").encode("utf-8"))


def read_examples(path: Path) -> list[Example]:
    """Read a snapshot written by :func:`write_examples`."""
    import gzip

    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return [Example.from_dict(json.loads(line)) for line in fh if line.strip()]


__all__ = ["Example", "make_examples", "split_of", "data_hash", "check_examples", "write_examples", "read_examples", "Tagger", "DrugLookup"]
