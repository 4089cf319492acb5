"""Extraction rules as data: load and validate ``imnm_nlp/resources/extraction/*.json``.

Contract:
    * :func:`load_rules` returns the frozen :class:`ExtractionRules` of one language (``"en"``/``"zh"``).
    * :func:`load_regions` returns the :class:`RegionTable` shared by both languages.
    * Files are read lazily, once per process (``functools.lru_cache``), never at import.
    * Unknown keys, missing keys, empty cue lists and unknown categories/directions raise
      :class:`~imnm_nlp.errors.ResourceError` naming the file and the key, so a typo in a rule file
      fails loudly instead of silently disabling a rule.

The rule vocabulary (``measures``, ``claims``, ``context_rules``...) is documented in the JSON files
themselves and in ``ARCHITECTURE.md``; the context-rule fields follow medspaCy's ConText rules
(``literal``, ``category``, ``direction``, ``max_scope``).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Mapping

from imnm_nlp.errors import ResourceError
from imnm_nlp.records import LANGS

logger = logging.getLogger(__name__)

MEASURE_KEYS = ("incidence", "prevalence", "mortality", "other", "proportion")
CLAIM_KEYS = ("effective", "ineffective_before", "ineffective_after", "adverse", "recommended", "used")
CATEGORIES = ("NEGATED", "HEDGED", "PSEUDO", "TERMINATE")
DIRECTIONS = ("FORWARD", "BACKWARD", "BIDIRECTIONAL", "TERMINATE", "PSEUDO")
_LIST_KEYS = (
    "measure_after", "share_cues", "cohort_words", "non_epi", "demographic", "myositis_terms", "epi_study", "respectively", "treatment_words", "partial_response",
    "stop_drug", "risk", "other_indication", "clause_breaks", "list_fillers", "aim_cues",
    "manifestation_terms", "failure_followup", "cause_before", "cause_after", "animal_words",
    "unproven",
)
_TOP_KEYS = {"lang", "comment", "measures", "claims", "context_rules", "population_modifiers", *_LIST_KEYS}
_RULE_KEYS = {"literal", "category", "direction", "max_scope"}
_REGION_KEYS = {"en", "level", "zh", "en_aliases"}
_LEVELS = ("continent", "country", "region", "province", "city")


@dataclass(frozen=True, slots=True)
class ContextRule:
    """One ConText trigger: ``literal`` opens a ``category`` scope in ``direction`` (chars, capped)."""

    literal: str
    category: str
    direction: str
    max_scope: int | None = None


@dataclass(frozen=True, slots=True)
class ExtractionRules:
    """Cue lists of one language; every tuple is non-empty and free of blank strings."""

    lang: str
    measures: Mapping[str, tuple[str, ...]]
    claims: Mapping[str, tuple[str, ...]]
    context_rules: tuple[ContextRule, ...]
    measure_after: tuple[str, ...]
    share_cues: tuple[str, ...]
    cohort_words: tuple[str, ...]
    non_epi: tuple[str, ...]
    demographic: tuple[str, ...]
    myositis_terms: tuple[str, ...]
    epi_study: tuple[str, ...]
    respectively: tuple[str, ...]
    treatment_words: tuple[str, ...]
    partial_response: tuple[str, ...]
    stop_drug: tuple[str, ...]
    risk: tuple[str, ...]
    other_indication: tuple[str, ...]
    population_modifiers: Mapping[str, tuple[str, ...]]
    clause_breaks: tuple[str, ...]
    list_fillers: tuple[str, ...]
    aim_cues: tuple[str, ...]
    manifestation_terms: tuple[str, ...]
    failure_followup: tuple[str, ...]
    cause_before: tuple[str, ...]
    cause_after: tuple[str, ...]
    animal_words: tuple[str, ...]
    unproven: tuple[str, ...]


    @property
    def refractory(self) -> tuple[str, ...]:
        """All population-modifier cues (refractory/severe/relapsing), longest first; kept for callers
        written before ``population_modifiers`` existed (``model/gate.py``)."""
        return tuple(sorted({c for v in self.population_modifiers.values() for c in v}, key=len, reverse=True))


@dataclass(frozen=True, slots=True)
class Region:
    """A study-setting region: its English (gold) name, level, and surfaces in both languages."""

    en: str
    level: str
    zh: tuple[str, ...]
    en_aliases: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RegionTable:
    """All regions, the zh direction suffixes (北部 → northern), and institution words per language."""

    regions: tuple[Region, ...]
    directions: Mapping[str, tuple[str, ...]]
    institution_words: Mapping[str, tuple[str, ...]]


def _read_json(name: str) -> Any:
    path = resources.files("imnm_nlp").joinpath("resources", "extraction", name)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ResourceError(f"extraction rule file {name!r} is missing from imnm_nlp/resources/extraction; reinstall the package") from exc
    except json.JSONDecodeError as exc:
        raise ResourceError(f"extraction rule file {name!r} is not valid JSON: {exc}") from exc


def _cue_list(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise ResourceError(f"{where}: expected a non-empty list of strings, got {type(value).__name__}")
    bad = [v for v in value if not isinstance(v, str) or not v.strip()]
    if bad:
        raise ResourceError(f"{where}: entries must be non-empty strings; bad entries {bad!r}")
    # Longest first: the matchers try alternatives in order, so "incidence rate" beats "incidence".
    return tuple(sorted(dict.fromkeys(value), key=len, reverse=True))


def _cue_map(value: Any, keys: tuple[str, ...], where: str) -> dict[str, tuple[str, ...]]:
    if not isinstance(value, dict):
        raise ResourceError(f"{where}: expected an object with keys {', '.join(keys)}")
    if set(value) != set(keys):
        raise ResourceError(f"{where}: keys must be exactly {sorted(keys)}; got {sorted(value)}")
    return {k: _cue_list(value[k], f"{where}.{k}") for k in keys}


def _context_rule(item: Any, where: str) -> ContextRule:
    if not isinstance(item, dict) or set(item) - _RULE_KEYS or not {"literal", "category", "direction"} <= set(item):
        raise ResourceError(f"{where}: a context rule needs literal/category/direction (optional max_scope); got {item!r}")
    if item["category"] not in CATEGORIES or item["direction"] not in DIRECTIONS:
        raise ResourceError(f"{where}: category must be one of {CATEGORIES} and direction one of {DIRECTIONS}; got {item!r}")
    scope = item.get("max_scope")
    if scope is not None and (not isinstance(scope, int) or scope <= 0):
        raise ResourceError(f"{where}: max_scope must be a positive int; got {scope!r}")
    if not isinstance(item["literal"], str) or not item["literal"].strip():
        raise ResourceError(f"{where}: literal must be a non-empty string")
    return ContextRule(item["literal"], item["category"], item["direction"], scope)


def parse_rules(data: Mapping[str, Any], name: str = "<rules>") -> ExtractionRules:
    """Validate one language's rule object (the content of ``en.json``/``zh.json``).

    Raises:
        ResourceError: on an unknown or missing key, a wrong type, or an unknown category.
    """
    if not isinstance(data, dict):
        raise ResourceError(f"{name}: top level must be an object")
    unknown = set(data) - _TOP_KEYS
    missing = _TOP_KEYS - {"comment"} - set(data)
    if unknown or missing:
        raise ResourceError(f"{name}: unknown keys {sorted(unknown)}, missing keys {sorted(missing)}")
    if data["lang"] not in LANGS:
        raise ResourceError(f"{name}: lang must be one of {LANGS}; got {data['lang']!r}")
    rules = data["context_rules"]
    if not isinstance(rules, list) or not rules:
        raise ResourceError(f"{name}.context_rules: expected a non-empty list")
    # Context rules keep longest literals first too ("未见" before "未"), for the same reason as cues.
    parsed = sorted((_context_rule(r, f"{name}.context_rules[{i}]") for i, r in enumerate(rules)),
                    key=lambda r: len(r.literal), reverse=True)
    return ExtractionRules(
        lang=data["lang"],
        measures=_cue_map(data["measures"], MEASURE_KEYS, f"{name}.measures"),
        claims=_cue_map(data["claims"], CLAIM_KEYS, f"{name}.claims"),
        population_modifiers=_cue_map(data["population_modifiers"], ("refractory", "severe", "relapsing"),
                                      f"{name}.population_modifiers"),
        context_rules=tuple(parsed),
        **{k: _cue_list(data[k], f"{name}.{k}") for k in _LIST_KEYS},
    )


def parse_regions(data: Mapping[str, Any], name: str = "regions.json") -> RegionTable:
    """Validate the region table (``regions.json``).

    Raises:
        ResourceError: on an unknown key, an unknown level, or a region without names.
    """
    if not isinstance(data, dict) or set(data) - {"comment", "directions", "institution_words", "regions"}:
        raise ResourceError(f"{name}: expected keys comment/directions/institution_words/regions")
    regions = []
    for i, item in enumerate(data.get("regions") or []):
        if not isinstance(item, dict) or set(item) != _REGION_KEYS:
            raise ResourceError(f"{name}.regions[{i}]: keys must be {sorted(_REGION_KEYS)}; got {item!r}")
        if item["level"] not in _LEVELS or not isinstance(item["en"], str) or not item["en"]:
            raise ResourceError(f"{name}.regions[{i}]: bad en name or level {item['level']!r} (allowed {_LEVELS})")
        zh = _cue_list(item["zh"], f"{name}.regions[{i}].zh")
        aliases = tuple(item["en_aliases"]) if isinstance(item["en_aliases"], list) else None
        if aliases is None or any(not isinstance(a, str) or not a for a in aliases):
            raise ResourceError(f"{name}.regions[{i}].en_aliases must be a list of non-empty strings")
        regions.append(Region(item["en"], item["level"], zh, aliases))
    if not regions:
        raise ResourceError(f"{name}: no regions")
    directions = {k: _cue_list(v, f"{name}.directions.{k}") for k, v in (data.get("directions") or {}).items()}
    inst = data.get("institution_words") or {}
    if set(inst) != set(LANGS):
        raise ResourceError(f"{name}.institution_words: needs exactly the keys {LANGS}")
    return RegionTable(tuple(regions), directions, {k: _cue_list(v, f"{name}.institution_words.{k}") for k, v in inst.items()})


def _check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise ResourceError(f"no extraction rules for language {lang!r}; use one of {LANGS}")


@lru_cache(maxsize=None)
def load_rules(lang: str) -> ExtractionRules:
    """The bundled rules of ``lang``, parsed and validated once per process.

    Example:
        >>> load_rules("en").measures["incidence"][0]
        'annualized incidence'
    """
    _check_lang(lang)
    rules = parse_rules(_read_json(f"{lang}.json"), f"{lang}.json")
    if rules.lang != lang:
        raise ResourceError(f"{lang}.json declares lang {rules.lang!r}")
    logger.debug("loaded %d context rules for %s", len(rules.context_rules), lang)
    return rules


@lru_cache(maxsize=None)
def _roles() -> dict[str, frozenset[str]]:
    data = _read_json("roles.json")
    if not isinstance(data, dict) or set(data) != {"comment", "exposure_only", "myositis_treatments"}:
        raise ResourceError("roles.json: expected exactly the keys comment/exposure_only/myositis_treatments")
    return {k: frozenset(c.lower() for c in _cue_list(data[k], f"roles.json.{k}")) for k in ("exposure_only", "myositis_treatments")}


def exposure_only_drugs() -> frozenset[str]:
    """Canonical names (lower case) of drugs that are only ever exposures, never myositis treatments."""
    return _roles()["exposure_only"]


def myositis_treatments() -> frozenset[str]:
    """Canonical names / classes (lower case) of drugs given to treat myositis."""
    return _roles()["myositis_treatments"]


@lru_cache(maxsize=None)
def load_regions() -> RegionTable:
    """The bundled region table, parsed and validated once per process."""
    return parse_regions(_read_json("regions.json"))
