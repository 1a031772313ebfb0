"""/brief — the sales brief (销售简报): one to three printed pages for a period that an
executive reads in a minute: the most severe early warnings first (as on the overview's
本期要点), then the overview's KPIs with 环比/同比, the revenue trend, receivables due and
overdue, and the forecast against target, each with a link back to the live page under
the same filters. Subscriptions send it as a PDF (crm.subscriptions);
it is also an ordinary page, so what arrives by mail is what the app shows."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, html

from components import format as fmt
from components.cards import ChartCard, KpiCard, card_outputs, card_payload
from components.context import current_lang, current_theme
from components.i18n import t
from components.output_cache import cached_output
from components.page import filters_and_periods, query_store
from pages import forecast, overview, receivables
from queries import run, sections

dash.register_page(__name__, path="/brief", order=90, label_key="page.brief", title="CRM Analytics")

FORECAST_MONTHS = 3


def section(title: str, href_id: str, body) -> html.Section:
    """A titled part of the brief with its link to the live page."""
    return html.Section([
        html.Div([html.H2(title, className="h5 m-0"),
                  html.A(id=href_id, className="small brief-live-link")],
                 className="d-flex justify-content-between align-items-baseline mb-2"),
        body,
    ], className="brief-section mb-3", **{"aria-label": title})


def layout(**query):
    lang = current_lang()
    return html.Div([
        query_store(query),
        html.H1(t("page.brief", lang), className="h4 mb-1"),
        html.P(id="brief-period", className="text-body-secondary small"),
        section(t("overview.changes", lang), "brief-link-alerts", dbc.Card(dbc.CardBody(html.Div(id="brief-changes")))),
        section(t("brief.kpis", lang), "brief-link-overview",
                dbc.Row([dbc.Col(KpiCard(m, overview.kpi_label(m, "fifo", lang)), xs=12, sm=6, lg=3, className="mb-3")
                         for m, _ in overview.KPIS])),
        section(t("overview.trend", lang), "brief-link-revenue", ChartCard("brief-trend", t("overview.trend", lang),
                                                                            height=300)),
        section(t("page.receivables", lang), "brief-link-receivables",
                dbc.Card(dbc.CardBody(html.Div(id="brief-receivables")))),
        section(t("brief.forecast", lang), "brief-link-forecast",
                ChartCard("brief-forecast", t("brief.forecast", lang), height=320)),
    ], className="brief")


@callback(
    Output("brief-period", "children"),
    Output("brief-changes", "children"),
    Output("brief-link-alerts", "href"), Output("brief-link-alerts", "children"),
    Output("brief-link-overview", "href"), Output("brief-link-overview", "children"),
    Output("brief-link-revenue", "href"), Output("brief-link-revenue", "children"),
    Output("brief-link-receivables", "href"), Output("brief-link-receivables", "children"),
    Output("brief-link-forecast", "href"), Output("brief-link-forecast", "children"),
    Output({"type": "kpi", "kpi": dash.ALL}, "children"),
    *card_outputs("brief-trend"),
    Output("brief-receivables", "children"),
    *card_outputs("brief-forecast"),
    Input("page-query", "data"),
)
@cached_output
def update(query):
    lang, theme = current_lang(), current_theme()
    filters, periods = filters_and_periods(query)
    kept = filters.to_query()
    links = []
    for path in ("/alerts", "/", "/revenue", "/receivables", "/forecast"):
        links += [path + kept, t("brief.open_live", lang)]
    kpis, sparks, trend = overview.overview_frames(filters, periods, "fifo")
    day = periods["end"]  # state "as of" the period's end, as on /receivables and /forecast
    overdue = run("receivables_overdue", filters, dates=[day])
    stages = run("funnel_stages", filters)
    buckets = sections(run("forecast_page", filters, day=day, horizon=FORECAST_MONTHS, limit=0))["buckets"]
    table = forecast.forecast_table(run("forecast_months", filters, horizon=FORECAST_MONTHS, day=day), buckets,
                                    stages)
    return (
        t("filter.showing", lang, start=fmt.day(periods["start"]), end=fmt.day(periods["end"])) + " · "
        + t("filter.as_of", lang, date=fmt.day(periods["as_of"])),
        overview.update_changes(query),
        *links,
        overview.kpi_children(kpis, sparks, lang, theme, periods=periods),
        *card_payload(overview.trend_figure(trend, lang, theme), trend),
        receivables.summary_children(run("receivables_summary", filters, day=day), float(overdue["unsettled"].sum()),
                                     day, lang),
        *card_payload(forecast.forecast_figure(table, stages, lang, theme), table),
    )
