"""/revenue — how a measure moved, bucket by bucket, against the bucket before (环比) and
the same bucket a year earlier (同比); a Chinese-CRM year view (months, quarters, the
year); and a breakdown by team, rep, region, category or customer type whose slices
narrow the global filter when clicked.

View state in the URL: measure, bucket (default ``auto``: from the period's length),
by (breakdown dimension), year (year view; default the year of the period's end).
"""

from __future__ import annotations

from datetime import date

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, ctx, html, no_update

from components import figures, inputs
from components import format as fmt
from components.cards import ChartCard, card_outputs, card_payload
from components.context import current_lang, current_theme
from components.controls import ViewToggle
from components.grid import GridCard, grid_outputs, grid_payload
from components.i18n import t
from components.output_cache import cached_output
from components.page import filters_and_periods, query_store, view_value, with_params
from queries import run_all

VIEW_KEYS = ("measure", "bucket", "by", "year")
dash.register_page(__name__, path="/revenue", order=10, label_key="page.revenue", view_params=VIEW_KEYS)

MEASURES = ("contract_amount", "payments", "contracts", "expenses", "new_customers")
MONEY = ("contract_amount", "payments", "expenses")
BUCKETS = ("day", "week", "month", "quarter", "year")
# the breakdowns each measure has (a fact without customers has no region or type; only
# contract lines have a product category); each is also the URL key of the global filter
DIMENSIONS = {
    "contract_amount": ("team", "rep", "region", "category", "ctype"),
    "payments": ("team", "rep", "region", "ctype"),
    "contracts": ("team", "rep", "region", "ctype"),
    "expenses": ("team", "rep"),
    "new_customers": ("team", "rep", "region", "ctype"),
}
TOP_SLICES = 8


def measure_label(measure: str, lang: str) -> str:
    return t("revenue.measure.expenses" if measure == "expenses" else f"measure.{measure}", lang)


def default_bucket(days: int) -> str:
    """The bucket for a period of ``days`` days: <=31 day, <=92 week, <=731 month, else quarter."""
    return "day" if days <= 31 else "week" if days <= 92 else "month" if days <= 731 else "quarter"


def view(query: dict | None) -> dict:
    """The page's own URL keys, checked (``bucket`` may be ``auto``, ``year`` None)."""
    measure = view_value(query, "measure", MEASURES, "contract_amount")
    by = view_value(query, "by", DIMENSIONS[measure], "team")
    year = view_value(query, "year", [str(y) for y in range(1900, 2200)], None)
    return {"measure": measure, "bucket": view_value(query, "bucket", BUCKETS, "auto"), "by": by,
            "year": int(year) if year else None}


def layout(**query):
    lang = current_lang()
    v = view(query)
    buckets = [{"label": t("revenue.bucket.auto", lang), "value": "auto"}] + [
        {"label": t(f"revenue.bucket.{b}", lang), "value": b} for b in BUCKETS]
    return html.Div([
        query_store(query),
        html.H1(t("page.revenue", lang), className="visually-hidden"),
        html.Div([
            ViewToggle("revenue-measure", t("revenue.measure", lang),
                       [{"label": measure_label(m, lang), "value": m} for m in MEASURES], v["measure"]),
            ViewToggle("revenue-bucket", t("revenue.bucket", lang), buckets, v["bucket"]),
        ], className="d-flex flex-wrap"),
        dbc.Row([dbc.Col(ChartCard("revenue-series", t("revenue.series", lang, measure=measure_label(
            v["measure"], lang)), height=380), className="mb-3")]),
        dbc.Row([dbc.Col(GridCard("revenue-table", t("revenue.table", lang), height=320), className="mb-3")]),
        dbc.Row([dbc.Col(html.Div([
            html.Div([
                html.Button("◀", id="revenue-year-prev", className="btn btn-sm btn-outline-secondary",
                            n_clicks=0, title=t("revenue.year.prev", lang),
                            **{"aria-label": t("revenue.year.prev", lang)}),
                html.Span(id="revenue-year-label", className="fw-semibold px-2", **{"aria-live": "polite"}),
                html.Button("▶", id="revenue-year-next", className="btn btn-sm btn-outline-secondary",
                            n_clicks=0, title=t("revenue.year.next", lang),
                            **{"aria-label": t("revenue.year.next", lang)}),
            ], className="d-flex align-items-center mb-2", role="group",
                **{"aria-label": t("revenue.year.pick", lang)}),
            GridCard("revenue-year", t("revenue.year", lang), height=520, page_size=20),
        ]), className="mb-3")]),
        html.Div(ViewToggle("revenue-by", t("revenue.by", lang), [{"label": t(f"revenue.by.{d}", lang), "value": d}
                                                                  for d in DIMENSIONS[v["measure"]]], v["by"]),
                 className="d-flex flex-wrap"),
        dbc.Row([
            dbc.Col(ChartCard("revenue-breakdown", t("revenue.breakdown", lang, measure=measure_label(
                v["measure"], lang), dimension=t(f"revenue.by.{v['by']}", lang)), height=380), lg=7,
                className="mb-3"),
            dbc.Col(GridCard("revenue-slices", t("revenue.slices", lang), height=380), lg=5, className="mb-3"),
        ]),
    ])


# --- pure pieces ----------------------------------------------------------------------

def resolved(query: dict | None) -> tuple:
    """(filters, periods, view) with ``auto`` bucket and the default year resolved."""
    v = view(query)
    filters, periods = filters_and_periods(query, VIEW_KEYS)
    as_of = periods["as_of"]
    if v["bucket"] == "auto":
        v["bucket"] = default_bucket(filters.period(as_of).days)
    if v["year"] is None:
        v["year"] = periods["end"].year
    return filters, periods, v


def value_texts(values, measure: str, lang: str) -> list[str]:
    """The measure's values as the page shows them: money or a count."""
    return [fmt.money(v, lang) if measure in MONEY else fmt.number(v, lang) for v in values]


def series_figure(frame: pd.DataFrame, measure: str, lang: str, theme: str) -> dict:
    """Bars of the value, a dotted line of the year earlier, 环比 % and 同比 % on a second axis."""
    if frame["value"].abs().sum() == 0 and frame["yoy_base"].abs().sum() == 0:
        return figures.empty(t("revenue.empty", lang, measure=measure_label(measure, lang)), theme)
    text = value_texts(frame["value"], measure, lang)
    x = frame["label"].to_numpy()
    fig = figures.figure([
        {"type": "bar", "x": x, "y": frame["value"].to_numpy(), "name": measure_label(measure, lang), "text": text,
         "textposition": "none", "hovertemplate": "%{x}: %{text}<extra></extra>"},
        {"type": "scatter", "x": x, "y": frame["yoy_base"].to_numpy(), "name": t("revenue.last_year", lang),
         "text": value_texts(frame["yoy_base"], measure, lang), "mode": "lines+markers", "line": {"dash": "dot"},
         "hovertemplate": "%{x}: %{text}<extra></extra>"},
        {"type": "scatter", "x": x, "y": (frame["mom_pct"] * 100).to_numpy(), "name": t("revenue.mom_pct", lang),
         "yaxis": "y2", "mode": "lines+markers", "connectgaps": False,
         "hovertemplate": "%{x}: %{y:+.1f}%<extra></extra>"},
        {"type": "scatter", "x": x, "y": (frame["yoy_pct"] * 100).to_numpy(), "name": t("revenue.yoy_pct", lang),
         "yaxis": "y2", "mode": "lines+markers", "connectgaps": False,
         "hovertemplate": "%{x}: %{y:+.1f}%<extra></extra>"},
    ], yaxis2={"overlaying": "y", "side": "right", "showgrid": False, "zeroline": True}, margin={"r": 56})
    figures.period_axis(fig, frame["label"])
    fig = figures.style(fig, theme, height=380)
    figures.percent_axis(fig, [*(frame["mom_pct"] * 100), *(frame["yoy_pct"] * 100)], lang)
    return figures.money_axis(fig, lang) if measure in MONEY else fig


SERIES_COLUMNS = ("label", "window_start", "window_end", "value", "mom_base", "mom_change", "mom_pct",
                  "yoy_base", "yoy_change", "yoy_pct")


def series_headers(lang: str) -> dict[str, str]:
    names = {c: t(f"revenue.col.{c}", lang) for c in SERIES_COLUMNS if c not in ("mom_pct", "yoy_pct")}
    return {**names, "mom_pct": t("revenue.mom_pct", lang), "yoy_pct": t("revenue.yoy_pct", lang)}


def year_table(months: pd.DataFrame, quarters: pd.DataFrame, year_row: pd.DataFrame, year: int) -> pd.DataFrame:
    """Twelve months, then the quarters, then the year (those after as_of empty): value,
    环比 and 同比 bases and percentages. Quarter and year totals are sums of the months
    (the same facts over the same days), with their own 环比/同比 bases."""
    columns = ["label", "value", "mom_base", "mom_pct", "yoy_base", "yoy_pct"]
    labels = pd.DataFrame({"label": [f"{year}-{m:02d}" for m in range(1, 13)]
                           + [f"{year}-Q{q}" for q in range(1, 5)] + [str(year)]})
    return labels.merge(pd.concat([months[columns], quarters[columns], year_row[columns]]), on="label",
                        how="left")


def breakdown_figure(frame: pd.DataFrame, series: pd.DataFrame, measure: str, lang: str,
                     theme: str) -> dict:
    """Stacked bars per bucket, one trace per slice (customdata = the slice id to filter
    by); the legend names each slice with its share and 同比 growth."""
    totals = frame[frame["bucket"].isna()]
    if totals.empty or totals["value"].abs().sum() == 0:
        return figures.empty(t("revenue.empty", lang, measure=measure_label(measure, lang)), theme)
    labels = dict(zip(series["bucket"], series["label"], strict=True))
    traces = []
    named = iter(figures.PALETTE)  # TOP_SLICES named slices, each its own colour; the rest grey
    by_position = dict(tuple(frame[frame["bucket"].notna()].groupby("position", sort=False)))
    for row in totals.itertuples():
        cells = by_position.get(row.position, frame.iloc[:0])
        name = t("revenue.legend", lang, label=row.slice_name, share=fmt.percent(row.share),
                 growth=fmt.percent(row.yoy_pct, signed=True))
        clickable = row.slice_kind == "slice"
        traces.append({"type": "bar", "x": [labels.get(b, str(b)) for b in cells["bucket"]],
                       "y": cells["value"].to_numpy(), "name": name,
                       "customdata": [row.slice_id if clickable else None] * len(cells),
                       "text": value_texts(cells["value"], measure, lang), "textposition": "none",
                       "marker": {"color": next(named) if clickable else figures.REST_COLOURS[row.slice_kind]},
                       "hovertemplate": f"{row.slice_name} · %{{x}}: %{{text}}<extra></extra>"})
    fig = figures.figure(traces, barmode="relative", legend={"orientation": "h", "y": -0.15})
    figures.period_axis(fig, [labels.get(b, str(b)) for b in series["bucket"]])
    fig = figures.style(fig, theme, height=380)
    return figures.money_axis(fig, lang, hovers=False) if measure in MONEY else fig


def slice_names(frame: pd.DataFrame, lang: str) -> pd.Series:
    """Visible slice names: customer types translated, the unassigned and the rest named."""
    def name(row):
        if row.slice_kind == "other":
            return t("revenue.slice_other", lang)
        if row.slice_kind == "none":
            return t("revenue.slice_none", lang)
        return row.slice_label
    return frame.apply(name, axis=1)


def money_columns(measure: str, frame: pd.DataFrame) -> tuple[str, ...]:
    """A grid's columns holding the measure's amounts (its value, bases and changes) when it is money."""
    amounts = ("value", "mom_base", "mom_change", "yoy_base", "yoy_change")
    return tuple(c for c in frame.columns if c in amounts) if measure in MONEY else ()


def with_slice_names(frame: pd.DataFrame, by: str, lang: str) -> pd.DataFrame:
    out = frame.copy()
    if by == "ctype":
        out["slice_label"] = [t(f"ctype.{v}", lang) if isinstance(v, str) else v for v in out["slice_label"]]
    out["slice_name"] = slice_names(out, lang) if len(out) else pd.Series(dtype=object)
    return out


# --- callbacks --------------------------------------------------------------------------

@callback(
    *card_outputs("revenue-series"),
    *grid_outputs("revenue-table"),
    *grid_outputs("revenue-year"),
    Output("revenue-year-label", "children"),
    *card_outputs("revenue-breakdown"),
    *grid_outputs("revenue-slices"),
    Input("page-query", "data"),
)
@cached_output
def update(query):
    lang, theme = current_lang(), current_theme()
    filters, periods, v = resolved(query)
    measure, bucket, by, year = v["measure"], v["bucket"], v["by"], v["year"]

    series, breakdown = run_all(filters, [
        ("revenue_series", {"bucket": bucket, "measure": measure}),
        ("revenue_breakdown", {"bucket": bucket, "measure": measure, "dimension": by, "top": TOP_SLICES})])
    table = series[list(SERIES_COLUMNS)]
    pct = ("mom_pct", "yoy_pct")

    year_frame = year_view(filters, measure, year, periods["as_of"])
    year_label = t("revenue.year.future", lang, year=year, date=fmt.day(periods["as_of"])) \
        if year_frame is None else str(year)
    if year_frame is None:
        year_frame = pd.DataFrame(columns=["label", "value", "mom_base", "mom_pct", "yoy_base", "yoy_pct"])
    year_headers = {**series_headers(lang), "label": t("revenue.col.period", lang)}

    breakdown = with_slice_names(breakdown, by, lang)
    slices = breakdown[breakdown["bucket"].isna()][  # the name first: it is what a reader looks for
        ["slice_name", "slice_id", "value", "share", "yoy_base", "yoy_change", "yoy_pct"]]
    slice_headers = {"slice_id": t("revenue.col.slice_id", lang), "slice_name": t("revenue.col.slice", lang),
                     "value": t("revenue.col.value", lang), "share": t("revenue.col.share", lang),
                     "yoy_base": t("revenue.col.yoy_base", lang), "yoy_change": t("revenue.col.yoy_change", lang),
                     "yoy_pct": t("revenue.yoy_pct", lang)}
    return (
        *card_payload(series_figure(series, measure, lang, theme), table, series_headers(lang)),
        *grid_payload(table, series_headers(lang), percent=pct, money=money_columns(measure, table)),
        *grid_payload(year_frame, year_headers, percent=pct, money=money_columns(measure, year_frame)),
        year_label,
        *card_payload(breakdown_figure(breakdown, series, measure, lang, theme), breakdown, slice_headers),
        *grid_payload(slices, slice_headers, percent=("yoy_pct",), rates=("share",),
                      money=money_columns(measure, slices)),
    )


def year_view(filters, measure: str, year: int, as_of: date) -> pd.DataFrame | None:
    """The year view of ``year`` up to as_of (None when the year starts after as_of)."""
    start, end = date(year, 1, 1), min(date(year, 12, 31), as_of)
    if start > end:
        return None
    parts = run_all(filters, [("revenue_series", {"bucket": b, "measure": measure, "start": start, "end": end})
                              for b in ("month", "quarter", "year")])
    return year_table(*parts, year)


@callback(
    Output("url", "search", allow_duplicate=True),
    Input("revenue-measure", "value"),
    Input("revenue-bucket", "value"),
    Input("revenue-by", "value"),
    State("url", "search"),
    prevent_initial_call=True,
)
def set_view(measure, bucket, by, search):
    """The measure, bucket and breakdown live in the URL (``auto`` is the default: no key)."""
    if measure not in MEASURES or bucket not in (*BUCKETS, "auto"):
        return no_update
    by = by if by in DIMENSIONS[measure] else None
    new = with_params(search, measure=None if measure == "contract_amount" else measure,
                      bucket=None if bucket == "auto" else bucket, by=None if by in (None, "team") else by)
    return new if new != (search or "") else no_update


@callback(
    Output("url", "search", allow_duplicate=True),
    Input("revenue-year-prev", "n_clicks"),
    Input("revenue-year-next", "n_clicks"),
    State("page-query", "data"),
    State("url", "search"),
    prevent_initial_call=True,
)
def step_year(_prev, _next, query, search):
    if ctx.triggered_id not in ("revenue-year-prev", "revenue-year-next") or not (_prev or _next):
        return no_update
    _filters, _periods, v = resolved(query)
    return with_params(search, year=v["year"] + (1 if ctx.triggered_id == "revenue-year-next" else -1))


@callback(
    Output("url", "search", allow_duplicate=True),
    Input({"type": "chart", "card": "revenue-breakdown"}, "clickData"),
    State("page-query", "data"),
    State("url", "search"),
    prevent_initial_call=True,
)
def narrow(click, query, search):
    """A clicked slice narrows the GLOBAL filter to it (team=, rep=, region=, category=, ctype=)."""
    slice_id = inputs.point(click)
    if not slice_id:
        return no_update
    return with_params(search, **{view(query)["by"]: slice_id})
