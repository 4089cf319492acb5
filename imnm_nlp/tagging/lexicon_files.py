"""Reading and validating the lexicon resource files (used by :mod:`imnm_nlp.tagging.lexicon`).

Contract: :func:`parse_lexicon_file` turns one file's parsed JSON into :class:`~imnm_nlp.tagging.entry.Entry`
objects with all written forms expanded (:mod:`.forms`), raising :class:`~imnm_nlp.errors.ResourceError` on
unknown keys (top level or entry), missing or empty fields, malformed MeSH/ICD-10 codes, a DRUG without
``kind`` or with an upper-case canonical; :func:`check_consistency` rejects duplicate ids, DRUG classes that
name no class entry, and a written form that names two curated concepts of one label;
:func:`prune_generated` removes from generated gazetteer entries every form a curated entry already has.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from imnm_nlp.errors import ResourceError
from imnm_nlp.tagging import forms as F
from imnm_nlp.tagging.entry import Entry
from imnm_nlp.tagging.view import fold_key

# Curated files first; the general gazetteers generated from CMeKG (scripts/build_lexicons.py) come after
# them and lose every tie (a form shared with a curated entry is left out of them at build time anyway).
LEXICON_FILES = {
    "ANTIBODY": ("antibodies.json",),
    "DRUG": ("drugs.json", "drugs_cmekg.json"),
    "DISEASE": ("diseases.json", "diseases_cmekg.json"),
}
_ID_PREFIX = {"ANTIBODY": "IMNM:AB:", "DRUG": "IMNM:DRUG:", "DISEASE": "IMNM:DIS:"}
_TOP_KEYS = {"label", "version", "about", "origin", "entries", "blocked"}
_COMMON_KEYS = {"id", "canonical", "class", "en", "zh", "abbr", "mesh", "icd10", "note"}
_TARGET_KEYS = {"targets_en", "targets_zh", "targets_abbr"}
_EXTRA_KEYS = {
    "ANTIBODY": _TARGET_KEYS,
    "DRUG": _TARGET_KEYS | {"kind", "trade_zh", "trade_en"},
    "DISEASE": set(),
}
_LIST_KEYS = {"en", "zh", "abbr", "icd10", "trade_zh", "trade_en"} | _TARGET_KEYS
_MESH = re.compile(r"^[CD][0-9]{6,9}$")
_ICD10 = re.compile(r"^[A-Z][0-9]{2}(\.[0-9A-Z]{1,2})?$")
_DRUG_PSEUDO_CLASSES = {"other", "immunoglobulins"}  # classes that have no entry of their own


def _strings(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ResourceError(f"{where}: expected a list of non-empty strings, got {value!r}")
    return value


def _entry(raw: Any, label: str, where: str, origin: str = "curated") -> Entry:
    if not isinstance(raw, dict):
        raise ResourceError(f"{where}: an entry must be an object, got {type(raw).__name__}")
    allowed = _COMMON_KEYS | _EXTRA_KEYS[label]
    unknown = set(raw) - allowed
    if unknown:
        raise ResourceError(f"{where}: unknown key(s) {sorted(unknown)}; allowed: {sorted(allowed)}")
    for key in ("id", "canonical", "class"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise ResourceError(f"{where}: missing or empty {key!r}")
    where = f"{where} ({raw['id']})"
    if not raw["id"].startswith(_ID_PREFIX[label]):
        raise ResourceError(f"{where}: id must start with {_ID_PREFIX[label]!r}")
    lists = {k: _strings(raw[k], f"{where}.{k}") if k in raw else [] for k in _LIST_KEYS}
    mesh = raw.get("mesh")
    if mesh is not None and not (isinstance(mesh, str) and _MESH.match(mesh)):
        raise ResourceError(f"{where}: mesh must look like 'D012345' or 'C012345'; got {mesh!r}")
    for code in lists["icd10"]:
        if not _ICD10.match(code):
            raise ResourceError(f"{where}: icd10 code {code!r} is not like 'M33.1'")
    kind = raw.get("kind")
    if label == "DRUG":
        if kind not in ("class", "agent"):
            raise ResourceError(f"{where}: DRUG kind must be 'class' or 'agent'; got {kind!r}")
        if raw["canonical"] != raw["canonical"].lower():
            raise ResourceError(f"{where}: DRUG canonical must be lower case (ANNOTATION.md); got {raw['canonical']!r}")

    en, zh, abbr = list(lists["en"]), list(lists["zh"]) + lists["trade_zh"], list(lists["abbr"])
    en += lists["trade_en"]
    if lists["targets_en"] or lists["targets_abbr"] or lists["targets_zh"]:
        en += F.antibody_forms_en(lists["targets_en"], lists["targets_abbr"])
        zh += F.antibody_forms_zh(lists["targets_zh"], lists["targets_abbr"])
    if label == "DISEASE" or kind == "class":
        en = F.with_plurals(en)
        abbr += F.abbr_plurals(abbr)
    if kind == "class":
        en += F.class_noun_forms(lists["en"])
    en = [g for f in en for g in F.greek_variants(f)]
    entry = Entry(
        id=raw["id"], label=label, canonical=raw["canonical"], cls=raw["class"],
        en=F.dedupe(en), zh=F.dedupe(zh), abbr=F.dedupe(abbr), kind=kind, mesh=mesh,
        icd10=tuple(lists["icd10"]), origin=origin,
    )
    if not entry.forms():
        raise ResourceError(f"{where}: no written form (en, zh, abbr or targets_*)")
    return entry


def parse_lexicon_file(data: Any, label: str, where: str) -> tuple[list[Entry], list[str]]:
    """Validate one lexicon file's parsed JSON; return its entries and blocked surfaces."""
    if not isinstance(data, dict):
        raise ResourceError(f"{where}: top level must be an object with 'entries'")
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise ResourceError(f"{where}: unknown top-level key(s) {sorted(unknown)}; allowed: {sorted(_TOP_KEYS)}")
    if data.get("label") != label:
        raise ResourceError(f"{where}: 'label' must be {label!r}; got {data.get('label')!r}")
    if not isinstance(data.get("entries"), list) or not data["entries"]:
        raise ResourceError(f"{where}: 'entries' must be a non-empty list")
    origin = data.get("origin", "curated")
    if not isinstance(origin, str) or not origin:
        raise ResourceError(f"{where}: 'origin' must be a non-empty string")
    entries = [_entry(raw, label, f"{where} entry {i}", origin) for i, raw in enumerate(data["entries"])]
    blocked_raw = data.get("blocked", {})
    if not isinstance(blocked_raw, dict) or set(blocked_raw) - {"en", "zh"}:
        raise ResourceError(f"{where}: 'blocked' must be an object with 'en'/'zh' lists")
    blocked = [s for lang in ("en", "zh") for s in _strings(blocked_raw.get(lang, []), f"{where}.blocked.{lang}")]
    return entries, blocked


def prune_generated(by_label: dict[str, list[Entry]]) -> None:
    """Drop from generated (non-curated) entries every form another entry of the label already has.

    Curated entries always keep their forms; generated ones lose ties (plural expansion can make
    ``cardiomyopathies`` appear in both); an entry left without forms is dropped.
    """
    for label, entries in by_label.items():
        seen: set[str] = {fold_key(f) for e in entries if e.origin == "curated" for f in e.en + e.zh + e.abbr}
        kept: list[Entry] = []
        for e in entries:
            if e.origin != "curated":
                en = tuple(f for f in e.en if fold_key(f) not in seen)
                zh = tuple(f for f in e.zh if fold_key(f) not in seen)
                abbr = tuple(f for f in e.abbr if fold_key(f) not in seen)
                if not (en or zh or abbr):
                    continue
                e = replace(e, en=en, zh=zh, abbr=abbr)
                seen.update(fold_key(f) for f in en + zh + abbr)
            kept.append(e)
        by_label[label] = kept


def check_consistency(by_label: dict[str, list[Entry]]) -> None:
    ids: set[str] = set()
    for entries in by_label.values():
        for e in entries:
            if e.id in ids:
                raise ResourceError(f"duplicate lexicon id {e.id!r}")
            ids.add(e.id)
    drugs = by_label.get("DRUG", [])
    classes = {e.canonical for e in drugs if e.kind == "class"} | _DRUG_PSEUDO_CLASSES
    for e in drugs:
        if e.cls not in classes:
            raise ResourceError(f"{e.id}: class {e.cls!r} is neither a DRUG class entry nor one of {sorted(_DRUG_PSEUDO_CLASSES)}")
    for label, entries in by_label.items():  # one written form must not name two concepts of one label
        owner: dict[tuple[str, bool], str] = {}
        for e in entries:
            keyed = [(fold_key(f), False) for f in e.en + e.zh] + [(a, True) for a in e.abbr]
            for key in keyed:
                other = owner.setdefault(key, e.id)
                if other != e.id:
                    raise ResourceError(f"{label} form {key[0]!r} names both {other} and {e.id}; keep it in one entry")



__all__ = ["LEXICON_FILES", "parse_lexicon_file", "prune_generated", "check_consistency"]
