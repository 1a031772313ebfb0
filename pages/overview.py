"""/ — the executive overview: KPIs with 环比 and 同比, the monthly trend against a year
earlier (for a period of a month or less, its days: revenue_series' day buckets, each
against the same date a year earlier), and the period's top reps and customers."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, callback, dcc, html

from components import figures
from components import format as fmt
from components.cards import ChartCard, KpiCard, card_outputs, card_payload, kpi_body, kpi_windows
from components.context import current_lang, current_theme
from components.i18n import t
from components.output_cache import PerComponent, cached_output
from components.page import filters_and_periods, query_store
from pages.alerts import page_settings, what_changed
from pages.products import method_label, view_methods
from queries import run, run_all

dash.register_page(__name__, path="/", order=0, label_key="page.overview", title="CRM Analytics",
                   view_params=("method",))

KPIS = (  # measure, kind
    ("contract_amount", "money"),
    ("payments", "money"),
    ("contracts", "count"),
    ("new_customers", "count"),
    ("weighted_pipeline", "money"),
    ("gross_margin", "money"),  # by the costing method of the URL key ``method`` (default fifo)
    ("overdue_receivables", "money"),
)
LOWER_IS_BETTER = ("overdue_receivables",)
STATES = ("weighted_pipeline", "overdue_receivables")  # "as of" the window's last day, not sums over it
TOP_N = 5
DAILY_TREND_DAYS = 31  # a period this short shows its days, not one month's bar


def kpi_label(measure: str, method: str, lang: str) -> str:
    if measure == "gross_margin":
        return t("products.margin_by", lang, method=method_label(method, lang))
    return t(f"measure.{measure}", lang)


def layout(**query):
    lang = current_lang()
    method = view_methods(query)[0]
    return html.Div([
        query_store(query),
        html.H1(t("page.overview", lang), className="visually-hidden"),
        html.Section(dbc.Row([dbc.Col(KpiCard(m, kpi_label(m, method, lang)), xs=12, sm=6, lg=3, className="mb-3")
                              for m, _ in KPIS]), **{"aria-label": t("overview.kpis", lang)}),
        html.Section(dbc.Card([dbc.CardHeader(html.H2(t("overview.changes", lang), className="h6 m-0")),
                               dbc.CardBody(dcc.Loading(html.Div(id="overview-changes"), type="circle",
                                                        delay_show=150))]),
                     className="mb-3", **{"aria-label": t("overview.changes", lang)}),
        dbc.Row([dbc.Col(ChartCard("trend", t("overview.trend", lang)), className="mb-3")]),
        dbc.Row([
            dbc.Col(ChartCard("top-reps", t("overview.top_reps", lang), height=300), lg=6, className="mb-3"),
            dbc.Col(ChartCard("top-customers", t("overview.top_customers", lang), height=300), lg=6,
                    className="mb-3"),
        ]),
    ])


def _value(measure: str, kind: str, value, lang: str) -> str:
    return fmt.money(value, lang) if kind == "money" else fmt.number(value, lang)


def sparkline(values, theme: str) -> dict:
    fig = figures.figure([{"type": "scatter", "y": list(values), "mode": "lines",
                           "line": {"width": 2, "color": figures.PALETTE[0]}, "fill": "tozeroy", "hoverinfo": "skip"}],
                         margin={"l": 0, "r": 0, "t": 0, "b": 0}, showlegend=False, xaxis={"visible": False},
                         yaxis={"visible": False})
    return figures.style(fig, theme, height=48)


def kpi_children(kpis, sparks, lang: str, theme: str, method: str = "fifo",
                 periods: dict | None = None) -> PerComponent:
    """One KpiCard body per measure (the value of the KPI cards' pattern-matching output), from
    overview_kpis (+ overview_margin) and overview_sparklines; ``periods`` (Filters.periods)
    names what each compares with."""
    rows = kpis.set_index("measure")
    out = PerComponent()
    for measure, kind in KPIS:
        r = rows.loc[measure]

        def cmp(prefix, r=r, kind=kind):
            pct = r[f"{prefix}_pct"]
            return (fmt.change(r[f"{prefix}_change"], kind, lang), fmt.percent(pct, signed=True),
                    None if fmt._undefined(pct) else pct)

        spark = sparkline(sparks[measure], theme) if measure in sparks else None
        out.append(kpi_body(kpi_label(measure, method, lang), _value(measure, kind, r["current"], lang),
                            cmp("mom"), cmp("yoy"), spark, lang, lower_is_better=measure in LOWER_IS_BETTER,
                            windows=kpi_windows(periods, measure in STATES) if periods else None))
    return out


def overdue_kpi(overdue: pd.DataFrame, periods: dict) -> dict:
    """The overdue-receivables KPI row, shaped like an overview_kpis row: the overdue amount
    (receivables_overdue, or its receivables_overdue_totals) as of the current window's end, of
    the 环比 window's end and of the 同比 window's end; percentages (current - base) / |base|,
    None for a zero base."""
    totals = overdue.groupby(pd.to_datetime(overdue["as_of_date"]).dt.date)["unsettled"].sum()
    current, mom, yoy = (float(totals.get(periods[key], 0.0)) for key in ("end", "prev_end", "yoy_end"))

    def pct(base):
        return (current - base) / abs(base) if base else None

    return {"measure": "overdue_receivables", "current": current,
            "mom_base": mom, "mom_change": current - mom, "mom_pct": pct(mom),
            "yoy_base": yoy, "yoy_change": current - yoy, "yoy_pct": pct(yoy)}


def overview_frames(filters, periods: dict, method: str, *more: tuple[str, dict]) -> tuple:
    """The KPI rows (overview_kpis, overview_margin by ``method``, overdue receivables), the
    sparklines and the trend under ``filters`` (what the overview and the brief show), then the
    frames of the ``more`` queries (name, extra), all run side by side (queries.run_all). The
    trend: overview_trend's months, or for a period of DAILY_TREND_DAYS or fewer days its days
    (revenue_series, bucket day: each against the same date a year earlier), in the same
    columns with ``day`` for ``month``."""
    daily = (periods["end"] - periods["start"]).days + 1 <= DAILY_TREND_DAYS
    overdue, kpis, margin, sparks, trend, *rest = run_all(filters, [
        ("receivables_overdue_totals", {"dates": sorted({periods["end"], periods["prev_end"], periods["yoy_end"]})}),
        ("overview_kpis", {}), ("overview_margin", {"method": method}), ("overview_sparklines", {}),
        ("revenue_series", {"bucket": "day", "measure": "contract_amount"}) if daily else ("overview_trend", {}),
        *more])
    if daily:
        trend = pd.DataFrame({"day": trend["bucket"], "contract_amount": trend["value"],
                              "contract_amount_last_year": trend["yoy_base"], "yoy_pct": trend["yoy_pct"]})
    kpis = pd.concat([kpis, margin, pd.DataFrame([overdue_kpi(overdue, periods)])], ignore_index=True)
    return kpis, sparks, trend, *rest


def trend_figure(frame, lang: str, theme: str) -> dict:
    if frame["contract_amount"].abs().sum() == 0 and frame["contract_amount_last_year"].abs().sum() == 0:
        return figures.empty(t("empty.no_contracts", lang), theme)
    unit = frame.columns[0]  # month, or day for a short period
    x, when = frame[unit].to_numpy(), "%{x|%Y-%m}" if unit == "month" else "%{x|%Y-%m-%d}"
    fig = figures.figure([
        {"type": "bar", "x": x, "y": frame["contract_amount"].to_numpy(), "name": t("measure.contract_amount", lang),
         "hovertemplate": when + ": %{y:,.0f}<extra></extra>"},
        {"type": "scatter", "x": x, "y": frame["contract_amount_last_year"].to_numpy(),
         "name": t("measure.contract_amount_last_year", lang), "mode": "lines+markers", "line": {"dash": "dot"},
         "hovertemplate": when + ": %{y:,.0f}<extra></extra>"},
    ], xaxis={"dtick": "M1", "tickformat": "%Y-%m"} if unit == "month" else {"tickformat": "%m-%d"})
    return figures.money_axis(figures.style(fig, theme), lang, period=when)


def ranking_figure(frame, label_column: str, lang: str, theme: str) -> dict:
    if frame.empty:
        return figures.empty(t("empty.no_contracts", lang), theme)
    ordered = frame.iloc[::-1]
    labels = [f"{r} · {name}" for r, name in zip(ordered["rank"], ordered[label_column], strict=True)]
    fig = figures.figure([{
        "type": "bar", "x": ordered["contract_amount"].to_numpy(), "y": labels, "orientation": "h",
        "text": [fmt.money(v, lang) for v in ordered["contract_amount"]], "textposition": "auto",
        "customdata": ordered.iloc[:, 1].to_numpy(), "hovertemplate": "%{y}: %{x:,.0f}<extra></extra>",
    }], margin={"l": 140})
    return figures.money_axis(figures.style(fig, theme, height=300), lang, axis="x")


@callback(
    Output({"type": "kpi", "kpi": dash.ALL}, "children"),
    *card_outputs("trend"),
    *card_outputs("top-reps"),
    *card_outputs("top-customers"),
    Input("page-query", "data"),
)
@cached_output
def update(query):
    lang, theme = current_lang(), current_theme()
    filters, periods = filters_and_periods(query, ("method",))
    method = view_methods(query)[0]
    kpis, sparks, trend, reps, customers = overview_frames(
        filters, periods, method, ("overview_top_reps", {"limit": TOP_N}), ("overview_top_customers", {"limit": TOP_N}))
    return (
        kpi_children(kpis, sparks, lang, theme, method, periods),
        *card_payload(trend_figure(trend, lang, theme), trend),
        *card_payload(ranking_figure(reps, "rep_name", lang, theme), reps),
        *card_payload(ranking_figure(customers, "customer_name", lang, theme), customers),
    )


@callback(Output("overview-changes", "children"), Input("page-query", "data"))
@cached_output
def update_changes(query):
    """本期要点 / What changed: the most severe early warnings (pages/alerts.py)."""
    filters, _ = filters_and_periods(query, ("method",))
    settings = page_settings(query)
    warnings = run("alerts", filters, alert_costing_method=settings["alert_costing_method"])
    return what_changed(warnings, current_lang(), settings, filters.to_query())
