"""/lead-pool — the shared lead pool (公海池): its size day by day, claims, releases and
auto-returns per rep with the share of claims converted within 90 days, and the
customers due back in the pool in the next 7 days, so a manager can act before they are
lost. The pool limit is the setting CRM_POOL_LIMIT_DAYS (default 30), overridable per
view with ?limit_days=N. Definitions: METRICS.md ("Lead pool"); the pool history
reconstruction is in queries/pool_size.sql."""

from __future__ import annotations

import os

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, ctx, html, no_update

from components import figures, inputs
from components import format as fmt
from components.cards import ChartCard, card_outputs, card_payload, chart_id
from components.context import current_lang, current_theme
from components.grid import GRID_MAX_ROWS, GridCard, grid_outputs, grid_payload
from components.i18n import t
from components.output_cache import cached_output
from components.page import filters_and_periods, query_store, with_params
from queries import run_all, sections

VIEW_KEYS = ("limit_days",)
dash.register_page(__name__, path="/lead-pool", order=70, label_key="page.lead_pool", view_params=VIEW_KEYS)

DUE_WINDOW = 7
MAX_LIMIT = 365
DUE_COLUMNS = ("rep_name", "customer_id", "customer_name", "taken_on", "last_activity_on", "due_on", "days_left")


def pool_limit_days(query: dict | None = None) -> int:
    """The pool limit: ?limit_days=N (1..365) if given, else CRM_POOL_LIMIT_DAYS, else 30."""
    own = [v for k, v in inputs.query(query).pairs if k == "limit_days"][:1]
    for raw in (*own, os.environ.get("CRM_POOL_LIMIT_DAYS")):
        if isinstance(raw, str) and raw.isdigit() and 1 <= int(raw) <= MAX_LIMIT:
            return int(raw)
    return 30


def layout(**query):
    lang = current_lang()
    return html.Div([
        query_store(query),
        html.H1(t("page.lead_pool", lang), className="visually-hidden"),
        dbc.Row([
            dbc.Col(ChartCard("pool-size", t("pool.size", lang), height=300), lg=6, className="mb-3"),
            dbc.Col(ChartCard("pool-reps", t("pool.by_rep", lang, n=figures.CHART_REPS), height=300), lg=6,
                    className="mb-3"),
        ]),
        html.P(id="pool-rule", className="small text-body-secondary mb-2"),
        dbc.Row([
            dbc.Col(GridCard("pool-due", t("pool.due", lang), height=360, row_id="customer_id"), lg=8,
                    className="mb-3"),
            dbc.Col(ChartCard("pool-due-reps", t("pool.due.by_rep", lang, n=figures.CHART_REPS), height=360),
                    lg=4, className="mb-3"),
        ]),
    ])


# --- pure pieces -----------------------------------------------------------------------

def size_figure(frame: pd.DataFrame, lang: str, theme: str) -> dict:
    if frame.empty:
        return figures.empty(t("empty.no_data", lang), theme)
    fig = figures.figure([{"type": "scatter", "x": frame["day"].to_numpy(), "y": frame["pool_size"].to_numpy(),
                           "mode": "lines", "line": {"shape": "hv"}, "name": t("pool.customers", lang),
                           "fill": "tozeroy", "hovertemplate": "%{x|%Y-%m-%d}: %{y}<extra></extra>"}],
                         annotations=[{"text": t("pool.size.now", lang, n=int(frame["pool_size"].iloc[-1])), "x": 1,
                                       "y": 1.08, "xref": "paper", "yref": "paper", "showarrow": False,
                                       "xanchor": "right"}],
                         yaxis={"rangemode": "tozero"})
    return figures.style(fig, theme, height=300)


def reps_figure(frame: pd.DataFrame, lang: str, theme: str) -> dict:
    """Claims, releases and auto-returns of the CHART_REPS reps with the most claims
    (pool_by_rep's order); the 90-day claim conversion in the hover."""
    if frame.empty:
        return figures.empty(t("pool.empty.events", lang), theme)
    frame = frame.head(figures.CHART_REPS)
    conversion = [fmt.percent(v) for v in frame["claim_conversion"]]
    fig = figures.figure([
        {"type": "bar", "x": frame["rep_name"].to_numpy(), "y": frame[measure].to_numpy(),
         "name": t(f"pool.{measure}", lang), "customdata": frame["rep_id"].to_numpy(),
         **({"text": conversion} if measure == "claims" else {}), "textposition": "none",
         "marker": {"color": figures.PALETTE[i]},
         "hovertemplate": "%{x}: %{y}" + (f" · {t('pool.claim_conversion', lang)} %{{text}}"
                                          if measure == "claims" else "") + "<extra></extra>"}
        for i, measure in enumerate(("claims", "assigns", "releases", "auto_returns"))
    ], barmode="group")
    return figures.style(fig, theme, height=300)


def due_by_rep_figure(by_rep: pd.DataFrame, lang: str, theme: str) -> dict:
    """The CHART_REPS reps with the most customers due (pool_due_page's by_rep: most first,
    ties by rep_id), the largest on top."""
    if by_rep.empty:
        return figures.empty(t("pool.empty.due", lang), theme)
    counts = by_rep.head(figures.CHART_REPS).iloc[::-1]
    fig = figures.figure([{"type": "bar", "x": counts["customers"].to_numpy(), "y": counts["rep_name"].to_numpy(),
                           "orientation": "h", "customdata": counts["rep_id"].to_numpy(),
                           "marker": {"color": figures.PALETTE[5]}, "hovertemplate": "%{y}: %{x}<extra></extra>"}],
                         margin={"l": 100}, xaxis={"dtick": 1, "rangemode": "tozero"})
    return figures.style(fig, theme, height=360)


def _headers(lang: str) -> dict[str, str]:
    out = {c: t(f"pool.col.{c}", lang) for c in ("taken_on", "last_activity_on", "due_on", "days_left")}
    out.update(customer_id=t("acquisition.col.customer_id", lang), customer_name=t("common.customer", lang),
               rep_name=t("common.rep", lang))
    return out


# --- callbacks -------------------------------------------------------------------------

@callback(
    *card_outputs("pool-size"),
    *card_outputs("pool-reps"),
    *grid_outputs("pool-due"),
    *card_outputs("pool-due-reps"),
    Output("pool-rule", "children"),
    Input("page-query", "data"),
)
@cached_output
def update(query):
    lang, theme = current_lang(), current_theme()
    filters, periods = filters_and_periods(query, VIEW_KEYS)
    limit = pool_limit_days(query)
    size, reps, due = run_all(filters, [("pool_size", {}), ("pool_by_rep", {}),
                                        ("pool_due_page", {"limit_days": limit, "window": DUE_WINDOW,
                                                           "limit": GRID_MAX_ROWS})])
    due = sections(due)
    due_rows = due["listed"].loc[:, list(DUE_COLUMNS)]
    return (
        *card_payload(size_figure(size, lang, theme), size),
        *card_payload(reps_figure(reps, lang, theme), reps),
        *grid_payload(due_rows, _headers(lang), customer_links=query,
                      total_rows=int(due["totals"]["customers"].iloc[0])),
        *card_payload(due_by_rep_figure(due["by_rep"], lang, theme), due["by_rep"]),
        t("pool.due.rule", lang, days=limit, date=fmt.day(periods["as_of"])),
    )


@callback(
    Output("url", "search", allow_duplicate=True),
    Input(chart_id("pool-reps"), "clickData"),
    Input(chart_id("pool-due-reps"), "clickData"),
    State("url", "search"),
    prevent_initial_call=True,
)
def narrow_to_rep(reps_click, due_click, search):
    """Clicking a rep's bar narrows the global rep filter to that rep."""
    click = reps_click if ctx.triggered_id == chart_id("pool-reps") else due_click
    rep = inputs.point(click)
    if not rep:
        return no_update
    new = with_params(search, rep=rep)
    return new if new != (search or "") else no_update


