"""/customers — customer value: the pyramid with its drill-down, Pareto and ABC, RFM with
its segments, CLV and the churn it rests on, and tier movement against the previous
period. Every number comes from the customer_* queries (METRICS.md "Customer value");
this module only lays them out."""

from __future__ import annotations

from decimal import Decimal

import dash
import dash_bootstrap_components as dbc
import numpy as np
import pandas as pd
from dash import ALL, Input, Output, State, callback, ctx, html, no_update

from components import figures, inputs
from components import format as fmt
from components.cards import ChartCard, card_outputs, card_payload, chart_id
from components.context import current_lang, current_theme
from components.controls import DrillSelect
from components.grid import GRID_MAX_ROWS, GridCard, grid_outputs, grid_payload, listed_rows
from components.i18n import t
from components.output_cache import cached_output
from components.page import filters_and_periods, query_store, view_value, with_params
from queries import run, sections

METHODS = ("fifo", "moving_average", "monthly_average")
TIERS = ("vip", "major", "normal", "small")
SEGMENTS = ("champions", "loyal", "potential_loyalist", "new", "promising", "need_attention", "about_to_sleep",
            "at_risk", "cant_lose", "hibernating")
CELLS = tuple(f"{r}-{f}" for r in range(1, 6) for f in range(1, 6))
SELECTIONS = {"tier": TIERS, "segment": SEGMENTS, "cell": CELLS}  # URL key -> allowed values
VIEW_PARAMS = ("method", *SELECTIONS)
ABC_THRESHOLDS = (Decimal("0.80"), Decimal("0.95"))  # METRICS.md: A below 80%, B below 95% (settings)

dash.register_page(__name__, path="/customers", order=50, label_key="page.customers", view_params=VIEW_PARAMS)


def value_params(query: dict | None) -> dict:
    """The customer_value parameters a page passes along: the costing method (URL view
    key, allow-listed) and the ABC thresholds."""
    return {"method": view_value(query, "method", METHODS, "fifo"),
            "abc_a": ABC_THRESHOLDS[0], "abc_b": ABC_THRESHOLDS[1]}


def page_params(query: dict | None) -> dict:
    """customer_page's parameters beyond the filters: the sections of every group, the list
    narrowed to the URL's selection (if any) and bounded by the grid's, the value parameters.
    (Those of the default view are queries.JUDGED's: the build answers it ahead.)"""
    chosen = dict.fromkeys(SELECTIONS, "")
    picked = selection(query)
    if picked:
        chosen[picked[0]] = picked[1]
    return {"group": "all", **chosen, **value_params(query), "limit": GRID_MAX_ROWS}


def selection(query: dict | None) -> tuple[str, str] | None:
    """The (kind, key) the customer list is narrowed to, if the URL names a valid one."""
    for kind, allowed in SELECTIONS.items():
        key = view_value(query, kind, allowed, None)
        if key:
            return kind, key
    return None


def select_search(search: str | None, kind: str | None, key: str | None) -> str:
    """``search`` narrowed to one selection (the others cleared); kind None clears all."""
    return with_params(search, **{k: key if k == kind else None for k in SELECTIONS})


def tier_label(tier: str, lang: str) -> str:
    return t(f"customers.tier.{tier}", lang)


def segment_label(segment: str, lang: str) -> str:
    return t(f"customers.segment.{segment}", lang)


def selection_label(kind: str, key: str, lang: str) -> str:
    if kind == "tier":
        return tier_label(key, lang)
    if kind == "segment":
        return segment_label(key, lang)
    r, f = key.split("-")
    return t("customers.cell", lang, r=r, f=f)


# --- layout ----------------------------------------------------------------------------

def layout(**query):
    lang = current_lang()
    method = value_params(query)["method"]
    control = html.Div([
        dbc.Label(t("customers.method", lang), html_for="customers-method", className="me-2 mb-0 small"),
        dbc.RadioItems(id="customers-method", value=method, inline=True, className="small",
                       options=[{"label": t(f"customers.method.{m}", lang), "value": m} for m in METHODS]),
    ], className="d-flex flex-wrap align-items-center mb-2")
    return html.Div([
        query_store(query),
        html.H1(t("page.customers", lang), className="visually-hidden"),
        control,
        dbc.Row([
            dbc.Col(ChartCard("customers-pyramid", t("customers.pyramid", lang), height=280, extra=html.Div([
                html.P(t("customers.pyramid_hint", lang), className="small text-body-secondary mb-2"),
                html.Div(id="customers-tiers"),
                html.P(t("customers.inactive_note", lang), className="small text-body-secondary mb-0"),
            ])), lg=6, className="mb-3"),
            dbc.Col(ChartCard("customers-lorenz", t("customers.pareto", lang), height=280,
                              extra=html.Div(id="customers-pareto")), lg=6, className="mb-3"),
        ]),
        dbc.Row([dbc.Col([
            html.Div(id="customers-selection", className="mb-2"),
            GridCard("customers-list", t("customers.list", lang), height=460),
        ], className="mb-3")]),
        dbc.Row([
            dbc.Col(ChartCard("customers-rfm", t("customers.rfm", lang), height=340, extra=html.Div([
                html.P(t("customers.rfm_hint", lang), className="small text-body-secondary mb-0"),
                DrillSelect("customers-rfm-pick", t("drill.rfm_cell", lang),
                            [{"label": t("drill.rfm_cell_option", lang, r=c[0], f=c[2]), "value": c} for c in CELLS],
                            view_value(query, "cell", CELLS, None), lang),
            ])), lg=5, className="mb-3"),
            dbc.Col(html.Section(dbc.Card([
                dbc.CardHeader(html.H2(t("customers.segments", lang), className="h6 m-0")),
                dbc.CardBody(html.Div(id="customers-segments")),
            ], className="h-100"), **{"aria-label": t("customers.segments", lang)}, className="h-100"),
                lg=7, className="mb-3"),
        ]),
        dbc.Row([
            dbc.Col(ChartCard("customers-clv", t("customers.clv", lang), height=360, extra=html.Div([
                html.P(t("customers.clv_formula", lang), className="small mb-1"),
                html.Div(id="customers-clv-note", className="small text-body-secondary"),
            ])), lg=7, className="mb-3"),
            dbc.Col(html.Section(dbc.Card([
                dbc.CardHeader(html.H2(t("customers.moves", lang), className="h6 m-0")),
                dbc.CardBody(html.Div(id="customers-moves")),
            ], className="h-100"), **{"aria-label": t("customers.moves", lang)}, className="h-100"),
                lg=5, className="mb-3"),
        ]),
    ])


# --- figures and tables (pure) -----------------------------------------------------------

def pyramid_figure(tiers: pd.DataFrame, lang: str, theme: str) -> dict:
    """The four tiers as a funnel (VIP on top), bar width = customers."""
    ranked = tiers[tiers["group_key"].isin(TIERS)]
    if ranked["customers"].sum() == 0:
        return figures.empty(t("customers.no_customers", lang), theme)
    labels = [tier_label(k, lang) for k in ranked["group_key"]]
    text = [f"{n:,} · {fmt.percent(s)} {t('customers.col.revenue', lang)}"
            for n, s in zip(ranked["customers"], ranked["revenue_share"], strict=True)]
    fig = figures.figure([{
        "type": "funnel", "y": labels, "x": ranked["customers"].to_numpy(), "text": text, "textinfo": "text",
        "customdata": ranked["group_key"].to_numpy(), "marker": {"color": list(figures.PALETTE[:4])},
        "connector": {"line": {"width": 0}},
        "hovertemplate": "%{y}: %{x:,} " + t("customers.col.customers", lang) + "<extra></extra>",
    }])
    fig = figures.style(fig, theme, height=280)
    fig["layout"]["margin"] = {"l": 90, "r": 16, "t": 8, "b": 8}
    return fig


def lorenz_figure(lorenz: pd.DataFrame, lang: str, theme: str) -> dict:
    if lorenz.empty:
        return figures.empty(t("customers.no_customers", lang), theme)
    top = lorenz[lorenz["pct"] == 20].iloc[0]
    fig = figures.figure([
        {"type": "scatter", "x": [0, 1], "y": [0, 1], "mode": "lines", "name": t("customers.lorenz_equal", lang),
         "line": {"dash": "dot", "color": figures.PALETTE[7]}, "hoverinfo": "skip"},
        {"type": "scatter", "x": lorenz["customer_share"].to_numpy(), "y": lorenz["revenue_share"].to_numpy(),
         "mode": "lines", "name": t("customers.lorenz_y", lang), "line": {"color": figures.PALETTE[0], "width": 3},
         "hovertemplate": "%{x:.1%} → %{y:.1%}<extra></extra>"},
        {"type": "scatter", "x": [top["customer_share"]], "y": [top["revenue_share"]], "mode": "markers+text",
         "marker": {"size": 10, "color": figures.PALETTE[5]}, "showlegend": False,
         "text": [fmt.percent(top["revenue_share"])], "textposition": "bottom right", "hoverinfo": "skip"},
    ], xaxis={"title": {"text": t("customers.lorenz_x", lang)}, "tickformat": ".0%", "range": [0, 1]},
        yaxis={"title": {"text": t("customers.lorenz_y", lang)}, "tickformat": ".0%", "range": [0, 1.02]})
    return figures.style(fig, theme, height=280)


def rfm_figure(cells: pd.DataFrame, lang: str, theme: str) -> dict:
    """The 5 × 5 R×F grid: colour and text = customers, hover adds segment and revenue."""
    if cells["customers"].sum() == 0:
        return figures.empty(t("customers.no_customers", lang), theme)
    grid = {(int(c.r_score), int(c.f_score)): c for c in cells.itertuples()}  # 25 lookups, not 75 .loc calls
    rows = range(1, 6)
    z = [[int(grid[(r, f)].customers) for f in rows] for r in rows]
    hover = [[t("customers.rfm_hover", lang, r=r, f=f, segment=segment_label(grid[(r, f)].segment, lang),
                count=f"{int(grid[(r, f)].customers):,}", money=fmt.money(grid[(r, f)].revenue, lang))
              for f in rows] for r in rows]
    fig = figures.figure([{
        "type": "heatmap", "x": list(rows), "y": list(rows), "z": z, "text": [[str(v) for v in row] for row in z],
        "texttemplate": "%{text}", "customdata": hover, "hovertemplate": "%{customdata}<extra></extra>",
        "colorscale": figures.BLUES, "showscale": False, "xgap": 2, "ygap": 2,
    }], xaxis={"title": {"text": t("customers.rfm_x", lang)}, "dtick": 1},
        yaxis={"title": {"text": t("customers.rfm_y", lang)}, "dtick": 1})
    return figures.style(fig, theme, height=340)


def clv_frame(tiers: pd.DataFrame, segments: pd.DataFrame, lang: str) -> pd.DataFrame:
    """CLV per tier and per segment, labelled, as drawn (and exported)."""
    # built from lists: a dozen rows (two assigns and a concat took 4 ms)
    kept = [key in TIERS for key in tiers["group_key"].tolist()]
    keys = [k for k, keep in zip(tiers["group_key"].tolist(), kept, strict=True) if keep] \
        + segments["group_key"].tolist()
    n_tiers = sum(kept)
    return pd.DataFrame({
        "grouping": [t("customers.clv_by_tier", lang)] * n_tiers
                    + [t("customers.clv_by_segment", lang)] * len(segments),
        "group_key": pd.Series(keys, dtype="str"),
        "label": [tier_label(k, lang) for k in keys[:n_tiers]] + [segment_label(k, lang) for k in keys[n_tiers:]],
        "customers": np.concatenate([tiers["customers"].to_numpy()[kept], segments["customers"].to_numpy()]),
        "clv": np.concatenate([tiers["clv"].to_numpy(dtype="float64")[kept],
                               segments["clv"].to_numpy(dtype="float64")])})


def clv_figure(frame: pd.DataFrame, lang: str, theme: str) -> dict:
    if frame["clv"].isna().all():
        return figures.empty(t("customers.clv_empty", lang), theme)
    fig = figures.figure([
        {"type": "bar", "x": group["clv"].to_numpy(), "y": group["label"].to_numpy(), "orientation": "h",
         "name": name, "text": [fmt.money(v, lang) for v in group["clv"]], "textposition": "auto",
         "hovertemplate": "%{y}: %{text}<extra></extra>"}
        for name, group in frame.groupby("grouping", sort=False)
    ], yaxis={"autorange": "reversed"}, margin={"l": 120})
    fig = figures.style(fig, theme, height=360)
    return figures.money_axis(fig, lang, axis="x")


def _pick(kind: str, key: str, label: str, active: bool) -> html.Button:
    return html.Button(label, id={"type": "customers-pick", "key": f"{kind}:{key}"}, n_clicks=0,
                       className="btn btn-link btn-sm p-0 text-start" + (" fw-bold" if active else ""),
                       **{"aria-pressed": "true" if active else "false"})


def _table(headers: list[str], rows: list[list]) -> dbc.Table:
    return dbc.Table([html.Thead(html.Tr([html.Th(h, scope="col") for h in headers])),
                      html.Tbody([html.Tr([html.Td(c) for c in row]) for row in rows])],
                     size="sm", hover=True, responsive=True, className="mb-2 small")


def tiers_table(tiers: pd.DataFrame, picked, lang: str) -> dbc.Table:
    """One row per tier (each a button that lists its customers), then the inactive count."""
    rows = []
    for r in tiers.itertuples():
        if r.group_key == "inactive":
            rows.append([tier_label("inactive", lang), fmt.number(r.customers, lang), "", "", "", "", ""])
            continue
        rows.append([
            _pick("tier", r.group_key, tier_label(r.group_key, lang), picked == ("tier", r.group_key)),
            fmt.number(r.customers, lang), fmt.money(r.revenue, lang), fmt.percent(r.revenue_share),
            fmt.money(r.margin, lang), fmt.money(r.aov, lang), fmt.money(r.clv, lang),
        ])
    headers = [t(f"customers.col.{c}", lang) for c in ("tier", "customers", "revenue", "revenue_share", "margin",
                                                         "aov", "clv")]
    return _table(headers, rows)


def pareto_children(lorenz: pd.DataFrame, abc: pd.DataFrame, lang: str) -> list:
    if lorenz.empty:
        return []
    top = lorenz[lorenz["pct"] == 20].iloc[0]
    headline = t("customers.pareto_headline", lang, top=fmt.number(top["customers"], lang),
                 n=fmt.number(top["n"], lang), share=fmt.percent(top["revenue_share"]))
    rows = [[r.group_key, fmt.number(r.customers, lang), fmt.percent(r.customer_share), fmt.money(r.revenue, lang),
             fmt.percent(r.revenue_share)] for r in abc.itertuples()]
    headers = [t(f"customers.col.{c}", lang) for c in ("class", "customers", "customer_share", "revenue",
                                                         "revenue_share")]
    return [html.P(html.Strong(headline), className="mb-2", id="customers-pareto-headline"),
            html.H3(t("customers.abc", lang), className="h6"), _table(headers, rows),
            html.P(t("customers.abc_hint", lang), className="small text-body-secondary mb-0")]


def segments_table(segments: pd.DataFrame, picked, lang: str) -> dbc.Table:
    rows = [[_pick("segment", r.group_key, segment_label(r.group_key, lang), picked == ("segment", r.group_key)),
             fmt.number(r.customers, lang), fmt.money(r.revenue, lang), fmt.money(r.clv, lang),
             t(f"customers.action.{r.group_key}", lang)] for r in segments.itertuples()]
    headers = [t(f"customers.col.{c}", lang) for c in ("segment", "customers", "revenue", "clv", "action")]
    return _table(headers, rows)


def clv_note(churn: pd.DataFrame, tiers: pd.DataFrame, method: str, lang: str) -> list:
    """Why CLV shows what it shows: the churn it rests on, and any revenue without COGS."""
    c = churn.iloc[0]
    if fmt._undefined(c["churn"]):
        notes = [t("customers.churn_unknown", lang)]
    else:
        notes = [t("customers.churn", lang, churned=fmt.number(c["churned"], lang),
                   before=fmt.number(c["buyers_before"], lang), churn=fmt.percent(c["churn"]),
                   lifespan=f"{c['lifespan_years']:.1f}")]
        if c["churn"] < c["churn_used"]:
            notes.append(t("customers.churn_floored", lang))
    uncosted = tiers["total_uncosted_revenue"].iloc[0] if len(tiers) else 0
    if uncosted:
        notes.append(t("customers.margin_unknown", lang, amount=fmt.money(uncosted, lang),
                       method=t(f"customers.method.{method}", lang)))
    return [html.P(n, className="mb-1") for n in notes]


def moves_children(moves: pd.DataFrame, periods: dict, lang: str) -> list:
    """The previous-tier × tier table and the headline counts per direction."""
    # plain lookups: 25 cells read from a MultiIndex took 3 ms
    totals = dict(zip(moves["direction"].tolist(), moves["direction_total"].tolist(), strict=True))
    order = [*TIERS, "none"]
    cell = dict(zip(zip(moves["prev_tier"].tolist(), moves["tier"].tolist(), strict=True),
                    moves["customers"].tolist(), strict=True))
    label = {k: tier_label(k, lang) for k in order}
    rows = [[html.Th(label[p], scope="row")] + [
        html.Td("" if p == k == "none" else fmt.number(cell[(p, k)], lang),
                className="table-active" if p == k else None) for k in order] for p in order]
    table = dbc.Table([html.Thead(html.Tr([html.Th(t("customers.col.from", lang), scope="col")]
                                          + [html.Th(label[k], scope="col") for k in order])),
                       html.Tbody([html.Tr(r) for r in rows])], size="sm", bordered=True, responsive=True,
                      className="small mb-2 text-end")
    headline = t("customers.moves_headline", lang, **{d: fmt.number(totals.get(d, 0), lang)
                                                      for d in ("up", "down", "new", "left")})
    return [html.P(html.Strong(headline), className="mb-2"), table,
            html.P(t("customers.moves_period", lang, start=fmt.day(periods["prev_start"]),
                     end=fmt.day(periods["prev_end"])), className="small text-body-secondary mb-0")]


LIST_HEADERS = {"customer_id": "customers.col.customer", "customer_name": "customers.col.customer",
                "owner_name": "customers.col.owner", "region": "customers.col.region",
                "amount": "customers.col.revenue", "contracts": "customers.col.contracts",
                "last_signed_on": "customers.col.last_purchase", "rfm": "customers.col.rfm",
                "segment": "customers.col.segment", "clv": "customers.col.clv", "tier": "customers.col.tier",
                "abc_class": "customers.col.abc", "margin": "customers.col.margin"}


def list_frame(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The grid's rows: customer_list with tier and segment in words."""
    out = frame.drop(columns=["position"])
    # a label per distinct key, not per row (tens of thousands of customers)
    out["tier"] = out["tier"].map({k: tier_label(k, lang) for k in out["tier"].unique()})
    out["segment"] = out["segment"].map({k: segment_label(k, lang) for k in out["segment"].unique()})
    return out


# --- callbacks ---------------------------------------------------------------------------

@callback(
    *card_outputs("customers-pyramid"),
    Output("customers-tiers", "children"),
    *card_outputs("customers-lorenz"),
    Output("customers-pareto", "children"),
    *card_outputs("customers-rfm"),
    Output("customers-segments", "children"),
    *card_outputs("customers-clv"),
    Output("customers-clv-note", "children"),
    Output("customers-moves", "children"),
    *grid_outputs("customers-list"),
    Output("customers-selection", "children"),
    Input("page-query", "data"),
)
@cached_output
def update(query):
    lang, theme = current_lang(), current_theme()
    filters, periods = filters_and_periods(query, VIEW_PARAMS)
    params = page_params(query)
    picked = selection(query)
    page = sections(run("customer_page", filters, **params))
    groups, lorenz, churn, moves, listed = (page[k] for k in ("groups", "lorenz", "churn", "moves", "listed"))
    tiers, abc, segments, cells = (
        groups[groups["group_kind"] == kind].drop(columns="group_kind").reset_index(drop=True)
        for kind in ("tier", "abc", "segment", "cell"))
    customers = list_frame(listed.drop(columns="total_rows"), lang)
    clv = clv_frame(tiers, segments, lang)
    headers = {c: t(k, lang) for c, k in LIST_HEADERS.items()}
    headers["customer_id"] = "ID"
    if picked:
        caption = [html.Span(t("customers.list_of", lang, selection=selection_label(*picked, lang)),
                             className="me-2 fw-semibold"),
                   html.Button(t("customers.clear", lang), id={"type": "customers-pick", "key": "clear:"},
                               n_clicks=0, className="btn btn-outline-secondary btn-sm")]
    else:
        caption = html.Span(t("customers.list_all", lang), className="small text-body-secondary")
    return (
        *card_payload(pyramid_figure(tiers, lang, theme), tiers),
        tiers_table(tiers, picked, lang),
        *card_payload(lorenz_figure(lorenz, lang, theme), lorenz),
        pareto_children(lorenz, abc, lang),
        *card_payload(rfm_figure(cells, lang, theme), cells),
        segments_table(segments, picked, lang),
        *card_payload(clv_figure(clv, lang, theme), clv),
        clv_note(churn, tiers, params["method"], lang),
        moves_children(moves, periods, lang),
        *grid_payload(customers, headers, money=("amount", "clv", "margin"), customer_links=query,
                      total_rows=listed_rows(listed)),
        caption,
    )


@callback(
    Output("url", "search", allow_duplicate=True),
    Input({"type": "customers-pick", "key": ALL}, "n_clicks"),
    Input(chart_id("customers-pyramid"), "clickData"),
    Input(chart_id("customers-rfm"), "clickData"),
    Input("customers-method", "value"),
    State("url", "search"),
    prevent_initial_call=True,
)
def choose(_clicks, pyramid_click, rfm_click, method, search):
    """A tier, segment or cell click narrows the customer list; the method radio sets the
    costing method. Both live in the URL."""
    trigger = ctx.triggered_id
    if trigger == "customers-method":
        new = with_params(search, method=None if method == "fifo" else method)
        return new if new != (search or "") else no_update  # unchanged: drawing the page again is waste
    if isinstance(trigger, dict) and trigger.get("type") == "customers-pick":  # not a chart's id
        kind, _, key = (inputs.text(trigger.get("key")) or "").partition(":")
        if not inputs.clicked(ctx.triggered[0]["value"]):
            return no_update
        return select_search(search, kind if kind in SELECTIONS else None, key or None)
    if trigger == chart_id("customers-pyramid") and inputs.point(pyramid_click):
        return select_search(search, "tier", inputs.point(pyramid_click))
    y, x = inputs.point(rfm_click, "y"), inputs.point(rfm_click, "x")
    if trigger == chart_id("customers-rfm") and y and x:
        return select_search(search, "cell", f"{y}-{x}")
    return no_update


@callback(Output("url", "search", allow_duplicate=True), Input("customers-rfm-pick", "value"),
          State("url", "search"), prevent_initial_call=True)
def pick_cell(cell, search):
    """The keyboard's RFM cell choice: lists that cell's customers. A dropdown emptied (as Dash's
    dropdown does when it mounts) changes nothing."""
    cell = inputs.text(cell)
    if not cell:
        return no_update
    new = select_search(search, "cell", cell)
    return new if new != (search or "") else no_update
