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
from pages.funnel import DEAL_MONEY, code_sums, deal_headers, open_stages, stage_codes
from queries import run_all

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

def bucket_codes(deals: pd.DataFrame, as_of, months: pd.Series) -> np.ndarray:
    """Each open deal's row in ``forecast_table``: the index of its expected close month
    among ``months`` (the horizon's first days), else len(months) + the index of its
    place in APART: 'overdue' (expected before as_of), 'no_date', 'later' (after the
    horizon's last month); -1 for a month within the horizon that ``months`` lacks."""
    expected = pd.to_datetime(deals["expected_close_on"]).to_numpy(dtype="datetime64[us]")
    month = expected.astype("datetime64[M]")
    firsts = pd.to_datetime(months).to_numpy(dtype="datetime64[us]").astype("datetime64[M]")
    last = pd.Timestamp(months.max()) if len(months) else pd.Timestamp(as_of)
    n = len(firsts)
    codes = np.full(len(month), -1)
    if n:  # integers, not texts: tens of thousands of deals on large, a dozen months
        order = np.argsort(firsts, kind="stable")
        at = np.minimum(np.searchsorted(firsts[order], month), n - 1)
        codes = np.where(firsts[order][at] == month, order[at], -1)
    codes[month > np.datetime64(last, "us")] = n + APART.index("later")
    codes[expected < np.datetime64(pd.Timestamp(as_of), "us")] = n + APART.index("overdue")
    codes[np.isnat(expected)] = n + APART.index("no_date")
    return codes


def forecast_table(months: pd.DataFrame, deals: pd.DataFrame, stages: pd.DataFrame, as_of) -> pd.DataFrame:
    """One row per month of the horizon, then one each for overdue, no_date and later:
    the weighted amount per open stage (a column per stage, position order), weighted
    total, best case (unweighted), deals, target and won (months only)."""
    names = list(open_stages(stages)["stage"])
    keys = [pd.Timestamp(m).strftime("%Y-%m-%d") for m in months["month"]] + list(APART)
    bucket = bucket_codes(deals, as_of, months["month"])
    stage = stage_codes(deals, names)
    cells = code_sums(deals["weighted_amount"], np.where((bucket >= 0) & (stage >= 0), bucket * len(names) + stage, -1),
                  len(keys) * len(names))
    table = pd.DataFrame(cells.reshape(len(keys), len(names)), columns=names)
    table.insert(0, "bucket", pd.Series(keys, dtype="str"))
    table["weighted"] = code_sums(deals["weighted_amount"], bucket, len(keys))
    table["best_case"] = code_sums(deals["amount"], bucket, len(keys))
    counted = bucket[(bucket >= 0) & deals["opportunity_id"].notna().to_numpy()]
    table["deals"] = np.bincount(counted, minlength=len(keys)).astype("int64")
    money = months.assign(bucket=keys[:len(months)])
    return table.join(money.set_index("bucket")[["target", "won"]], on="bucket")


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


def badge_items(table: pd.DataFrame, deals: pd.DataFrame, day, lang: str) -> list[tuple[str, str, str | None]]:
    """The state date, 加权商机 (every deal open on ``day``: the overview's weighted pipeline),
    the weighted amount expected within the months shown, the deals apart and the flags."""
    months = table[~table["bucket"].isin(APART)]
    apart = table.set_index("bucket")
    items = [
        (t("forecast.as_of", lang), fmt.day(day), t("forecast.as_of_note", lang)),
        (t("measure.weighted_pipeline", lang), fmt.money(deals["weighted_amount"].sum(), lang),
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
        items.append((t(f"forecast.flag.{flag}", lang), fmt.number(int(deals[f"is_{flag}"].sum()), lang),
                      t(f"forecast.flag_note.{flag}", lang)))
    return items


def is_flagged(deals: pd.DataFrame) -> pd.Series:
    """The deals the health table lists: stale, overdue or large and late."""
    return deals["is_stale"] | deals["is_overdue"] | deals["is_large_late"]


def health_table(deals: pd.DataFrame, lang: str, limit: int | None = None) -> pd.DataFrame:
    """The flagged deals (any of stale, overdue, large_late) with the reasons in words; the
    first ``limit`` of them (a grid's rows: the reasons are worded for those alone)."""
    # the first ``limit`` positions picked before the rows are taken (a mask over every deal
    # copied all of them: tens of thousands on large)
    flagged = deals.iloc[np.flatnonzero(is_flagged(deals).to_numpy())[:limit]]

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
    # columns zipped, not iterrows (a Series per row): thousands of flagged deals on a big book
    table["reasons"] = [reasons(*values) for values in zip(
        flagged["is_stale"], flagged["is_overdue"], flagged["is_large_late"], flagged["days_in_stage"],
        flagged["stage_median_days"], flagged["expected_close_on"], strict=True)]
    return table.reset_index(drop=True)


def rep_forecast(reps: pd.DataFrame, deals: pd.DataFrame) -> pd.DataFrame:
    """One row per rep with a target, a won amount or an open deal: target, won, gap =
    target − won (NULL without a target; negative = target beaten), weighted pipeline
    and coverage = pipeline / gap (NULL unless the gap is positive)."""
    pipeline = deals.groupby(["rep_id", "rep_name"], as_index=False)["weighted_amount"].sum()
    pipeline = pipeline.rename(columns={"weighted_amount": "weighted_pipeline"})
    frame = reps.merge(pipeline, how="outer", on=["rep_id", "rep_name"])
    frame = frame.fillna({"won": 0.0, "weighted_pipeline": 0.0})
    frame["gap"] = frame["target"] - frame["won"]
    frame["coverage"] = frame["weighted_pipeline"] / frame["gap"].where(frame["gap"] > 0)
    return frame[["rep_id", "rep_name", "target", "won", "gap", "weighted_pipeline", "coverage"]] \
        .sort_values("rep_id", ignore_index=True)


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
    stages, deals, months, rep_sums = run_all(filters, [
        ("funnel_stages", {}), ("pipeline_deals", {"day": day}),
        ("forecast_months", {"horizon": horizon, "day": day}), ("forecast_reps", {})])
    table = forecast_table(months, deals, stages, day)

    health = health_table(deals, lang, limit=GRID_MAX_ROWS)
    rows, columns, store = grid_payload(health, deal_headers(lang), money=DEAL_MONEY, customer_links=query,
                                        total_rows=int(is_flagged(deals).sum()))
    reps = rep_forecast(rep_sums, deals)
    rep_headers = {"rep_id": t("funnel.col.rep_id", lang), "rep_name": t("common.rep", lang),
                   **{c: t(f"forecast.col.{c}", lang) for c in ("target", "won", "gap", "weighted_pipeline",
                                                                 "coverage")}}
    rep_rows, rep_columns, rep_store = grid_payload(reps, rep_headers, rates=("coverage",),
                                                    money=("target", "won", "gap", "weighted_pipeline"))
    return (
        stat_badges(badge_items(table, deals, day, lang)),
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
