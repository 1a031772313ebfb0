"""/funnel — where deals leak: the snapshot funnel of open deals on the period's end,
the conversion of the period's cohort stage by stage, why deals are lost, how long they
sit in each stage, conversion per rep, and a drill-down from a stage to its deals.

View state in the URL: ``measure`` (count, amount, weighted) of the snapshot funnel and
``stage``, the open stage whose deals are listed (a click on a stage in either funnel;
clicking it again clears it)."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, ctx, html, no_update

from components import figures, inputs
from components import format as fmt
from components.cards import ChartCard, card_outputs, card_payload
from components.context import current_lang, current_theme
from components.controls import DrillSelect
from components.grid import GRID_MAX_ROWS, GridCard, grid_outputs, grid_payload
from components.i18n import t
from components.output_cache import cached_output
from components.page import filters_and_periods, query_store, view_value, with_params
from components.stats import StatRow, stat_badges
from queries import run, run_all, sections

VIEW_KEYS = ("measure", "stage")
dash.register_page(__name__, path="/funnel", order=30, label_key="page.funnel", view_params=VIEW_KEYS)

MEASURES = {"count": "deals", "amount": "amount", "weighted": "weighted_amount"}  # URL value -> column
HIGHLIGHT = figures.PALETTE[1]


def layout(**query):
    lang = current_lang()
    measure = view_value(query, "measure", MEASURES, "count")
    measure_control = dbc.RadioItems(
        id="funnel-measure", value=measure, inline=True, className="small",
        options=[{"label": t(f"funnel.measure.{m}", lang), "value": m} for m in MEASURES],
    )
    return html.Div([
        query_store(query),
        html.H1(t("page.funnel", lang), className="visually-hidden"),
        StatRow("funnel-summary", t("funnel.summary", lang)),
        dbc.Row([
            dbc.Col(ChartCard("funnel-snapshot", t("funnel.snapshot", lang), extra=html.Div([
                html.Div(measure_control, role="radiogroup", **{"aria-label": t("funnel.measure", lang)}),
                DrillSelect("funnel-stage-pick", t("drill.stage", lang), [], None, lang),
            ])), lg=6, className="mb-3"),
            dbc.Col(ChartCard("funnel-cohort", t("funnel.cohort", lang)), lg=6, className="mb-3"),
        ]),
        dbc.Row([dbc.Col([
            html.P(id="funnel-drill-note", className="small text-body-secondary mb-1", **{"aria-live": "polite"}),
            GridCard("funnel-deals", t("funnel.deals", lang), height=320, page_size=10,
                     waiting_for=None if query.get("stage") else t("funnel.choose_stage", lang)),
        ], className="mb-3")]),
        dbc.Row([
            dbc.Col(ChartCard("funnel-lost-reason", t("funnel.lost_reason", lang), height=300), lg=6,
                    className="mb-3"),
            dbc.Col(ChartCard("funnel-lost-competitor", t("funnel.lost_competitor", lang), height=300), lg=6,
                    className="mb-3"),
        ]),
        dbc.Row([dbc.Col(ChartCard("funnel-stage-days", t("funnel.stage_days", lang)), className="mb-3")]),
        dbc.Row([dbc.Col(GridCard("funnel-reps", t("funnel.reps", lang)), className="mb-3")]),
    ])


# --- pure pieces ----------------------------------------------------------------------

def open_stages(stages: pd.DataFrame) -> pd.DataFrame:
    return stages[stages["kind"] == "open"].sort_values("position")


def _bar_colours(stages, selected: str | None) -> list[str]:
    return [HIGHLIGHT if s == selected else figures.PALETTE[0] for s in stages]


def snapshot_figure(frame: pd.DataFrame, measure: str, selected: str | None, lang: str, theme: str) -> dict:
    column = MEASURES[measure]
    if frame["deals"].sum() == 0:
        return figures.empty(t("funnel.empty_snapshot", lang), theme)
    values = frame[column]
    text = [fmt.number(v, lang) if measure == "count" else fmt.money(v, lang) for v in values]
    fig = figures.figure([{
        "type": "funnel", "y": frame["stage"].to_numpy(), "x": values.to_numpy(), "text": text, "textinfo": "text",
        "customdata": frame["stage"].to_numpy(), "marker": {"color": _bar_colours(frame["stage"], selected)},
        "connector": {"line": {"width": 0}}, "hovertemplate": "%{y}: %{text}<extra></extra>",
    }], margin={"l": 100})
    return figures.style(fig, theme)


def cohort_figure(cohort: pd.DataFrame, selected: str | None, lang: str, theme: str) -> dict:
    """Reached per open stage, then won, each with its conversion from the stage before."""
    rows = cohort[cohort["is_total"] & (cohort["kind"] != "lost")].sort_values("position")
    if rows.empty or rows["reached"].sum() == 0:
        return figures.empty(t("funnel.empty_cohort", lang), theme)
    text = [f"{fmt.number(n, lang)} · {fmt.percent(c)}" if not fmt._undefined(c) else fmt.number(n, lang)
            for n, c in zip(rows["reached"], rows["conversion_from_previous"], strict=True)]
    clickable = [s if k == "open" else None for s, k in zip(rows["stage"], rows["kind"], strict=True)]
    colours = [figures.PALETTE[2] if k == "won" else c
               for k, c in zip(rows["kind"], _bar_colours(rows["stage"], selected), strict=True)]
    fig = figures.figure([{
        "type": "funnel", "y": rows["stage"].to_numpy(), "x": rows["reached"].to_numpy(), "text": text,
        "textinfo": "text", "customdata": clickable, "marker": {"color": colours},
        "connector": {"line": {"width": 0}}, "hovertemplate": "%{y}: %{text}<extra></extra>",
    }], margin={"l": 100})
    return figures.style(fig, theme)


def summary_items(win_rates: pd.DataFrame, lang: str) -> list[tuple[str, str, str | None]]:
    total = win_rates[win_rates["is_total"]].iloc[0]
    return [
        (t("funnel.created", lang), fmt.number(total["created"], lang), None),
        (t("funnel.won", lang), fmt.number(total["won"], lang), fmt.money(total["won_amount"], lang)),
        (t("funnel.lost", lang), fmt.number(total["lost"], lang), fmt.money(total["lost_amount"], lang)),
        (t("funnel.win_rate_closed", lang), fmt.percent(total["win_rate_closed"]),
         t("funnel.win_rate_closed_note", lang)),
        (t("funnel.win_rate_created", lang), fmt.percent(total["win_rate_created"]),
         t("funnel.win_rate_created_note", lang)),
        (t("funnel.median_cycle", lang), fmt.number(total["median_cycle_days"], lang), t("funnel.days", lang)),
    ]


def lost_card(lost: pd.DataFrame, dimension: str, lang: str, theme: str) -> tuple:
    """A lost-deals card's figure and data; the data's ``value`` is the reason or competitor."""
    return card_payload(lost_figure(lost, dimension, lang, theme), lost[lost["dimension"] == dimension],
                        {"value": t(f"col.lost_{dimension}", lang)})


def lost_figure(lost: pd.DataFrame, dimension: str, lang: str, theme: str) -> dict:
    rows = lost[lost["dimension"] == dimension]
    if rows.empty:
        return figures.empty(t("funnel.empty_lost", lang), theme)
    rows = rows.iloc[::-1]
    labels = [t("funnel.not_given", lang) if pd.isna(v) else v for v in rows["value"]]
    fig = figures.figure([{
        "type": "bar", "x": rows["amount"].to_numpy(), "y": labels, "orientation": "h",
        "marker": {"color": figures.PALETTE[5]},
        "text": [f"{fmt.number(n, lang)} · {fmt.money(a, lang)}" for n, a in zip(rows["deals"], rows["amount"],
                                                                                 strict=True)],
        "textposition": "auto", "hovertemplate": "%{y}: %{text}<extra></extra>",
    }], margin={"l": 110})
    return figures.style(fig, theme, height=300)


def stage_days_figure(days: pd.DataFrame, lang: str, theme: str) -> dict:
    """A box per open stage from precomputed quantiles: box p25–p75, line at the median,
    whiskers p10–p90, the mean as a dashed line."""
    rows = days[days["stints"] > 0]
    if rows.empty:
        return figures.empty(t("funnel.empty_days", lang), theme)
    fig = figures.figure([{
        "type": "box", "x": rows["stage"].to_numpy(), "q1": rows["p25_days"].to_numpy(),
        "median": rows["median_days"].to_numpy(), "q3": rows["p75_days"].to_numpy(),
        "lowerfence": rows["p10_days"].to_numpy(), "upperfence": rows["p90_days"].to_numpy(),
        "mean": rows["mean_days"].to_numpy(), "name": t("funnel.days_in_stage", lang),
        "marker": {"color": figures.PALETTE[0]}, "boxmean": True, "customdata": rows["stints"].to_numpy(),
        "hoverinfo": "y",
    }], xaxis={"categoryorder": "array", "categoryarray": list(days["stage"])},
        # the unit beside each tick, read horizontally (a rotated one-character title reads badly)
        yaxis={"ticksuffix": " " + t("funnel.days", lang), "rangemode": "tozero"}, showlegend=False,
        annotations=[{"text": t("funnel.days_note", lang), "xref": "paper", "yref": "paper", "x": 0, "y": 1.08,
                      "showarrow": False, "xanchor": "left", "font": {"size": 11}}])
    return figures.style(fig, theme)


def rep_table(cohort: pd.DataFrame, win_rates: pd.DataFrame, stages: pd.DataFrame) -> pd.DataFrame:
    """One row per rep with a cohort: created, reached per open stage (reached_<position>,
    in position order), won, lost, both win rates and the median won cycle in days."""
    opened = open_stages(stages)
    reps = cohort[~cohort["is_total"] & (cohort["kind"] == "open")]
    wide = reps.pivot(index="rep_id", columns="position", values="reached")
    wide = wide.reindex(columns=list(opened["position"]), fill_value=0)
    wide.columns = [f"reached_{p}" for p in wide.columns]
    base = win_rates[~win_rates["is_total"]].set_index("rep_id")
    frame = base[["rep_name", "created"]].join(wide).join(
        base[["won", "lost", "win_rate_closed", "win_rate_created", "median_cycle_days"]])
    return frame.reset_index().sort_values("rep_id", ignore_index=True)


DEAL_MONEY = ("amount", "weighted_amount")  # the money columns of the deal grids (here and /forecast)


def deal_headers(lang: str) -> dict[str, str]:
    return {c: t(f"funnel.col.{c}", lang) for c in (
        "opportunity_id", "customer_name", "rep_name", "stage", "amount", "probability", "weighted_amount",
        "expected_close_on", "days_in_stage", "days_in_stage_median", "reasons")} | {
        "customer_id": t("acquisition.col.customer_id", lang)}


# --- callbacks ------------------------------------------------------------------------

@callback(
    Output("funnel-summary", "children"),
    *card_outputs("funnel-snapshot"),
    *card_outputs("funnel-cohort"),
    Output("funnel-drill-note", "children"),
    *grid_outputs("funnel-deals"),
    *card_outputs("funnel-lost-reason"),
    *card_outputs("funnel-lost-competitor"),
    *card_outputs("funnel-stage-days"),
    *grid_outputs("funnel-reps"),
    Input("page-query", "data"),
)
@cached_output
def update(query):
    lang, theme = current_lang(), current_theme()
    filters, periods = filters_and_periods(query, VIEW_KEYS)
    measure = view_value(query, "measure", MEASURES, "count")
    stages = run("funnel_stages", filters)  # the stages a URL may choose (a few rows)
    selected = view_value(query, "stage", set(open_stages(stages)["stage"]), None)
    page, cohort, win_rates, lost, days = run_all(filters, [
        ("funnel_snapshot", {"day": periods["end"], "stage": selected or "", "limit": GRID_MAX_ROWS}),
        ("funnel_cohort", {}), ("funnel_win_rates", {}), ("funnel_lost", {}), ("funnel_stage_days", {})])
    page = sections(page)
    snapshot = page["stages"]
    in_stage = int(snapshot.loc[snapshot["stage"] == selected, "deals"].sum())  # listed or not
    rows, columns, store = grid_payload(page["chosen"], deal_headers(lang), money=DEAL_MONEY, customer_links=query,
                                        total_rows=in_stage)
    note = (t("funnel.drill_note", lang, stage=selected, day=fmt.day(periods["end"]), n=in_stage)
            if selected else t("funnel.drill_hint", lang, day=fmt.day(periods["end"])))

    reps = rep_table(cohort, win_rates, stages)
    rep_headers = {"rep_id": t("funnel.col.rep_id", lang), "rep_name": t("common.rep", lang),
                   **{f"reached_{p}": t("funnel.col.reached", lang, stage=s)
                      for s, p in zip(stages["stage"], stages["position"], strict=True)},
                   **{c: t(f"funnel.{c}", lang) for c in ("created", "won", "lost", "win_rate_closed",
                                                          "win_rate_created")},
                   "median_cycle_days": t("funnel.median_cycle", lang)}
    rep_rows, rep_columns, rep_store = grid_payload(reps, rep_headers,
                                                    rates=("win_rate_closed", "win_rate_created"))
    return (
        stat_badges(summary_items(win_rates, lang)),
        *card_payload(snapshot_figure(snapshot, measure, selected, lang, theme), snapshot),
        *card_payload(cohort_figure(cohort, selected, lang, theme), cohort[cohort["is_total"]]),
        note,
        rows, columns, store,
        *lost_card(lost, "reason", lang, theme),
        *lost_card(lost, "competitor", lang, theme),
        *card_payload(stage_days_figure(days, lang, theme), days),
        rep_rows, rep_columns, rep_store,
    )


@callback(Output("url", "search", allow_duplicate=True), Input("funnel-measure", "value"), State("url", "search"),
          prevent_initial_call=True)
def set_measure(measure, search):
    """The measure lives in the URL (the default count leaves it out); an unchanged URL is
    not written (Dash fires this once when the page is drawn: writing would draw it again)."""
    measure = inputs.choice(measure, MEASURES)
    new = with_params(search, measure=measure if measure and measure != "count" else None)
    return new if new != (search or "") else no_update


@callback(
    Output("url", "search", allow_duplicate=True),
    Input({"type": "chart", "card": "funnel-snapshot"}, "clickData"),
    Input({"type": "chart", "card": "funnel-cohort"}, "clickData"),
    State("url", "search"),
    State("page-query", "data"),
    prevent_initial_call=True,
)
def select_stage(snapshot_click, cohort_click, search, query):
    """A click on an open stage in either funnel lists its deals; on the listed one, clears."""
    click = snapshot_click if ctx.triggered_id == {"type": "chart", "card": "funnel-snapshot"} else cohort_click
    stage = inputs.point(click)
    if not stage:
        return no_update
    current = view_value(query, "stage", (stage,), None)
    return with_params(search, stage=None if current == stage else stage)


@callback(Output("funnel-stage-pick", "options"), Input("page-query", "data"))
def stage_options(_query):
    """The open stages to choose from."""
    return list(open_stages(run("funnel_stages"))["stage"])


@callback(Output("url", "search", allow_duplicate=True), Input("funnel-stage-pick", "value"),
          State("url", "search"), prevent_initial_call=True)
def pick_stage(stage, search):
    """The keyboard's stage choice, as a click: lists that stage's deals; the listed one again clears.
    A dropdown emptied (as Dash's dropdown does when it mounts) changes nothing."""
    stage = inputs.text(stage)
    if not stage:
        return no_update
    listed = view_value(inputs.query(search).as_dict(), "stage", (stage,), None)
    return with_params(search, stage=None if listed == stage else stage)
