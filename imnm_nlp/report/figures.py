"""Forest-style SVG figures drawn with matplotlib, for inlining in the report.

Contract of :func:`forest_svg`: one row per :class:`Point` (top to bottom in the given order), a marker at
``x`` coloured by source language and shaped by measure, a whisker from ``lo`` to ``hi`` when known,
dotted rules between groups; every marker is wrapped in an SVG ``<a href="#anchor">`` so a click jumps
to its evidence entry in the page. The SVG is returned without XML prolog, with its ids prefixed
(several figures share one HTML page) and without ``target="_blank"`` (the links are in-page).

Text stays text (``svg.fonttype = 'none'``): Chinese labels are drawn by the browser with a system
font, so nothing becomes boxes and no font is embedded. matplotlib uses a CJK font only, when one is
installed, to measure label widths; the page's CSS gives the browser the font stack.

Nothing is drawn at import; matplotlib is imported on first use, through ``Figure`` (never ``pyplot``:
no global figure state, no GUI backend).
"""

from __future__ import annotations

import functools
import io
import math
import re
import unicodedata
import warnings
from dataclasses import dataclass
from typing import Sequence

__all__ = ["Point", "forest_svg", "LANG_COLORS", "MEASURE_MARKERS"]

LANG_COLORS = {"en": "#1f77b4", "zh": "#d62728", "mixed": "#7f7f7f"}
LANG_NAMES = {"en": "English source", "zh": "Chinese source", "mixed": "both languages (aggregate)"}
MEASURE_MARKERS = {"incidence": "o", "prevalence": "s", "mortality": "^", "proportion": "D", "other": "v"}
_CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Source Han Sans SC", "WenQuanYi Zen Hei",
              "WenQuanYi Micro Hei", "Droid Sans Fallback", "AR PL UMing CN", "Microsoft YaHei", "SimHei",
              "PingFang SC", "Heiti SC")


@dataclass
class Point:
    """One row of a forest plot."""

    anchor: str  # id of the evidence entry in the page ("rec-..." or "grp-...")
    label: str  # y-axis label
    x: float
    lang: str  # "zh" | "en" | "mixed"
    measure: str = "other"
    lo: float | None = None
    hi: float | None = None
    group: str = ""  # rows of the same group sit together; a rule separates groups


@functools.lru_cache(maxsize=1)
def _fonts() -> list[str]:
    """DejaVu Sans, plus the first installed CJK font (for measuring Chinese labels)."""
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    return ["DejaVu Sans", *[name for name in _CJK_FONTS if name in installed][:1]]


def _prefix_ids(svg: str, prefix: str) -> str:
    ids = set(re.findall(r'\bid="([^"]+)"', svg))
    if not ids:
        return svg

    def fix_ref(m: re.Match[str]) -> str:
        name = m.group(2)
        return f"{m.group(1)}{prefix}{name}{m.group(3)}" if name in ids else m.group(0)

    svg = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}{m.group(1)}"', svg)
    svg = re.sub(r'(url\(#)([^)]+)(\))', fix_ref, svg)
    return re.sub(r'((?:xlink:)?href="#)([^"]+)(")', fix_ref, svg)


def _clean_svg(raw: str, prefix: str) -> str:
    svg = raw[raw.index("<svg"):]  # drop <?xml ...?> and <!DOCTYPE ...>: not allowed inside HTML
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, count=1, flags=re.S)  # RDF boilerplate, ~600 bytes
    svg = _prefix_ids(svg, prefix)
    svg = svg.replace(' target="_blank"', "")
    # SVG 2 / HTML: a plain href next to xlink:href, for browsers and parsers that ignore xlink
    return re.sub(r'<a xlink:href="(#[^"]+)"', r'<a href="\1" xlink:href="\1"', svg)


def _text_width(text: str, size_pt: float = 9.0) -> float:
    """Rough width in inches of a label: CJK characters are about twice as wide as Latin ones."""
    units = sum(1.0 if unicodedata.east_asian_width(c) in ("W", "F") else 0.58 for c in text)
    return units * size_pt / 72


def _log_scale(values: Sequence[float]) -> bool:
    positive = [v for v in values if v > 0]
    return len(positive) == len(values) and len(values) > 1 and max(positive) / min(positive) > 100


def forest_svg(points: Sequence[Point], *, title: str, xlabel: str, fig_id: str) -> str:
    """Draw ``points`` as a forest plot; return inline-ready SVG markup (see module docstring)."""
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    rc = {"svg.fonttype": "none", "svg.hashsalt": fig_id, "font.family": "sans-serif",
          "font.sans-serif": _fonts(), "font.size": 9, "axes.titlesize": 10,
          "text.parse_math": False}  # a "$" in a region or population is text, not mathtext
    with matplotlib.rc_context(rc), warnings.catch_warnings():
        # Glyph-missing warnings when no CJK font is installed here: harmless, the browser draws the text.
        warnings.simplefilter("ignore", UserWarning)
        # Margins computed from the label lengths instead of constrained layout, which draws the figure
        # twice and measured every tick label again (80% of the time on a 300-row panel).
        row_h, top, bottom = 0.24, 0.45, 0.8
        height = top + bottom + row_h * max(len(points), 1)
        label_in = max((_text_width(p.label) for p in points), default=1.0)
        width = 10.0
        left = min(0.55, (label_in + 0.25) / width)
        fig = Figure(figsize=(width, height))
        fig.subplots_adjust(left=left, right=1 - 0.2 / width, top=1 - top / height, bottom=bottom / height)
        ax = fig.add_subplot()
        n = len(points)
        ys = [n - 1 - i for i in range(n)]
        for lang in sorted({p.lang for p in points}):
            for measure in sorted({p.measure for p in points if p.lang == lang}):
                idx = [i for i, p in enumerate(points) if p.lang == lang and p.measure == measure]
                color = LANG_COLORS.get(lang, "#333333")
                whiskers = [(ys[i], points[i].lo, points[i].hi) for i in idx
                            if points[i].lo is not None and points[i].hi is not None
                            and math.isfinite(points[i].lo) and math.isfinite(points[i].hi)]  # type: ignore[arg-type]
                if whiskers:
                    wy, wlo, whi = zip(*whiskers)
                    ax.hlines(wy, wlo, whi, colors=color, linewidth=1.4, alpha=0.8)
                sc = ax.scatter([points[i].x for i in idx], [ys[i] for i in idx], s=36, color=color,
                                marker=MEASURE_MARKERS.get(measure, "o"), zorder=3, edgecolors="white", linewidths=0.5)
                sc.set_urls([f"#{points[i].anchor}" for i in idx])
        for i in range(1, n):
            if points[i].group != points[i - 1].group:
                ax.axhline(ys[i] + 0.5, color="#bbbbbb", linewidth=0.6, linestyle=":")
        # Row labels as plain texts, not y ticks: a Tick is two lines and two texts deep-copied from a
        # prototype, which made tick creation most of the cost of a 300-row panel.
        ax.set_yticks([])
        label_tf = ax.get_yaxis_transform()
        for y, p in zip(ys, points):
            ax.text(-0.01, y, p.label, transform=label_tf, ha="right", va="center", fontsize=8.5)
        ax.set_ylim(-0.7, n - 0.3)
        values = [p.x for p in points] + [v for p in points for v in (p.lo, p.hi) if v is not None]
        if _log_scale(values):
            ax.set_xscale("log")
        ax.grid(axis="x", color="#e5e5e5", linewidth=0.6)
        ax.set_axisbelow(True)
        ax.set_xlabel(xlabel)
        ax.set_title(title, loc="left")
        handles = [Line2D([], [], color=LANG_COLORS[lg], marker="o", linestyle="", label=LANG_NAMES[lg])
                   for lg in ("en", "zh", "mixed") if any(p.lang == lg for p in points)]
        handles += [Line2D([], [], color="#555555", marker=MEASURE_MARKERS[m], linestyle="", label=m)
                    for m in MEASURE_MARKERS if any(p.measure == m for p in points)]
        if handles:
            fig.legend(handles=handles, loc="lower center", ncols=min(len(handles), 5), frameon=False,
                       bbox_to_anchor=(0.5, 0.0))
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None})
    return _clean_svg(buf.getvalue(), f"{fig_id}-")
