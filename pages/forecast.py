"""/forecast — what the pipeline will bring month by month, and how healthy it is: the
weighted pipeline (open deals on the state date) by month of expected close, stacked by
stage, beside each month's target and the amount already won; the deals that need
attention (stale, overdue, large and late); and the forecast per rep.

Rule choices: the page is "as of" the chosen period's end (periods["end"]: the period's
last day, not after as_of), as the overview's state KPIs are; the date is shown in the
badges. 加权商机 (weighted pipeline) is every deal open on that date, the overview's
number; the amount expected within the months shown has its own name. Overdue deals
(expected close before the date) and deals without an expected close date are shown
apart (badges, and their own columns in the exported data), never in a month and never
dropped; so are deals expected after the horizon. View state in the URL: ``horizon``
(3, 6 or 12 months, starting with the month of the state date)."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import numpy as np
import pandas as pd
from dash import Input, Output, State, callback, html, no_update

from components import figures
from components import format as fmt
from components.cards import ChartCard, card_outputs, card_payload
from components.context import current_lang, current_theme
from components.grid import GRID_MAX_ROWS, GridCard, grid_outputs, grid_payload
from components.i18n import t
from components.output_cache import cached_output
from components.page import filters_and_periods, query_store, view_value, with_params
from components.stats import StatRow, stat_badges
from pages.funnel import DEAL_MONEY, deal_headers, open_stages
from queries import run_all, sections

VIEW_KEYS = ("horizon",)
dash.register_page(__name__, path="/forecast", order=40, label_key="page.forecast", view_params=VIEW_KEYS,
                   state_as_of=True)  # the filter bar names the state date

HORIZONS = ("3", "6", "12")
DEFAULT_HORIZON = "6"
APART = ("overdue", "no_date", "later")  # buckets shown beside the months
FLAGS = ("stale", "overdue", "large_late")


def layout(**query):
    lang = current_lang()
    horizon = view_value(query, "horizon", HORIZONS, DEFAULT_HORIZON)
    control = html.Div([
        html.Span(t("forecast.horizon", lang), className="small text-body-secondary me-2", id="forecast-horizon-label"),
        html.Div(dbc.RadioItems(id="forecast-horizon", value=horizon, inline=True, className="small",
                                options=[{"label": t("forecast.horizon_option", lang, n=h), "value": h}
                                         for h in HORIZONS]),
                 role="radiogroup", className="d-inline-block", **{"aria-labelledby": "forecast-horizon-label"}),
        html.Div(t("forecast.apart_note", lang), className="small text-body-secondary"),
    ])
    return html.Div([
        query_store(query),
        html.H1(t("page.forecast", lang), className="visually-hidden"),
        StatRow("forecast-badges", t("forecast.badges", lang)),
        dbc.Row([dbc.Col(ChartCard("forecast-months", t("forecast.months", lang), height=380, extra=control),
                         className="mb-3")]),
        dbc.Row([dbc.Col(GridCard("forecast-health", t("forecast.health", lang), height=360), className="mb-3")]),
        dbc.Row([dbc.Col(GridCard("forecast-reps", t("forecast.reps", lang), height=360), className="mb-3")]),
    ])


# --- pure pieces ----------------------------------------------------------------------

def forecast_table(months: pd.DataFrame, buckets: pd.DataFrame, stages: pd.DataFrame) -> pd.DataFrame:
    """One row per month of the horizon, then one each for overdue, no_date and later:
    the weighted amount per open stage (a column per stage, position order), weighted
    total, best case (unweighted), deals, target and won (months only). ``buckets``:
    forecast_page's section of the open deals added up per bucket and stage."""
    names = list(open_stages(stages)["stage"])
    keys = [pd.Timestamp(m).strftime("%Y-%m-%d") for m in months["month"]] + list(APART)
    # positions looked up in the lists: a few dozen rows, where pandas' indexers cost a millisecond
    row = np.array([keys.index(b) if b in keys else -1 for b in buckets["bucket"].tolist()], dtype="int64")
    stage = np.array([names.index(s) if s in names else -1 for s in buckets["stage"].tolist()], dtype="int64")
    weighted = buckets["weighted"].to_numpy(dtype="float64")
    cells = np.zeros((len(keys), len(names)))
    both = (row >= 0) & (stage >= 0)
    np.add.at(cells, (row[both], stage[both]), weighted[both])
    table = pd.DataFrame(cells, columns=names)
    table.insert(0, "bucket", pd.Series(keys, dtype="str"))
    kept = row >= 0

    def per_bucket(column: str) -> np.ndarray:
        return np.bincount(row[kept], weights=buckets[column].to_numpy(dtype="float64")[kept], minlength=len(keys))
    table["weighted"] = per_bucket("weighted")
    table["best_case"] = per_bucket("best_case")
    table["deals"] = per_bucket("deals").astype("int64")
    apart = np.full(len(APART), np.nan)  # target and won are the months' only
    table["target"] = np.concatenate([months["target"].to_numpy(dtype="float64"), apart])
    table["won"] = np.concatenate([months["won"].to_numpy(dtype="float64"), apart])
    return table


def forecast_figure(table: pd.DataFrame, stages: pd.DataFrame, lang: str, theme: str) -> dict:
    months = table[~table["bucket"].isin(APART)]
    if months[["weighted", "target", "won"]].fillna(0).abs().sum().sum() == 0:
        return figures.empty(t("forecast.empty_months", lang), theme)
    x = [b[:7] for b in months["bucket"]]
    hover = "%{x} · %{fullData.name}: %{text}<extra></extra>"

    def money(column):
        return [fmt.money(v, lang) for v in months[column]]
    traces = [{"type": "bar", "x": x, "y": months[s].to_numpy(), "name": s, "offsetgroup": "pipeline",
               "legendgroup": "pipeline", "marker": {"color": figures.PALETTE[i % len(figures.PALETTE)]},
               "text": money(s), "textposition": "none", "hovertemplate": hover}
              for i, s in enumerate(open_stages(stages)["stage"])]
    traces += [
        {"type": "bar", "x": x, "y": months["won"].to_numpy(), "name": t("forecast.won", lang), "offsetgroup": "won",
         "marker": {"color": figures.PALETTE[2], "pattern": {"shape": "/"}}, "text": money("won"),
         "textposition": "none", "hovertemplate": hover},
        {"type": "scatter", "x": x, "y": months["target"].to_numpy(), "name": t("forecast.target", lang),
         "mode": "markers",
         "marker": {"symbol": "line-ew-open", "size": 36, "line": {"width": 3, "color": figures.PALETTE[7]}},
         "text": money("target"), "hovertemplate": hover},
        {"type": "scatter", "x": x, "y": months["best_case"].to_numpy(), "name": t("forecast.best_case", lang),
         "mode": "lines+markers", "line": {"dash": "dot", "color": figures.PALETTE[5]}, "text": money("best_case"),
         "hovertemplate": hover},
    ]
    fig = figures.figure(traces, barmode="relative", xaxis={"type": "category"})
    return figures.money_axis(figures.style(fig, theme, height=380), lang)


def badge_items(table: pd.DataFrame, totals: pd.Series, day, lang: str) -> list[tuple[str, str, str | None]]:
    """The state date, 加权商机 (every deal open on ``day``: the overview's weighted pipeline),
    the weighted amount expected within the months shown, the deals apart and the flags
    (``totals``: forecast_page's row of totals)."""
    months = table[~table["bucket"].isin(APART)]
    apart = table.set_index("bucket")
    items = [
        (t("forecast.as_of", lang), fmt.day(day), t("forecast.as_of_note", lang)),
        (t("measure.weighted_pipeline", lang), fmt.money(totals["weighted"], lang),
         t("forecast.weighted_all_note", lang, date=fmt.day(day))),
        (t("forecast.weighted_horizon", lang), fmt.money(months["weighted"].sum(), lang),
         t("forecast.best_case", lang) + " " + fmt.money(months["best_case"].sum(), lang)),
    ]
    for bucket in APART:
        row = apart.loc[bucket]
        items.append((t(f"forecast.{bucket}", lang),
                      t("forecast.deals_amount", lang, n=int(row["deals"]), amount=fmt.money(row["best_case"], lang)),
                      t("forecast.weighted_note", lang, amount=fmt.money(row["weighted"], lang))))
    for flag in FLAGS:
        items.append((t(f"forecast.flag.{flag}", lang), fmt.number(int(totals[flag]), lang),
                      t(f"forecast.flag_note.{flag}", lang)))
    return items


def health_table(flagged: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The flagged deals (any of stale, overdue, large_late: forecast_page's first of them)
    with the reasons in words."""
    def reasons(stale, overdue, large_late, days, median, close_on) -> str:
        out = []
        if stale:
            out.append(t("forecast.reason.stale", lang, days=int(days), median=fmt.number(round(median, 1), lang)))
        if overdue:
            out.append(t("forecast.reason.overdue", lang, date=fmt.day(close_on)))
        if large_late:
            out.append(t("forecast.reason.large_late", lang))
        return t("forecast.reason_sep", lang).join(out)

    table = flagged[["opportunity_id", "customer_name", "customer_id", "rep_name", "stage", "amount",
                     "weighted_amount", "expected_close_on", "days_in_stage"]].copy()
    table["days_in_stage_median"] = flagged["stage_median_days"].round(1)
    # columns zipped, not iterrows (a Series per row): a thousand flagged deals on a big book
    table["reasons"] = [reasons(*values) for values in zip(
        flagged["is_stale"], flagged["is_overdue"], flagged["is_large_late"], flagged["days_in_stage"],
        flagged["stage_median_days"], flagged["expected_close_on"], strict=True)]
    return table.reset_index(drop=True)


# --- callbacks ------------------------------------------------------------------------

@callback(
    Output("forecast-badges", "children"),
    *card_outputs("forecast-months"),
    *grid_outputs("forecast-health"),
    *grid_outputs("forecast-reps"),
    Input("page-query", "data"),
)
@cached_output
def update(query):
    lang, theme = current_lang(), current_theme()
    filters, periods = filters_and_periods(query, VIEW_KEYS)
    horizon = int(view_value(query, "horizon", HORIZONS, DEFAULT_HORIZON))
    day = periods["end"]  # the state date: the period's end, not after as_of
    stages, months, page = run_all(filters, [
        ("funnel_stages", {}), ("forecast_months", {"horizon": horizon, "day": day}),
        ("forecast_page", {"day": day, "horizon": horizon, "limit": GRID_MAX_ROWS})])
    page = sections(page)
    totals = page["totals"].iloc[0]
    table = forecast_table(months, page["buckets"], stages)
    rows, columns, store = grid_payload(health_table(page["flagged"], lang), deal_headers(lang), money=DEAL_MONEY,
                                        customer_links=query, total_rows=int(totals["flagged"]))
    rep_headers = {"rep_id": t("funnel.col.rep_id", lang), "rep_name": t("common.rep", lang),
                   **{c: t(f"forecast.col.{c}", lang) for c in ("target", "won", "gap", "weighted_pipeline",
                                                                 "coverage")}}
    rep_rows, rep_columns, rep_store = grid_payload(page["reps"], rep_headers, rates=("coverage",),
                                                    money=("target", "won", "gap", "weighted_pipeline"))
    return (
        stat_badges(badge_items(table, totals, day, lang)),
        *card_payload(forecast_figure(table, stages, lang, theme), table),
        rows, columns, store,
        rep_rows, rep_columns, rep_store,
    )


@callback(Output("url", "search", allow_duplicate=True), Input("forecast-horizon", "value"), State("url", "search"),
          prevent_initial_call=True)
def set_horizon(horizon, search):
    """As funnel.set_measure: the default leaves the URL, an unchanged URL is not written."""
    new = with_params(search, horizon=horizon if horizon in HORIZONS and horizon != DEFAULT_HORIZON else None)
    return new if new != (search or "") else no_update
