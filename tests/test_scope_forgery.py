"""Forged requests as a rep (本人: R3 of the fixture) through the real app's Flask test
client: every page callback, with URL filters, control values, click data, grid clicks
and detail ids that name other reps, teams, customers and products, returns none of the
other books' rows (tests/forgery.py lists what only a foreign row carries)."""

from __future__ import annotations

import base64
import json
import random

import pytest

import app
from tests import forgery
from tests.conftest import sign_in

FORGED_QUERIES = [
    {"rep": "R1"}, {"rep": "R1,R2,R4"}, {"team": "T2"}, {"team": "T1"}, {"team": "T4", "rep": "R2"},
    {"preset": "custom", "start": "2023-01-01", "end": "2024-03-15", "rep": "R1,R3"},
    {"preset": "last_year", "team": "T2,T3", "customer": "C1", "product": "P2"},
]


@pytest.fixture
def rep_client(client_as):
    return client_as(forgery.VIEWER["login"], scope_kind="own", rep_id="R3")


def _page_callbacks(client) -> list[dict]:
    deps = forgery.callbacks(client.get("/_dash-dependencies").get_json())
    return [d for d in deps if any(i["id"] == "page-query" for i in d["inputs"])]


def _post(client, dep: dict, values: dict) -> tuple[int, str]:
    body = forgery.request_body(dep, random.Random(0))
    for item in body["inputs"] + body["state"]:
        key = (item["id"], item["property"]) if (item["id"], item["property"]) in values else item["id"]
        if isinstance(key, tuple) or key in values:
            item["value"] = values[key]
    response = client.post("/_dash-update-component", json=body)
    return response.status_code, response.get_data(as_text=True)


def test_every_page_callback_under_forged_filters_and_ids(rep_client):
    deps = _page_callbacks(rep_client)
    assert len(deps) >= 12  # every dashboard, the customer and the product page
    own_seen = 0
    for dep in deps:
        details = {"customer-id": ["C1", "C2", "C4", "C7", "C3"], "product-id": ["P1", "P2"]}
        detail_ids = next((details[i["id"]] for i in dep["inputs"] if i["id"] in details), [None])
        for query in FORGED_QUERIES:
            for detail in detail_ids:
                values = {"page-query": query, "customer-id": detail, "product-id": detail}
                status, body = _post(rep_client, dep, values)
                assert status in (200, 204), (dep["output"], query, detail, status)
                assert forgery.leaks(body) == [], (dep["output"][:80], query, detail)
                own_seen += any(name in json.dumps(json.loads(body or "{}"), ensure_ascii=False)
                                for name in forgery.OWN_NAMES)
    assert own_seen > 20  # the pages did draw the rep's own book


def test_a_foreign_customer_page_is_not_found(rep_client):
    dep = next(d for d in _page_callbacks(rep_client) if "customer-missing" in d["output"])
    for customer, found in (("C1", False), ("C7", False), ("C3", True), ("C6", True)):
        _status, body = _post(rep_client, dep, {"page-query": {}, "customer-id": customer})
        assert ("customer-not-found" in body) is not found, customer


def test_layouts_and_filter_options_hold_only_the_scope(rep_client):
    layout = json.dumps(rep_client.get("/_dash-layout").get_json(), ensure_ascii=False)
    assert forgery.leaks(layout) == [] and "王强" in layout  # the rep dropdown offers R3 only
    deps = forgery.callbacks(rep_client.get("/_dash-dependencies").get_json())
    render = next(d for d in deps if d["output"].startswith("..") and "_pages_content" in d["output"])
    for path in forgery.PATHS:
        status, body = _post(rep_client, render, {("_pages_location", "pathname"): path,
                                                  ("_pages_location", "search"): "?rep=R1&team=T2"})
        assert status == 200 and forgery.leaks(body) == [], path
        assert "page-query" in body or path == "/data"


def test_randomised_forgery_finds_no_foreign_row(rep_client, client_as):
    report = forgery.fuzz(rep_client, 300, seed=11)
    assert report["requests"] == 300 and report["leaks"] == 0, report["examples"]
    assert report["statuses"].get(200, 0) > 250  # the forged requests did run
    # the same requests by someone who sees everything do carry the markers: the check can fail
    boss = client_as("fuzz-boss", role="admin", scope_kind="all")
    assert forgery.fuzz(boss, 100, seed=11)["leaks"] > 5


def test_anonymous_forgery_gets_401_and_nothing(warehouse, app_db, client_as):
    signed = client_as("fuzz-any", scope_kind="own", rep_id="R3")
    deps = forgery.callbacks(signed.get("/_dash-dependencies").get_json())
    anonymous = app.server.test_client()
    rng = random.Random(3)
    for dep in deps:
        response = anonymous.post("/_dash-update-component", json=forgery.request_body(dep, rng))
        assert response.status_code == 401 and response.data == b""
    assert sign_in(anonymous, "fuzz-any", "wrong").status_code == 401


def test_a_download_is_searched_for_what_its_file_holds():
    """A download (an export, the import template) is a file in base64: its letters are not
    words. The ZIP of the template read "/A1+" in some minutes (its files' times), a foreign
    marker to the search (the randomised forgery failed in those minutes). The file's text is
    searched instead: a CSV's, an XLSX's cell values (not its cell names: A1 is a cell there)."""
    import pandas as pd

    from components.cards import export_bytes

    def body(raw: bytes) -> str:
        data = {"content": base64.b64encode(raw).decode(), "base64": True, "filename": "x", "type": None}
        return json.dumps({"response": {"download": {"data": data}}})

    assert base64.b64encode(b"\xfc\x0d\x7e") == b"/A1+"
    assert forgery.leaks(body(b"\xfc\x0d\x7e" * 30)) == []
    own = pd.DataFrame({"customer": ["北京华泰实业"], "contract": ["K04"]})
    foreign = pd.DataFrame({"customer": ["上海恒信贸易"], "contract": ["K01"]})
    for fmt in ("csv", "xlsx"):
        assert forgery.leaks(body(export_bytes(own, fmt))) == []
        assert forgery.leaks(body(export_bytes(foreign, fmt))) == ["上海恒信贸易", "K01"]
