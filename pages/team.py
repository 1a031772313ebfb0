"""/team — who is ahead: rep and team leaderboards for the period (competition ranks per
measure) and target achievement for the month, quarter and year containing the period's
end. A rep's bar, or the link on a rep's name in the leaderboard (not any cell of its row),
sets the global rep filter.

Teams are the group teams of ``f_rep_groups``: one level below the selected team (the
whole company: its divisions), each with all its sub-teams.
View state in the URL: rank_by (leaderboard measure), target (contract_amount or
payment_amount).
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, html, no_update

from components import figures, inputs
from components import format as fmt
from components.cards import ChartCard, card_outputs
from components.context import current_lang, current_theme
from components.controls import ViewToggle
from components.grid import GridCard, filtered_hrefs, grid_outputs, grid_payload, link_cells
from components.i18n import t
from components.output_cache import cached_output
from components.page import filters_and_periods, query_store, view_value, with_params
from queries import run, sections

VIEW_KEYS = ("rank_by", "target")
dash.register_page(__name__, path="/team", order=20, label_key="page.team", view_params=VIEW_KEYS)

BOARD = ("contract_amount", "payments", "contracts", "new_customers", "follow_ups", "win_rate")
MONEY = ("contract_amount", "payments")
TARGETS = ("contract_amount", "payment_amount")
HORIZONS = ("month", "quarter", "year")


def board_label(measure: str, lang: str) -> str:
    return t(f"team.measure.{measure}" if measure in ("follow_ups", "win_rate") else f"measure.{measure}", lang)


def view(query: dict | None) -> dict:
    return {"rank_by": view_value(query, "rank_by", BOARD, "contract_amount"),
            "target": view_value(query, "target", TARGETS, "contract_amount")}


def layout(**query):
    lang = current_lang()
    v = view(query)
    return html.Div([
        query_store(query),
        html.H1(t("page.team", lang), className="visually-hidden"),
        ViewToggle("team-rank-by", t("team.rank_by", lang), [{"label": board_label(m, lang), "value": m}
                                                             for m in BOARD], v["rank_by"]),
        dbc.Row([
            dbc.Col(ChartCard("team-reps", t("team.reps_chart", lang, measure=board_label(v["rank_by"], lang),
                                                           n=figures.CHART_REPS),
                              height=360), lg=5, className="mb-3"),
            dbc.Col(GridCard("team-reps-grid", t("team.reps_grid", lang), height=360, row_id="member_id"), lg=7,
                    className="mb-3"),
        ]),
        dbc.Row([dbc.Col(GridCard("team-teams-grid", t("team.teams_grid", lang), height=260), className="mb-3")]),
        ViewToggle("team-target", t("team.target_measure", lang),
                   [{"label": t(f"team.measure.{m}", lang), "value": m} for m in TARGETS], v["target"]),
        html.Section([
            html.H2(id="team-targets-title", className="h6"),
            dbc.Row([
                dbc.Col(GridCard("team-targets-reps", t("team.targets_reps", lang), height=360, row_id="member_id"),
                        lg=7, className="mb-3"),
                dbc.Col(GridCard("team-targets-teams", t("team.targets_teams", lang), height=360,
                                 row_id="member_id"), lg=5, className="mb-3"),
            ]),
        ], **{"aria-label": t("team.target_measure", lang)}),
    ])


# --- pure pieces ----------------------------------------------------------------------

def ranked(frame: pd.DataFrame, measure: str) -> pd.DataFrame:
    """Rows in leaderboard order: by the measure's competition rank, ties by id; reps
    without a rank (no closed deal for the win rate) last."""
    return frame.sort_values([f"rank_{measure}", "member_id"], na_position="last", kind="stable")


def _fmt(measure: str, value, lang: str) -> str:
    if measure == "win_rate":
        return fmt.percent(value)
    return fmt.money(value, lang) if measure in MONEY else fmt.number(value, lang)


def reps_figure(frame: pd.DataFrame, measure: str, lang: str, theme: str) -> dict:
    """Horizontal bars of the first CHART_REPS reps of ``frame`` (in leaderboard order:
    ``ranked``), the leader on top; customdata = rep_id for the click (the grid beside it lists
    every rep)."""
    if frame.empty:
        return figures.empty(t("team.empty", lang), theme)
    if frame[measure].fillna(0).eq(0).all():
        return figures.empty(t("team.empty_measure", lang, measure=board_label(measure, lang)), theme)
    rows = frame.head(figures.CHART_REPS).iloc[::-1]
    rank = [f"{int(r)}" if pd.notna(r) else "—" for r in rows[f"rank_{measure}"]]
    values = rows[measure].astype(float).fillna(0) * (100 if measure == "win_rate" else 1)
    fig = figures.figure([{
        "type": "bar", "x": values.to_numpy(),
        "y": [f"{r} · {name}" for r, name in zip(rank, rows["member_name"], strict=True)], "orientation": "h",
        "text": [_fmt(measure, v, lang) for v in rows[measure]], "textposition": "auto",
        "customdata": rows["member_id"].to_numpy(), "hovertemplate": "%{y}: %{text}<extra></extra>",
        "marker": {"color": figures.PALETTE[0]},
    }], margin={"l": 120})
    if measure == "win_rate":
        figures.axis_layout(fig, "x")["ticksuffix"] = "%"
    fig = figures.style(fig, theme, height=360)
    return figures.money_axis(fig, lang, axis="x") if measure in MONEY else fig


BOARD_COLUMNS = ("member_id", "member_name", "team_name", "contract_amount", "rank_contract_amount", "payments",
                 "rank_payments", "contracts", "rank_contracts", "new_customers", "rank_new_customers",
                 "follow_ups", "rank_follow_ups", "won", "lost", "win_rate", "rank_win_rate")


def board_table(frame: pd.DataFrame, measure: str, level: str) -> pd.DataFrame:
    columns = [c for c in BOARD_COLUMNS if level == "rep" or c != "team_name"]
    return ranked(frame, measure)[columns].reset_index(drop=True)


def board_headers(lang: str) -> dict[str, str]:
    out = {"member_id": t("team.col.id", lang), "member_name": t("team.col.name", lang),
           "team_name": t("common.team", lang), "won": t("team.col.won", lang), "lost": t("team.col.lost", lang)}
    for m in BOARD:
        out[m] = board_label(m, lang)
        out[f"rank_{m}"] = f"{t('team.col.rank', lang)} · {board_label(m, lang)}"
    return out


TARGET_VALUES = ("target", "actual", "achievement")


def targets_frame(frame: pd.DataFrame, measure: str) -> pd.DataFrame:
    """One row per rep or team (by id) of team_page's targets section for ``measure``: for each
    horizon (month, quarter, year) its target (empty: none set, shown "—", never 0% or 100%),
    actual and achievement (pivoted by the query)."""
    return frame[frame["measure"] == measure].drop(columns="measure").reset_index(drop=True)


def targets_payload(frame: pd.DataFrame, measure: str, lang: str) -> tuple:
    """The targets grid of one level: a grid, not a table of thousands of cells (600 reps
    made 10,000 components: 0.4 s of Python per render)."""
    headers = {"member_id": t("team.col.id", lang), "member_name": t("team.col.name", lang)}
    headers.update({f"{h}_{v}": f"{t(f'team.horizon.{h}', lang)} · {t(f'team.{v}', lang)}"
                    for h in HORIZONS for v in TARGET_VALUES})
    return grid_payload(targets_frame(frame, measure), headers, lang=lang,
                        money=tuple(f"{h}_{v}" for h in HORIZONS for v in ("target", "actual")),
                        rates=tuple(f"{h}_achievement" for h in HORIZONS))


# --- callbacks --------------------------------------------------------------------------

@callback(
    *card_outputs("team-reps"),
    *grid_outputs("team-reps-grid"),
    *grid_outputs("team-teams-grid"),
    Output("team-targets-title", "children"),
    *grid_outputs("team-targets-reps"),
    *grid_outputs("team-targets-teams"),
    Input("page-query", "data"),
)
@cached_output
def update(query):
    lang, theme = current_lang(), current_theme()
    v = view(query)
    filters, periods = filters_and_periods(query, VIEW_KEYS)
    # both levels' leaderboards and targets from one statement (queries/team_page.sql)
    page = sections(run("team_page", filters))
    reps, teams, rep_targets, team_targets = page["reps"], page["teams"], page["rep_targets"], page["team_targets"]
    headers = board_headers(lang)
    pct = ("win_rate",)
    rep_board = board_table(reps, v["rank_by"], "rep")
    rep_rows, rep_columns, rep_store = grid_payload(rep_board, headers, rates=pct, money=MONEY)
    rep_href = filtered_hrefs("/team", query, "rep", keep=VIEW_KEYS)
    link_cells(rep_rows, rep_columns, "member_name", lambda row: rep_href(row["member_id"]))
    target_label = t(f"team.measure.{v['target']}", lang)
    return (
        # the chart's export is the leaderboard's: the same rows, worked out once
        reps_figure(rep_board, v["rank_by"], lang, theme), rep_store,
        rep_rows, rep_columns, rep_store,
        *grid_payload(board_table(teams, v["rank_by"], "team"), headers, rates=pct, money=MONEY),
        t("team.targets", lang, measure=target_label, date=fmt.day(periods["end"])),
        *targets_payload(rep_targets, v["target"], lang),
        *targets_payload(team_targets, v["target"], lang),
    )


@callback(
    Output("url", "search", allow_duplicate=True),
    Input("team-rank-by", "value"),
    Input("team-target", "value"),
    State("url", "search"),
    prevent_initial_call=True,
)
def set_view(rank_by, target, search):
    if rank_by not in BOARD or target not in TARGETS:
        return no_update
    new = with_params(search, rank_by=None if rank_by == "contract_amount" else rank_by,
                      target=None if target == "contract_amount" else target)
    return new if new != (search or "") else no_update


@callback(
    Output("url", "search", allow_duplicate=True),
    Input({"type": "chart", "card": "team-reps"}, "clickData"),
    State("url", "search"),
    prevent_initial_call=True,
)
def pick_rep(click, search):
    """A clicked rep's bar becomes the global rep filter: every page then shows that rep.
    (In the leaderboard grid the rep's name is a link to the same.)"""
    rep = inputs.point(click)
    return with_params(search, rep=rep) if rep else no_update
