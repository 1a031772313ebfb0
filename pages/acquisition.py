"""/acquisition — are new customers coming in and converting, and are they followed up:
new customers by month (by type or source), conversion and days to the first contract
per creation month, cohorts, sources by conversion and revenue, the follow-up calendar,
follow-ups by rep and the customers nobody has followed up for a while. Definitions:
METRICS.md ("New customers", conversion)."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import numpy as np
import pandas as pd
from dash import Input, Output, State, callback, ctx, html, no_update

from components import figures, inputs
from components import format as fmt
from components.cards import ChartCard, card_outputs, card_payload, chart_id
from components.context import current_lang, current_theme
from components.controls import ViewToggle
from components.grid import GRID_MAX_ROWS, GridCard, grid_outputs, grid_payload, listed_rows
from components.i18n import t
from components.output_cache import cached_output
from components.page import filters_and_periods, query_store, view_value, with_params
from queries import run_all

VIEW_KEYS = ("split", "kind", "days")
dash.register_page(__name__, path="/acquisition", order=60, label_key="page.acquisition", view_params=VIEW_KEYS)

SPLITS = ("type", "source")
KINDS = ("visit", "call", "message", "meeting", "other")
THRESHOLDS = ("7", "15", "30", "90", "180")
DEFAULT_DAYS = "30"
WEEKDAYS = {"en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
            "zh-CN": ("周一", "周二", "周三", "周四", "周五", "周六", "周日")}
FORGOTTEN_COLUMNS = ("customer_id", "customer_name", "type", "rep_name", "created_on", "last_activity_on",
                     "days_since")


def _view(query) -> tuple[str, str, str]:
    return (view_value(query, "split", SPLITS, "type"), view_value(query, "kind", KINDS, "all"),
            view_value(query, "days", THRESHOLDS, DEFAULT_DAYS))


def layout(**query):
    lang = current_lang()
    split, kind, days = _view(query)
    split_control = ViewToggle("acq-split", t("acquisition.split", lang),
                           [{"label": t(f"acquisition.split.{s}", lang), "value": s} for s in SPLITS], split)
    kind_control = ViewToggle("acq-kind", t("acquisition.kind", lang),
                          [{"label": t(f"acquisition.kind.{k}", lang), "value": k} for k in ("all", *KINDS)], kind)
    days_control = ViewToggle("acq-days", t("acquisition.forgotten.threshold", lang),
                          [{"label": t("acquisition.forgotten.days", lang, days=d), "value": d} for d in THRESHOLDS],
                          days)
    return html.Div([
        query_store(query),
        html.H1(t("page.acquisition", lang), className="visually-hidden"),
        dbc.Row([
            dbc.Col(ChartCard("acq-new", t("acquisition.new_customers", lang), extra=split_control), lg=6,
                    className="mb-3"),
            dbc.Col(ChartCard("acq-conversion", t("acquisition.conversion", lang)), lg=6, className="mb-3"),
        ]),
        dbc.Row([
            dbc.Col(GridCard("acq-cohort", t("acquisition.cohort", lang), height=340), lg=6, className="mb-3"),
            dbc.Col(ChartCard("acq-sources", t("acquisition.sources", lang)), lg=6, className="mb-3"),
        ]),
        dbc.Row([
            dbc.Col(ChartCard("acq-calendar", t("acquisition.calendar", lang), height=280, extra=kind_control),
                    lg=7, className="mb-3"),
            dbc.Col(ChartCard("acq-reps", t("acquisition.by_rep", lang, n=figures.CHART_REPS), height=280),
                    lg=5, className="mb-3"),
        ]),
        html.Div([
            days_control,
            html.P(id="acq-forgotten-hint", className="small text-body-secondary mb-2"),
            GridCard("acq-forgotten", t("acquisition.forgotten", lang, days=days), row_id="customer_id"),
        ], className="mb-3"),
    ])


# --- pure pieces -----------------------------------------------------------------------

def _source_label(source, lang: str) -> str:
    return t("acquisition.no_source", lang) if source is None or pd.isna(source) else str(source)


def new_customers_figure(frame: pd.DataFrame, split: str, lang: str, theme: str) -> dict:
    """Stacked bars of new customers per month, one series per type or source."""
    if frame["customers"].sum() == 0:
        return figures.empty(t("acquisition.empty.customers", lang), theme)
    at, months = pd.factorize(frame["month"], sort=True)
    # a series per label, added up by lookups (a few hundred rows: a pivot_table took 5 ms)
    names: dict = {}
    series: dict[str, np.ndarray] = {}
    for i, value, customers in zip(at.tolist(), frame[split].tolist(), frame["customers"].tolist(), strict=True):
        if customers > 0:
            key = None if pd.isna(value) else value
            if key not in names:
                names[key] = t(f"ctype.{key}", lang) if split == "type" else _source_label(key, lang)
            series.setdefault(names[key], np.zeros(len(months), dtype="int64"))[i] += customers
    order = sorted(sorted(series), key=lambda label: -series[label].sum())  # largest first, ties by name
    x = months.to_numpy()
    fig = figures.figure([{"type": "bar", "x": x, "y": series[label], "name": label,
                           "hovertemplate": f"{label} %{{x|%Y-%m}}: %{{y}}<extra></extra>"} for label in order],
                         barmode="stack", xaxis={"dtick": "M1", "tickformat": "%Y-%m"})
    return figures.style(fig, theme)


def conversion_figure(months: pd.DataFrame, lang: str, theme: str) -> dict:
    """Conversion rate per creation month (bars) and mean days to the first contract."""
    if months["created"].sum() == 0:
        return figures.empty(t("acquisition.empty.customers", lang), theme)
    text = [f"{fmt.percent(r)} ({c}/{n})" for r, c, n in
            zip(months["conversion_rate"], months["converted"], months["created"], strict=True)]
    x = months["month"].to_numpy()
    fig = figures.figure([
        {"type": "bar", "x": x, "y": months["conversion_rate"].to_numpy(),
         "name": t("acquisition.conversion_rate", lang), "text": text, "textposition": "outside",
         "hovertemplate": "%{x|%Y-%m}: %{text}<extra></extra>"},
        {"type": "scatter", "x": x, "y": months["mean_days_to_first"].to_numpy(),
         "name": t("acquisition.mean_days", lang), "yaxis": "y2", "mode": "lines+markers",
         "hovertemplate": "%{x|%Y-%m}: %{y:.1f}<extra></extra>"},
    ], yaxis={"tickformat": ".0%", "rangemode": "tozero"},
        yaxis2={"overlaying": "y", "side": "right", "rangemode": "tozero", "showgrid": False},
        xaxis={"dtick": "M1", "tickformat": "%Y-%m"})
    return figures.style(fig, theme)


def cohort_table(cohort: pd.DataFrame, months: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Creation month x months until the first contract (+0, +1, ...), and not yet."""
    never = t("acquisition.cohort.never", lang)
    month_col, created_col = t("acquisition.cohort.month", lang), t("acquisition.created", lang)
    base = pd.DataFrame({month_col: months["month"].dt.strftime("%Y-%m"), created_col: months["created"]})
    if cohort.empty:
        return base
    lags = [None if pd.isna(n) else int(n) for n in cohort["months_to_first"].tolist()]
    # a column per lag in order, then never (None) if any; a few hundred cells added up by
    # lookups (a pivot_table and a merge took 6 ms on large)
    columns = sorted({n for n in lags if n is not None}) + ([None] if None in lags else [])
    at = {key: i for i, key in enumerate(base[month_col].tolist())}
    cells = np.zeros((len(at), len(columns)), dtype="int64")
    for key, lag, customers in zip(cohort["month"].dt.strftime("%Y-%m").tolist(), lags, cohort["customers"].tolist(),
                                   strict=True):
        if key in at:
            cells[at[key], columns.index(lag)] += customers
    names = [never if n is None else t("acquisition.cohort.after", lang, n=n) for n in columns]
    return pd.concat([base.reset_index(drop=True), pd.DataFrame(cells, columns=names)], axis=1)


def sources_figure(sources: pd.DataFrame, lang: str, theme: str) -> dict:
    """Revenue by source (bars) with the new customers' conversion rate (markers)."""
    if sources.empty:
        return figures.empty(t("empty.no_data", lang), theme)
    labels = [_source_label(s, lang) for s in sources["source"]]
    fig = figures.figure([
        {"type": "bar", "x": labels, "y": sources["revenue"].to_numpy(), "name": t("acquisition.revenue", lang),
         "text": [fmt.money(v, lang) for v in sources["revenue"]], "textposition": "auto",
         "hovertemplate": "%{x}: %{y:,.0f}<extra></extra>"},
        {"type": "scatter", "x": labels, "y": sources["conversion_rate"].to_numpy(),
         "name": t("acquisition.conversion_rate", lang), "yaxis": "y2", "mode": "markers",
         "marker": {"size": 12, "symbol": "diamond"},
         "customdata": [f"{c}/{n}" for c, n in zip(sources["converted"], sources["created"], strict=True)],
         "hovertemplate": "%{x}: %{y:.1%} (%{customdata})<extra></extra>"},
    ], yaxis2={"overlaying": "y", "side": "right", "tickformat": ".0%", "range": [0, 1.05], "showgrid": False})
    return figures.money_axis(figures.style(fig, theme), lang)


def calendar_figure(days: pd.DataFrame, lang: str, theme: str) -> dict:
    """Weeks (columns) x weekdays (rows, Monday on top) of follow-ups per day."""
    if days["activities"].sum() == 0:
        return figures.empty(t("acquisition.empty.activities", lang), theme)
    # weekday (1 Monday .. 7) x week, empty where the data has no such day; added up by lookups
    # (a pivot_table took 3 ms on large)
    column, weeks = pd.factorize(days["week"], sort=True)
    row = days["weekday"].to_numpy() - 1
    kept = (row >= 0) & (row < 7)
    z = np.zeros((7, len(weeks)))
    np.add.at(z, (row[kept], column[kept]), days["activities"].to_numpy(dtype="float64")[kept])
    seen = np.zeros(z.shape, dtype=bool)
    seen[row[kept], column[kept]] = True
    z[~seen] = np.nan
    names = WEEKDAYS.get(lang, WEEKDAYS["en"])
    fig = figures.figure([{
        "type": "heatmap", "z": z, "x": weeks.to_numpy(), "y": list(names),
        "colorscale": figures.BLUES, "xgap": 2, "ygap": 2,
        "colorbar": {"title": {"text": t("acquisition.followups", lang)}},
        "hovertemplate": f"{t('acquisition.week', lang)} %{{x|%Y-%m-%d}}, %{{y}}: %{{z}}<extra></extra>",
    }], yaxis={"autorange": "reversed"})
    return figures.style(fig, theme, height=280)


def reps_figure(frame: pd.DataFrame, lang: str, theme: str) -> dict:
    if frame.empty:
        return figures.empty(t("acquisition.empty.activities", lang), theme)
    # the CHART_REPS reps with the most follow-ups (the query's order), the leader on top
    reps = frame.drop_duplicates("rep_id")[["rep_id", "rep_name"]].head(figures.CHART_REPS).iloc[::-1]
    rep_ids = reps["rep_id"].tolist()
    # one row per rep and kind: each kind's count per rep drawn, 0 where the rep has none of it
    # (the rows of those reps only: xl has 17,705 rows of 4,000 reps)
    drawn = frame[frame["rep_id"].isin(rep_ids)]
    activities = dict(zip(zip(drawn["kind"].tolist(), drawn["rep_id"].tolist(), strict=True),
                          drawn["activities"].tolist(), strict=True))
    traces = []
    for i, kind in enumerate(KINDS):
        counts = [activities.get((kind, rep), 0) for rep in rep_ids]
        if sum(counts):
            traces.append({"type": "bar", "y": reps["rep_name"].to_numpy(), "x": counts,
                           "name": t(f"acquisition.kind.{kind}", lang), "orientation": "h",
                           "customdata": reps["rep_id"].to_numpy(), "marker": {"color": figures.PALETTE[i]},
                           "hovertemplate": "%{y}: %{x}<extra></extra>"})
    fig = figures.figure(traces, barmode="stack", margin={"l": 100})
    return figures.style(fig, theme, height=280)


def _headers(lang: str) -> dict[str, str]:
    out = {c: t(f"acquisition.col.{c}", lang) for c in
           ("customer_id", "type", "created_on", "last_activity_on", "days_since")}
    out.update(customer_name=t("common.customer", lang), rep_name=t("common.rep", lang))
    return out


# --- callbacks -------------------------------------------------------------------------

@callback(
    *card_outputs("acq-new"),
    *card_outputs("acq-conversion"),
    *grid_outputs("acq-cohort"),
    *card_outputs("acq-sources"),
    *card_outputs("acq-calendar"),
    *card_outputs("acq-reps"),
    *grid_outputs("acq-forgotten"),
    Output("acq-forgotten-hint", "children"),
    Input("page-query", "data"),
)
@cached_output
def update(query):
    lang, theme = current_lang(), current_theme()
    filters, periods = filters_and_periods(query, VIEW_KEYS)
    split, kind, days = _view(query)
    new, conversion, calendar, reps, forgotten = run_all(filters, [
        ("acquisition_new_customers", {}), ("acquisition_conversion", {}),
        ("acquisition_activity_calendar", {"kind": "" if kind == "all" else kind}),
        ("acquisition_activity_by_rep", {}),
        ("acquisition_forgotten", {"days": int(days), "limit": GRID_MAX_ROWS})])
    months = conversion[conversion["level"] == "month"].reset_index(drop=True)
    cohort = conversion[conversion["level"] == "cohort"].reset_index(drop=True)
    sources = conversion[conversion["level"] == "source"].reset_index(drop=True)
    month_frame = months[["month", "created", "converted", "conversion_rate", "mean_days_to_first"]]
    source_frame = sources[["source", "created", "converted", "conversion_rate", "mean_days_to_first", "revenue"]]
    return (
        *card_payload(new_customers_figure(new, split, lang, theme), new),
        *card_payload(conversion_figure(month_frame, lang, theme), month_frame),
        *grid_payload(cohort_table(cohort, months, lang)),
        *card_payload(sources_figure(source_frame, lang, theme), source_frame),
        *card_payload(calendar_figure(calendar, lang, theme), calendar),
        *card_payload(reps_figure(reps, lang, theme), reps),
        *grid_payload(forgotten.loc[:, list(FORGOTTEN_COLUMNS)].assign(
            type=forgotten["type"].map({v: t(f"ctype.{v}", lang) for v in forgotten["type"].unique()})),
                      _headers(lang), customer_links=query, total_rows=listed_rows(forgotten)),
        t("acquisition.forgotten.hint", lang, date=fmt.day(periods["as_of"])),
    )


@callback(
    Output("url", "search", allow_duplicate=True),
    Input("acq-split", "value"),
    Input("acq-kind", "value"),
    Input("acq-days", "value"),
    Input(chart_id("acq-reps"), "clickData"),
    State("url", "search"),
    prevent_initial_call=True,
)
def narrow(split, kind, days, rep_click, search):
    """The view controls write their keys to the URL (defaults leave it); a rep's bar
    narrows the global rep filter."""
    trigger = ctx.triggered_id
    if trigger == chart_id("acq-reps"):
        rep = inputs.point(rep_click)
        if not rep:
            return no_update
        new = with_params(search, rep=rep)
    else:
        new = with_params(search, split=split if split in SPLITS and split != "type" else None,
                          kind=kind if kind in KINDS else None,
                          days=days if days in THRESHOLDS and days != DEFAULT_DAYS else None)
    return new if new != (search or "") else no_update


