"""/products — product mix and margin: which products bring volume, which revenue, and
which really bring margin once the cost of goods is counted (FIFO, moving average or
monthly weighted average, two side by side), ABC/Pareto, margin % by month, stock at the
period's end per method, uncosted revenue and shortfalls. A category narrows the global
filter; a product opens /product/<product_id>.

URL view keys: ``method`` (default fifo) and ``compare`` (a second method).
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, clientside_callback, dcc, html, no_update

from components import figures, inputs
from components import format as fmt
from components.cards import ChartCard, card_outputs, card_payload, card_store, chart_id, data_id, frame_from_store
from components.context import current_lang, current_theme
from components.controls import DrillSelect, dropdown_labels
from components.grid import GRID_MAX_ROWS, GridCard, grid_outputs, grid_payload, listed_rows
from components.i18n import t
from components.output_cache import cached_output
from components.page import filters_and_periods, query_store, view_value, with_params
from data.costing import METHODS
from queries import run, run_all

VIEW_KEYS = ("method", "compare")
dash.register_page(__name__, path="/products", order=45, label_key="page.products", view_params=VIEW_KEYS)

DEFAULT_METHOD = "fifo"
NO_COMPARE = "none"
TOP_N = 10
MIX_COPIES = ("products-treemap", "products-pareto", "products-compare")  # cards exporting the mix card's data
ABC_COLOURS = {"A": figures.PALETTE[0], "B": figures.PALETTE[1], "C": figures.PALETTE[3]}


def view_methods(query: dict | None) -> tuple[str, str | None]:
    """(method, compare) from the URL: allow-listed; a compare equal to the method is none."""
    method = view_value(query, "method", METHODS, DEFAULT_METHOD)
    compare = view_value(query, "compare", METHODS, None)
    return method, (compare if compare != method else None)


def method_label(method: str, lang: str) -> str:
    return t(f"products.method.{method}", lang)


def method_radio(component_id: str, method: str, lang: str) -> html.Div:
    """The costing-method selector (a page writes its value to the URL key ``method``)."""
    return html.Div([
        dbc.Label(t("products.method", lang), html_for=component_id, className="me-2 mb-0 fw-semibold"),
        dbc.RadioItems(id=component_id, value=method, inline=True,
                       options=[{"label": method_label(m, lang), "value": m} for m in METHODS]),
    ], className="d-flex flex-wrap align-items-center")


def layout(**query):
    lang = current_lang()
    method, compare = view_methods(query)
    controls = dbc.Card(dbc.CardBody(dbc.Row([
        dbc.Col(method_radio("products-method", method, lang), md=True),
        dbc.Col(html.Div([
            dbc.Label(t("products.compare", lang), html_for="products-compare", className="me-2 mb-0 fw-semibold"),
            dcc.Dropdown(id="products-compare", value=compare or NO_COMPARE, clearable=False, searchable=False,
                         options=[{"label": t("products.compare.none", lang), "value": NO_COMPARE}]
                         + [{"label": method_label(m, lang), "value": m} for m in METHODS if m != method],
                         labels=dropdown_labels(lang), style={"minWidth": "14rem"}),
        ], className="d-flex align-items-center"), md="auto"),
    ], className="g-2 align-items-center")), className="mb-3")
    return html.Div([
        query_store(query),
        html.H1(t("page.products", lang), className="visually-hidden"),
        controls,
        html.Div(id="products-alerts"),
        html.Section(dbc.Row(id="products-summary", className="g-2"), className="mb-3",
                     **{"aria-label": t("products.summary", lang)}),
        dbc.Row([dbc.Col(ChartCard("products-mix", t("products.mix", lang, n=TOP_N), height=420), className="mb-3")]),
        dbc.Row([dbc.Col(GridCard("products-table", t("products.table", lang), row_id="product_id"),
                         className="mb-3")]),
        dbc.Row([
            dbc.Col(ChartCard("products-treemap", t("products.treemap", lang), height=400, extra=html.Div([
                DrillSelect("products-treemap-pick", t("drill.category", lang), [], None, lang),
                DrillSelect("products-treemap-product", t("drill.product", lang), [], None, lang),
            ])), lg=6, className="mb-3"),
            dbc.Col(ChartCard("products-pareto", t("products.pareto", lang), height=400), lg=6, className="mb-3"),
        ]),
        dbc.Row([
            dbc.Col(ChartCard("products-monthly", t("products.monthly", lang)), lg=6, className="mb-3"),
            dbc.Col(ChartCard("products-compare", t("products.compare_card", lang)), lg=6, className="mb-3"),
        ]),
        dbc.Row([dbc.Col(GridCard("products-stock", t("products.stock", lang), height=360), className="mb-1")]),
        html.P(id="products-stock-note", className="small text-body-secondary mb-3"),
        dbc.Row([dbc.Col(GridCard("products-shortfall", t("products.shortfall", lang), height=300),
                         className="mb-3")]),
    ])


# --- pure pieces: frames -> components and figures ---------------------------------------

def _names(frame: pd.DataFrame) -> list[str]:
    return [f"{name} ({pid})" for name, pid in zip(frame["product_name"], frame["product_id"], strict=True)]


def totals(mix: pd.DataFrame) -> dict:
    """Period totals over the products: costed revenue is what the margin % is over. COGS
    and margin are empty ("—") when every product sold is uncosted, and 0 when nothing was
    sold, as the overview's margin KPI is (one label, one number)."""
    revenue = mix["revenue"].sum()
    uncosted = mix["uncosted_revenue"].sum()
    costed = revenue - uncosted
    least = 1 if len(mix) else 0  # sums of no products are 0; of uncosted products, empty
    margin = mix["margin"].sum(min_count=least)
    out = {"quantity": mix["quantity"].sum(), "revenue": revenue, "cogs": mix["cogs"].sum(min_count=least),
           "margin": margin, "margin_pct": margin / costed if costed else None, "uncosted_revenue": uncosted,
           "costed_revenue": costed}
    compare_margin = mix["compare_margin"].sum(min_count=least)
    out["compare_margin"] = compare_margin
    out["margin_difference"] = compare_margin - margin if not (pd.isna(compare_margin) or pd.isna(margin)) else None
    return out


def summary_children(mix: pd.DataFrame, method: str, compare: str | None, lang: str) -> list:
    """Period totals as tiles; in compare mode the second method's margin and, under it,
    the difference (compare − method)."""
    total = totals(mix)
    name = method_label(method, lang)
    tiles = [
        ("quantity", t("products.quantity", lang), fmt.number(total["quantity"], lang), None),
        ("revenue", t("products.revenue", lang), fmt.money(total["revenue"], lang), None),
        ("cogs", t("products.cogs", lang), fmt.money(total["cogs"], lang), None),
        ("margin", t("products.margin_by", lang, method=name), fmt.money(total["margin"], lang), None),
        ("margin_pct", t("products.margin_pct", lang), fmt.percent(total["margin_pct"]), None),
        ("uncosted_revenue", t("products.uncosted_revenue", lang), fmt.money(total["uncosted_revenue"], lang), None),
    ]
    if compare:
        difference = t("products.margin_difference", lang, method=name, compare=method_label(compare, lang))
        tiles.append(("compare_margin", t("products.margin_by", lang, method=method_label(compare, lang)),
                      fmt.money(total["compare_margin"], lang),
                      html.Div(f"{difference}: {fmt.change(total['margin_difference'], 'money', lang)}",
                               className="small text-body-secondary", id="products-total-margin_difference")))
    return [dbc.Col(dbc.Card(dbc.CardBody([
        html.Div(label, className="kpi-label"),
        html.Div(value, className="kpi-value", id=f"products-total-{key}"),
        extra,
    ]), className="kpi-card h-100"), xs=6, md=4, xl=True) for key, label, value, extra in tiles]


def alerts(mix: pd.DataFrame, shortfall: pd.DataFrame, lang: str) -> list:
    """The uncosted-revenue warning (with its amount) and the shortfall notice."""
    out = []
    uncosted = mix[mix["uncosted_revenue"] != 0]
    if len(uncosted):
        total = totals(mix)
        out.append(dbc.Alert(t("products.uncosted_alert", lang, amount=fmt.money(total["uncosted_revenue"], lang),
                               products="、".join(_names(uncosted)) if lang == "zh-CN" else ", ".join(_names(uncosted)),
                               costed=fmt.money(total["costed_revenue"], lang)),
                             color="warning", id="products-uncosted-alert"))
    if len(shortfall):  # the grid's first lines, each with the count and the units of them all
        out.append(dbc.Alert(t("products.shortfall_alert", lang, lines=listed_rows(shortfall),
                               units=fmt.number(shortfall["total_shortfall_quantity"].iloc[0], lang)),
                             color="info", id="products-shortfall-alert"))
    return out


def _subplot_title(text: str, x: float, y: float) -> dict:
    """A panel's title, placed as plotly's make_subplots places it: centred over the panel."""
    return {"text": text, "x": x, "y": y, "xref": "paper", "yref": "paper", "xanchor": "center",
            "yanchor": "bottom", "showarrow": False, "font": {"size": 16}}


def mix_figure(mix: pd.DataFrame, lang: str, theme: str, period: str = "") -> dict:
    """Three panels side by side: the top products by volume, by revenue, by gross margin,
    each labelled with its competition rank; revenue and margin on money axes (万/亿), each
    hover "product · measure · period: value"."""
    if mix.empty:
        return figures.empty(t("products.empty", lang), theme)
    panels = (("quantity", "quantity_rank", "products.quantity"), ("revenue", "revenue_rank", "products.revenue"),
              ("margin", "margin_rank", "products.margin"))
    # the grid of make_subplots(rows=1, cols=3, horizontal_spacing=0.14), written out
    domains = ([0.0, 0.24], [0.38, 0.62], [0.76, 1.0])
    layout = {}
    traces = []
    for col, (measure, rank, key) in enumerate(panels, start=1):
        suffix = str(col) if col > 1 else ""
        layout[f"xaxis{suffix}"] = {"anchor": f"y{suffix}", "domain": domains[col - 1]}
        layout[f"yaxis{suffix}"] = {"anchor": f"x{suffix}", "domain": [0.0, 1.0]}
        top = mix[mix[rank].notna()].sort_values([rank, "product_id"]).head(TOP_N).iloc[::-1]
        labels = [f"{int(r)} · {name}" for r, name in zip(top[rank], top["product_name"], strict=True)]
        text = [fmt.number(v, lang) if measure == "quantity" else fmt.money(v, lang) for v in top[measure]]
        traces.append({"type": "bar", "x": top[measure].to_numpy(), "y": labels, "orientation": "h", "text": text,
                       "textposition": "auto", "marker": {"color": figures.PALETTE[col - 1]},
                       "customdata": top["product_id"].to_numpy(), "showlegend": False,
                       "hovertemplate": " · ".join(["%{y}", t(key, lang), *([period] if period else [])])
                       + ": %{text}<extra></extra>", "xaxis": f"x{suffix}", "yaxis": f"y{suffix}"})
    layout["annotations"] = [_subplot_title(t(key, lang), sum(domain) / 2, 1.0)
                             for (*_, key), domain in zip(panels, domains, strict=True)]
    fig = figures.figure(traces, **layout)
    for axis in ("x2", "x3"):
        figures.money_axis(fig, lang, axis=axis, hovers=False)
    return figures.style(fig, theme, height=420)


def treemap_figure(mix: pd.DataFrame, lang: str, theme: str) -> dict:
    """Revenue by category and product (products with positive revenue); node ids are
    ``c/<category>`` and ``p/<product_id>`` for the drill."""
    sold = mix[mix["revenue"] > 0]
    if sold.empty:
        return figures.empty(t("products.empty", lang), theme)
    categories = sorted(sold["category"].unique())
    colours = {c: figures.PALETTE[i % len(figures.PALETTE)] for i, c in enumerate(categories)}
    by_category = sold.groupby("category")["revenue"].sum()
    # the columns as lists: iterating a column of text yields its values one by one (1,000 products: 6 ms)
    product_categories = sold["category"].tolist()
    ids = [f"c/{c}" for c in categories] + [f"p/{p}" for p in sold["product_id"].tolist()]
    labels = categories + sold["product_name"].tolist()
    parents = [""] * len(categories) + [f"c/{c}" for c in product_categories]
    values = [by_category[c] for c in categories] + sold["revenue"].tolist()
    margin_text = [""] * len(categories) + [
        f"{t('products.margin_pct', lang)} {fmt.percent(p)}" for p in sold["margin_pct"].tolist()]
    fig = figures.figure([{
        "type": "treemap", "ids": ids, "labels": labels, "parents": parents, "values": values,
        "branchvalues": "total", "text": [fmt.money(v, lang) for v in values], "customdata": margin_text,
        "marker": {"colors": [colours[c] for c in categories] + [colours[c] for c in product_categories]},
        "texttemplate": "%{label}<br>%{text}<br>%{customdata}",
        "hovertemplate": "%{label}: %{text}<br>%{customdata}<extra></extra>",
    }])
    fig = figures.style(fig, theme, height=400)
    # tiles too small for readable text show none (the hover and the list beside say it)
    fig["layout"].update(margin={"l": 4, "r": 4, "t": 24, "b": 4}, uniformtext={"minsize": 11, "mode": "hide"})
    return fig


def pareto_figure(mix: pd.DataFrame, lang: str, theme: str) -> dict:
    """Two Pareto charts: products by revenue and by gross margin, bars coloured by ABC
    class, with the cumulative share line."""
    if mix.empty:
        return figures.empty(t("products.empty", lang), theme)
    # the grid of make_subplots(rows=2, cols=1, vertical_spacing=0.22, secondary y axes), written out:
    # row r draws on x{r} against y{2r-1} (the bars) and y{2r} (the share, on the right)
    layout = {
        "xaxis": {"anchor": "y", "domain": [0.0, 0.94], "showticklabels": False},
        "yaxis": {"anchor": "x", "domain": [0.61, 1.0]},
        "yaxis2": {"anchor": "x", "overlaying": "y", "side": "right"},
        "xaxis2": {"anchor": "y3", "domain": [0.0, 0.94], "showticklabels": False},
        "yaxis3": {"anchor": "x2", "domain": [0.0, 0.39]},
        "yaxis4": {"anchor": "x2", "overlaying": "y3", "side": "right"},
        "annotations": [_subplot_title(t("products.revenue", lang), 0.47, 1.0),
                        _subplot_title(t("products.margin", lang), 0.47, 0.39)],
    }
    traces = []
    for row, measure in enumerate(("revenue", "margin"), start=1):
        x, bars, share = f"x{row if row > 1 else ''}", f"y{2 * row - 1 if row > 1 else ''}", f"y{2 * row}"
        part = mix[mix[f"abc_{measure}"].notna()].sort_values([measure, "product_id"], ascending=[False, True])
        names = part["product_name"].tolist()
        traces.append({"type": "bar", "x": names, "y": part[measure].to_numpy(),
                       "marker": {"color": [ABC_COLOURS[c] for c in part[f"abc_{measure}"].tolist()]},
                       "text": part[f"abc_{measure}"].to_numpy(), "textposition": "inside", "showlegend": False,
                       "name": t(f"products.{measure}", lang), "xaxis": x, "yaxis": bars})
        traces.append({"type": "scatter", "x": names, "y": part[f"cum_share_{measure}"].to_numpy(),
                       "mode": "lines+markers", "showlegend": False,
                       "line": {"color": figures.PALETTE[7] if theme != "dark" else "#FFFFFF", "width": 1.5},
                       "name": t("products.pareto_share", lang), "hovertemplate": "%{x}: %{y:.1%}<extra></extra>",
                       "xaxis": x, "yaxis": share})
        # products with a negative margin take the running share past 100% before it comes back: draw it whole
        # and say why
        peak = max(1.0, float(part[f"cum_share_{measure}"].max()) if len(part) else 1.0)
        layout[f"yaxis{2 * row}"].update(range=[0, peak * 1.05], tickformat=".0%")
        if peak > 1:
            layout["annotations"].append({
                "text": t("products.pareto_over", lang, peak=fmt.percent(peak)), "showarrow": False,
                "xref": f"{x} domain", "yref": f"{share} domain", "x": 1, "y": 1, "xanchor": "right",
                "yanchor": "bottom", "font": {"size": 11}})
    fig = figures.figure(traces, **layout)
    for axis in ("y", "y3"):  # hovers: "revenue · product: ¥amount (ABC class)"
        figures.money_axis(fig, lang, axis=axis, text_is_amount=False)
    return figures.style(fig, theme, height=400)


def monthly_figure(monthly: pd.DataFrame, method: str, compare: str | None, lang: str, theme: str) -> dict:
    """Margin % by month, one line per method (the compare method dotted)."""
    if monthly["margin_pct"].isna().all():
        return figures.empty(t("products.empty_margin", lang), theme)
    traces = []
    for m in (method, compare):
        if m is None:
            continue
        part = monthly[monthly["method"] == m]
        traces.append({
            "type": "scatter", "x": part["month"].to_numpy(), "y": (part["margin_pct"] * 100).to_numpy(),
            "mode": "lines+markers", "name": method_label(m, lang), "line": {"dash": "solid" if m == method else "dot"},
            "customdata": [[fmt.money(mg, lang), fmt.money(r, lang)] for mg, r in
                           zip(part["margin"], part["costed_revenue"], strict=True)],
            "hovertemplate": "%{x|%Y-%m}: %{y:.1f}% (%{customdata[0]} / %{customdata[1]})<extra></extra>"})
    fig = figures.figure(traces, xaxis={"dtick": "M1", "tickformat": "%Y-%m"})
    figures.percent_axis(fig, monthly["margin_pct"] * 100, lang, axis="y")
    return figures.style(fig, theme)


def compare_figure(mix: pd.DataFrame, method: str, compare: str | None, lang: str, theme: str) -> dict:
    """Per product: margin by ``compare`` − margin by ``method`` (hover shows both)."""
    if compare is None:
        return figures.empty(t("products.compare_hint", lang), theme)
    both = mix[mix["margin_difference"].notna()].sort_values(["margin_difference", "product_id"])
    if both.empty:
        return figures.empty(t("products.empty_margin", lang), theme)
    fig = figures.figure([{
        "type": "bar", "x": both["margin_difference"].to_numpy(), "y": _names(both), "orientation": "h",
        "marker": {"color": [figures.PALETTE[2] if d >= 0 else figures.PALETTE[5] for d in both["margin_difference"]]},
        "customdata": [[fmt.money(a, lang), fmt.money(b, lang)] for a, b in
                       zip(both["margin"], both["compare_margin"], strict=True)],
        "hovertemplate": (f"%{{y}}<br>{method_label(method, lang)}: %{{customdata[0]}}<br>"
                          f"{method_label(compare, lang)}: %{{customdata[1]}}<br>Δ %{{x:,.2f}}<extra></extra>"),
    }], xaxis={"title": {"text": t("products.margin_difference", lang, method=method_label(method, lang),
                                   compare=method_label(compare, lang))}})
    return figures.style(fig, theme, height=max(340, 22 * len(both) + 80))


def table_payload(mix: pd.DataFrame, compare: str | None, lang: str) -> tuple:
    columns = ["product_id", "product_name", "category", "quantity", "quantity_rank", "revenue", "revenue_rank",
               "cogs", "margin", "margin_rank", "margin_pct", "uncosted_revenue", "abc_revenue", "abc_margin"]
    headers = {"product_id": t("products.product_id", lang), "product_name": t("products.product", lang),
               "category": t("products.category", lang), "quantity": t("products.quantity", lang),
               "quantity_rank": t("products.rank_quantity", lang), "revenue": t("products.revenue", lang),
               "revenue_rank": t("products.rank_revenue", lang), "cogs": t("products.cogs", lang),
               "margin": t("products.margin", lang), "margin_rank": t("products.rank_margin", lang),
               "margin_pct": t("products.margin_pct", lang),
               "uncosted_revenue": t("products.uncosted_revenue", lang),
               "abc_revenue": t("products.abc_revenue", lang), "abc_margin": t("products.abc_margin", lang)}
    if compare:
        columns += ["compare_margin", "compare_margin_pct", "margin_difference"]
        headers.update(compare_margin=t("products.margin_by", lang, method=method_label(compare, lang)),
                       compare_margin_pct=f"{t('products.margin_pct', lang)} · {method_label(compare, lang)}",
                       margin_difference="Δ")
    rows, column_defs, store = grid_payload(mix[columns], headers, money=(
        "revenue", "cogs", "margin", "uncosted_revenue", "compare_margin", "margin_difference"))
    for spec in column_defs:
        if spec["field"].endswith("margin_pct"):
            spec["valueFormatter"] = {"function": "params.value == null ? '—' : d3.format('.1%')(params.value)"}
    return rows, column_defs, store


def stock_payload(stock: pd.DataFrame, lang: str) -> tuple:
    headers = {"product_id": t("products.product_id", lang), "product_name": t("products.product", lang),
               "category": t("products.category", lang),
               "quantity_on_hand": t("products.quantity_on_hand", lang),
               **{f"value_{m}": t(f"products.value_{m}", lang) for m in METHODS}}
    return grid_payload(stock, headers, money=tuple(f"value_{m}" for m in METHODS))


def shortfall_payload(shortfall: pd.DataFrame, lang: str) -> tuple:
    headers = {"signed_on": t("products.signed_on", lang), "contract_id": t("products.contract", lang),
               "line_no": t("products.line", lang), "product_id": t("products.product_id", lang),
               "product_name": t("products.product", lang), "category": t("products.category", lang),
               "quantity": t("products.quantity", lang), "shortfall_quantity": t("products.shortfall_quantity", lang),
               "revenue": t("products.revenue", lang), "cogs": t("products.cogs", lang)}
    return grid_payload(shortfall.drop(columns=["total_rows", "total_shortfall_quantity"]), headers,
                        money=("revenue", "cogs"), total_rows=listed_rows(shortfall))


# --- callbacks -------------------------------------------------------------------------

@callback(
    Output("products-alerts", "children"),
    Output("products-summary", "children"),
    *card_outputs("products-mix"),
    *grid_outputs("products-table"),
    Output(chart_id("products-treemap"), "figure"),
    Output(chart_id("products-pareto"), "figure"),
    *card_outputs("products-monthly"),
    Output(chart_id("products-compare"), "figure"),
    *grid_outputs("products-stock"),
    Output("products-stock-note", "children"),
    *grid_outputs("products-shortfall"),
    Input("page-query", "data"),
)
@cached_output
def update(query):
    lang, theme = current_lang(), current_theme()
    filters, periods = filters_and_periods(query, VIEW_KEYS)
    method, compare = view_methods(query)
    mix, monthly, stock, shortfall = run_all(filters, [
        ("products_mix", {"method": method, "compare": compare}),
        ("products_monthly", {"method": method, "compare": compare, "product_id": None}),
        ("products_stock", {}), ("products_shortfall", {"method": method, "limit": GRID_MAX_ROWS})])
    return (
        alerts(mix, shortfall, lang),
        summary_children(mix, method, compare, lang),
        mix_figure(mix, lang, theme, figures.period_text(periods, lang)), card_store(mix),
        *table_payload(mix, compare, lang),
        treemap_figure(mix, lang, theme),
        pareto_figure(mix, lang, theme),
        *card_payload(monthly_figure(monthly, method, compare, lang, theme), monthly),
        compare_figure(mix, method, compare, lang, theme),
        *stock_payload(stock, lang),
        t("products.stock_note", lang, date=fmt.day(periods["end"])),
        *shortfall_payload(shortfall, lang),
    )


# The treemap, Pareto and comparison cards export the mix's data: the browser copies it from
# the mix card's store instead of receiving it four times (on xl, 190 kB each of a render).
clientside_callback(
    "function(data) { return [data, data, data]; }",
    *(Output(data_id(card), "data") for card in MIX_COPIES),
    Input(data_id("products-mix"), "data"),
)


@callback(
    Output("url", "search", allow_duplicate=True),
    Input("products-method", "value"),
    Input("products-compare", "value"),
    State("url", "search"),
    prevent_initial_call=True,
)
def set_methods(method, compare, search):
    """The selectors write the URL (the default fifo and 'no comparison' leave it out)."""
    method = method if method in METHODS else DEFAULT_METHOD
    compare = compare if compare in METHODS and compare != method else None
    new = with_params(search, method=None if method == DEFAULT_METHOD else method, compare=compare)
    return new if new != (search or "") else no_update  # unchanged: drawing the page again is waste


def product_href(product_id: str, search: str | None) -> str:
    """The product page, keeping the global filters and the costing method."""
    return f"/product/{product_id}" + with_params(search, compare=None)


@callback(
    Output("url", "href", allow_duplicate=True),
    Input({"type": "chart", "card": "products-treemap"}, "clickData"),
    State("url", "search"),
    prevent_initial_call=True,
)
def drill(click, search):
    """A category narrows the global category filter; a product opens its page."""
    node = inputs.point(click, "id") or ""
    kind, _, key = node.partition("/")
    if kind == "c" and key:
        return "/products" + with_params(search, category=key)
    if kind == "p" and key:
        return product_href(key, search)
    return no_update


@callback(
    Output("url", "href", allow_duplicate=True),
    Input({"type": "grid", "card": "products-table"}, "cellClicked"),
    State("url", "search"),
    prevent_initial_call=True,
)
def open_product(cell, search):
    """A row of the products table opens that product's page."""
    product_id = inputs.cell(cell)
    return product_href(product_id, search) if product_id else no_update


@callback(Output("products-treemap-pick", "options"), Input("page-query", "data"))
def category_options(_query):
    values = run("dimension_values")
    return sorted(values.loc[values["dimension"] == "category", "value"])


@callback(Output("url", "search", allow_duplicate=True), Input("products-treemap-pick", "value"),
          State("url", "search"), prevent_initial_call=True)
def pick_category(category, search):
    """The keyboard's treemap choice: a category narrows the global category filter, as a tile click."""
    category = inputs.text(category)
    return with_params(search, category=category) if category else no_update


@callback(Output("products-treemap-product", "options"),
          Input({"type": "chart-data", "card": "products-treemap"}, "data"))
def product_options(data):
    """The products of the treemap's tiles (the data behind it), by category and name."""
    data = inputs.table(data)
    frame = frame_from_store(data) if data else pd.DataFrame()
    if not {"product_id", "product_name", "category", "revenue"} <= set(frame.columns):
        return []
    sold = frame[pd.to_numeric(frame["revenue"], errors="coerce") > 0].sort_values(["category", "product_name"])
    return [{"label": f"{category} · {name} ({pid})", "value": pid}
            for category, name, pid in zip(sold["category"], sold["product_name"], sold["product_id"], strict=True)]


@callback(Output("url", "href", allow_duplicate=True), Input("products-treemap-product", "value"),
          State("url", "search"), prevent_initial_call=True)
def pick_product(product_id, search):
    """The keyboard's way to a product tile: its page opens, as a click on the tile."""
    product_id = inputs.text(product_id)
    return product_href(product_id, search) if product_id else no_update
