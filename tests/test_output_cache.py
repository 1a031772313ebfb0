"""The pages' output cache (components/output_cache.py): a hit for the same render, never
an output drawn for another viewer, language, theme, build or setting; bounded by bytes;
a caller cannot change what the next caller gets."""

from __future__ import annotations

import copy
import json
import random

import pytest

import queries
from components.output_cache import outputs
from pages import alerts, overview, revenue
from tests import forgery
from tests.conftest import FIXTURE_SQL, build_fixture, extra_contract


@pytest.fixture(autouse=True)
def empty_cache():
    queries.clear_cache()


def _counts() -> tuple[int, int]:
    return outputs.hits, outputs.misses


def _render(client, marker: str, query: dict) -> str:
    """The response of the page callback whose outputs name ``marker``, for ``query``, through
    the real app (the client's session and cookies), as readable JSON text."""
    deps = forgery.callbacks(client.get("/_dash-dependencies").get_json())
    dep = next(d for d in deps if [i["id"] for i in d["inputs"]] == ["page-query"] and marker in d["output"])
    body = forgery.request_body(dep, random.Random(0))
    body["inputs"][0]["value"] = query
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200
    return json.dumps(json.loads(response.get_data(as_text=True)), ensure_ascii=False)


def test_a_second_identical_render_is_a_hit(warehouse):
    hits, misses = _counts()
    first = revenue.update({"preset": "last_year"})
    assert revenue.update({"preset": "last_year"}) == first
    assert _counts() == (hits + 1, misses + 1)
    revenue.update({"preset": "last_year", "measure": "payments"})  # other inputs: drawn afresh
    assert _counts() == (hits + 1, misses + 2)
    queries.clear_cache()  # what the page benchmark does before a cold render
    assert len(outputs) == 0


def test_a_rep_and_a_boss_never_share_an_output(client_as):
    rep = client_as("r3", scope_kind="own", rep_id="R3")
    boss = client_as("boss", role="admin", scope_kind="all")
    query = {"preset": "last_year"}
    hits, misses = _counts()
    mine = _render(rep, "team-targets-title", query)
    everyone = _render(boss, "team-targets-title", query)
    assert _counts() == (hits, misses + 2)
    assert mine != everyone and "张伟" in everyone and forgery.leaks(mine) == []
    assert _render(rep, "team-targets-title", query) == mine  # the rep's own, from the cache
    assert _render(boss, "team-targets-title", query) == everyone
    assert _counts() == (hits + 2, misses + 2)


def test_administrators_and_viewers_of_everything_get_their_own_data_page(client_as, warehouse):
    viewer = client_as("all", scope_kind="all")  # the same scope as an administrator's: everyone
    admin = client_as("boss", role="admin", scope_kind="all")
    path = str(warehouse.resolve())
    assert path in _render(admin, "data-build", {})
    assert path not in _render(viewer, "data-build", {})


def test_language_and_theme_each_draw_their_own_output(client_as):
    client = client_as("boss", role="admin", scope_kind="all")
    bodies = []
    for lang, theme in (("zh-CN", "light"), ("en", "light"), ("en", "dark")):
        client.set_cookie("lang", lang)
        client.set_cookie("theme", theme)
        bodies.append(_render(client, "team-targets-title", {}))
    assert len(set(bodies)) == 3
    assert "target achievement" in bodies[1] and "target achievement" not in bodies[0]


def test_a_new_build_is_drawn_afresh(tmp_path, monkeypatch):
    path = build_fixture(tmp_path / "warehouse.duckdb")
    monkeypatch.setenv("CRM_WAREHOUSE", str(path))
    before = overview.update({})
    assert overview.update({}) == before
    build_fixture(path, FIXTURE_SQL.read_text() + extra_contract("K99", "C3", "R3", "2024-03-10", 5000))
    hits, misses = _counts()
    after = overview.update({})
    assert _counts() == (hits, misses + 1) and after != before


def test_a_setting_read_while_rendering_is_part_of_the_key(warehouse, monkeypatch):
    default = alerts.update({})
    monkeypatch.setenv("CRM_ALERT_BAND_K", "5")
    assert alerts.update({}) != default


def test_the_cache_is_bounded_by_bytes(warehouse, monkeypatch):
    monkeypatch.setattr(outputs, "max_bytes", 1)  # every new output evicts the older ones
    overview.update({"preset": "last_month"})
    overview.update({"preset": "last_year"})
    assert len(outputs) == 1 and outputs.bytes > 0
    hits, misses = _counts()
    overview.update({"preset": "last_month"})
    assert _counts() == (hits, misses + 1)


def test_changing_a_returned_output_does_not_change_the_next(warehouse):
    first = overview.update({})
    kept = copy.deepcopy(first)
    first[0].clear()
    first[1]["layout"]["title"] = "changed"
    first[2]["data"].append("changed")
    assert overview.update({}) == kept


def test_the_cached_json_is_what_plotly_writes():
    """orjson writes the outputs: what it does not know goes through plotly's encoder, so a
    figure, a component, numpy and pandas values, dates, NaN and NaT read back as they did
    from plotly's JSON; an integer past 64 bits (beyond orjson) is written by plotly's."""
    from datetime import date, datetime

    import numpy as np
    import pandas as pd
    import plotly.graph_objects as go
    from dash import html
    from plotly.io.json import to_json_plotly

    from components.output_cache import to_json

    value = [
        go.Figure(go.Bar(x=["a", "b"], y=np.array([1.5, np.nan]))),
        html.Div(["x", html.Span("名 </script>")], id={"type": "t", "card": "c"}),
        {"i": np.int64(3), "f": np.float64(0.1), "b": np.bool_(True), "day": date(2024, 2, 29),
         "at": datetime(2024, 1, 1, 9, 30), "ts": pd.Timestamp("2024-01-01 09:30"), "nat": pd.NaT, "na": pd.NA,
         "days": np.array(["2024-01-01", "NaT"], dtype="datetime64[D]"), "series": pd.Series([1, 2]),
         "nan": float("nan"), "inf": float("-inf"), 1: "a number as key"},
    ]
    expected = json.loads(to_json_plotly(value, engine="json"))
    assert json.loads(to_json(value)) == expected
    assert expected[2]["days"] == ["2024-01-01", "NaT"] and expected[2]["nan"] is None  # what plotly writes
    assert json.loads(to_json({"n": 2**70})) == {"n": 2**70}
