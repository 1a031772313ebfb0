"""/product/<product_id> — one product: its totals and ranks for the period, sales and
gross margin by month, the FIFO cost layers still in stock at the period's end, its
receipts and return layers, and its top customers (a row opens /customer/<customer_id>).
An unknown product id gets a friendly not-found. URL view key: ``method``."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, dcc, html, no_update

from components import figures, inputs
from components import format as fmt
from components.cards import ChartCard, card_outputs, card_payload
from components.context import current_lang, current_theme
from components.grid import GridCard, filtered_href, grid_outputs, grid_payload
from components.i18n import t
from components.output_cache import cached_output
from components.page import filters_and_periods, query_store, with_params
from data.costing import METHODS
from pages.products import DEFAULT_METHOD, method_radio, summary_children, view_methods
from queries import run

VIEW_KEYS = ("method",)
dash.register_page(__name__, path_template="/product/<product_id>", view_params=VIEW_KEYS, title="CRM Analytics")

TOP_CUSTOMERS = 10


def layout(product_id: str | None = None, **query):
    lang = current_lang()
    product_id = inputs.text(product_id)
    method = view_methods(query)[0]
    return html.Div([
        query_store(query),
        dcc.Store(id="product-id", data=product_id),
        html.Div([
            html.H1(product_id or "", id="product-title", className="h4 mb-1"),
            html.P(id="product-subtitle", className="text-body-secondary mb-2"),
            dcc.Link(t("product.back", lang), href=filtered_href("/products", query), id="product-back",
                     className="small"),
        ], className="mb-2"),
        html.Div(id="product-alerts"),
        html.Div(id="product-body", children=[
            dbc.Card(dbc.CardBody(method_radio("product-method", method, lang)), className="mb-3"),
            html.Section(dbc.Row(id="product-summary", className="g-2"), className="mb-3",
                         **{"aria-label": t("products.summary", lang)}),
            dbc.Row([
                dbc.Col(ChartCard("product-monthly", t("product.monthly", lang)), lg=7, className="mb-3"),
                dbc.Col(ChartCard("product-layers", t("product.layers", lang)), lg=5, className="mb-3"),
            ]),
            dbc.Row([
                dbc.Col(GridCard("product-receipts", t("product.receipts", lang), height=320), lg=6, className="mb-3"),
                dbc.Col(GridCard("product-customers", t("product.customers", lang), height=320),
                        lg=6, className="mb-3"),
            ]),
        ]),
    ])


# --- pure pieces -----------------------------------------------------------------------

def monthly_figure(monthly: pd.DataFrame, lang: str, theme: str) -> dict:
    """Revenue and gross margin (bars) by month, margin % as a line on the right axis."""
    if (monthly["revenue"] == 0).all() and (monthly["quantity"] == 0).all():
        return figures.empty(t("products.empty", lang), theme)
    quantity = t("products.quantity", lang)
    x = monthly["month"].to_numpy()
    fig = figures.figure([
        {"type": "bar", "x": x, "y": monthly["revenue"].to_numpy(), "name": t("products.revenue", lang),
         "textposition": "none", "text": [f"{quantity} {fmt.number(q, lang)}" for q in monthly["quantity"]]},
        {"type": "bar", "x": x, "y": monthly["margin"].to_numpy(), "name": t("products.margin", lang)},
        {"type": "scatter", "x": x, "y": (monthly["margin_pct"] * 100).to_numpy(),
         "name": t("products.margin_pct", lang), "yaxis": "y2", "mode": "lines+markers",
         "hovertemplate": t("products.margin_pct", lang) + " · %{x|%Y-%m}: %{y:.1f}%<extra></extra>"},
    ], yaxis2={"overlaying": "y", "side": "right", "showgrid": False}, xaxis={"dtick": "M1", "tickformat": "%Y-%m"})
    # hovers "revenue · 2024-03: ¥amount (volume 12)"; margin % on a rate axis from 0
    figures.money_axis(fig, lang, period="%{x|%Y-%m}", text_is_amount=False)
    figures.percent_axis(fig, monthly["margin_pct"] * 100, lang)
    return figures.style(fig, theme)


def layers_figure(layers: pd.DataFrame, lang: str, theme: str) -> dict:
    """The FIFO layers still in stock (oldest first): remaining quantity, at its unit cost."""
    left = layers[layers["remaining_quantity"] > 0]
    if left.empty:
        return figures.empty(t("product.layers_empty", lang), theme)
    labels = [f"{fmt.day(d)} · {s}" for d, s in zip(left["entered_on"], left["source"], strict=True)]
    fig = figures.figure([{
        "type": "bar", "x": labels, "y": left["remaining_quantity"].to_numpy(),
        "marker": {"color": [figures.PALETTE[0] if k == "receipt" else figures.PALETTE[1] for k in left["kind"]]},
        "text": [f"@{fmt.money(c, lang)}" for c in left["unit_cost"]], "textposition": "auto",
        "customdata": [fmt.money(v, lang) for v in left["remaining_value"]],
        "hovertemplate": "%{x}: %{y:,.2f} %{text} = %{customdata}<extra></extra>",
    }], xaxis={"type": "category"})
    return figures.style(fig, theme)


def receipts_payload(layers: pd.DataFrame, lang: str) -> tuple:
    frame = layers.assign(kind=[t(f"product.kind.{k}", lang) for k in layers["kind"]])
    headers = {"layer_no": "#", "entered_on": t("product.entered_on", lang), "kind": t("product.kind", lang),
               "source": t("product.source", lang),
               "quantity": t("products.quantity", lang), "unit_cost": t("product.unit_cost", lang),
               "value": t("product.value", lang), "remaining_quantity": t("product.remaining_quantity", lang),
               "remaining_value": t("product.remaining_value", lang)}
    return grid_payload(frame, headers, money=("unit_cost", "value", "remaining_value"))


def customers_payload(customers: pd.DataFrame, lang: str, query: dict | None = None) -> tuple:
    """The top customers, each linking to the customer's page (filters and method kept)."""
    headers = {"rank": t("common.rank", lang), "customer_id": t("product.customer_id", lang),
               "customer_name": t("common.customer", lang), "quantity": t("products.quantity", lang),
               "revenue": t("products.revenue", lang), "margin": t("products.margin", lang)}
    return grid_payload(customers, headers, money=("revenue", "margin"), customer_links=query or {})


def not_found(product_id: str | None, lang: str, theme: str) -> tuple:
    """Every output of ``update`` for an unknown product: a friendly message, empty cards."""
    empty_fig = figures.empty(t("product.not_found", lang), theme)
    empty_grid = grid_payload(pd.DataFrame())
    alert = dbc.Alert([t("product.not_found_body", lang, product_id=product_id or ""), " ",
                       dcc.Link(t("product.back", lang), href="/products")], color="warning",
                      id="product-not-found")
    return (t("product.not_found", lang), "", [alert], True, [],
            *card_payload(empty_fig, pd.DataFrame()), *card_payload(empty_fig, pd.DataFrame()),
            *empty_grid, *empty_grid)


@callback(
    Output("product-title", "children"),
    Output("product-subtitle", "children"),
    Output("product-alerts", "children"),
    Output("product-body", "hidden"),
    Output("product-summary", "children"),
    *card_outputs("product-monthly"),
    *card_outputs("product-layers"),
    *grid_outputs("product-receipts"),
    *grid_outputs("product-customers"),
    Input("page-query", "data"),
    Input("product-id", "data"),
)
@cached_output
def update(query, product_id):
    lang, theme = current_lang(), current_theme()
    filters, _periods = filters_and_periods(query, VIEW_KEYS)
    method = view_methods(query)[0]
    product_id = inputs.text(product_id) or ""
    info = run("product_info", filters, product_id=product_id)
    if info.empty:
        return not_found(product_id, lang, theme)
    product = info.iloc[0]
    mix = run("products_mix", filters, method=method, compare=None)
    row = mix[mix["product_id"] == product_id]
    monthly = run("products_monthly", filters, method=method, compare=None, product_id=product_id)
    layers = run("product_layers", filters, product_id=product_id)
    customers = run("product_top_customers", filters, product_id=product_id, method=method, limit=TOP_CUSTOMERS)
    subtitle = t("product.subtitle", lang, category=product["category"], unit=product["unit"] or "—",
                 price=fmt.money(product["list_price"], lang))
    alerts = []
    if len(row) and row["uncosted_revenue"].iloc[0] != 0:
        alerts.append(dbc.Alert(t("product.uncosted", lang, amount=fmt.money(row["uncosted_revenue"].iloc[0], lang)),
                                color="warning", id="product-uncosted-alert"))
    if len(row):
        r = row.iloc[0]

        def rank(value):
            return "—" if pd.isna(value) else str(int(value))

        alerts.append(html.P(t("product.ranks", lang, q=rank(r["quantity_rank"]), r=rank(r["revenue_rank"]),
                               m=rank(r["margin_rank"]), n=len(mix)), className="text-body-secondary"))
    return (
        t("product.title", lang, name=product["product_name"], product_id=product_id),
        subtitle,
        alerts,
        False,
        summary_children(row, method, None, lang),
        *card_payload(monthly_figure(monthly, lang, theme), monthly),
        *card_payload(layers_figure(layers, lang, theme), layers),
        *receipts_payload(layers, lang),
        *customers_payload(customers, lang, query),
    )


@callback(
    Output("url", "search", allow_duplicate=True),
    Input("product-method", "value"),
    State("url", "search"),
    prevent_initial_call=True,
)
def set_method(method, search):
    method = method if method in METHODS else DEFAULT_METHOD
    new = with_params(search, method=None if method == DEFAULT_METHOD else method)
    return new if new != (search or "") else no_update  # unchanged: drawing the page again is waste
