"""Shared figure styling: a colour-blind-safe palette (Okabe-Ito), fonts that carry
Chinese, light and dark templates, and the explanatory empty figure."""

from __future__ import annotations

import functools
import math
import textwrap

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from babel.numbers import format_compact_decimal
from plotly.colors import get_colorscale

from components import format as fmt
from components.format import CURRENCY
from components.i18n import t

# Every chart's mode bar: on hover, local actions only (image download, zoom, pan, reset).
# No Chart Studio link or cloud button (they upload the chart's data to an outside host),
# no plotly server, no logo link.
GRAPH_CONFIG = {
    "displayModeBar": "hover",
    "displaylogo": False,
    "showLink": False,
    "showSendToCloud": False,
    "showEditInChartStudio": False,
    "plotlyServerURL": "",
    "linkText": "",
    "responsive": True,
    "toImageButtonOptions": {"format": "png"},
    "modeBarButtonsToRemove": ["select2d", "lasso2d", "toggleSpikelines", "hoverClosestCartesian",
                               "hoverCompareCartesian", "sendDataToCloud", "editInChartStudio"],
}
# A sparkline is a picture: no mode bar at all.
STATIC_CONFIG = {**GRAPH_CONFIG, "staticPlot": True, "displayModeBar": False}

# a chart of reps draws the first 12 by its measure, the leader on top (its data, the export,
# keeps every rep: on large 600 bars in 300 pixels could not be read)
CHART_REPS = 12

# Okabe & Ito (2008): distinguishable with every common colour-vision deficiency.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
# "others" and "not assigned" never take a palette colour a named series has
REST_COLOURS = {"other": "#8C8C8C", "none": "#C8C8C8"}
# the heat maps' scale, as plotly.py spells out its named "Blues" (plotly.js's own "Blues" runs differently)
BLUES = get_colorscale("Blues")
FONT = "system-ui, -apple-system, 'Segoe UI', 'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif"


def graph_config(lang: str) -> dict:
    """A chart's dcc.Graph config: the local-only mode bar, with plotly.js's own texts (mode
    bar, date axes) in the viewer's language (zh-CN from assets/plotly-locale-zh-cn.js,
    self-hosted from plotly.js-locales)."""
    return {**GRAPH_CONFIG, "locale": "zh-CN" if lang == "zh-CN" else "en"}


# The house style (palette, fonts that carry Chinese, margins, transparent backgrounds, the
# legend under the axis labels) lives in two templates built once here. Figures are plain
# dicts ({"data": [...], "layout": {...}}, what dcc.Graph takes): plotly's graph objects
# validate every property they are given (make_subplots alone took 28 ms): building them was
# half of /products' Python time (issue #17).
# Each figure carries its theme's template in its JSON form, as a graph object figure did (the
# light one is plotly's default, so a figure without a theme has it). A figure's own settings
# win over the template's (a chart that needs a wider left margin sets it).
HOUSE_LAYOUT = {
    "colorway": PALETTE,
    "font": {"family": FONT, "size": 13},
    "margin": {"l": 48, "r": 16, "t": 24, "b": 40},
    "xaxis": {"automargin": True},
    "yaxis": {"automargin": True},
    "paper_bgcolor": "rgba(0,0,0,0)",
    "plot_bgcolor": "rgba(0,0,0,0)",
    # the legend sits under the axis labels (tilted ones on a phone too), never on them
    "legend": {"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom"},
    "hoverlabel": {"font": {"family": FONT}},
}
TEMPLATES = {"light": "crm_light", "dark": "crm_dark"}
for _theme, _base in (("light", "plotly_white"), ("dark", "plotly_dark")):
    _template = go.layout.Template(pio.templates[_base])
    _template.layout.update(HOUSE_LAYOUT)
    pio.templates[TEMPLATES[_theme]] = _template
pio.templates.default = TEMPLATES["light"]
# the templates as a figure's JSON carries them (one dict shared by every figure: never change it in place)
TEMPLATE_JSON = {theme: pio.templates[name].to_plotly_json() for theme, name in TEMPLATES.items()}


def figure(data=(), **layout) -> dict:
    """A figure of ``data`` (trace dicts, each with its "type") and ``layout``, in the light
    template until ``style`` says otherwise."""
    return {"data": list(data), "layout": {"template": TEMPLATE_JSON["light"], **layout}}


def axis_layout(fig: dict, name: str) -> dict:
    """The layout of axis ``name`` ("x", "y2", ...), created empty if the figure has none yet."""
    return fig["layout"].setdefault(f"{name[0]}axis{name[1:]}", {})


def style(fig: dict, theme: str = "light", height: int | None = 320) -> dict:
    fig["layout"]["template"] = TEMPLATE_JSON["dark" if theme == "dark" else "light"]
    if height is not None:
        fig["layout"]["height"] = height
    return fig


def empty(message: str, theme: str = "light") -> dict:
    """A figure that says why it is empty, instead of blank axes."""
    fig = figure(annotations=[{"text": wrap(message), "x": 0.5, "y": 0.5, "xref": "paper", "yref": "paper",
                               "showarrow": False, "font": {"size": 14}}],
                 xaxis={"visible": False}, yaxis={"visible": False})
    return style(fig, theme)


def wrap(text: str, width: int = 44) -> str:
    """Plotly text does not wrap by itself: break long messages into lines (<br>), at spaces
    for alphabetic text and every width/2 characters for Chinese."""
    if " " in text:
        return "<br>".join(textwrap.wrap(text, width))
    step = width // 2
    return "<br>".join(text[i:i + step] for i in range(0, len(text), step))


def money_ticks(values, lang: str, count: int = 5) -> tuple[list[float], list[str]]:
    """Round ticks over ``values`` (and zero), written in the reader's units: ``¥500万`` /
    ``¥1.2亿`` in Chinese, ``¥5M`` in English (Babel's compact decimal per locale: plotly
    has no 万 format, so the labels are computed here)."""
    finite = [float(v) for v in values if v is not None and math.isfinite(float(v))]
    low, high = min([0.0, *finite]), max([0.0, *finite])
    if high == low:
        high = low + 1
    step = nice_step((high - low) / count)
    first, last = math.floor(low / step), math.ceil(high / step)
    ticks = [round(i * step, 10) for i in range(first, last + 1)]
    return ticks, [money_tick(v, lang) for v in ticks]


def nice_step(raw: float) -> float:
    """The round step (1, 2, 2.5 or 5 times a power of ten) at or above ``raw``."""
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)


def percent_axis(fig: dict, values, lang: str, axis: str = "y2", count: int = 4) -> dict:
    """A percentage axis (``values`` in percent) with round ticks. Every rate axis goes
    through here, and its one rule against exaggerated swings: the axis always reaches 0
    (rates between 24% and 28% are drawn from 0%, not across the whole height). When a few
    values dwarf the rest (a 36,328% 环比 on a near-empty day beside swings of ±30%), the axis
    stops at 1.5 times the 90th percentile of the sizes and a note says what is not drawn to
    scale."""
    finite = [float(v) for v in values if v is not None and math.isfinite(float(v))]
    if not finite:
        return fig
    sizes = sorted(abs(v) for v in finite)
    typical = sizes[math.ceil(0.9 * len(sizes)) - 1]
    cap = typical * 1.5 if typical > 0 and sizes[-1] > 3 * typical else None
    low, high = min(0.0, *finite), max(0.0, *finite)
    if cap is not None:
        low, high = max(low, -cap), min(high, cap)
    step = nice_step((high - low) / count) if high > low else 1.0
    low, high = math.floor(low / step) * step, math.ceil(high / step) * step
    axis_layout(fig, f"y{axis[1:]}").update(
        {"range": [low - step / 4, high + step / 4], "tick0": 0, "dtick": step, "ticksuffix": "%", "tickformat": ",~r"})
    if cap is not None:
        outliers = [v for v in finite if not low <= v <= high]
        largest = max(outliers, key=abs)
        fig["layout"].setdefault("annotations", []).append({
            "text": t("chart.clipped", lang, limit=f"{max(abs(low), high):,.0f}%", n=len(outliers),
                      largest=f"{largest:+,.1f}%"),
            "xref": "paper", "yref": "paper", "x": 1, "y": 1, "xanchor": "right", "yanchor": "bottom",
            "showarrow": False, "font": {"size": 11}})
    return fig


def period_axis(fig: dict, labels, axis: str = "x", most: int = 12) -> dict:
    """A category axis of periods (2024-03, 2024-Q1): at most ``most`` labels, counted back
    from the last, so the latest period is always labelled. (plotly thins a crowded category
    axis itself, counting from the first: on a phone the last month's label was dropped.)"""
    labels = list(dict.fromkeys(labels))
    step = math.ceil(len(labels) / most) if labels else 1
    shown = labels[::-1][::step][::-1]
    axis_layout(fig, f"x{axis[1:]}").update({"type": "category", "categoryorder": "array", "categoryarray": labels,
                                             "tickmode": "array", "tickvals": shown, "ticktext": shown})
    return fig


def period_text(periods: dict, lang: str) -> str:
    """The period a chart covers, for its hovers ("2024-01-01 至 2024-03-31")."""
    return t("kpi.window", lang, start=fmt.day(periods["start"]), end=fmt.day(periods["end"]))


@functools.lru_cache(maxsize=4096)
def money_tick(value: float, lang: str) -> str:
    """A tick label. Babel parses its locale on every call (0.1 ms a label, a page writes
    dozens); ticks are round values, the same ones again and again, so each is worked out once."""
    text = format_compact_decimal(abs(value), locale="zh_CN" if lang == "zh-CN" else "en", fraction_digits=2)
    return ("-" if value < 0 else "") + CURRENCY + text


def money_axis(fig: dict, lang: str, axis: str = "y", period: str | None = None,
               text_is_amount: bool = True, hovers: bool = True) -> dict:
    """Make ``axis`` ("y", "y2", "x") a money axis: round ticks in 万/亿 (``money_ticks``;
    stacked bars counted by their stacks) and hovers of its traces saying the series,
    the period (``period``, default the other axis' value) and the amount with ¥ (the
    trace's own ``text`` where it has one, else the amount as the cards write it; a
    ``text`` that says something else follows the amount in brackets); ``hovers=False``
    keeps hovers that already say all that."""
    letter = axis[0]
    other = "y" if letter == "x" else "x"
    traces = [tr for tr in fig["data"] if (tr.get(f"{letter}axis") or letter) == axis and tr.get(letter) is not None]
    if not traces:
        return fig
    stacked = fig["layout"].get("barmode") in ("stack", "relative")
    values = []
    if stacked:  # the positive and the negative stack of each key (a missing amount counts nothing)
        stacks = {}
        for tr in traces:
            for k, v in zip(tr[other], tr[letter], strict=True):
                if pd.notna(v):
                    stacks[v > 0, str(k)] = stacks.get((v > 0, str(k)), 0) + v
        values = list(stacks.values())
    for tr in traces:
        amounts = list(tr[letter])
        if not stacked:
            values += amounts
        if not hovers:
            continue
        has_text = tr.get("text") is not None and not isinstance(tr["text"], str)
        if has_text and text_is_amount:
            amount = "%{text}"
        else:
            tr["hovertext"] = [fmt.money(v, lang) for v in amounts]
            amount = "%{hovertext}" + (" (%{text})" if has_text else "")
        name = f"{tr['name']} · " if tr.get("name") else ""
        tr["hovertemplate"] = f"{name}{period or '%{' + other + '}'}: {amount}<extra></extra>"
    tickvals, ticktext = money_ticks(values, lang)
    axis_layout(fig, axis).update({"tickvals": tickvals, "ticktext": ticktext})
    return fig
