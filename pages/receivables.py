"""/receivables — is the money coming in (回款): due against received by month, the
collection rate, outstanding and overdue amounts, overdue aging by rep and by customer,
the overdue instalments and the contracts ending soon. Definitions: METRICS.md
("Receivables"); the settlement rule is in queries/receivables_overdue_states.sql.

Rule choice: due, received and the collection rate are flows of the period; outstanding,
overdue, aging and the contracts ending soon are state "as of" the period's end
(periods["end"]: its last day, not after as_of), the date the overview's 逾期应收 uses,
so one filter gives one overdue amount on both pages; the summary names the date."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, ctx, html, no_update

from components import figures, inputs
from components import format as fmt
from components.cards import ChartCard, card_outputs, card_payload, chart_id
from components.context import current_lang, current_theme
from components.grid import GRID_MAX_ROWS, GridCard, grid_outputs, grid_payload, listed_rows
from components.i18n import t
from components.output_cache import cached_output
from components.page import filters_and_periods, query_store, view_value, with_params
from queries import run_all

VIEW_KEYS = ("bucket",)
dash.register_page(__name__, path="/receivables", order=80, label_key="page.receivables", view_params=VIEW_KEYS,
                   state_as_of=True)  # the filter bar names the state date

BUCKETS = ("1-30", "31-60", "61-90", "90+")
ENDING_DAYS = 30
PLAN_COLUMNS = ("plan_id", "contract_id", "customer_id", "customer_name", "rep_name", "due_on", "amount",
                "settled", "unsettled", "days_late")
ENDING_COLUMNS = ("contract_id", "customer_id", "customer_name", "rep_name", "signed_on", "ends_on", "amount",
                  "paid", "outstanding")
MONEY_COLUMNS = ("amount", "settled", "unsettled", "paid", "outstanding", *BUCKETS, "total")


def _headers(lang: str) -> dict[str, str]:
    cols = ("contract_id", "plan_id", "due_on", "amount", "settled", "unsettled", "days_late", "signed_on",
            "ends_on", "paid", "outstanding", "total")
    out = {c: t(f"receivables.col.{c}", lang) for c in cols}
    out.update({b: t(f"receivables.bucket.{b}", lang) for b in BUCKETS})
    out.update(customer_id=t("acquisition.col.customer_id", lang), customer_name=t("common.customer", lang),
               rep_name=t("common.rep", lang))
    return out


def layout(**query):
    lang = current_lang()
    bucket = view_value(query, "bucket", BUCKETS, "all")
    control = dbc.RadioItems(
        id="rcv-bucket", value=bucket, inline=True, className="mt-2",
        options=[{"label": t(f"receivables.bucket.{b}", lang), "value": b} for b in ("all", *BUCKETS)],
        inputClassName="me-1", labelClassName="me-3",
    )
    aging_extra = html.Div([html.Div(t("receivables.aging.hint", lang), className="small text-body-secondary"),
                            html.Fieldset([html.Legend(t("receivables.bucket", lang), className="visually-hidden"),
                                           control])])
    return html.Div([
        query_store(query),
        html.H1(t("page.receivables", lang), className="visually-hidden"),
        html.Section(dbc.Card(dbc.CardBody(html.Div(id="rcv-summary", children=t("common.loading", lang)))),
                     className="mb-3", **{"aria-label": t("receivables.summary", lang)}),
        dbc.Row([
            dbc.Col(ChartCard("rcv-months", t("receivables.by_month", lang)), lg=7, className="mb-3"),
            dbc.Col(ChartCard("rcv-aging", t("receivables.aging", lang), height=260, extra=aging_extra), lg=5,
                    className="mb-3"),
        ]),
        dbc.Row([
            dbc.Col(ChartCard("rcv-aging-reps", t("receivables.aging_reps", lang, n=figures.CHART_REPS)), lg=6,
                    className="mb-3"),
            dbc.Col(GridCard("rcv-aging-customers", t("receivables.aging_customers", lang), height=340,
                             row_id="customer_id"), lg=6, className="mb-3"),
        ]),
        dbc.Row([dbc.Col(GridCard("rcv-overdue", t("receivables.overdue_plans", lang), row_id="plan_id"),
                         className="mb-3")]),
        dbc.Row([dbc.Col(GridCard("rcv-ending", t("receivables.ending", lang), height=300, row_id="contract_id"),
                         className="mb-3")]),
    ])


# --- pure pieces -----------------------------------------------------------------------

def summary_children(summary: pd.DataFrame, overdue_total: float, as_of, lang: str) -> list:
    row = summary.iloc[0]
    stats = [
        ("receivables.due", fmt.money(row["due"], lang)),
        ("receivables.received", fmt.money(row["received"], lang)),
        ("receivables.collection_rate", fmt.percent(row["collection_rate"])),
        ("receivables.outstanding", fmt.money(row["outstanding"], lang)),
        ("measure.overdue_receivables", fmt.money(overdue_total, lang)),  # the overview's label and number
    ]
    return [
        dbc.Row([dbc.Col(html.Div([html.Div(t(key, lang), className="kpi-label"),
                                   html.Div(value, className="kpi-value")]), xs=6, md=True)
                 for key, value in stats]),
        html.Div(t("receivables.as_of", lang, date=fmt.day(as_of)), className="small text-body-secondary mt-1"),
    ]


def months_figure(frame: pd.DataFrame, lang: str, theme: str) -> dict:
    if frame["due"].abs().sum() == 0 and frame["received"].abs().sum() == 0:
        return figures.empty(t("receivables.empty.months", lang), theme)
    rate = [fmt.percent(v) for v in frame["collection_rate"]]
    x = frame["month"].to_numpy()
    fig = figures.figure([
        {"type": "bar", "x": x, "y": frame["due"].to_numpy(), "name": t("receivables.due", lang),
         "hovertemplate": "%{x|%Y-%m}: %{y:,.0f}<extra></extra>"},
        {"type": "bar", "x": x, "y": frame["received"].to_numpy(), "name": t("receivables.received", lang),
         "text": rate, "textposition": "outside",
         "hovertemplate": "%{x|%Y-%m}: %{y:,.0f} (%{text})<extra></extra>"},
    ], barmode="group", xaxis={"dtick": "M1", "tickformat": "%Y-%m"})
    return figures.money_axis(figures.style(fig, theme), lang, period="%{x|%Y-%m}", text_is_amount=False)


LEVELS = {"customer": ("customer_id", "customer_name"), "rep": ("rep_id", "rep_name")}
PLAN_COUNTS = dict(zip(BUCKETS, ("plans_1_30", "plans_31_60", "plans_61_90", "plans_90"), strict=True))


def aging(rows: pd.DataFrame, level: str) -> pd.DataFrame:
    """The overdue amount per customer or rep (``level``) and bucket, with the total, from
    receivables_aging's rows (largest total first, ties by key; sums rounded to cents there)."""
    key, name = LEVELS[level]
    table = rows[rows["level"] == level].rename(columns={"key": key, "name": name})
    return table.loc[:, [key, name, *BUCKETS, "total"]].reset_index(drop=True)


def level_rows(rows: pd.DataFrame, level: str) -> int:
    """How many rows ``level`` has in all (receivables_aging lists the first customers only)."""
    counts = rows.loc[rows["level"] == level, "level_rows"]
    return int(counts.iloc[0]) if len(counts) else 0


def bucket_totals(rows: pd.DataFrame) -> pd.DataFrame:
    """The unsettled amount and the number of overdue plans per bucket (receivables_aging's
    'all' row; zeros when nothing is overdue)."""
    total = rows[rows["level"] == "all"]
    row = total.iloc[0] if not total.empty else dict.fromkeys([*BUCKETS, *PLAN_COUNTS.values()], 0)
    return pd.DataFrame({"bucket": list(BUCKETS), "unsettled": [float(row[b]) for b in BUCKETS],
                         "plans": [int(row[PLAN_COUNTS[b]]) for b in BUCKETS]})


def aging_figure(totals: pd.DataFrame, selected: str, lang: str, theme: str) -> dict:
    if totals["unsettled"].sum() == 0:
        return figures.empty(t("receivables.empty.overdue", lang), theme)
    colours = [figures.PALETTE[5] if selected in ("all", b) else "#BBBBBB" for b in totals["bucket"]]
    fig = figures.figure([{
        "type": "bar", "x": [t(f"receivables.bucket.{b}", lang) for b in totals["bucket"]],
        "y": totals["unsettled"].to_numpy(), "customdata": totals["bucket"].to_numpy(), "marker": {"color": colours},
        "text": [fmt.money(v, lang) for v in totals["unsettled"]], "textposition": "auto",
    }])
    return figures.money_axis(figures.style(fig, theme, height=260), lang)


def reps_figure(table: pd.DataFrame, lang: str, theme: str) -> dict:
    """Stacked bars of the CHART_REPS reps with the most overdue (``table`` is largest total
    first), the leader on top; customdata = rep_id for the click."""
    if table.empty:
        return figures.empty(t("receivables.empty.overdue", lang), theme)
    ordered = table.head(figures.CHART_REPS).iloc[::-1]
    fig = figures.figure([
        {"type": "bar", "y": ordered["rep_name"].to_numpy(), "x": ordered[b].to_numpy(),
         "name": t(f"receivables.bucket.{b}", lang), "orientation": "h", "customdata": ordered["rep_id"].to_numpy(),
         "marker": {"color": figures.PALETTE[i]}, "hovertemplate": "%{y}: %{x:,.0f}<extra></extra>"}
        for i, b in enumerate(BUCKETS)
    ], barmode="stack", margin={"l": 100})
    return figures.money_axis(figures.style(fig, theme), lang, axis="x")


# --- callbacks -------------------------------------------------------------------------

@callback(
    Output("rcv-summary", "children"),
    *card_outputs("rcv-months"),
    *card_outputs("rcv-aging"),
    *card_outputs("rcv-aging-reps"),
    *grid_outputs("rcv-aging-customers"),
    *grid_outputs("rcv-overdue"),
    *grid_outputs("rcv-ending"),
    Input("page-query", "data"),
)
@cached_output
def update(query):
    lang, theme = current_lang(), current_theme()
    filters, periods = filters_and_periods(query, VIEW_KEYS)
    bucket = view_value(query, "bucket", BUCKETS, "all")
    day = periods["end"]  # the state date: the period's end, not after as_of
    summary, months, rows, plans, ending = run_all(filters, [
        ("receivables_summary", {"day": day}), ("receivables_by_month", {}),
        ("receivables_aging", {"dates": [day], "limit": GRID_MAX_ROWS}),
        ("receivables_overdue_plans", {"dates": [day], "bucket": "" if bucket == "all" else bucket,
                                       "limit": GRID_MAX_ROWS}),
        ("receivables_ending", {"days": ENDING_DAYS, "day": day, "limit": GRID_MAX_ROWS})])
    totals = bucket_totals(rows)
    reps = aging(rows, "rep")
    customers = aging(rows, "customer")
    headers = _headers(lang)
    return (
        summary_children(summary, float(totals["unsettled"].sum()), day, lang),
        *card_payload(months_figure(months, lang, theme), months),
        *card_payload(aging_figure(totals, bucket, lang, theme), totals, {"bucket": t("receivables.bucket", lang)}),
        *card_payload(reps_figure(reps, lang, theme), reps),
        *grid_payload(customers, headers, money=MONEY_COLUMNS, customer_links=query,
                      total_rows=level_rows(rows, "customer")),
        *grid_payload(plans.loc[:, list(PLAN_COLUMNS)], headers, money=MONEY_COLUMNS, customer_links=query,
                      total_rows=listed_rows(plans)),
        *grid_payload(ending.loc[:, list(ENDING_COLUMNS)], headers, money=MONEY_COLUMNS, customer_links=query,
                      total_rows=listed_rows(ending)),
    )


@callback(
    Output("url", "search", allow_duplicate=True),
    Input("rcv-bucket", "value"),
    Input(chart_id("rcv-aging"), "clickData"),
    Input(chart_id("rcv-aging-reps"), "clickData"),
    State("url", "search"),
    prevent_initial_call=True,
)
def narrow(bucket, aging_click, rep_click, search):
    """A bucket (radio or aging bar) narrows the instalment list; a rep's bar narrows the
    global rep filter."""
    trigger = ctx.triggered_id
    if trigger == "rcv-bucket":
        chosen = bucket if bucket in BUCKETS else None
    elif trigger == chart_id("rcv-aging") and inputs.point(aging_click):
        chosen = inputs.point(aging_click)
    elif trigger == chart_id("rcv-aging-reps") and inputs.point(rep_click):
        new = with_params(search, rep=inputs.point(rep_click))
        return new if new != (search or "") else no_update
    else:
        return no_update
    new = with_params(search, bucket=chosen if chosen in BUCKETS else None)
    return new if new != (search or "") else no_update

