"""The app shell: layout, 404, the filter bar's URL sync (called directly, as Dash's
testing docs show), navbar links that keep the filters."""

import json
from contextvars import copy_context

import dash
from dash import no_update
from dash._callback_context import context_value
from dash._utils import AttributeDict

import app
from components import filterbar


def call(callback, trigger: str, *args):
    def run():
        context_value.set(AttributeDict(triggered_inputs=[{"prop_id": trigger, "value": None}]))
        return callback(*args)

    return copy_context().run(run)


def sync(trigger, search="", preset="this_year", start=None, end=None, values=(None,) * 6, pathname="/"):
    return call(filterbar.sync, trigger, search, preset, start, end, *values, 0, pathname)


def test_layout_and_pages_render(client_as):
    client = client_as("boss", role="admin", scope_kind="all")  # since #11 only a signed-in user sees pages
    assert client.get("/").status_code == 200
    layout = client.get("/_dash-layout")
    assert layout.status_code == 200 and b"f-preset" in layout.data
    client.set_cookie("lang", "en")
    assert b"Reset filters" in client.get("/_dash-layout").data
    client.set_cookie("lang", "xx")  # a forged cookie falls back to the default
    assert "重置筛选" in json.dumps(client.get("/_dash-layout").get_json(), ensure_ascii=False)


def test_missing_warehouse_explains_itself(client_as, tmp_path, monkeypatch):
    client = client_as("boss", role="admin", scope_kind="all")  # the path is shown to administrators only
    monkeypatch.setenv("CRM_WAREHOUSE", str(tmp_path / "missing.duckdb"))
    data = json.dumps(client.get("/_dash-layout").get_json(), ensure_ascii=False)
    assert "make run" in data and "missing.duckdb" in data


def test_url_sets_the_controls(warehouse):
    out = sync("url.search", "?preset=last_month&team=T2&ctype=agent")
    search, preset, _start, _end, team, rep, _region, _category, ctype, _source, _notice, is_open, label, style = out
    assert search is no_update and preset == "last_month"
    assert (team, rep, ctype) == (["T2"], None, ["agent"])
    assert not is_open
    assert label.startswith("2024-02-01 至 2024-02-29")
    assert style == {"display": "none"}


def test_bad_url_values_are_dropped_with_a_notice(warehouse):
    out = sync("url.search", "?preset=never&team=T2,NOPE&rep=R1")
    assert out[0] == "?team=T2&rep=R1"
    assert out[10].endswith("preset=never, team=NOPE") and out[11] is True


def test_controls_write_the_url_and_keep_page_keys(warehouse, monkeypatch):
    monkeypatch.setattr(filterbar, "page_keys", lambda pathname: ("measure",))
    out = sync("f-rep.value", "?measure=payments", "last_year", None, None,
               (None, ["R3", "R1"], None, None, None, None), "/revenue")
    assert out[0] == "?preset=last_year&rep=R1,R3&measure=payments"


def test_forged_control_values_change_nothing(warehouse):
    out = sync("f-team.value", "", "this_year", None, None, (["T1'; drop table contracts; --"], None, None, None,
                                                              None, None))
    assert out[0] is no_update


def test_custom_preset_starts_from_the_current_period(warehouse):
    out = sync("f-preset.value", "?preset=last_month", "custom")
    assert out[0] == "?preset=custom&start=2024-02-01&end=2024-02-29"


def test_reset(warehouse):
    out = sync("f-reset.n_clicks", "?preset=last_month&rep=R1")
    assert out[0] == "" and out[1] == "this_year"


def test_nav_links_keep_global_filters_only():
    hrefs = app.carry_filters("?preset=last_month&measure=payments&team=T2", [{"path": "/"}, {"path": "/x"}])
    assert hrefs == ["/?preset=last_month&team=T2", "/x?preset=last_month&team=T2"]


def test_unknown_path_gets_the_helpful_404(warehouse):
    from pages import not_found_404

    assert "/nowhere" in not_found_404.explain("/nowhere")


def test_every_callback_is_registered_once():
    """A page imported by another page (the overview uses the products page's method
    helpers) must not register its callbacks a second time: each would fire twice."""
    from collections import Counter

    from dash._callback import GLOBAL_CALLBACK_LIST

    counts = Counter(cb["output"] for cb in GLOBAL_CALLBACK_LIST)
    assert [output for output, n in counts.items() if n > 1] == []
    assert {p["module"] for p in dash.page_registry.values()} >= {"pages.products", "pages.customers", "pages.funnel"}


def test_view_controls_at_their_shown_value_leave_the_url_alone(warehouse):
    """Dash fires a page's view controls once when the page's layout is inserted; writing
    the URL then (even the same search) re-ran the router and rendered the page twice."""
    from pages import customers, forecast, funnel, product, products

    assert funnel.set_measure("count", "") is no_update
    assert funnel.set_measure("amount", "?measure=amount") is no_update
    assert funnel.set_measure("amount", "") == "?measure=amount"
    assert forecast.set_horizon("6", "") is no_update
    assert forecast.set_horizon("12", "") == "?horizon=12"
    assert products.set_methods("fifo", None, "?team=T2") is no_update
    assert products.set_methods("fifo", "moving_average", "") == "?compare=moving_average"
    assert product.set_method("fifo", "") is no_update
    assert call(customers.choose, "customers-method.value", [], None, None, "fifo", "") is no_update
