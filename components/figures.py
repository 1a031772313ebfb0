"""Shared figure styling: a colour-blind-safe palette (Okabe-Ito), fonts that carry
Chinese, light and dark templates, and the explanatory empty figure."""

from __future__ import annotations

import textwrap

import plotly.graph_objects as go
import plotly.io as pio

# Okabe & Ito (2008): distinguishable with every common colour-vision deficiency.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
FONT = "system-ui, -apple-system, 'Segoe UI', 'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif"


# Assigning a template to a figure copies and validates all of it (about 8 ms of CPU per
# figure; a page draws up to nine). plotly applies its *default* template when a figure is
# serialised without validating it again, so the light theme's template is the default,
# set once here, and only a dark figure gets its template assigned.
pio.templates.default = "plotly_white"


def style(fig: go.Figure, theme: str = "light", height: int | None = 320) -> go.Figure:
    if theme == "dark":
        fig.layout.template = "plotly_dark"
    fig.update_layout(
        colorway=PALETTE,
        font={"family": FONT, "size": 13},
        margin={"l": 48, "r": 16, "t": 24, "b": 40},
        xaxis={"automargin": True},
        yaxis={"automargin": True},
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        # the legend sits under the axis labels (tilted ones on a phone too), never on them
        legend={"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom"},
        hoverlabel={"font": {"family": FONT}},
        height=height,
    )
    return fig


def empty(message: str, theme: str = "light") -> go.Figure:
    """A figure that says why it is empty, instead of blank axes."""
    fig = go.Figure()
    fig.add_annotation(text=wrap(message), x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False,
                       font={"size": 14})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return style(fig, theme)


def wrap(text: str, width: int = 44) -> str:
    """Plotly text does not wrap by itself: break long messages into lines (<br>), at spaces
    for alphabetic text and every width/2 characters for Chinese."""
    if " " in text:
        return "<br>".join(textwrap.wrap(text, width))
    step = width // 2
    return "<br>".join(text[i:i + step] for i in range(0, len(text), step))
