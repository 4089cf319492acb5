"""Wire the stages: sentences → rule spans (+ model spans, merged) → mentions, epi figures, treatment claims.

Takes :class:`~imnm_nlp.records.Document` objects (or a bare string) and yields a :class:`DocResult` (or a
:class:`TextResult`) holding evidence records with provenance. Per-language resources (lexicon, jieba, the
transformer) are loaded lazily, once per process; nothing happens at import.

Example:
    >>> import imnm_nlp
    >>> nlp = imnm_nlp.load(use_model=False)
    >>> res = nlp("IMNM的发病率为0.83/10万。")
    >>> [(f.measure, f.value, f.unit) for f in res.epi]
    [('incidence', 0.83, 'per 100000')]
"""

from __future__ import annotations

import bisect
import logging
from dataclasses import dataclass, field, replace
from typing import Any, Iterable, Iterator, Sequence

from imnm_nlp import __version__
from imnm_nlp.model.gate import GATES, is_candidate, may_hold_new_name
from imnm_nlp.records import (
    Document,
    EntitySpan,
    EpiFigure,
    EvidenceRecord,
    Mention,
    RiskFactor,
    SectionContext,
    TreatmentClaim,
)

log = logging.getLogger(__name__)

TAGGER_NAME = "imnm.tagger"


@dataclass
class TextResult:
    """What the pipeline found in one piece of text (a section, or a string given to ``Pipeline.__call__``)."""

    text: str
    lang: str
    sentences: list[tuple[int, int]]
    entities: list[EntitySpan]
    mentions: list[Mention] = field(default_factory=list)
    epi: list[EpiFigure] = field(default_factory=list)
    treatments: list[TreatmentClaim] = field(default_factory=list)
    risk_factors: list[RiskFactor] = field(default_factory=list)
    model_sentences: int = 0  # how many sentences the transformer saw (after the gate)

    def records(self) -> list[EvidenceRecord]:
        return [*self.mentions, *self.epi, *self.treatments, *self.risk_factors]


@dataclass
class DocResult:
    """A document and what the pipeline found in each of its sections, in section order."""

    document: Document
    sections: list[TextResult]

    def records(self) -> list[EvidenceRecord]:
        return [r for s in self.sections for r in s.records()]

    @property
    def entities(self) -> list[Mention]:
        return [m for s in self.sections for m in s.mentions]

    @property
    def epi(self) -> list[EpiFigure]:
        return [f for s in self.sections for f in s.epi]

    @property
    def treatments(self) -> list[TreatmentClaim]:
        return [t for s in self.sections for t in s.treatments]


def _sentence_of(sentences: Sequence[tuple[int, int]], starts: Sequence[int], start: int, end: int) -> tuple[int, int]:
    """The sentence containing [start, end); the span itself when it straddles sentences (rare)."""
    i = bisect.bisect_right(starts, start) - 1
    if i >= 0 and sentences[i][0] <= start and end <= sentences[i][1]:
        return sentences[i]
    return (start, end)


class Pipeline:
    """The whole analysis for both languages.

    Args:
        use_model: run the fine-tuned transformer on candidate sentences and merge its spans and sentence
            predictions with the rules. When True and the model is missing, loading raises ``ModelError``
            (never a silent fallback); pass False for rules only.
        model_path: a model directory (default: the shipped ``models/imnm-e5-lora`` or ``$IMNM_MODEL_DIR``).
        gate: which sentences the transformer sees (:mod:`imnm_nlp.model.gate`): ``names`` (default: those with a
            drug-, antibody- or disease-shaped word), ``candidates`` (a number, a lexicon hit, a cue word or a
            name shape: for a hint policy that lets the sentence heads feed the extractors) or ``none`` (all).
        batch_size: sentences per transformer batch.
        int8: quantize the transformer's encoder to int8 (faster on the CPU; accuracy in the README).
        extract_model_spans: let the epi and treatment extractors use model-only entity spans too. Off by
            default: on the gold dev split they lowered treatment F1 (0.838 -> 0.827, fewer true and more
            false claims); model-only spans are still output as entities (``source="model"``) for review.
    """

    def __init__(
        self, use_model: bool = True, model_path: str | None = None, gate: str = "names", batch_size: int = 32,
        int8: bool = False, extract_model_spans: bool = False,
    ):
        if gate not in GATES:
            from imnm_nlp.errors import InputError

            raise InputError(f"gate must be one of {GATES}; got {gate!r}")
        self.use_model = use_model
        self.extract_model_spans = extract_model_spans
        self.gate = gate
        self.batch_size = batch_size
        self._model: Any = None
        if use_model:
            from imnm_nlp.model.infer import load_model

            self._model = load_model(model_path, quantize=int8)
        self.model_version: str | None = getattr(self._model, "version", None)

    # ------------------------------------------------------------------------------------------ text level
    def __call__(self, text: str, lang: str | None = None) -> TextResult:
        """Analyze a string; ``lang`` is detected (CJK ratio) when not given."""
        if lang is None:
            from imnm_nlp.text.lang import detect_lang

            lang = detect_lang(text)
        return self.analyze_text(text, lang)

    def analyze_text(
        self, text: str, lang: str, doc_id: str = "text:0", section: str = "text", section_index: int = 0, source_file: str = ""
    ) -> TextResult:
        ctx = SectionContext(doc_id, section, lang, section_index, source_file, self.model_version)
        return self._analyze([(text, ctx)])[0]

    # ------------------------------------------------------------------------------------------ documents
    def process(self, doc: Document) -> DocResult:
        return next(self.process_many([doc]))

    def process_many(self, docs: Iterable[Document], docs_per_batch: int = 16) -> Iterator[DocResult]:
        """Analyze documents in order; sections of several documents share transformer batches."""
        batch: list[Document] = []
        for doc in docs:
            batch.append(doc)
            if len(batch) >= docs_per_batch:
                yield from self._process_batch(batch)
                batch = []
        if batch:
            yield from self._process_batch(batch)

    def _process_batch(self, docs: Sequence[Document]) -> Iterator[DocResult]:
        items, owners = [], []
        for d_i, doc in enumerate(docs):
            for s_i, sec in enumerate(doc.sections):
                ctx = SectionContext(doc.id, sec.name, sec.lang, s_i, doc.source_file, self.model_version)
                items.append((sec.text, ctx))
                owners.append(d_i)
        results = self._analyze(items)
        per_doc: list[list[TextResult]] = [[] for _ in docs]
        for owner, res in zip(owners, results):
            per_doc[owner].append(res)
        for doc, secs in zip(docs, per_doc):
            yield DocResult(doc, secs)

    # ------------------------------------------------------------------------------------------ the stages
    def _analyze(self, items: Sequence[tuple[str, SectionContext]]) -> list[TextResult]:
        from imnm_nlp.tagging import tag_rules
        from imnm_nlp.text.sentences import split_sentences

        staged = []
        for text, ctx in items:
            sentences = split_sentences(text, ctx.lang)
            staged.append((text, ctx, sentences, tag_rules(text, ctx.lang)))
        model_out = self._run_model(staged) if self._model is not None else [(None, None, 0)] * len(staged)
        return [
            self._extract(text, ctx, sentences, rule_spans, *extra)
            for (text, ctx, sentences, rule_spans), extra in zip(staged, model_out)
        ]

    def _run_model(self, staged: Sequence[tuple[str, SectionContext, list, list]]) -> list[tuple[Any, Any, int]]:
        """Transformer over candidate sentences of every section at once; spans shifted to section offsets."""
        queue: list[tuple[int, int, int]] = []  # (item, sentence index, sentence start)
        inputs: list[tuple[str, str]] = []
        for i, (text, ctx, sentences, rule_spans) in enumerate(staged):
            for j, (s0, s1) in enumerate(sentences):
                if self._gated(text, ctx.lang, s0, s1, rule_spans):
                    queue.append((i, j, s0))
                    inputs.append((text[s0:s1], ctx.lang))
        preds = self._model.predict(inputs, batch_size=self.batch_size) if inputs else []
        spans: list[list[EntitySpan]] = [[] for _ in staged]
        hints: list[dict[int, Any]] = [{} for _ in staged]
        counts = [0] * len(staged)
        for (i, j, s0), pred in zip(queue, preds):
            counts[i] += 1
            spans[i].extend(_shift(e, s0) for e in pred.spans)
            hints[i][j] = pred.hint()
        return [(spans[i], hints[i], counts[i]) for i in range(len(staged))]

    def _gated(self, text: str, lang: str, s0: int, s1: int, rule_spans: Sequence[EntitySpan]) -> bool:
        """Whether the sentence ``text[s0:s1]`` goes to the transformer under ``self.gate``."""
        if self.gate == "none":
            return True
        if self.gate == "names":
            return may_hold_new_name(text[s0:s1], lang)
        return is_candidate(text[s0:s1], lang, [e for e in rule_spans if s0 <= e.start and e.end <= s1])

    def _extract(
        self,
        text: str,
        ctx: SectionContext,
        sentences: list[tuple[int, int]],
        rule_spans: list[EntitySpan],
        model_spans: list[EntitySpan] | None,
        hints: dict[int, Any] | None,
        n_model: int,
    ) -> TextResult:
        from imnm_nlp.extraction.epi import extract_epi
        from imnm_nlp.extraction.treatment import extract_treatments

        entities = rule_spans
        if model_spans is not None:
            from imnm_nlp.tagging.merge import merge_spans

            entities = merge_spans(rule_spans, model_spans, lang=ctx.lang, text=text)
        starts = [s for s, _ in sentences]
        mentions = []
        for e in entities:
            sent = _sentence_of(sentences, starts, e.start, e.end)
            prov = ctx.provenance(text, e.start, e.end, sent, TAGGER_NAME + "." + e.source, __version__, e.score)
            mentions.append(
                Mention(
                    label=e.label, text=e.text, canonical=e.canonical or e.text, provenance=prov,
                    norm_id=e.norm_id, kind=e.kind, source=e.source, rate=e.rate,
                )
            )
        evidence = entities if self.extract_model_spans else rule_spans
        epi = extract_epi(text, ctx.lang, sentences, evidence, ctx, hints=hints)
        claims = extract_treatments(text, ctx.lang, sentences, evidence, ctx, hints=hints)
        return TextResult(
            text=text,
            lang=ctx.lang,
            sentences=sentences,
            entities=entities,
            mentions=mentions,
            epi=epi,
            treatments=[c for c in claims if isinstance(c, TreatmentClaim)],
            risk_factors=[c for c in claims if isinstance(c, RiskFactor)],
            model_sentences=n_model,
        )


def _shift(span: EntitySpan, offset: int) -> EntitySpan:
    return replace(span, start=span.start + offset, end=span.end + offset)


def load(use_model: bool = True, model_path: str | None = None, **kwargs: Any) -> Pipeline:
    """Build the pipeline (``imnm_nlp.load()``): rules + the shipped transformer, or rules only.

    Example:
        >>> nlp = load(use_model=False)
        >>> [e.canonical for e in nlp("Rituximab was effective in refractory IMNM.", lang="en").entities]
        ['rituximab', 'immune-mediated necrotizing myopathy']
    """
    return Pipeline(use_model=use_model, model_path=model_path, **kwargs)
