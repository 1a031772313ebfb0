"""ChartCard and KpiCard, and the export callbacks every ChartCard shares.

A ChartCard holds a title, a figure (with a loading indicator) and an export menu:
the exact data behind the chart as CSV or XLSX (from the card's store, written by the
same callback that draws the figure) and the chart itself as PNG or SVG (drawn in the
browser by plotly.js, so it works offline). Page callbacks fill a card with
``card_outputs(card_id)`` <- ``card_payload(figure, frame)``.
"""

from __future__ import annotations

import io
import json
import re

import dash_bootstrap_components as dbc
import pandas as pd
from dash import ALL, MATCH, Input, Output, State, callback, clientside_callback, ctx, dcc, html, no_update

from components.context import current_lang
from components.i18n import t

EXPORT_FORMATS = ("csv", "xlsx", "png", "svg")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def chart_id(card: str) -> dict:
    return {"type": "chart", "card": card}


def data_id(card: str) -> dict:
    return {"type": "chart-data", "card": card}


def ChartCard(card: str, title: str, height: int = 340, extra=None) -> html.Section:  # noqa: N802
    """A titled chart with loading indicator and export menu; ``extra`` goes under it."""
    lang = current_lang()
    menu = dbc.DropdownMenu(
        [dbc.DropdownMenuItem(t(f"card.{fmt}", lang), id={"type": "export", "card": card, "fmt": fmt})
         for fmt in EXPORT_FORMATS],
        label=t("card.export", lang), size="sm", color="secondary", align_end=True,
        toggle_class_name="export-toggle",
    )
    return html.Section(dbc.Card([
        dbc.CardHeader(html.Div([html.H2(title, className="h6 m-0"), menu],
                                className="d-flex justify-content-between align-items-center gap-2")),
        dbc.CardBody([
            dcc.Loading(dcc.Graph(id=chart_id(card), config={"displaylogo": False, "responsive": True},
                                  style={"height": f"{height}px"}),
                        type="circle", delay_show=150),
            extra,
            card_note(card),
        ]),
        dcc.Store(id=data_id(card)),
        dcc.Download(id={"type": "download", "card": card}),
    ], className="chart-card h-100", id=f"card-{card}"), **{"aria-label": title}, className="h-100")


def card_note(card: str) -> html.Small:
    """Where a card says that its data was cut (see explain_cut)."""
    return html.Small(id={"type": "card-note", "card": card}, className="text-body-secondary",
                      **{"aria-live": "polite"})


@callback(Output({"type": "card-note", "card": ALL}, "children"),
          Input({"type": "chart-data", "card": ALL}, "data"), prevent_initial_call=True)
def explain_cuts(datas):
    """Every card's note in one request (a page callback fills all its cards at once: one
    callback per card was a request per card)."""
    return [explain_cut(data) for data in datas]


def explain_cut(data):
    """Say so when a card's data holds only the first rows of a longer list (``total_rows``)."""
    total, shown = (data or {}).get("total_rows", 0), len((data or {}).get("data", ()))
    if total <= shown:
        return None
    return t("grid.cut", current_lang(), shown=f"{shown:,}", total=f"{total:,}")


def card_outputs(card: str) -> list[Output]:
    return [Output(chart_id(card), "figure"), Output(data_id(card), "data")]


def frame_for_store(frame: pd.DataFrame) -> dict:
    """A frame as JSON-safe {"columns", "data"} for a dcc.Store: dates as YYYY-MM-DD,
    moments as YYYY-MM-DD HH:MM:SS (what a spreadsheet shows)."""
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[column]):
            values = out[column]
            midnight = (values.dropna() == values.dropna().dt.normalize()).all()
            out[column] = values.dt.strftime("%Y-%m-%d" if midnight else "%Y-%m-%d %H:%M:%S")
        elif pd.api.types.is_string_dtype(out[column]) and out[column].dtype != object:
            # Arrow-backed text: to_json walks it a Python scalar at a time (a 5,000-row grid
            # spent most of its render there); as plain objects it is one bulk conversion
            out[column] = out[column].astype(object)
    return json.loads(out.to_json(orient="split", index=False, force_ascii=False))


def card_payload(figure, frame: pd.DataFrame) -> tuple:
    """(figure, store data) for ``card_outputs``: the data is exactly ``frame``."""
    return figure, frame_for_store(frame)


def frame_from_store(data: dict) -> pd.DataFrame:
    return pd.DataFrame(data["data"], columns=data["columns"])


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells that a spreadsheet would run as a formula get a leading apostrophe."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(
                lambda v: "'" + v if isinstance(v, str) and v.startswith(FORMULA_START) else v)
    return out


def export_name(page: str, card: str, query: dict | None, fmt: str) -> str:
    from queries import warehouse_as_of
    from queries.filters import Filters

    periods = Filters.from_query(query or {}).periods(warehouse_as_of())
    stem = f"{page or 'overview'}_{card}_{periods['start']}_{periods['end']}"
    return re.sub(r"[^\w.-]+", "-", stem) + f".{fmt}"


def export_bytes(frame: pd.DataFrame, fmt: str) -> bytes:
    safe = neutralise(frame)
    if fmt == "csv":
        return safe.to_csv(index=False).encode("utf-8-sig")  # BOM: Excel reads Chinese
    buffer = io.BytesIO()
    safe.to_excel(buffer, index=False, engine="openpyxl")
    return buffer.getvalue()


@callback(
    Output({"type": "download", "card": MATCH}, "data"),
    Input({"type": "export", "card": MATCH, "fmt": ALL}, "n_clicks"),
    State({"type": "chart-data", "card": MATCH}, "data"),
    State("page-query", "data"),
    State("url", "pathname"),
    prevent_initial_call=True,
)
def export_data(clicks, data, query, pathname):
    trigger = ctx.triggered_id
    if not trigger or trigger["fmt"] not in ("csv", "xlsx") or not data or not any(clicks):
        return no_update
    frame = frame_from_store(data)
    page = (pathname or "/").strip("/").split("/")[0] or "overview"
    name = export_name(page, trigger["card"], query, trigger["fmt"])
    return dcc.send_bytes(export_bytes(frame, trigger["fmt"]), name)


clientside_callback(
    """
    function(clicks, ids, pathname) {
        const trig = window.dash_clientside.callback_context.triggered_id;
        if (!trig || (trig.fmt !== 'png' && trig.fmt !== 'svg') || !clicks.some(Boolean)) {
            return window.dash_clientside.no_update;
        }
        const id = JSON.stringify({card: trig.card, type: 'chart'});
        const el = document.getElementById(id);
        const plot = el && el.querySelector('.js-plotly-plot');
        if (plot) {
            const page = (pathname || '/').replace(/^\\/+/, '').split('/')[0] || 'overview';
            Plotly.downloadImage(plot, {format: trig.fmt, filename: page + '_' + trig.card,
                                        width: plot.offsetWidth, height: plot.offsetHeight});
        }
        return window.dash_clientside.no_update;
    }
    """,
    Output({"type": "export", "card": MATCH, "fmt": "png"}, "className"),
    Input({"type": "export", "card": MATCH, "fmt": ALL}, "n_clicks"),
    State({"type": "export", "card": MATCH, "fmt": ALL}, "id"),
    State("url", "pathname"),
    prevent_initial_call=True,
)


def KpiCard(kpi: str, label: str) -> html.Section:  # noqa: N802
    """A KPI tile; its body is filled by ``kpi_body`` from a page callback."""
    return html.Section(dbc.Card(
        dbc.CardBody(dcc.Loading(html.Div(id={"type": "kpi", "kpi": kpi}, children=html.Div(label)),
                                 type="dot", delay_show=150)),
        className="kpi-card h-100",
    ), **{"aria-label": label}, className="h-100")


def kpi_body(label: str, value: str, mom: tuple[str, str, float | None],
             yoy: tuple[str, str, float | None], spark=None, lang: str = "en",
             lower_is_better: bool = False) -> list:
    """Children of a KpiCard: label, value, 环比 and 同比 rows (change, percent, direction)
    and an optional sparkline figure. ``lower_is_better`` (e.g. overdue amounts) colours a
    rise red and a fall green; the arrows still show the direction."""
    good, bad = ("text-danger", "text-success") if lower_is_better else ("text-success", "text-danger")

    def row(name_key, parts):
        absolute, pct, direction = parts
        css = good if direction and direction > 0 else bad if direction and direction < 0 \
            else "text-body-secondary"
        arrow = "▲" if direction and direction > 0 else "▼" if direction and direction < 0 else ""
        return html.Div([
            html.Span(t(name_key, lang), className="kpi-cmp-label"),
            html.Span(f"{arrow} {pct}".strip(), className=f"kpi-pct {css}",
                      title=t("kpi.undefined", lang) if pct == "—" else None),
            html.Span(absolute, className="kpi-abs text-body-secondary"),
        ], className="kpi-cmp")

    children = [
        html.Div(label, className="kpi-label"),
        html.Div(value, className="kpi-value"),
        row("kpi.mom", mom),
        row("kpi.yoy", yoy),
    ]
    if spark is not None:
        children.append(dcc.Graph(figure=spark, config={"staticPlot": True}, className="kpi-spark",
                                  style={"height": "48px"}))
    return children

