"""Typed, frozen, validated value classes that the pipeline stages hand each other.

Contract (see ``../shared/spec/CONTRACT.md``; fields are extended, never renamed):

* Readers yield :class:`Document` objects made of :class:`Section` objects whose ``text`` is the raw
  text as read (never mutated).
* Taggers yield :class:`EntitySpan` objects: half-open ``[start, end)`` character offsets into that raw
  text, with ``text[start:end] == span.text`` guaranteed by validation.
* Extractors yield :class:`Mention`, :class:`EpiFigure`, :class:`TreatmentClaim` and :class:`RiskFactor`
  evidence records, each carrying a :class:`Provenance`.

Every record has ``to_dict()`` / ``from_dict()`` for a JSON round trip; ``record_from_dict`` dispatches on
the ``type`` field of an evidence record.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Mapping

from imnm_nlp.errors import RecordError

LANGS = ("zh", "en")
LABELS = ("ANTIBODY", "DRUG", "HLA_ALLELE", "RATE", "DISEASE")
MEASURES = ("incidence", "prevalence", "proportion", "mortality", "other")
CLAIMS = ("used", "effective", "ineffective", "adverse", "recommended")
RECORD_TYPES = ("entity", "epi", "treatment", "risk_factor")
_DOC_ID = re.compile(r"^(pmid|cnki|doi|file|jsonl|gold|wanfang|text):\S+$")
_UNIT = re.compile(r"^(percent|per [1-9][0-9]*( person-years)?)$")


def _check(cond: bool, message: str) -> None:
    if not cond:
        raise RecordError(message)


def _check_choice(name: str, value: Any, allowed: tuple[str, ...]) -> None:
    _check(value in allowed, f"{name} must be one of {', '.join(allowed)}; got {value!r}")


def _check_offsets(start: int, end: int, what: str) -> None:
    _check(
        isinstance(start, int) and isinstance(end, int) and 0 <= start <= end,
        f"{what}: offsets must be 0 <= start <= end, got [{start!r}, {end!r})",
    )


def _known_fields(cls: type, data: Mapping[str, Any]) -> dict[str, Any]:
    """Keep the keys ``cls`` declares; unknown keys are an error (a typo must not pass silently)."""
    names = {f.name for f in fields(cls)}
    extra = set(data) - names - {"type", "record_id"}
    _check(not extra, f"{cls.__name__}: unknown field(s) {sorted(extra)}")
    return {k: v for k, v in data.items() if k in names}


# --------------------------------------------------------------------------------------------- input side


@dataclass(frozen=True, slots=True)
class Section:
    """One piece of a document's text in one language.

    Args:
        name: ``title``, ``abstract``, or a structured-abstract label such as ``BACKGROUND``/``目的``.
        lang: ``"zh"`` or ``"en"``, set by the reader (or detected, then ``lang_detected`` is True).
        text: the raw text exactly as read; every offset in the pipeline points into it.
        translation_of: index (in ``Document.sections``) of the section this one translates, e.g. the
            English abstract of a CNKI record points at the Chinese abstract.
    """

    name: str
    lang: str
    text: str
    lang_detected: bool = False
    translation_of: int | None = None

    def __post_init__(self) -> None:
        _check(isinstance(self.name, str) and self.name != "", "Section.name must be a non-empty string")
        _check_choice("Section.lang", self.lang, LANGS)
        _check(isinstance(self.text, str), "Section.text must be a string")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Section":
        return cls(**_known_fields(cls, data))


@dataclass(frozen=True, slots=True)
class Document:
    """A parsed bibliographic record: metadata plus ordered sections (title first when there is one).

    ``id`` is namespaced: ``pmid:123``, ``cnki:<key>``, ``doi:10.x/y``, ``file:<name>#<n>``.
    ``source_file`` and ``record_index`` (0-based position in that file) say where it came from.
    """

    id: str
    source_file: str
    record_index: int
    sections: tuple[Section, ...]
    title: str = ""
    source_format: str = ""
    year: int | None = None
    journal: str | None = None
    doi: str | None = None
    pmid: str | None = None
    authors: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    mesh_terms: tuple[str, ...] = ()
    encoding: str | None = None
    version: int | None = None  # MEDLINE citation version, when given

    def __post_init__(self) -> None:
        _check(bool(_DOC_ID.match(self.id or "")), f"Document.id must be namespaced like 'pmid:123'; got {self.id!r}")
        _check(isinstance(self.record_index, int) and self.record_index >= 0, "Document.record_index must be >= 0")
        for name in ("sections", "authors", "keywords", "mesh_terms"):
            value = getattr(self, name)
            if isinstance(value, list):  # accept lists from callers, store tuples (frozen, hashable)
                object.__setattr__(self, name, tuple(value))
        for i, sec in enumerate(self.sections):
            _check(isinstance(sec, Section), f"Document.sections[{i}] must be a Section")
            if sec.translation_of is not None:
                _check(
                    0 <= sec.translation_of < len(self.sections) and sec.translation_of != i,
                    f"Document {self.id}: section {i} translation_of={sec.translation_of} points nowhere",
                )

    @property
    def langs(self) -> tuple[str, ...]:
        return tuple(sorted({s.lang for s in self.sections}))

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["sections"] = [s.to_dict() for s in self.sections]
        for name in ("authors", "keywords", "mesh_terms"):
            data[name] = list(data[name])
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Document":
        kw = _known_fields(cls, data)
        kw["sections"] = tuple(Section.from_dict(s) for s in kw.get("sections", ()))
        for name in ("authors", "keywords", "mesh_terms"):
            if name in kw:
                kw[name] = tuple(kw[name])
        return cls(**kw)


@dataclass(frozen=True, slots=True)
class ReadIssue:
    """Something a reader could not turn into a document: a malformed record, a deletion, a duplicate.

    ``kind`` is ``error`` (the record was skipped), ``deletion`` (PubMed ``DeleteCitation``), or
    ``duplicate`` (an earlier version of the same id was superseded; ``record`` names the winner).
    """

    file: str
    record: int | None
    reason: str
    kind: str = "error"
    line: int | None = None
    doc_id: str | None = None

    def __post_init__(self) -> None:
        _check_choice("ReadIssue.kind", self.kind, ("error", "deletion", "duplicate", "warning"))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "ReadIssue":
        return cls(**_known_fields(cls, data))


# --------------------------------------------------------------------------------------------- tagging


@dataclass(frozen=True, slots=True)
class Rate:
    """A parsed RATE: ``value`` as written, ``unit`` in the gold vocabulary (``percent``, ``per 100000``,
    ``per 100000 person-years``), and ``per_100k`` when it is a population rate (None for percentages of a
    cohort). ``numerator``/``total`` for ``12 of 48`` counts; ``ci_low``/``ci_high`` when a CI is inside."""

    value: float
    unit: str
    value_high: float | None = None
    per_100k: float | None = None
    per_100k_high: float | None = None
    numerator: int | None = None
    total: int | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    person_years: bool = False

    def __post_init__(self) -> None:
        _check(isinstance(self.value, (int, float)) and math.isfinite(self.value), f"Rate.value must be finite; got {self.value!r}")
        _check(bool(_UNIT.match(self.unit)), f"Rate.unit must be 'percent' or 'per N[ person-years]'; got {self.unit!r}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Rate":
        return cls(**_known_fields(cls, data))


@dataclass(frozen=True, slots=True)
class EntitySpan:
    """A tagged span of a section's raw text (tagger output, before provenance is attached).

    Args:
        start, end: half-open character offsets into the section text.
        text: ``section_text[start:end]`` (checked by :func:`EntitySpan.check_against`).
        label: one of ``LABELS``.
        canonical: the normalized name (``anti-HMGCR``, ``rituximab``, ``HLA-DRB1*11:01``, ``0.83 per 100000``).
        norm_id: an identifier (MeSH ``D000069283``, ICD-10 ``M33.1``, or a project id ``IMNM:AB:HMGCR``).
        kind: a sub-class: antibody family, drug class, ``allele``/``group``/``serological`` for HLA, ...
        source: ``lexicon`` | ``pattern`` | ``model`` | ``merged``.
        score: 1.0 for rules; the model's probability otherwise.
        rate: the parsed figure for a RATE span.
    """

    start: int
    end: int
    label: str
    text: str
    canonical: str = ""
    norm_id: str | None = None
    kind: str | None = None
    source: str = "lexicon"
    score: float = 1.0
    rate: Rate | None = None

    def __post_init__(self) -> None:
        _check_offsets(self.start, self.end, "EntitySpan")
        _check(self.end > self.start, f"EntitySpan must not be empty: [{self.start}, {self.end})")
        _check_choice("EntitySpan.label", self.label, LABELS)
        _check(len(self.text) == self.end - self.start, f"EntitySpan.text {self.text!r} does not fit [{self.start}, {self.end})")

    def check_against(self, section_text: str) -> None:
        """Raise RecordError unless the span's surface is exactly ``section_text[start:end]``."""
        _check(
            section_text[self.start : self.end] == self.text,
            f"EntitySpan {self.text!r} != text[{self.start}:{self.end}] {section_text[self.start:self.end]!r}",
        )

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["rate"] = self.rate.to_dict() if self.rate else None
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "EntitySpan":
        kw = _known_fields(cls, data)
        if kw.get("rate") is not None:
            kw["rate"] = Rate.from_dict(kw["rate"])
        return cls(**kw)


# --------------------------------------------------------------------------------------------- evidence


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a record came from: offsets into the raw section text, the evidence sentence, who made it.

    ``start``/``end`` are the record's own span (the entity, the figure, the drug mention);
    ``sentence_start``/``sentence_end`` locate ``sentence`` in the same section text.
    """

    doc_id: str
    section: str
    lang: str
    start: int
    end: int
    sentence: str
    sentence_start: int
    sentence_end: int
    extractor: str
    extractor_version: str
    source_file: str = ""
    section_index: int = 0
    model_version: str | None = None
    score: float = 1.0

    def __post_init__(self) -> None:
        _check_choice("Provenance.lang", self.lang, LANGS)
        _check_offsets(self.start, self.end, "Provenance")
        _check_offsets(self.sentence_start, self.sentence_end, "Provenance sentence")
        _check(
            len(self.sentence) == self.sentence_end - self.sentence_start,
            "Provenance.sentence does not fit [sentence_start, sentence_end)",
        )
        _check(0.0 <= self.score <= 1.0, f"Provenance.score must be in [0, 1]; got {self.score!r}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Provenance":
        return cls(**_known_fields(cls, data))


class _Evidence:
    """Shared behaviour of evidence records: a stable id, JSON round trip with a ``type`` tag."""

    TYPE = ""
    provenance: Provenance

    def identity(self) -> tuple[Any, ...]:
        """The fields that make two records 'the same claim' (overridden per type)."""
        p = self.provenance
        return (p.doc_id, p.section_index, p.start, p.end)

    @property
    def record_id(self) -> str:
        """Stable across runs, engines and worker counts: a hash of type, location and identity."""
        key = json.dumps([self.TYPE, *self.identity()], ensure_ascii=False, default=str)
        return self.TYPE[:3] + "-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"type": self.TYPE, "record_id": self.record_id}
        for f in fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            data[f.name] = value.to_dict() if hasattr(value, "to_dict") else value
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]):  # type: ignore[no-untyped-def]
        kw = _known_fields(cls, data)
        kw["provenance"] = Provenance.from_dict(kw["provenance"])
        if kw.get("rate") is not None:
            kw["rate"] = Rate.from_dict(kw["rate"])
        return cls(**kw)


@dataclass(frozen=True, slots=True)
class Mention(_Evidence):
    """An entity mention with its normalization (``type: entity`` in records.jsonl)."""

    TYPE = "entity"
    label: str
    text: str
    canonical: str
    provenance: Provenance
    norm_id: str | None = None
    kind: str | None = None
    source: str = "lexicon"
    rate: Rate | None = None

    def __post_init__(self) -> None:
        _check_choice("Mention.label", self.label, LABELS)
        _check(len(self.text) == self.provenance.end - self.provenance.start, "Mention.text does not fit its offsets")

    def identity(self) -> tuple[Any, ...]:
        p = self.provenance
        return (p.doc_id, p.section_index, p.start, p.end, self.label)


@dataclass(frozen=True, slots=True)
class EpiFigure(_Evidence):
    """An epidemiological figure (``type: epi``): measure, value as written, unit, normalized rate.

    ``value``/``unit`` follow the gold format (0.83/10万 → 0.83, ``per 100000``); ``per_100k`` is the
    value per 100,000 for population rates, None for cohort proportions.
    """

    TYPE = "epi"
    measure: str
    value: float
    unit: str
    provenance: Provenance
    value_high: float | None = None
    per_100k: float | None = None
    population: str | None = None
    region: str | None = None
    period: str | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    sample_size: int | None = None
    numerator: int | None = None
    surface: str = ""  # the RATE text as written

    def __post_init__(self) -> None:
        _check_choice("EpiFigure.measure", self.measure, MEASURES)
        _check(isinstance(self.value, (int, float)) and math.isfinite(self.value), f"EpiFigure.value must be finite; got {self.value!r}")
        _check(bool(_UNIT.match(self.unit)), f"EpiFigure.unit must be 'percent' or 'per N[ person-years]'; got {self.unit!r}")

    def identity(self) -> tuple[Any, ...]:
        p = self.provenance
        return (p.doc_id, p.section_index, p.start, p.end, self.measure)


@dataclass(frozen=True, slots=True)
class TreatmentClaim(_Evidence):
    """A claim about a drug as treatment (``type: treatment``).

    ``drug`` is the lower-case canonical English name; ``drug_text`` the surface as written.
    ``claim`` is one of ``CLAIMS``; ``hedged`` (may/might/可能) and ``negated`` are separate flags.
    """

    TYPE = "treatment"
    drug: str
    claim: str
    provenance: Provenance
    drug_text: str = ""
    population: str | None = None
    hedged: bool = False
    negated: bool = False
    outcome: str | None = None
    responders: int | None = None
    treated: int | None = None

    def __post_init__(self) -> None:
        _check(bool(self.drug) and self.drug == self.drug.lower(), f"TreatmentClaim.drug must be lower-case canonical; got {self.drug!r}")
        _check_choice("TreatmentClaim.claim", self.claim, CLAIMS)

    def identity(self) -> tuple[Any, ...]:
        p = self.provenance
        return (p.doc_id, p.section_index, p.start, p.end, self.drug, self.claim)


@dataclass(frozen=True, slots=True)
class RiskFactor(_Evidence):
    """A drug, allele or exposure stated as a cause or risk factor (``type: risk_factor``)."""

    TYPE = "risk_factor"
    factor: str  # canonical name
    factor_label: str  # DRUG | HLA_ALLELE | ...
    provenance: Provenance
    factor_text: str = ""
    outcome: str | None = None  # the disease it leads to, when stated
    hedged: bool = False
    negated: bool = False

    def identity(self) -> tuple[Any, ...]:
        p = self.provenance
        return (p.doc_id, p.section_index, p.start, p.end, self.factor)


EvidenceRecord = Mention | EpiFigure | TreatmentClaim | RiskFactor
_BY_TYPE: dict[str, type] = {c.TYPE: c for c in (Mention, EpiFigure, TreatmentClaim, RiskFactor)}


def record_from_dict(data: Mapping[str, Any]) -> EvidenceRecord:
    """Rebuild an evidence record from its ``to_dict()`` form, dispatching on ``type``."""
    kind = data.get("type")
    _check(kind in _BY_TYPE, f"record type must be one of {', '.join(RECORD_TYPES)}; got {kind!r}")
    return _BY_TYPE[kind].from_dict(data)  # type: ignore[no-any-return]


@dataclass(frozen=True, slots=True)
class SectionContext:
    """What an extractor needs to know about the section it works on, to build provenance."""

    doc_id: str
    section: str
    lang: str
    section_index: int = 0
    source_file: str = ""
    model_version: str | None = None

    def provenance(
        self,
        text: str,
        start: int,
        end: int,
        sentence: tuple[int, int],
        extractor: str,
        version: str,
        score: float = 1.0,
    ) -> Provenance:
        s0, s1 = sentence
        return Provenance(
            doc_id=self.doc_id,
            section=self.section,
            lang=self.lang,
            start=start,
            end=end,
            sentence=text[s0:s1],
            sentence_start=s0,
            sentence_end=s1,
            extractor=extractor,
            extractor_version=version,
            source_file=self.source_file,
            section_index=self.section_index,
            model_version=self.model_version,
            score=max(0.0, min(1.0, score)),
        )


__all__ = [
    "CLAIMS", "LABELS", "LANGS", "MEASURES", "RECORD_TYPES",
    "Document", "Section", "ReadIssue", "Rate", "EntitySpan", "Provenance", "SectionContext",
    "Mention", "EpiFigure", "TreatmentClaim", "RiskFactor", "EvidenceRecord", "record_from_dict",
]
