"""Figures are plain dicts ({"data": [...], "layout": {...}}, what dcc.Graph takes), built
without plotly's graph objects: each must still be a valid plotly figure (go.Figure checks
every trace type and property name, so a misspelt key fails here), and /products' panel
grids must be the ones make_subplots would lay out."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import pytest
from dash.development.base_component import Component
from flask_login import login_user
from plotly.subplots import make_subplots

import app
from components import figures
from crm import users
from tests.test_pages_robust import DETAIL_IDS, PAGES, QUERIES, _module

# pages without charts
NO_FIGURES = {"alerts", "customer", "data", "subscriptions"}


def _raw_figures(value):
    """Every figure among a callback's raw outputs, inside components too (the KPI sparklines)."""
    if isinstance(value, go.Figure):
        raise AssertionError("a graph object figure: figures are plain dicts")
    if isinstance(value, dict):
        if "data" in value and "layout" in value:
            yield value
        else:
            for item in value.values():
                yield from _raw_figures(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _raw_figures(item)
    elif isinstance(value, Component):
        for prop in ("figure", "children"):
            yield from _raw_figures(getattr(value, prop, None))


def _page_figures(slug: str) -> list[dict]:
    page = _module(slug)
    update = getattr(page.update, "__wrapped__", page.update)  # the raw figures, not the cached JSON
    found = []
    for query in ({}, {"preset": "last_month"}, {"preset": "this_year", "as_of": "2024-03-15"},
                  QUERIES["empty_range"]):
        for detail in DETAIL_IDS.get(slug, (None,)):
            args = (dict(query), detail) if detail else (dict(query),)
            found += _raw_figures(list(update(*args)))
    return found


def _check(slug: str, theme: str) -> None:
    found = _page_figures(slug)
    if slug in NO_FIGURES:
        assert not found
        return
    assert found, f"{slug}: no figures"
    assert any(figure["data"] for figure in found), f"{slug}: only empty figures"
    for figure in found:
        checked = go.Figure(figure)  # raises on an unknown trace type or property
        assert checked.layout.template == go.Figure(layout={"template": figures.TEMPLATES[theme]}).layout.template


@pytest.mark.parametrize("slug", PAGES)
def test_every_page_figure_is_a_valid_plotly_figure(warehouse, slug):
    _check(slug, "light")


@pytest.mark.parametrize("slug", sorted(set(PAGES) - NO_FIGURES))
def test_every_page_figure_is_valid_in_english_and_dark_mode(warehouse, app_db, slug):
    boss = users.add("boss", "pw", role="admin", scope_kind="all")
    with app.app.server.test_request_context(headers={"Cookie": "lang=en; theme=dark"}):
        login_user(boss)
        _check(slug, "dark")


def test_product_panels_are_laid_out_as_make_subplots_would():
    from pages import products

    mix = pd.DataFrame({"product_id": ["P1", "P2"], "product_name": ["甲", "乙"], "category": ["硬件", "软件"],
                        "quantity": [30.0, 8.0], "quantity_rank": [1, 2], "revenue": [9.3e6, 2.5e6],
                        "revenue_rank": [1, 2], "margin": [2.42e6, -1.1e6], "margin_rank": [1, 2],
                        "abc_revenue": ["A", "B"], "abc_margin": ["A", "C"],
                        "cum_share_revenue": [0.79, 1.0], "cum_share_margin": [1.2, 1.0]})

    def grid(layout: dict) -> dict:
        """The axes' placement and the panel titles."""
        axes = {k: {p: v for p, v in axis.items() if p in ("anchor", "domain", "overlaying", "side")}
                for k, axis in layout.items() if k[1:5] == "axis"}
        titles = [{p: a[p] for p in ("text", "x", "y", "xref", "yref", "xanchor", "yanchor", "showarrow", "font")}
                  for a in layout.get("annotations", ()) if a.get("font") == {"size": 16}]
        return {"axes": axes, "titles": titles}

    mix_layout = products.mix_figure(mix, "en", "light")["layout"]
    expected = make_subplots(rows=1, cols=3, subplot_titles=["Volume (quantity)", "Revenue", "Gross margin"],
                             horizontal_spacing=0.14).to_plotly_json()["layout"]
    assert [a["text"] for a in mix_layout["annotations"]] == ["Volume (quantity)", "Revenue", "Gross margin"]
    assert grid(mix_layout) == grid(expected)
    pareto = products.pareto_figure(mix, "en", "light")
    expected = make_subplots(rows=2, cols=1, vertical_spacing=0.22, specs=[[{"secondary_y": True}]] * 2,
                             subplot_titles=["Revenue", "Gross margin"])
    assert grid(pareto["layout"]) == grid(expected.to_plotly_json()["layout"])
    # each row's bars on its left axis, its running share on the right one, as add_trace(row=, secondary_y=) puts them
    assert [(tr["xaxis"], tr["yaxis"]) for tr in pareto["data"]] == [("x", "y"), ("x", "y2"), ("x2", "y3"),
                                                                      ("x2", "y4")]
    # the note of a share past 100% sits on the margin row's share axis
    assert [(a["xref"], a["yref"]) for a in pareto["layout"]["annotations"][2:]] == [("x2 domain", "y4 domain")]
