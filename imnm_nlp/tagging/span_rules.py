"""The span refinement rules (``resources/span_rules.json``), validated and cached.

Contract: :func:`span_rules` returns a :class:`SpanRules` read once per process from the bundled file;
an unknown top-level key, a missing list or a non-string item raises
:class:`~imnm_nlp.errors.ResourceError` (a typo in a rule file must not silently disable a rule).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from imnm_nlp.errors import ResourceError

_FILE = "span_rules.json"
# top-level key → the list fields each section must hold
_SHAPE: dict[str, tuple[str, ...]] = {
    "disease_prefix_en": ("words",),
    "organ_en": ("words", "heads"),
    "disease_prefix_zh": ("words",),
    "disease_suffix_zh": ("words",),
    "drug_salt_zh": ("words",),
    "dosage_form_zh": ("words",),
    "product_zh": ("strong", "weak", "dosing_verbs", "stops", "route_words", "not_names"),
    "infection_sites_zh": ("sites",),
    "disease_heads_en": ("words",),
    "abbrev_en": ("not_in_long_form",),
    "eponym_heads_en": ("words",),
    "org_nouns_en": ("words",),
    "not_entities": ("en", "zh"),
}


@dataclass(frozen=True, eq=False)  # hashed by identity: compiled patterns are cached per rule set
class SpanRules:
    """Every list of ``span_rules.json`` as a tuple (longest entries first, so prefix tests find the longest)."""

    lists: dict[str, tuple[str, ...]]

    def get(self, section: str, field: str = "words") -> tuple[str, ...]:
        return self.lists[f"{section}.{field}"]


def _longest_first(items: list[str]) -> tuple[str, ...]:
    return tuple(sorted(dict.fromkeys(items), key=len, reverse=True))


def parse_span_rules(data: Any, where: str = _FILE) -> SpanRules:
    """Validate the parsed JSON of a span rule file (see the module docstring)."""
    if not isinstance(data, dict):
        raise ResourceError(f"{where}: top level must be an object")
    unknown = set(data) - set(_SHAPE) - {"version", "about"}
    if unknown:
        raise ResourceError(f"{where}: unknown key(s) {sorted(unknown)}; allowed: {sorted(_SHAPE)}")
    lists: dict[str, tuple[str, ...]] = {}
    for section, fields in _SHAPE.items():
        body = data.get(section)
        if not isinstance(body, dict):
            raise ResourceError(f"{where}: section {section!r} is missing or not an object")
        extra = set(body) - set(fields) - {"comment"}
        if extra:
            raise ResourceError(f"{where}: {section}: unknown field(s) {sorted(extra)}; allowed: {list(fields)}")
        for field in fields:
            items = body.get(field)
            if not isinstance(items, list) or not all(isinstance(i, str) and i.strip() for i in items):
                raise ResourceError(f"{where}: {section}.{field} must be a list of non-empty strings")
            lists[f"{section}.{field}"] = _longest_first(items)
    return SpanRules(lists)


@lru_cache(maxsize=1)
def span_rules() -> SpanRules:
    """The bundled span rules (read on first use, then cached)."""
    path = resources.files("imnm_nlp").joinpath("resources", _FILE)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ResourceError(f"{_FILE} is missing ({exc}); reinstall imnm-nlp") from exc
    except json.JSONDecodeError as exc:
        raise ResourceError(f"{_FILE} is not valid JSON: {exc}") from exc
    return parse_span_rules(data)


__all__ = ["SpanRules", "parse_span_rules", "span_rules"]
