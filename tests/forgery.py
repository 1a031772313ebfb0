"""Forged Dash requests as a scoped user, for the scope tests and benchmarks/scope_fuzz.py.

The viewer is rep R3 of tests/fixture.sql with the scope 本人 (own): their book is
customers C3, C5, C8 and contracts K04, K08, K10 (with the pool customer C6 it was
signed with). Every callback the app registers is called through the Flask test client
with inputs that name other reps, teams, customers and products (URL filters, control
values, click data, grid clicks, detail ids); a response body must never hold a row of
another book. The markers are what only a foreign row can carry (names and the ids of
contracts, deals, plans, payments, follow-ups): a forged input names ids, never these,
so an echo of the request is not mistaken for a leak.
"""

from __future__ import annotations

import base64
import io
import json
import random
import re
import zipfile

import openpyxl

VIEWER = {"login": "fuzz-r3", "scope_kind": "own", "rep_id": "R3"}
FOREIGN_NAMES = ("上海恒信贸易", "杭州远景科技", "苏州新材料", "南京蓝图设计",  # customers C1 C2 C4 C7
                 "张伟", "李娜", "赵敏",  # reps R1 R2 R4
                 "华东区", "上海组")  # teams T2 T4
FOREIGN_IDS = re.compile(r"(?<![%\w])(K0[1235679]|O[123]|PL0[1-7]|PM0[1-5]|A[123]|E1)\b")
OWN_NAMES = ("北京华泰实业", "天津港务物流", "石家庄冀中机械", "王强")

IDS = ["R1", "R2", "R3", "R4", "T1", "T2", "T3", "T4", "C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8",
       "P1", "P2", "P3", "nope", "", "R1,R2", "T2,T3", "C1'--"]
QUERY_KEYS = ["rep", "team", "region", "category", "ctype", "source", "preset", "start", "end", "as_of",
              "customer", "product", "tier", "segment", "cell", "stage", "measure", "bucket", "by", "split",
              "method", "horizon", "kind", "days"]
VALUES = ["R1", "R2", "R4", "R1,R3", "T2", "T4", "T1", "T2,T3", "华东", "硬件", "customer", "官网", "last_year",
          "this_year", "custom", "2023-01-01", "2024-03-15", "all", "vip", "small", "C1", "C2", "P1", "1-1",
          "赢单", "contract_amount", "payments", "rep", "team", "month", "fifo", "30", "x"]
PATHS = ["/", "/revenue", "/team", "/funnel", "/forecast", "/products", "/customers", "/acquisition",
         "/lead-pool", "/receivables", "/data", "/customer/C1", "/customer/C2", "/customer/C3", "/customer/C7",
         "/product/P1", "/product/P2", "/product/nope"]


def _readable(value):
    """``value`` without plotly's base64 arrays (``bdata``), whose letters are not words, and
    with a download's base64 file (an export, the import template) as the text it holds: its
    letters are not words either (a ZIP's times in it read "+A1/" in some minutes)."""
    if isinstance(value, dict) and value.get("base64") is True and isinstance(value.get("content"), str):
        return {**value, "content": _file_text(base64.b64decode(value["content"]))}
    if isinstance(value, dict):
        return {k: _readable(v) for k, v in value.items() if k != "bdata"}
    if isinstance(value, list):
        return [_readable(v) for v in value]
    return value


def _file_text(raw: bytes) -> str:
    """A downloaded file's text, its lines and cells apart by spaces (a JSON-escaped line end
    would read "\\nK01"): an XLSX's cell values, another ZIP's members, else the bytes."""
    if not zipfile.is_zipfile(io.BytesIO(raw)):
        text = raw.decode("utf-8", "replace")
    else:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            members = {name: archive.read(name).decode("utf-8", "replace") for name in archive.namelist()}
        if "xl/workbook.xml" in members:  # (its sheets' XML names cells A1, B1, ...)
            book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True)
            text = " ".join(str(cell) for sheet in book for row in sheet.iter_rows(values_only=True)
                            for cell in row if cell is not None)
        else:
            text = " ".join(members.values())
    return " ".join(text.split())


def leaks(body: str) -> list[str]:
    """The foreign markers in a response body (JSON escapes undone)."""
    try:
        text = json.dumps(_readable(json.loads(body)), ensure_ascii=False)
    except ValueError:
        text = body
    return [n for n in FOREIGN_NAMES if n in text] + FOREIGN_IDS.findall(text)


def _id(raw: str):
    return json.loads(raw) if raw.startswith("{") else raw


def _outputs(output: str) -> list[dict]:
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    out = []
    for part in parts:
        ident, _, prop = part.rpartition(".")
        out.append({"id": _id(ident), "property": prop})
    return out


def callbacks(dependencies: list[dict]) -> list[dict]:
    """The server-side callbacks a forged request can reach (no wildcard ids)."""
    return [d for d in dependencies if d.get("clientside_function") is None
            and "MATCH" not in d["output"] and "ALL" not in d["output"]
            and not any("ALL" in i["id"] or "MATCH" in i["id"] for i in d["inputs"] + d["state"])]


def forged_query(rng: random.Random) -> dict:
    return {rng.choice(QUERY_KEYS): rng.choice(VALUES) for _ in range(rng.randint(1, 4))}


def forged_value(prop: str, ident: str, rng: random.Random):
    """A value for input ``ident.prop`` naming someone else's rows where it can."""
    some = rng.choice(IDS)
    if prop == "data" and ident == "page-query":
        return forged_query(rng)
    if prop == "data" and ident in ("customer-id", "product-id"):
        return rng.choice([i for i in IDS if i[:1] in "CP"] or IDS)
    if prop == "data":
        return {"path": rng.choice(PATHS)}
    if prop == "search":
        return "?" + "&".join(f"{k}={v}" for k, v in forged_query(rng).items())
    if prop == "pathname":
        return rng.choice(PATHS)
    if prop == "clickData":
        return {"points": [{"customdata": [some, rng.choice(IDS)], "x": some, "y": some, "label": some,
                            "id": some, "text": some, "pointNumber": 0, "curveNumber": 0}]}
    if prop == "cellClicked":
        return {"rowId": some, "colId": rng.choice(["customer_id", "rep_id", "product_id", "team_id"]),
                "value": some, "rowIndex": 0}
    if prop == "value":
        return rng.choice([some, [some], [some, rng.choice(IDS)], None, "month", "fifo", "payments"])
    if prop in ("start_date", "end_date"):
        return rng.choice(["2023-01-01", "2024-03-15", None])
    if prop == "n_clicks":
        return rng.choice([None, 1, 2])
    return some


def request_body(dep: dict, rng: random.Random) -> dict:
    inputs = [{"id": _id(i["id"]), "property": i["property"], "value": forged_value(i["property"], i["id"], rng)}
              for i in dep["inputs"]]
    state = [{"id": _id(s["id"]), "property": s["property"], "value": forged_value(s["property"], s["id"], rng)}
             for s in dep["state"]]
    outputs = _outputs(dep["output"])
    trigger = rng.choice(inputs)
    return {"output": dep["output"], "outputs": outputs if dep["output"].startswith("..") else outputs[0],
            "inputs": inputs, "state": state,
            "changedPropIds": [f"{json.dumps(trigger['id'], separators=(',', ':')) if isinstance(trigger['id'], dict) else trigger['id']}.{trigger['property']}"]}  # noqa: E501


def fuzz(client, n: int, seed: int = 11) -> dict:
    """``n`` forged callback requests (and layout fetches) as the signed-in ``client``:
    counts of requests, statuses and leaks (with the first few leaking requests)."""
    rng = random.Random(seed)
    deps = callbacks(client.get("/_dash-dependencies").get_json())
    report = {"requests": 0, "statuses": {}, "leaks": 0, "examples": []}
    for _ in range(n):
        dep = rng.choice(deps)
        body = request_body(dep, rng)
        response = client.post("/_dash-update-component", json=body)
        report["requests"] += 1
        report["statuses"][response.status_code] = report["statuses"].get(response.status_code, 0) + 1
        found = leaks(response.get_data(as_text=True))
        if found:
            report["leaks"] += 1
            if len(report["examples"]) < 5:
                report["examples"].append({"output": dep["output"], "inputs": body["inputs"], "found": found})
    return report
