"""Evidence entries (the page's anchors) and the epidemiology panels.

Every record the page shows individually gets one evidence entry, ``id="rec-<record_id>"``, numbered in
page order; the figures, matrix and table link to it. :class:`Anchors` numbers them and remembers which
exist, so no link ever points at a missing id.

Epidemiology (:func:`epi_panels`): population rates (``per N`` units, normalized per 100,000) are
drawn per population, with ``per N person-years`` figures in their own panel (an incidence density is
not comparable with a point prevalence); percentages (proportions, survival...) share one panel,
grouped by population. Rows are grouped by region, then period (the period the figure covers, else the
publication year from claims.csv, shown as ``publ. 2019``). A panel that would hold more than
``max_points`` rows is aggregated by (region, period, measure): the median, a min-max whisker and the
count, linked to a group entry listing examples. Rejected records (after review) are not drawn.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable

from imnm_nlp.report.figures import Point, forest_svg

__all__ = ["Anchors", "doc_links", "evidence_entry", "epi_panels", "per_100k", "MAX_POINTS", "MAX_PANELS"]

MAX_POINTS = 300  # rows per panel before aggregating: beyond this a forest plot is no longer readable
AGG_ROWS = 60  # an aggregated panel is coarsened until it has at most this many rows
MAX_PANELS = 8  # populations drawn individually; the rest share an "other populations" panel
_PER_N = re.compile(r"^per ([1-9][0-9]*)( person-years)?$")


class Anchors:
    """Numbers evidence entries in page order and records which anchors exist."""

    def __init__(self) -> None:
        self.ids: set[str] = set()
        self._n = 0

    def add(self, anchor: str) -> int:
        self.ids.add(anchor)
        self._n += 1
        return self._n


def doc_links(doc_id: str, meta: dict[str, dict[str, str]]) -> dict[str, str]:
    ns, _, rest = doc_id.partition(":")
    m = meta.get(doc_id, {})
    pmid = m.get("pmid") or (rest if ns == "pmid" else "")
    doi = m.get("doi") or (rest if ns == "doi" else "")
    return {"doc_id": doc_id, "pmid": pmid, "doi": doi, "year": m.get("year") or ""}


def _split_sentence(rec: dict[str, Any]) -> tuple[str, str, str]:
    """The evidence sentence cut around the record's own span, so the page can highlight it."""
    p = rec["provenance"]
    s = p["sentence"]
    a, b = p["start"] - p["sentence_start"], p["end"] - p["sentence_start"]
    if 0 <= a <= b <= len(s):
        return s[:a], s[a:b], s[b:]
    return s, "", ""


def evidence_entry(rec: dict[str, Any], anchors: Anchors, meta: dict[str, dict[str, str]], summary: str) -> dict[str, Any]:
    """A rendered evidence entry: number, anchor, highlighted sentence, doc links, review status."""
    anchor = f"rec-{rec['record_id']}"
    pre, mark, post = _split_sentence(rec)
    return {
        "n": anchors.add(anchor), "anchor": anchor, "record_id": rec["record_id"], "type": rec["type"],
        "lang": rec["provenance"]["lang"], "pre": pre, "mark": mark, "post": post, "summary": summary,
        "status": rec["status"], "note": rec.get("note"), "original": rec.get("original") or {},
        "corrections": rec.get("corrections") or {}, **doc_links(rec["provenance"]["doc_id"], meta),
    }


def per_100k(rec: dict[str, Any]) -> tuple[float | None, float | None, float | None]:
    """(value, ci_low, ci_high) per 100,000 for a population rate; Nones when the unit is not ``per N``."""
    m = _PER_N.match(rec.get("unit") or "")
    if not m:
        return None, None, None
    factor = 100_000 / int(m.group(1))
    value = rec.get("per_100k")
    if value is None:
        value = rec["value"] * factor
    lo = rec.get("ci_low")
    hi = rec.get("ci_high")
    if lo is None and rec.get("value_high") is not None:  # a range "1 to 6 per 100,000" is drawn as a whisker
        lo, hi = rec["value"], rec["value_high"]
    return value, (lo * factor if lo is not None else None), (hi * factor if hi is not None else None)


def _fmt(x: float | None) -> str:
    return "" if x is None else f"{x:.4g}"


def _epi_summary(rec: dict[str, Any]) -> str:
    v, _, _ = per_100k(rec)
    parts = [rec["measure"], f"{_fmt(rec['value'])}{'–' + _fmt(rec['value_high']) if rec.get('value_high') is not None else ''} {rec['unit']}"]
    if v is not None and rec["unit"] not in ("per 100000", "per 100000 person-years"):
        parts.append(f"= {_fmt(v)} per 100,000")
    if rec.get("ci_low") is not None:
        parts.append(f"95% CI {_fmt(rec['ci_low'])}–{_fmt(rec.get('ci_high'))}")
    parts += [x for x in (rec.get("population"), rec.get("region"), rec.get("period")) if x]
    return " · ".join(parts)


def _population(rec: dict[str, Any]) -> str:
    return (rec.get("population") or "").strip() or "population not stated"


def _key(label: str) -> str:
    return label.casefold()


@dataclass
class Panel:
    """One figure of the epidemiology section with its evidence entries."""

    fig_id: str
    title: str
    svg: str
    entries: list[dict[str, Any]] = field(default_factory=list)
    groups: list[dict[str, Any]] = field(default_factory=list)  # aggregated rows
    aggregated: bool = False
    n_records: int = 0
    note: str = ""


def _rows(recs: list[dict[str, Any]], by_population: bool) -> list[dict[str, Any]]:
    def sort_key(r: dict[str, Any]) -> tuple[Any, ...]:
        v = per_100k(r)[0]
        return ((_population(r).casefold() if by_population else ""), (r.get("region") or "~").casefold(),
                r["_when"], r["measure"], r["provenance"]["lang"], v if v is not None else r["value"], r["record_id"])
    return sorted(recs, key=sort_key)


def _buckets(recs: list[dict[str, Any]], by_population: bool, rows: int) -> dict[tuple[str, str, str], list[dict[str, Any]]]:
    """Group figures for an aggregated panel: by (region, period, measure), or by (region, measure) when
    that still gives more than ``rows`` rows; by (population, measure) in the percentage panel."""
    levels = (False,) if by_population else (True, False)
    buckets: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for with_period in levels:
        buckets = defaultdict(list)
        for r in recs:
            first = _population(r) if by_population else (r.get("region") or "region not stated")
            buckets[(first, r["_when"] if with_period else "", r["measure"])].append(r)
        if len(buckets) <= rows:
            break
    return buckets


def _panel(fig_id: str, title: str, xlabel: str, recs: list[dict[str, Any]], anchors: Anchors,
           meta: dict[str, dict[str, str]], *, rate: bool, by_population: bool, max_points: int) -> Panel:
    """``rate``: x is the value per 100,000 (else the value as written, a percentage);
    ``by_population``: rows are grouped and labelled by population first (else by region)."""
    recs = _rows(recs, by_population)
    panel = Panel(fig_id=fig_id, title=title, svg="", n_records=len(recs))
    points: list[Point] = []
    if len(recs) <= max_points:
        for r in recs:
            entry = evidence_entry(r, anchors, meta, _epi_summary(r))
            panel.entries.append(entry)
            x, lo, hi = per_100k(r) if rate else (r["value"], r.get("ci_low"), r.get("ci_high"))
            if not rate and lo is None and r.get("value_high") is not None:
                lo, hi = r["value"], r["value_high"]
            where = " · ".join(x for x in (r.get("region"), r["_when"]) if x) or "region not stated"
            label = f"[{entry['n']}] " + (f"{_population(r)} · {where}" if by_population else where)
            group = _population(r) if by_population else (r.get("region") or "")
            points.append(Point(entry["anchor"], label[:60], float(x), r["provenance"]["lang"], r["measure"], lo, hi, group))
    else:
        panel.aggregated = True
        buckets = _buckets(recs, by_population, min(AGG_ROWS, max_points))
        ordered = sorted(buckets.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        kept, dropped = ordered[:AGG_ROWS], ordered[AGG_ROWS:]
        kept.sort(key=lambda kv: kv[0])
        for k, ((first, period, measure), members) in enumerate(kept):
            xs = [per_100k(r)[0] if rate else r["value"] for r in members]
            langs = {r["provenance"]["lang"] for r in members}
            anchor = f"grp-{fig_id}-{k}"
            anchors.add(anchor)
            examples = [evidence_entry(r, anchors, meta, _epi_summary(r)) for r in members[:3]]
            label = f"{first}{' · ' + period if period else ''} · {measure} (n={len(members)})"
            panel.groups.append({"anchor": anchor, "label": label, "n": len(members), "median": statistics.median(xs),
                                 "min": min(xs), "max": max(xs), "langs": dict(Counter(r["provenance"]["lang"] for r in members)),
                                 "examples": examples})
            points.append(Point(anchor, label[:60], float(statistics.median(xs)), langs.pop() if len(langs) == 1 else "mixed",
                                measure, float(min(xs)), float(max(xs)), first))
        level = "population" if by_population else "region, period" if any(k[1] for k in buckets) else "region"
        panel.note = (f"{len(recs)} figures are more than {max_points} rows: shown aggregated by "
                      f"{level} and measure (median, min–max whisker, n)")
        if dropped:
            panel.note += f"; {len(dropped)} smaller groups ({sum(len(m) for _, m in dropped)} figures) not drawn"
    panel.svg = forest_svg(points, title=title, xlabel=xlabel, fig_id=fig_id)
    return panel


def epi_panels(records: Iterable[dict[str, Any]], anchors: Anchors, meta: dict[str, dict[str, str]],
               max_points: int = MAX_POINTS) -> tuple[list[Panel], dict[str, int]]:
    """Build the epidemiology panels (see module docstring); also return counts of what was not drawn."""
    rates: dict[str, list[dict[str, Any]]] = defaultdict(list)
    percent: list[dict[str, Any]] = []
    skipped = Counter()
    for r in records:
        if r["type"] != "epi":
            continue
        # the period the figure is about, else the publication year (marked), for grouping and labels
        year = (meta.get(r["provenance"]["doc_id"]) or {}).get("year")
        r["_when"] = r.get("period") or (f"publ. {year}" if year else "")
        if r["status"] == "rejected":
            skipped["rejected"] += 1
        elif r["unit"] == "percent":
            percent.append(r)
        elif per_100k(r)[0] is not None:
            rates[_key(_population(r))].append(r)
        else:
            skipped["unit not drawable"] += 1
    ranked = sorted(rates.values(), key=lambda rs: (-len(rs), _key(_population(rs[0]))))
    shown, rest = ranked[:MAX_PANELS], [r for rs in ranked[MAX_PANELS:] for r in rs]
    panels = []
    for i, recs in enumerate(shown + ([rest] if rest else [])):
        name = _population(recs[0]) if i < len(shown) else f"other populations ({len(ranked) - MAX_PANELS})"
        for py in (False, True):
            sub = [r for r in recs if r["unit"].endswith("person-years") == py]
            if sub:
                unit = "per 100,000 person-years" if py else "per 100,000"
                panels.append(_panel(f"epi{len(panels) + 1}", f"{name} — {unit}", unit, sub, anchors, meta,
                                     rate=True, by_population=i >= len(shown), max_points=max_points))
    if percent:
        panels.append(_panel(f"epi{len(panels) + 1}", "Proportions and other percentages, by population",
                             "percent", percent, anchors, meta, rate=False, by_population=True, max_points=max_points))
    return panels, dict(skipped)
