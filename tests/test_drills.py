"""Drills and links (issue #16), by calling the callbacks as Dash does: the triggering input
set in the callback context, the rest as arguments. Fixture as_of 2024-03-15."""

import json

from dash import no_update
from dash._callback_context import context_value
from dash._utils import AttributeDict

from tests.conftest import plain


def triggered(component_id, prop: str, value):
    """Make ``component_id``.``prop`` the input that fired the next callback call (as the
    only input of a pattern-matching ALL list, too)."""
    key = json.dumps(component_id, sort_keys=True, separators=(",", ":")) if isinstance(component_id, dict) \
        else component_id
    context_value.set(AttributeDict(triggered_inputs=[{"prop_id": f"{key}.{prop}", "value": value}],
                                    inputs_list=[[{"id": component_id, "property": prop, "value": value}]]))


# --- /customers: pyramid bars and RFM cells ----------------------------------------------

def test_a_pyramid_bar_click_narrows_the_customer_list(warehouse):
    from components.cards import chart_id
    from pages import customers

    click = {"points": [{"customdata": "vip", "y": "VIP"}]}
    triggered(chart_id("customers-pyramid"), "clickData", click)
    assert customers.choose([], click, None, "fifo", "?preset=last_year") == "?preset=last_year&tier=vip"


def test_an_rfm_cell_click_narrows_the_customer_list(warehouse):
    from components.cards import chart_id
    from pages import customers

    click = {"points": [{"x": 2, "y": 5, "z": 1}]}
    triggered(chart_id("customers-rfm"), "clickData", click)
    assert customers.choose([], None, click, "fifo", "?tier=vip") == "?cell=5-2"


def test_the_clear_button_still_clears(warehouse):
    from pages import customers

    triggered({"type": "customers-pick", "key": "clear:"}, "n_clicks", 1)
    assert customers.choose([1], None, None, "fifo", "?cell=5-2&preset=last_year") == "?preset=last_year"


# --- /product/<id>: back to /products with the filters ------------------------------------

def find(node, component_id):
    if getattr(node, "id", None) == component_id:
        return node
    children = getattr(node, "children", None)
    for child in children if isinstance(children, list | tuple) else [children]:
        if child is not None and not isinstance(child, str) and (found := find(child, component_id)) is not None:
            return found
    return None


def test_back_to_products_keeps_the_filters(warehouse):
    from pages import product

    page = product.layout(product_id="P1", preset="last_month", team="T2", method="moving_average")
    assert find(page, "product-back").href == "/products?preset=last_month&team=T2&method=moving_average"
    assert find(product.layout(product_id="P1"), "product-back").href == "/products"


# --- /team: the leaderboard drill is a link on the rep's name ------------------------------

def test_team_leaderboard_names_are_links_and_cells_do_not_drill(warehouse):
    import dash

    from pages import team

    rows, columns, store = plain(team.update({"preset": "last_year", "rank_by": "payments", "bucket": "x"}))[2:5]
    by_id = {row["member_id"]: row for row in rows}
    assert by_id["R2"]["member_name"] == "[李娜](/team?preset=last_year&rank_by=payments&rep=R2)"
    assert next(c for c in columns if c["field"] == "member_name")["cellRenderer"] == "markdown"
    assert "李娜" in [row[1] for row in store["data"]]  # the export keeps the plain name
    grid_inputs = [i for cb in dash._callback.GLOBAL_CALLBACK_LIST for i in cb["inputs"]
                   if "team-reps-grid" in str(i["id"])]
    assert grid_inputs == []


# --- /funnel: the deal grid asks for a stage before one is chosen --------------------------

def test_funnel_deal_grid_says_choose_a_stage(warehouse):
    from components.grid import grid_id
    from pages import funnel

    options = find(funnel.layout(), grid_id("funnel-deals")).dashGridOptions
    assert "请在任一漏斗中选择一个阶段，查看其商机。" in options["getLocaleText"]["function"]
    assert options["pagination"] is False  # no "Page 0 of 0"
    options = find(funnel.layout(stage="需求确认"), grid_id("funnel-deals")).dashGridOptions
    assert "当前筛选条件下没有记录。" in options["getLocaleText"]["function"] and options["pagination"] is True


# --- /customers: the RFM population rule is stated ------------------------------------------

def test_rfm_population_rule_is_stated(warehouse):
    from components.i18n import t
    from queries import header

    assert "sum to 0 or less" in t("customers.rfm_hint", "en") and "不大于 0" in t("customers.rfm_hint", "zh-CN")
    assert "not a buyer" in header("customer_value") and "sums to > 0" in header("customer_tiers")


# --- the filter bar: reps follow the team, every active filter is a chip --------------------
# Fixture teams: T1 总部 > T2 华东区 > T4 上海组, T1 > T3 华北区; reps R1 (T2), R2 (T4), R3 and R4 (T3).

def values(options):
    return sorted(o["value"] for o in options)


def test_the_rep_list_follows_the_team_and_the_team_list_the_rep(warehouse):
    from components import filterbar

    teams, reps = filterbar.follow(["T2"], None)
    assert values(reps) == ["R1", "R2"]  # T2 with its sub-team T4
    assert values(teams) == ["T1", "T2", "T3", "T4"]
    teams, reps = filterbar.follow(None, ["R2"])
    assert values(teams) == ["T1", "T2", "T4"]  # the teams R2 belongs to
    assert values(filterbar.follow(["T3"], ["R1"])[1]) == ["R1", "R3", "R4"]  # a chosen rep stays listed
    assert values(filterbar.follow(None, None)[1]) == ["R1", "R2", "R3", "R4"]


def test_choosing_a_team_drops_the_reps_of_other_teams(warehouse):
    from components import filterbar

    triggered("f-team", "value", ["T3"])
    out = filterbar.sync("?rep=R1,R3", "this_year", None, None, ["T3"], ["R1", "R3"], None, None, None, None, 0, "/")
    assert out[0] == "?team=T3&rep=R3" and out[4:6] == (["T3"], ["R3"])


def test_every_active_filter_is_a_removable_chip(warehouse):
    from urllib.parse import urlencode

    from components import filterbar

    chips, more = filterbar.chips("?preset=last_month&region=华东&category=软件,硬件&team=T2", "/revenue")
    assert [chip.id for chip in chips] == [
        {"type": "f-chip", "key": "team", "value": "T2"}, {"type": "f-chip", "key": "region", "value": "华东"},
        {"type": "f-chip", "key": "category", "value": "硬件"}, {"type": "f-chip", "key": "category", "value": "软件"}]
    assert chips[0].children[0] == "部门: 华东区 · 总部"
    assert more == "更多筛选 (3)"
    assert filterbar.chips("", "/")[1] == "更多筛选" and filterbar.chips("", "/")[0] == []
    triggered({"type": "f-chip", "key": "category", "value": "软件"}, "n_clicks", 1)
    removed = filterbar.remove_chip([1], "?region=华东&category=软件,硬件&measure=payments")
    assert removed == "?" + urlencode([("region", "华东"), ("category", "硬件"), ("measure", "payments")])
    triggered({"type": "f-chip", "key": "region", "value": "华东"}, "n_clicks", 1)
    assert filterbar.remove_chip([1], "?region=华东") == ""
    triggered({"type": "f-chip", "key": "region", "value": "华东"}, "n_clicks", 0)  # drawn, not clicked
    assert filterbar.remove_chip([0], "?region=华东") is no_update


def test_state_pages_name_their_date_beside_the_period(warehouse):
    from components import filterbar

    triggered("url", "search", None)
    args = ("?preset=last_month", "this_year", None, None, *(None,) * 6, 0)
    label = filterbar.sync(*args, "/receivables")[12]
    assert label == "2024-02-01 至 2024-02-29 · 数据截至 2024-03-15 · 本页状态截至 2024-02-29（期末）"
    assert "本页状态" in filterbar.sync(*args, "/forecast")[12]
    assert "本页状态" not in filterbar.sync(*args, "/revenue")[12]
