"""/customer/<customer_id> — the 360° view of one customer: profile, value in the period
(tier, ABC, RFM, margin, CLV), contracts with their lines, payment plans against
payments, opportunities with their stage history, follow-ups and lead-pool history.

The id from the URL is only ever a bound parameter; an id that does not exist or that
the viewer may not see gives a friendly "not found"."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, callback, dcc, html

from components import format as fmt
from components import inputs
from components.context import current_lang
from components.grid import GridCard, grid_outputs, grid_payload
from components.i18n import t
from components.output_cache import cached_output
from components.page import filters_and_periods, query_store
from pages.customers import VIEW_PARAMS, segment_label, tier_label, value_params
from queries import run

dash.register_page(__name__, path_template="/customer/<customer_id>", view_params=VIEW_PARAMS,
                   title="CRM Analytics")

GRID_MONEY = ("contract_amount", "unit_price", "line_amount", "amount", "settled", "outstanding", "overdue")
GRIDS = {  # card -> (query, {column: message key})
    "customer-contracts": ("customer_contract_lines", {
        "contract_id": "customer.col.contract", "signed_on": "customer.col.signed_on",
        "ends_on": "customer.col.ends_on", "rep_name": "customer.col.rep",
        "contract_amount": "customer.col.contract_amount", "line_no": "customer.col.line",
        "product_name": "customer.col.product", "category": "customer.col.category",
        "quantity": "customer.col.quantity", "unit_price": "customer.col.unit_price",
        "line_amount": "customer.col.line_amount"}),
    "customer-plans": ("customer_payment_plans", {
        "plan_id": "customer.col.plan", "contract_id": "customer.col.contract", "due_on": "customer.col.due_on",
        "amount": "customer.col.amount", "settled": "customer.col.settled",
        "outstanding": "customer.col.outstanding", "overdue": "customer.col.overdue",
        "days_overdue": "customer.col.days_overdue"}),
    "customer-opportunities": ("customer_opportunities", {
        "opportunity_id": "customer.col.opportunity", "rep_name": "customer.col.rep",
        "current_stage": "customer.col.current_stage", "amount": "customer.col.amount",
        "created_at": "customer.col.created", "expected_close_on": "customer.col.expected_close",
        "closed_on": "customer.col.closed", "lost_reason": "customer.col.lost_reason",
        "stage": "customer.col.stage", "entered_at": "customer.col.entered", "exited_at": "customer.col.exited",
        "days": "customer.col.days"}),
}


def layout(customer_id: str | None = None, **query):
    lang = current_lang()
    return html.Div([
        query_store(query),
        dcc.Store(id="customer-id", data=inputs.text(customer_id)),
        html.Div(id="customer-missing"),
        html.Div([
            html.H1(id="customer-title", className="h4 mb-3"),
            dbc.Row([
                dbc.Col(_box(t("customer.profile", lang), "customer-profile"), lg=6, className="mb-3"),
                dbc.Col(_box(t("customer.value", lang), "customer-value"), lg=6, className="mb-3"),
            ]),
            dbc.Row([dbc.Col(GridCard("customer-contracts", t("customer.contracts", lang), height=320),
                             className="mb-3")]),
            dbc.Row([dbc.Col([html.Div(id="customer-overdue", className="mb-1 fw-semibold"),
                              GridCard("customer-plans", t("customer.plans", lang), height=280)], className="mb-3")]),
            dbc.Row([dbc.Col(GridCard("customer-opportunities", t("customer.opportunities", lang), height=320),
                             className="mb-3")]),
            dbc.Row([
                dbc.Col(_box(t("customer.activities", lang), "customer-activities"), lg=7, className="mb-3"),
                dbc.Col(_box(t("customer.pool_history", lang), "customer-pool"), lg=5, className="mb-3"),
            ]),
        ], id="customer-content"),
    ])


def _box(title: str, body_id: str) -> html.Section:
    return html.Section(dbc.Card([dbc.CardHeader(html.H2(title, className="h6 m-0")),
                                  dbc.CardBody(html.Div(id=body_id))], className="h-100"),
                        **{"aria-label": title}, className="h-100")


def _facts(pairs: list[tuple[str, object]]) -> html.Dl:
    items = []
    for label, value in pairs:
        items += [html.Dt(label, className="col-sm-4 text-body-secondary fw-normal"),
                  html.Dd(value if value not in (None, "") and not fmt._undefined(value) else fmt.DASH,
                          className="col-sm-8 mb-1")]
    return html.Dl(items, className="row mb-0")


def profile_children(p: pd.Series, lang: str) -> html.Dl:
    owner = p["owner_name"] if p["owner_rep_id"] is not None and not pd.isna(p["owner_rep_id"]) \
        else t("customer.pool", lang)
    region = " · ".join(str(v) for v in (p["region"], p["city"]) if isinstance(v, str))
    return _facts([
        (t("customer.type", lang), t(f"ctype.{p['type']}", lang)),
        (t("customer.owner", lang), owner),
        (t("customer.industry", lang), p["industry"]),
        (t("customer.region", lang), region),
        (t("customer.source", lang), p["source"]),
        (t("customer.level", lang), p["level"]),
        (t("customer.created", lang), fmt.day(p["created_at"])),
    ])


def value_children(p: pd.Series, lang: str) -> html.Div:
    """Tier, ABC, RFM, revenue, margin and CLV in the period, or why there are none."""
    if not isinstance(p["tier"], str):
        label = tier_label("inactive", lang) if p["type"] == "customer" else tier_label("none", lang)
        return html.Div([html.P(html.Strong(label), className="mb-1"),
                         html.P(t("customer.no_purchase", lang), className="small text-body-secondary mb-0")])
    clv = fmt.money(p["clv"], lang)
    return _facts([
        (t("customer.tier", lang), t("customer.tier_rank", lang, tier=tier_label(p["tier"], lang),
                                     position=int(p["position"]), n=int(p["n"]))),
        (t("customer.abc", lang), p["abc_class"]),
        (t("customer.rfm", lang), t("customer.rfm_value", lang, r=int(p["r_score"]), f=int(p["f_score"]),
                                    m=int(p["m_score"]), segment=segment_label(p["segment"], lang))),
        (t("customer.revenue", lang), fmt.money(p["amount"], lang)),
        (t("customer.margin", lang), fmt.money(p["margin"], lang)),
        (t("customer.clv", lang), html.Span(clv, title=t("customer.clv_unknown", lang) if clv == fmt.DASH else None,
                                            id="customer-clv")),
    ])


def timeline(frame: pd.DataFrame, lang: str) -> html.Ol | html.P:
    """Follow-ups, newest first, as a vertical timeline."""
    if frame.empty:
        return html.P(t("customer.no_activities", lang), className="text-body-secondary mb-0")
    return html.Ol([html.Li([html.Time(fmt.day(r.occurred_at), className="me-2 text-body-secondary"),
                             html.Strong(t(f"customer.kind.{r.kind}", lang), className="me-2"),
                             t("customer.by", lang, rep=r.rep_name)], className="mb-1")
                    for r in frame.itertuples()], className="list-unstyled border-start ps-3 mb-0 small")


def pool_history(frame: pd.DataFrame, lang: str) -> html.Ol | html.P:
    if frame.empty:
        return html.P(t("customer.no_pool_events", lang), className="text-body-secondary mb-0")
    return html.Ol([html.Li([html.Time(fmt.day(r.occurred_at), className="me-2 text-body-secondary"),
                             html.Strong(t(f"customer.event.{r.event}", lang), className="me-2"),
                             t("customer.by", lang, rep=r.rep_name) if isinstance(r.rep_name, str) else ""],
                            className="mb-1")
                    for r in frame.itertuples()], className="list-unstyled border-start ps-3 mb-0 small")


def not_found(customer_id: str, lang: str) -> dbc.Alert:
    return dbc.Alert([html.H1(t("customer.not_found", lang), className="h4"),
                      html.P(t("customer.not_found_body", lang, customer_id=customer_id)),
                      dbc.Button(t("customer.back", lang), href="/customers", color="primary")],
                     color="warning", className="my-3", id="customer-not-found")


@callback(
    Output("customer-missing", "children"),
    Output("customer-content", "hidden"),
    Output("customer-title", "children"),
    Output("customer-profile", "children"),
    Output("customer-value", "children"),
    *[o for card in GRIDS for o in grid_outputs(card)],
    Output("customer-overdue", "children"),
    Output("customer-activities", "children"),
    Output("customer-pool", "children"),
    Input("page-query", "data"),
    Input("customer-id", "data"),
)
@cached_output
def update(query, customer_id):
    lang = current_lang()
    filters, _periods = filters_and_periods(query, VIEW_PARAMS)
    customer_id = inputs.text(customer_id) or ""
    profile = run("customer_profile", filters, customer_id=customer_id, **value_params(query))
    if profile.empty:
        empty = pd.DataFrame()
        return (not_found(customer_id, lang), True, "", None, None,
                *[v for _ in GRIDS for v in grid_payload(empty)], None, None, None)
    p = profile.iloc[0]
    grids = {card: run(name, filters, customer_id=customer_id) for card, (name, _h) in GRIDS.items()}
    payloads = [v for card, (_n, headers) in GRIDS.items()
                for v in grid_payload(grids[card][list(headers)], {c: t(k, lang) for c, k in headers.items()},
                                      money=GRID_MONEY)]
    plans = grids["customer-plans"]
    overdue = t("customer.overdue_total", lang, amount=fmt.money(plans["overdue_total"].iloc[0], lang)) \
        if len(plans) and plans["overdue_total"].iloc[0] > 0 else None
    return (
        None, False, p["customer_name"],
        profile_children(p, lang),
        value_children(p, lang),
        *payloads,
        overdue,
        timeline(run("customer_activities", filters, customer_id=customer_id), lang),
        pool_history(run("customer_pool_events", filters, customer_id=customer_id), lang),
    )
