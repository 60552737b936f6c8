"""A PNG chart per series, readable on a phone and pasteable into a slide.

matplotlib is an optional extra (``pip install 'smassist[charts]'``): it is
imported only when a chart is drawn, with the headless Agg canvas (no pyplot,
no display, no global state, safe from several threads). Charts depend only on
the knowledge base, so each one is drawn once per version and kept under
``cache_dir()/charts/<version>/<series>-<lang>.png``.
"""

from __future__ import annotations

import os
import tempfile
import textwrap
from pathlib import Path
from typing import Any

from smassist import texts as catalogue
from smassist.kb.figures import format_value
from smassist.kb.runtime import KnowledgeBase
from smassist.settings import Settings, current
from smassist.texts import descriptions, text
from smassist.trends.series import Trend, TrendPoint, build_trend

#: How to get charts, per language (``smassist trend`` prints it without matplotlib).
INSTALL_HINT = descriptions("chart.install_hint")

#: 1080 px wide (a phone screen, a slide column); the height follows the text.
WIDTH_PX = 1080
DPI = 100
#: ``--chart-size``: "phone" (1080 px wide, portrait) or "slide" (1920 x 1080 or taller, landscape).
SIZES = ("phone", "slide")
#: Changes when the drawing changes, so that a cached chart of the old look is not served.
CHART_STYLE = "s2"
SLIDE_WIDTH_PX, SLIDE_HEIGHT_PX = 1920, 1080

#: One colour per country (a study's scope), the same on every chart: blue is always France.
SCOPE_COLOURS = {"france": "#1f5f8b", "usa": "#c0392b", "switzerland": "#3a8f5c",
                 "germany": "#8a4f9e", "world": "#b8860b", "unspecified": "#7f7f7f"}
_COLOURS = ("#1f5f8b", "#e07b39", "#3a8f5c", "#8a4f9e", "#b8860b")
_TEXT = "#1d1d1f"
_ACCENT = "#1f5f8b"
_MUTED = "#555555"

class ChartsUnavailable(RuntimeError):
    """matplotlib is not installed; the message says how to install it."""

    def __init__(self, lang: str = "en"):
        super().__init__(text(lang, "chart.install_hint"))


def available() -> bool:
    """True when matplotlib can be imported."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def chart_path(kb: KnowledgeBase, series_id: str, lang: str,
               settings: Settings | None = None, size: str = "phone") -> Path:
    """Where the chart of this series, version, language and size is kept."""
    suffix = "" if size == "phone" else f"-{size}"
    return (current(settings).cache_dir() / "charts" / f"{kb.version}-{CHART_STYLE}"
            / f"{series_id}-{lang}{suffix}.png")


def chart(kb: KnowledgeBase, series_id: str, lang: str, size: str = "phone") -> Path:
    """The chart's PNG file, drawn now if this knowledge-base version has none yet.

    Raises :class:`ChartsUnavailable` without matplotlib, ``KeyError`` for an unknown series.
    """
    series = kb.series[series_id]
    path = chart_path(kb, series_id, lang, size=size)
    if path.is_file() and path.stat().st_size > 0:
        return path
    png = render_png(build_trend(kb, series, lang), size=size)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{series_id}-", suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            handle.write(png)
        os.replace(tmp, path)  # readers never see half a file
    except OSError:
        # A read-only cache still gets its chart, in a private temporary file.
        fd, tmp = tempfile.mkstemp(prefix=f"smassist-{series_id}-", suffix=".png")
        with os.fdopen(fd, "wb") as handle:
            handle.write(png)
        return Path(tmp)
    return path


def chart_or_none(kb: KnowledgeBase, series_id: str, lang: str) -> Path | None:
    """The chart, or None when matplotlib is missing (the text trend is enough then)."""
    try:
        return chart(kb, series_id, lang)
    except ChartsUnavailable:
        return None


def render_png(trend: Trend, size: str = "phone") -> bytes:
    """The trend as a bar chart: one labelled bar per point, its year, a legend of the
    countries and their populations, the sources and one caution underneath."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise ChartsUnavailable(trend.lang) from None
    import io

    # Laid out in pixels, top to bottom, so long titles and notes push the height, never overlap.
    slide = size == "slide"
    width_px = SLIDE_WIDTH_PX if slide else WIDTH_PX
    title = textwrap.wrap(trend.label, 70 if slide else 38)
    reading = textwrap.wrap(trend.reading, 110 if slide else 60)
    footer = _footer_lines(trend, width=125 if slide else 76)
    heights = {"top": 36, "title": 52 * len(title), "gap": 18, "reading": 34 * len(reading),
               "above": 70, "chart": 400 if slide else 520,
               "ticks": 80 + 40 * trend.mixed_scopes, "footer": 29 * len(footer), "bottom": 30}
    if slide:  # at least 16:9: the extra room goes to the bars
        heights["chart"] += max(0, SLIDE_HEIGHT_PX - sum(heights.values()))
    height = sum(heights.values())
    figure = Figure(figsize=(width_px / DPI, height / DPI), dpi=DPI, facecolor="white")
    FigureCanvasAgg(figure)

    def y_of(pixels_from_top: float) -> float:
        return 1 - pixels_from_top / height

    left = 60 / width_px
    cursor = heights["top"]
    figure.text(left, y_of(cursor), "\n".join(title), ha="left", va="top", fontsize=30,
                fontweight="bold", color=_TEXT, linespacing=1.15)
    cursor += heights["title"] + heights["gap"]
    figure.text(left, y_of(cursor), "\n".join(reading), ha="left", va="top", fontsize=19,
                fontweight="bold", color=_ACCENT, linespacing=1.3)
    cursor += heights["reading"] + heights["above"]
    cursor += heights["chart"]
    axes = figure.add_axes((left, y_of(cursor), 1 - 2 * left, heights["chart"] / height))
    cursor += heights["ticks"]

    _draw_bars(axes, trend)

    for line, style in footer:
        figure.text(left, y_of(cursor), line, ha="left", va="top", fontsize=17,
                    color=_TEXT if style == "strong" else _MUTED,
                    fontweight="bold" if style == "strong" else "normal")
        cursor += 29

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, facecolor="white",
                   metadata={"Software": "smassist (matplotlib)"})
    return buffer.getvalue()


def _draw_bars(axes: Any, trend: Trend) -> None:
    """One bar per point, coloured by country: its value on top, its change inside, its year below."""
    points = trend.points
    values = [p.stat.value * (100 if p.stat.unit == "fraction" else 1) for p in points]
    labels = [trend.point_label(p).replace(", ", "\n") for p in points]
    colours = [SCOPE_COLOURS.get(p.scope, _COLOURS[-1]) for p in points]
    positions = list(range(len(points)))
    axes.bar(positions, values, width=0.62, color=colours)
    _legend(axes, points, trend.lang)
    top_value = max(values) if values else 1
    axes.set_ylim(0, top_value * 1.32)  # headroom: the value labels, then the legend
    for position, value, point in zip(positions, values, points, strict=True):
        axes.annotate(_value_label(point, trend.lang), (position, value), xytext=(0, 8),
                      textcoords="offset points", ha="center", va="bottom", fontsize=36,
                      fontweight="bold", color=_TEXT, annotation_clip=False)
        if point.change is not None and not trend.comparison:
            axes.text(position, value / 2, trend.change_text(point.change, point.approximate,
                                                             short=True),
                      ha="center", va="center", fontsize=24, color="white", fontweight="bold")
    axes.set_xticks(positions, labels, fontsize=26, color=_TEXT)
    axes.tick_params(axis="x", length=0, pad=12)
    axes.set_yticks([])
    for side in ("top", "right", "left"):
        axes.spines[side].set_visible(False)
    axes.spines["bottom"].set_color("#999999")
    axes.set_xlim(-0.6, len(points) - 0.4)


def _legend(axes: object, points: tuple[TrendPoint, ...], lang: str) -> None:
    """One swatch per country, its colour the same on every chart (who was asked is in the
    sources underneath)."""
    from matplotlib.patches import Patch

    names = dict.fromkeys((p.scope, p.scope_name) for p in points)
    handles = [Patch(color=SCOPE_COLOURS.get(scope, _COLOURS[-1]), label=name)
               for scope, name in names]
    axes.legend(handles=handles, loc="upper right", frameon=False,  # type: ignore[attr-defined]
                fontsize=18, ncol=len(handles), borderaxespad=0.2)


def _value_label(point: TrendPoint, lang: str) -> str:
    """'30 %', or '≈ 60 %' for 'près de 60 %' (the words are in the footer)."""
    if point.qualifier:
        return "≈ " + format_value(point.stat.value, point.stat.unit, lang)
    return point.stat.formatted


def _footer_lines(trend: Trend, width: int) -> list[tuple[str, str]]:
    """The lines under the chart: each point's source, the caution, the note."""
    lang = trend.lang
    colon = catalogue.colon(lang) + " "
    lines: list[tuple[str, str]] = []

    def add(text: str, style: str = "normal", indent: str = "") -> None:
        lines.extend((line, style) for line in textwrap.wrap(text, width, subsequent_indent=indent))

    by_source: dict[str, list[str]] = {}
    for point in trend.points:
        source = f"{point.stat.study_name}, {point.sample}"
        by_source.setdefault(source, []).append(trend.point_label(point))
    add(text(lang, "chart.sources" if len(by_source) > 1 else "chart.source"), "strong")
    for source, labels in by_source.items():
        add(f"• {' / '.join(labels)}{colon}{source}", indent="   ")
    # One caution: the series' note when it has one (it says what the generic caution would),
    # else the first generic caution.
    if trend.note:
        add(f"{text(lang, 'chart.note')}{colon}{trend.note}")
    elif trend.cautions:
        caution = trend.cautions[0]
        if trend.lang == "fr":  # lower case after a French colon
            caution = caution[:1].lower() + caution[1:]
        add(f"{text(lang, 'chart.caution')}{colon}{caution}")
    return lines
