"""Forged callback requests against every callback of every page: wrong types, lists
where strings are expected, nulls, nested dicts, 1 MB strings, injection text, unknown
ids and junk click data. No answer may be a 5xx or larger than 2 MB, and the warehouse
file is never changed. Deterministic: one seed, a bounded number of bodies."""

from __future__ import annotations

import hashlib
import json
import random

import pytest

import app
from components import inputs

SEED = 20261128
MAX_RESPONSE = 2 * 2**20
BIG = "R" * 2**20
INJECTION = "R1' or 1=1; drop table contracts; --"
JUNK = [
    None, "", "x", 0, -1, 1e308, True, [], [None], ["R1"] * 150, [BIG], {"a": {"b": {"c": [1, {"d": None}]}}},
    BIG, INJECTION, "<script>alert(1)</script>", "../../etc/passwd", "\x00\ufeff\u200b",
    {"points": []}, {"points": [{}]}, {"points": "x"}, {"points": [None, 1, "x"]},
    {"points": [{"customdata": BIG, "x": BIG, "y": [1], "label": {"a": 1}}]},
    {"points": [{"customdata": [INJECTION, BIG], "pointNumber": "x", "curveNumber": None}]},
    {"rowId": {"a": 1}, "colId": [1], "value": BIG}, {"rowId": BIG, "colId": "customer_id", "value": None},
]
QUERIES = [
    {"rep": BIG}, {"rep": [BIG] * 3}, {"team": ["T1"] * 5000}, {"preset": {"x": 1}}, {"preset": ["custom"] * 3},
    {"as_of": "9999-12-31"}, {"start": None, "end": [], "preset": "custom"}, {"measure": BIG, "bucket": [1, 2]},
    {BIG: "x"}, {"rep": INJECTION, "region": "<b>x</b>", "method": INJECTION}, {"year": "99999", "tier": None},
    {"rep": "R1"}, {"preset": "last_year", "measure": "payments", "by": "rep"},
]


def _pattern_value(key: str, index: int):
    return f"fuzz-{key}-{index}"


def _concrete(spec: str, many: int = 2):
    """A concrete id (or list of ids for ALL) for a dependency id spec."""
    if not spec.startswith("{"):
        return spec
    pattern = json.loads(spec)
    wild = [k for k, v in pattern.items() if isinstance(v, list)]
    if any(pattern[k] == ["ALL"] for k in wild):
        return [{k: (_pattern_value(k, i) if isinstance(v, list) else v) for k, v in pattern.items()}
                for i in range(many)]
    return {k: ("fuzz-card" if isinstance(v, list) else v) for k, v in pattern.items()}


def _slot(dep: dict, value):
    ids = _concrete(dep["id"])
    if isinstance(ids, list):
        return [{"id": i, "property": dep["property"], "value": value} for i in ids]
    return {"id": ids, "property": dep["property"], "value": value}


def _prop_id(slot) -> str:
    first = slot[0] if isinstance(slot, list) else slot
    ident = first["id"]
    ident = json.dumps(ident, sort_keys=True, separators=(",", ":")) if isinstance(ident, dict) else ident
    return f"{ident}.{first['property']}"


def _outputs(output: str):
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    slots = []
    for part in parts:
        ident, prop = part.rsplit(".", 1)
        ids = _concrete(ident, many=2)
        slots.append([{"id": i, "property": prop} for i in ids] if isinstance(ids, list)
                     else {"id": ids, "property": prop})
    return slots if output.startswith("..") else slots[0]


def _value(rng: random.Random, dep: dict):
    if dep["id"] == "page-query" and rng.random() < 0.7:
        return rng.choice(QUERIES)
    return rng.choice(JUNK)


def _bodies(deps: list[dict], rng: random.Random, per_callback: int):
    for dep in deps:
        if dep.get("clientside_function"):
            continue
        slots = [*dep["inputs"], *dep["state"]]
        for _ in range(per_callback):
            values = [_value(rng, s) for s in slots]
            filled = [_slot(s, v) for s, v in zip(slots, values, strict=True)]
            inputs, state = filled[:len(dep["inputs"])], filled[len(dep["inputs"]):]
            trigger = rng.randrange(len(inputs))
            yield dep["output"], {"output": dep["output"], "outputs": _outputs(dep["output"]), "inputs": inputs,
                                  "state": state, "changedPropIds": [_prop_id(inputs[trigger])]}


ENVELOPES = [
    b"not json", b"[]", b"null", b"42", b'"x"', b"{}", b'{"output": 5}', b'{"output": "nope.children"}',
    b'{"output": "url.search", "inputs": "x"}', b'{"output": "url.search", "inputs": [1, 2]}',
    b'{"output": "nav-collapse.is_open", "inputs": [{"id": {"a": [1]}, "property": 5}], "state": null}',
    b'{"output": "nav-collapse.is_open", "inputs": [], "state": [], "changedPropIds": 7}',
    json.dumps({"output": "nav-collapse.is_open", "inputs": [{"id": "nav-toggle", "property": "n_clicks",
                                                              "value": 1}], "state": [BIG]}).encode(),
]


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _check(response, what):
    assert response.status_code < 500, (what, response.status_code, response.data[:300])
    assert len(response.data) < MAX_RESPONSE, (what, len(response.data))


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_forged_callbacks_never_fail(app_client, warehouse, lang):
    before = _sha(warehouse)
    app_client.set_cookie("lang", lang)
    deps = app_client.get("/_dash-dependencies").get_json()
    outputs = {d["output"] for d in deps if not d.get("clientside_function")}
    assert outputs == {k for k, v in app.app.callback_map.items() if "callback" in v} - {
        d["output"] for d in deps if d.get("clientside_function")}
    rng = random.Random(f"{SEED}-{lang}")
    sent, per_callback = 0, 3 if lang == "en" else 6
    for output, body in _bodies(deps, rng, per_callback):
        _check(app_client.post("/_dash-update-component", json=body), (output, body["changedPropIds"]))
        sent += 1
    assert sent == per_callback * sum(not d.get("clientside_function") for d in deps) > 100
    for raw in ENVELOPES:
        response = app_client.post("/_dash-update-component", data=raw, content_type="application/json")
        _check(response, raw[:80])
    assert _sha(warehouse) == before


def test_oversized_body_is_refused(app_client):
    response = app_client.post("/_dash-update-component", data=b"{" + b" " * inputs.MAX_BODY + b"}",
                               content_type="application/json")
    assert response.status_code == 413


def test_malformed_envelopes_are_client_errors(app_client):
    for raw in ENVELOPES[:-1]:
        response = app_client.post("/_dash-update-component", data=raw, content_type="application/json")
        assert 400 <= response.status_code < 500, (raw, response.status_code)


def test_forged_outputs_and_ids_are_client_errors(app_client):
    toggle = {"output": "nav-collapse.is_open", "inputs": [{"id": "nav-toggle", "property": "n_clicks", "value": 1},
                                                           {"id": "url", "property": "pathname", "value": "/"}],
              "state": [{"id": "nav-collapse", "property": "is_open", "value": False}],
              "changedPropIds": ["nav-toggle.n_clicks"]}
    good = {**toggle, "outputs": {"id": "nav-collapse", "property": "is_open"}}
    assert app_client.post("/_dash-update-component", json=good).status_code == 200
    for outputs in ([1, 2], {"id": 5}, {"id": "nav-collapse"}, {"id": "x", "property": "is_open"},
                    {"id": {"a": [1]}, "property": "is_open"}, [{"id": "nav-collapse", "property": "is_open"}]):
        answer = app_client.post("/_dash-update-component", json={**toggle, "outputs": outputs})
        assert answer.status_code == 400, outputs
    unknown_input = {**good, "inputs": [{"id": "somewhere-else", "property": "n_clicks", "value": 1}]}
    assert app_client.post("/_dash-update-component", json=unknown_input).status_code == 400
    grid = {"output": '{"card":["MATCH"],"type":"grid"}.dashGridOptions',
            "outputs": {"id": {"card": "x", "type": "grid"}, "property": "dashGridOptions"},
            "inputs": [{"id": {"card": "x", "type": "not-a-search"}, "property": "value", "value": "a"}],
            "state": [], "changedPropIds": ['{"card":"x","type":"grid-search"}.value']}
    assert app_client.post("/_dash-update-component", json=grid).status_code == 400
    grid["inputs"][0]["id"]["type"] = "grid-search"
    assert app_client.post("/_dash-update-component", json=grid).status_code == 200
