"""The pages' output cache (components/output_cache.py): a hit for the same render, never
an output drawn for another viewer, language, theme, build or setting; bounded by bytes;
a caller cannot change what the next caller gets."""

from __future__ import annotations

import json
import random

import pytest
from dash._utils import to_json as dash_json
from flask_login import login_user

import app
import queries
from components.output_cache import outputs
from crm import users
from pages import alerts, overview, revenue, team
from tests import forgery
from tests.conftest import FIXTURE_SQL, build_fixture, extra_contract, plain


@pytest.fixture(autouse=True)
def empty_cache():
    queries.clear_cache()


def _counts() -> tuple[int, int]:
    return outputs.hits, outputs.misses


def _answer(client, marker: str, query: dict) -> str:
    """The answer, as Dash writes it, of the page callback whose outputs name ``marker``, for
    ``query``, through the real app (the client's session and cookies)."""
    deps = forgery.callbacks(client.get("/_dash-dependencies").get_json())
    dep = next(d for d in deps if [i["id"] for i in d["inputs"]] == ["page-query"] and marker in d["output"])
    body = forgery.request_body(dep, random.Random(0))
    body["inputs"][0]["value"] = query
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _render(client, marker: str, query: dict) -> str:
    """``_answer`` as readable JSON text."""
    return json.dumps(json.loads(_answer(client, marker, query)), ensure_ascii=False)


def test_a_second_identical_render_is_a_hit(warehouse):
    hits, misses = _counts()
    first = plain(revenue.update({"preset": "last_year"}))
    assert plain(revenue.update({"preset": "last_year"})) == first
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
    before = plain(overview.update({}))
    assert plain(overview.update({})) == before
    build_fixture(path, FIXTURE_SQL.read_text() + extra_contract("K99", "C3", "R3", "2024-03-10", 5000))
    hits, misses = _counts()
    after = plain(overview.update({}))
    assert _counts() == (hits, misses + 1) and after != before


def test_a_setting_read_while_rendering_is_part_of_the_key(warehouse, monkeypatch):
    default = plain(alerts.update({}))
    monkeypatch.setenv("CRM_ALERT_BAND_K", "5")
    assert plain(alerts.update({})) != default


def test_the_cache_is_bounded_by_bytes(warehouse, monkeypatch):
    monkeypatch.setattr(outputs, "max_bytes", 1)  # every new output evicts the older ones
    overview.update({"preset": "last_month"})
    overview.update({"preset": "last_year"})
    assert len(outputs) == 1 and outputs.bytes > 0
    hits, misses = _counts()
    overview.update({"preset": "last_month"})
    assert _counts() == (hits, misses + 1)


def _values(answer: dict) -> list[str]:
    """Every output's value in a Dash answer, as sorted JSON texts."""
    return sorted(json.dumps(v, sort_keys=True) for props in answer["response"].values() for v in props.values())


def test_dash_answers_with_the_cached_json_as_the_output_would_be_written(client_as):
    """Dash's answer holds each output's cached JSON as it is (orjson fragments), a miss and a
    hit alike: the same values as Dash's own writing of the output drawn afresh, and plotly's
    escaping of <, > and / covers them too."""
    boss = client_as("boss", role="admin", scope_kind="all")
    hits, misses = _counts()
    miss, hit = (_answer(boss, "team-targets-title", {"preset": "last_year"}) for _ in range(2))
    assert _counts() == (hits + 1, misses + 1) and miss == hit
    with app.server.test_request_context():
        login_user(users.get("boss"))
        drawn = team.update.__wrapped__({"preset": "last_year"})
        written = dash_json({"multi": True, "response": {str(i): {"v": v} for i, v in enumerate(drawn)}})
    assert _values(json.loads(miss)) == _values(json.loads(written))
    assert "张伟" in miss and "<" not in miss and "/" not in miss  # the names; the escaping (</script>)


def test_each_kpi_card_gets_its_own_children_from_the_cache(client_as):
    """The KPI cards' output (an id with ALL: one value per card, a PerComponent) is cached
    as one fragment per card: Dash's answer, a miss and a hit alike, gives each card its own
    body (the whole list as one fragment left every card empty)."""
    boss = client_as("boss", role="admin", scope_kind="all")
    dep = next(d for d in boss.get("/_dash-dependencies").get_json()
               if "top-customers" in d["output"] and '"kpi"' in d["output"])
    cards = [{"id": {"type": "kpi", "kpi": measure}, "property": "children"} for measure, _ in overview.KPIS]
    outputs = [cards if spec["id"] == {"kpi": ["ALL"], "type": "kpi"} else spec
               for spec in forgery._outputs(dep["output"])]
    assert cards in outputs
    body = {"output": dep["output"], "outputs": outputs, "state": [], "changedPropIds": ["page-query.data"],
            "inputs": [{"id": "page-query", "property": "data", "value": {"preset": "last_month"}}]}
    miss, hit = (boss.post("/_dash-update-component", json=body) for _ in range(2))
    assert miss.status_code == hit.status_code == 200 and miss.data == hit.data
    answer = json.loads(miss.data)["response"]
    for measure, _ in overview.KPIS:
        body = json.dumps(answer[json.dumps({"kpi": measure, "type": "kpi"}, separators=(",", ":"))]["children"],
                          ensure_ascii=False)
        assert overview.kpi_label(measure, "fifo", "zh-CN") in body, measure


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
