"""Treatment matrices, the risk-factor table and the claims table of the report.

* :func:`treatment_matrices`: per population (the :data:`MAX_POPULATIONS` with most claims, the rest
  together), a drug x claim matrix. Rows are canonical drug names, so Chinese and English mentions of one
  drug count together; the row shows every surface name by language. Each cell lists its evidence in
  three groups, *asserted*, *hedged* and *negated* (negated wins when both flags are set), at most
  :data:`MAX_CELL_ENTRIES` entries a cell (the rest are counted; they are in the claims table and
  claims.csv). Rejected claims are left out.
* :func:`risk_factor_rows`: factor x language counts with a few examples.
* :func:`claims_table`: one row per epi figure, treatment claim and risk factor (rejected included, with
  their status), at most :data:`MAX_TABLE_ROWS`, each linking to its evidence entry when the page has one.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any, Iterable

from imnm_nlp.records import CLAIMS
from imnm_nlp.report.evidence import Anchors, doc_links, evidence_entry, per_100k

__all__ = ["treatment_matrices", "risk_factor_rows", "claims_table", "entity_counts",
           "MAX_POPULATIONS", "MAX_CELL_ENTRIES", "MAX_TABLE_ROWS"]

MAX_POPULATIONS = 10
MAX_CELL_ENTRIES = 10
MAX_TABLE_ROWS = 2000
_EVIDENCE_CHARS = 160


def _population(rec: dict[str, Any]) -> str:
    return (rec.get("population") or "").strip() or "population not stated"


def _flag(rec: dict[str, Any]) -> str:
    return "negated" if rec.get("negated") else "hedged" if rec.get("hedged") else "asserted"


def _treatment_summary(rec: dict[str, Any]) -> str:
    parts = [rec["drug"], rec["claim"]]
    if rec.get("responders") is not None and rec.get("treated"):
        parts.append(f"{rec['responders']}/{rec['treated']} responded")
    if rec.get("outcome"):
        parts.append(rec["outcome"])
    return " · ".join(parts)


def treatment_matrices(records: Iterable[dict[str, Any]], anchors: Anchors,
                       meta: dict[str, dict[str, str]]) -> tuple[list[dict[str, Any]], int]:
    """The matrices (see module docstring) and the number of rejected claims left out."""
    by_pop: dict[str, list[dict[str, Any]]] = defaultdict(list)
    rejected = 0
    for r in records:
        if r["type"] != "treatment":
            continue
        if r["status"] == "rejected":
            rejected += 1
            continue
        by_pop[_population(r).casefold()].append(r)
    ranked = sorted(by_pop.values(), key=lambda rs: (-len(rs), _population(rs[0]).casefold()))
    groups = ranked[:MAX_POPULATIONS]
    if len(ranked) > MAX_POPULATIONS:
        groups.append([r for rs in ranked[MAX_POPULATIONS:] for r in rs])
    matrices = []
    for gi, recs in enumerate(groups):
        other = gi >= MAX_POPULATIONS
        title = f"other populations ({len(ranked) - MAX_POPULATIONS})" if other else _population(recs[0])
        drugs: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in sorted(recs, key=lambda r: (r["provenance"]["doc_id"], r["provenance"].get("section_index", 0),
                                             r["provenance"]["start"], r["record_id"])):
            drugs[r["drug"]].append(r)
        rows = []
        for drug, drs in sorted(drugs.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            names: dict[str, dict[str, None]] = {"zh": {}, "en": {}}
            cells = []
            for claim in CLAIMS:
                cell: dict[str, Any] = {"claim": claim, "total": 0, "more": 0,
                                        "asserted": [], "hedged": [], "negated": [], "counts": Counter()}
                for r in drs:
                    if r["claim"] != claim:
                        continue
                    cell["total"] += 1
                    flag = _flag(r)
                    cell["counts"][flag] += 1
                    if len(cell["asserted"]) + len(cell["hedged"]) + len(cell["negated"]) >= MAX_CELL_ENTRIES:
                        cell["more"] += 1
                        continue
                    summary = _treatment_summary(r) + (f" · {_population(r)}" if other else "")
                    cell[flag].append(evidence_entry(r, anchors, meta, summary))
                cells.append(cell)
            for r in drs:
                surface = (r.get("drug_text") or "").strip()
                if surface:
                    names.setdefault(r["provenance"]["lang"], {})[surface] = None
            rows.append({"drug": drug, "n": len(drs), "names": {k: list(v)[:6] for k, v in names.items() if v},
                         "langs": dict(Counter(r["provenance"]["lang"] for r in drs)), "cells": cells})
        matrices.append({"title": title, "n": len(recs), "rows": rows, "id": f"tx{gi + 1}"})
    return matrices, rejected


def risk_factor_rows(records: Iterable[dict[str, Any]], anchors: Anchors,
                     meta: dict[str, dict[str, str]], examples: int = 5) -> list[dict[str, Any]]:
    """One row per risk factor (canonical name): counts by language, surface names, example entries."""
    by_factor: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in records:
        if r["type"] == "risk_factor" and r["status"] != "rejected":
            by_factor[r["factor"]].append(r)
    rows = []
    for factor, rs in sorted(by_factor.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        surfaces = list(dict.fromkeys((r.get("factor_text") or "").strip() for r in rs if r.get("factor_text")))[:8]
        outcomes = Counter(r.get("outcome") for r in rs if r.get("outcome"))
        entries = [evidence_entry(r, anchors, meta, " · ".join(x for x in (r["factor"], r.get("outcome") or "", _flag(r)) if x))
                   for r in rs[:examples]]
        rows.append({"factor": factor, "label": rs[0].get("factor_label") or "", "n": len(rs),
                     "langs": dict(Counter(r["provenance"]["lang"] for r in rs)), "surfaces": surfaces,
                     "outcomes": [o for o, _ in outcomes.most_common(3)], "entries": entries, "more": max(0, len(rs) - examples)})
    return rows


def _table_row(r: dict[str, Any], anchors: Anchors, meta: dict[str, dict[str, str]]) -> dict[str, Any]:
    kind = r["type"]
    sort_value = ""
    if kind == "epi":
        subject = r["measure"]
        v = per_100k(r)[0]
        high = f"–{r['value_high']:g}" if r.get("value_high") is not None else ""
        detail = f"{r['value']:g}{high} {r['unit']}" + (f" ({v:.3g}/100k)" if v is not None and r["unit"] != "per 100000" else "")
        sort_value = f"{v if v is not None else r['value']:.6g}"
    elif kind == "treatment":
        subject, detail = r["drug"], r["claim"] + "".join(f" [{f}]" for f in ("hedged", "negated") if r.get(f))
    else:
        subject, detail = r["factor"], (r.get("factor_label") or "") + "".join(f" [{f}]" for f in ("hedged", "negated") if r.get(f))
    sentence = r["provenance"]["sentence"]
    anchor = f"rec-{r['record_id']}"
    return {
        "record_id": r["record_id"], "type": kind, "lang": r["provenance"]["lang"], "subject": subject,
        "detail": detail, "sort_value": sort_value, "population": r.get("population") or "",
        "region": r.get("region") or "", "status": r["status"],
        "evidence": sentence if len(sentence) <= _EVIDENCE_CHARS else sentence[:_EVIDENCE_CHARS] + "…",
        "anchor": anchor if anchor in anchors.ids else None, **doc_links(r["provenance"]["doc_id"], meta),
    }


def claims_table(records: Iterable[dict[str, Any]], anchors: Anchors,
                 meta: dict[str, dict[str, str]]) -> tuple[list[dict[str, Any]], int]:
    """The claims table rows (call after every evidence entry exists) and the total before the cap."""
    claims = [r for r in records if r["type"] != "entity"]
    claims.sort(key=lambda r: (r["type"], r["provenance"]["doc_id"], r["provenance"].get("section_index", 0),
                               r["provenance"]["start"], r["record_id"]))
    return [_table_row(r, anchors, meta) for r in claims[:MAX_TABLE_ROWS]], len(claims)


def entity_counts(records: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Entity mentions per label and language, with the most frequent canonical names."""
    per: dict[str, Counter[str]] = defaultdict(Counter)
    names: dict[str, Counter[str]] = defaultdict(Counter)
    for r in records:
        if r["type"] == "entity":
            per[r["label"]][r["provenance"]["lang"]] += 1
            names[r["label"]][r.get("canonical") or r["text"]] += 1
    return {label: {"zh": per[label].get("zh", 0), "en": per[label].get("en", 0),
                    "top": [n for n, _ in names[label].most_common(8)]} for label in sorted(per)}
