"""Hardening: the chart mode bar, CSV quoting, warehouse faults and the as_of window."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import random
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from dash import dcc

import app
import queries
from components.cards import KpiCard, export_bytes
from components.figures import GRAPH_CONFIG, STATIC_CONFIG
from data.serving import SERVING_TABLES

ROOT = Path(__file__).parents[1]


def _graphs(component):
    if isinstance(component, dcc.Graph):
        yield component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list | tuple) else [children]:
        if child is not None and hasattr(child, "to_plotly_json"):
            yield from _graphs(child)


def test_every_chart_uses_the_local_mode_bar(warehouse):
    assert GRAPH_CONFIG["displayModeBar"] == "hover" and GRAPH_CONFIG["displaylogo"] is False
    for key in ("showLink", "showSendToCloud", "showEditInChartStudio"):
        assert GRAPH_CONFIG[key] is False
    assert GRAPH_CONFIG["plotlyServerURL"] == ""
    seen = 0
    for page in app.dash.page_registry.values():
        layout = page["layout"]
        args = {"customer_id": "C4"} if "customer" in page["path"] else {"product_id": "P1"} \
            if "product/" in page["path"] else {}
        for graph in _graphs(layout(**args) if callable(layout) else layout):
            local = {k: v for k, v in graph.config.items() if k != "locale"}  # plotly.js's texts' language
            assert local in (GRAPH_CONFIG, STATIC_CONFIG), (page["path"], graph.id)
            seen += 1
    assert seen > 30
    from components.cards import kpi_body

    spark = [g for c in kpi_body("x", "1", ("", "", None), ("", "", None), spark={}, lang="en")
             for g in _graphs(c)]
    assert [g.config for g in spark] == [STATIC_CONFIG]
    assert KpiCard  # the KPI tile itself holds no graph until filled


def test_nothing_in_the_app_names_an_outside_host():
    allowed = {"www.w3.org", "getbootstrap.com", "github.com"}  # SVG namespaces, the CSS licence header
    sources = [p for p in ROOT.rglob("*") if p.suffix in (".py", ".css", ".js", ".sql")
               and not {".venv", "tests", "node_modules", "benchmarks"} & set(p.relative_to(ROOT).parts)]
    for path in sources:
        for host in re.findall(r"https?://([^/\s\"')]+)", path.read_text(errors="replace")):
            assert host in allowed or host.startswith(("127.0.0.1", "localhost", "0.0.0.0")), (path, host)


def test_csv_export_quotes_every_line_break():
    frame = pd.DataFrame({"name": ["a\rb", "c\nd", "e\r\nf", "=1+1", "plain"], "n": [1, 2, 3, 4, 5]})
    text = export_bytes(frame, "csv").decode("utf-8-sig")
    assert '"a\rb",1' in text and '"c\nd",2' in text and '"e\r\nf",3' in text
    assert "'=1+1,4" in text  # formula neutralisation stays
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows == [["name", "n"], ["a\rb", "1"], ["c\nd", "2"], ["e\r\nf", "3"], ["'=1+1", "4"], ["plain", "5"]]


def test_gunicorn_config_keeps_connections_and_recycles_workers(monkeypatch):
    import runpy

    monkeypatch.setenv("GUNICORN_WORKERS", "3")
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert conf["keepalive"] >= 60 and conf["timeout"] >= 30 and conf["graceful_timeout"] > 0
    assert conf["max_requests"] > 0 and 0 < conf["max_requests_jitter"] < conf["max_requests"]
    assert conf["workers"] == 3 and conf["threads"] >= 1 and conf["accesslog"] == "-"
    assert "gunicorn -c gunicorn.conf.py app:server" in (ROOT / "README.md").read_text()


def test_a_worker_warms_up_before_its_first_request():
    """gunicorn's post_worker_init hook has the worker compose and parse every query (and load
    the number formats and the import contract) before it serves anyone."""
    import runpy

    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    queries._parsed.cache_clear()
    conf["post_worker_init"](None)
    assert queries._parsed.cache_info().currsize >= len(queries.names())


def _receivables_body(client) -> dict:
    from tests.test_fuzz import _outputs

    dep = next(d for d in client.get("/_dash-dependencies").get_json() if d["output"].startswith("..rcv-summary."))
    return {"output": dep["output"], "outputs": _outputs(dep["output"]),
            "inputs": [{"id": "page-query", "property": "data", "value": {}}], "state": [],
            "changedPropIds": ["page-query.data"]}


@pytest.mark.parametrize("damage", ["truncated", "half", "garbage", "empty"])
def test_damaged_warehouse_gets_the_friendly_page_and_recovers(fixture_warehouse, app_client, tmp_path, monkeypatch,
                                                              damage):
    good = fixture_warehouse.read_bytes()
    path = tmp_path / "warehouse.duckdb"
    path.write_bytes({"truncated": good[:5000], "half": good[:len(good) // 2], "empty": b"",
                      "garbage": random.Random(7).randbytes(200_000)}[damage])
    monkeypatch.setenv("CRM_WAREHOUSE", str(path))
    client = app_client  # an administrator: the notice names the server's path
    body = _receivables_body(client)
    page = json.dumps(client.get("/_dash-layout").get_json(), ensure_ascii=False)
    answer = client.post("/_dash-update-component", json=body)
    if damage == "half":  # the start of the file attaches: whatever is cut off gives the message
        assert answer.status_code in (200, 503)
    else:
        assert "无法读取" in page and str(path) in page and "f-preset" not in page
        assert answer.status_code == 503 and "无法读取" in answer.get_json()["message"]
    if answer.status_code == 503:
        from tests.test_shell import sync

        out = sync("url.search", "?preset=last_month")  # the filter bar's notice says it too
        assert "无法读取" in out[10] and out[11] is True
        client.set_cookie("lang", "en")
        assert "cannot be read" in client.post("/_dash-update-component", json=body).get_json()["message"]
    # a good file put in place (as a build does: rename) is served without a restart
    fresh = tmp_path / "fresh.duckdb"
    fresh.write_bytes(good)
    os.replace(fresh, path)
    assert b"f-preset" in client.get("/_dash-layout").data
    assert client.post("/_dash-update-component", json=body).status_code == 200


def test_dates_outside_the_window_are_refused(tmp_path, monkeypatch):
    from data import build, rules
    from tests.conftest import FIXTURE_SQL, build_fixture

    assert rules.date_window(date(2024, 2, 29)) == (date(1990, 1, 1), date(2025, 2, 28))
    sql = FIXTURE_SQL.read_text() + (
        "\ninsert into customers (customer_id, name, created_at, type) values "
        "('C90', 'Far future', '9999-12-31 00:00:00', 'prospect'), ('C91', 'Too old', '1989-12-31', 'prospect');\n"
        # a contract may end years ahead (a planned date), but not centuries
        "update contracts set ends_on = current_date + interval 5 year where contract_id = 'K01';\n")
    path = tmp_path / "w.duckdb"
    with pytest.raises(build.BuildError) as refused:
        build_fixture(path, sql)
    found = [v for v in refused.value.violations if v.rule == "rule.date_window"]
    high = rules.date_window()[1]
    assert [(v.table, v.column, v.value) for v in found] == [
        ("customers", "created_at", "9999-12-31 00:00:00"), ("customers", "created_at", "1989-12-31 00:00:00")]
    rows = sorted(v.row for v in found)
    assert rows[1] == rows[0] + 1
    assert found[0].message("en") == (f"customers, row {found[0].row}, column created_at, value 9999-12-31 "
                                      f"00:00:00: date outside the plausible window 1990-01-01 – {high} "
                                      "(settings CRM_DATE_MIN, CRM_DATE_MAX)")
    assert "日期超出合理范围" in found[0].message("zh-CN")
    assert not path.exists()
    monkeypatch.setenv("CRM_DATE_MIN", "1980-01-01")
    monkeypatch.setenv("CRM_DATE_MAX", "9999-12-31")
    assert rules.date_window() == (date(1980, 1, 1), date(9999, 12, 31))


def test_as_of_stays_inside_the_url_date_bounds(warehouse, monkeypatch):
    from queries import warehouse_as_of
    from queries.filters import DATE_BOUNDS, Filters

    monkeypatch.setenv("CRM_AS_OF", "9999-12-31")
    assert warehouse_as_of() == DATE_BOUNDS[1]
    Filters(preset="last_year").periods(warehouse_as_of())  # a year on either side is a valid date
    monkeypatch.setenv("CRM_AS_OF", "0001-01-01")
    assert warehouse_as_of() == DATE_BOUNDS[0]


@pytest.fixture
def small_disk(tmp_path):
    """A real, tiny file system (tmpfs) to fill up or make read-only; needs root and mount."""
    mount = tmp_path / "disk"
    mount.mkdir()

    def make(size: str, options: str = "") -> Path:
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}{options}", "tmpfs", str(mount)],
                              capture_output=True, check=False)
        if done.returncode:
            pytest.skip(f"cannot mount a tmpfs here ({done.stderr.decode().strip()}): disk-full test skipped")
        return mount

    yield make
    subprocess.run(["umount", str(mount)], capture_output=True, check=False)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_generate_on_a_full_disk_says_so_in_one_line(small_disk, fixture_warehouse, capsys):
    from data import generate

    size = fixture_warehouse.stat().st_size
    disk = small_disk(f"{size + 2**20}")
    old = disk / "warehouse.duckdb"
    shutil.copy(fixture_warehouse, old)
    before = _sha256(old)
    with pytest.raises(SystemExit) as stopped:
        generate.main(["--scale", "demo", "--out", str(old), "--quiet", "--end", "2024-03-31"])
    assert stopped.value.code == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert err.startswith(f"无法写入数据仓库 {old}：磁盘已满（该处剩余空间 ") and err.endswith("。未做任何更改。")
    assert _sha256(old) == before and sorted(p.name for p in disk.iterdir()) == ["warehouse.duckdb"]


def test_load_into_a_read_only_place_says_so_in_one_line(small_disk, tmp_path, capsys):
    from data import load
    from tests.test_load import write_folder

    disk = small_disk("1M", ",ro")
    out = disk / "warehouse.duckdb"
    code = load.main([str(write_folder(tmp_path / "in")), "--out", str(out), "--lang", "en", "--quiet"])
    err = capsys.readouterr().err.strip()
    assert code == 1 and err.startswith(f"Cannot write the warehouse {out}: the file system is read-only (")
    assert err.endswith(" MB free there). Nothing was changed.") and len(err.splitlines()) == 1
    assert list(disk.iterdir()) == []


def test_a_load_whose_warnings_fail_on_the_new_file_says_so_and_publishes_nothing(
        fixture_warehouse, tmp_path, capsys, monkeypatch):
    """The build works the early warnings out on the new file with the app's own settings
    (data.serving.judge); when they fail there (here a CRM_DUCKDB_THREADS that is not a
    number) the file is not published: one line says why, the old warehouse is untouched and
    nothing is left beside it."""
    from data import load
    from tests.test_load import write_folder

    place = tmp_path / "place"
    place.mkdir()
    old = place / "warehouse.duckdb"
    shutil.copy(fixture_warehouse, old)
    before = _sha256(old)
    monkeypatch.setenv("CRM_DUCKDB_THREADS", "two")
    code = load.main([str(write_folder(tmp_path / "in")), "--out", str(old), "--lang", "en", "--quiet"])
    err = capsys.readouterr().err.strip()
    assert code == 1 and len(err.splitlines()) == 1 and "Traceback" not in err
    assert err == ("The warehouse was built, but its early warnings could not be worked out on it (ValueError: "
                   "invalid literal for int() with base 10: 'two'); it was not published. Nothing was changed.")
    assert _sha256(old) == before and [p.name for p in place.iterdir()] == ["warehouse.duckdb"]


def test_client_values_are_bounded():
    from components import inputs

    assert inputs.query("?rep=R1&team=T1,T2&preset=last_year").as_dict() == {
        "rep": "R1", "team": "T1,T2", "preset": "last_year"}
    big = inputs.query({"rep": "R" * 2**20, "team": "T1"})
    assert big.as_dict() == {"team": "T1"} and big.dropped == ("rep=" + "R" * 24 + "…",)
    assert inputs.query({"rep": ["R1"] * 101}).as_dict() == {}  # a list longer than 100 values
    assert inputs.query({"rep": ["R1"] * 100}).as_dict() == {"rep": ["R1"] * 100}
    assert inputs.query({"a": "x" * 200}).pairs == (("a", "x" * 200),)
    assert inputs.query({"a": "x" * 201}).pairs == ()
    # the whole query is held to 2 KB: k0..k9 (194 characters each with "=" and "&") fit, k10 does not
    assert [k for k, _ in inputs.query({f"k{i}": "v" * 190 for i in range(20)}).pairs] == [f"k{i}" for i in range(10)]
    assert inputs.query("?a=" + "x" * 3000).dropped == ("?a=" + "x" * 21 + "…",)
    assert inputs.query({"preset": {"x": 1}, "rep": None}).dropped == ("preset=dict", "rep=NoneType")
    assert inputs.query(["x"]).dropped == ("list",) and inputs.query(None) == inputs.Query()
    assert inputs.point({"points": [{"customdata": "R1"}]}) == "R1"
    assert inputs.point({"points": [{"customdata": 7}]}) == "7"
    for junk in (None, {}, {"points": []}, {"points": "x"}, {"points": [None]}, {"points": [{"customdata": ["a"]}]},
                 {"points": [{"customdata": "R" * 201}]}, "x", [1]):
        assert inputs.point(junk) is None, junk
    assert inputs.cell({"rowId": "C1"}) == "C1" and inputs.cell({"rowId": {"a": 1}}) is None
    assert inputs.texts(["a", 1, None, {"x": 1}]) == ["a", "1"] and inputs.texts(["a"] * 101) == []
    assert inputs.choice("b", ("a", "b")) == "b" and inputs.choice(["b"], ("a", "b"), "a") == "a"
    assert inputs.clicked([0, None, 2]) and not inputs.clicked([0, None, True])
    assert inputs.table({"columns": ["a"], "data": [[1], [2]]}) == {"columns": ["a"], "data": [[1], [2]],
                                                                    "total_rows": 2}
    assert inputs.table({"columns": ["a"], "data": [[1, 2]]}) is None and inputs.table("x") is None


def test_a_huge_filter_value_is_not_echoed(app_client):
    """The issue's amplification: a 1 MB rep value once gave a 3.2 GB answer."""
    from tests.test_fuzz import _outputs

    query = {"rep": "R" * 2**20, "preset": "last_year"}
    # a query over 2 KB is dropped whole (the filter bar names it); a long value alone is dropped
    assert app.carry_filters("?" + "&".join(f"{k}={v}" for k, v in query.items()), [{"path": "/"}]) == ["/"]
    assert app.carry_filters("?preset=last_year&rep=" + "R" * 300, [{"path": "/x"}]) == ["/x?preset=last_year"]
    for output in ("rcv-summary", "customers-pyramid"):
        dep = next(d for d in app_client.get("/_dash-dependencies").get_json() if output in d["output"]
                   and d["inputs"][0]["id"] == "page-query")
        body = {"output": dep["output"], "outputs": _outputs(dep["output"]),
                "inputs": [{"id": "page-query", "property": "data", "value": query}], "state": [],
                "changedPropIds": ["page-query.data"]}
        answer = app_client.post("/_dash-update-component", json=body)
        assert answer.status_code == 200 and len(answer.data) < 200_000
        assert b"R" * 25 not in answer.data


def test_dash_first_request_setup_runs_one_request_at_a_time():
    """Dash copies the callbacks in on a worker's first request, after marking that done:
    concurrent first requests found no callbacks (66 refusals in the load run). Its hook is
    wrapped in a lock, in place (it must run before the envelope check)."""
    hooks = app.server.before_request_funcs[None]
    assert hooks[0].__name__ == "setup_once"
    assert app.app._setup_server not in hooks


@pytest.mark.parametrize("change", [
    [f"drop table {table}" for table in SERVING_TABLES],
    ["drop table s_churn_days"],
    ["drop table s_layer"],
    # the layer of a release whose s_contract_paid had no ends_on: /receivables failed (500)
    ["alter table s_contract_paid drop column ends_on", "update s_layer set stamp = 'a7e1c0de5eed0001'"],
], ids=["no-serving-layer", "one-table-short", "before-the-stamp", "another-release"])
def test_a_warehouse_from_before_the_serving_layer_asks_to_be_rebuilt(fixture_warehouse, app_client, tmp_path,
                                                                      monkeypatch, change):
    """A file built by a previous release lacks s_* tables, or has those of its own release:
    every callback (or those reading a changed table) failed (500). It gets the friendly page
    with what to do, 503 for callbacks, and a rebuilt file is served."""
    import duckdb

    old = tmp_path / "warehouse.duckdb"
    shutil.copy(fixture_warehouse, old)
    with duckdb.connect(str(old)) as con:
        for statement in change:
            con.execute(statement)
    monkeypatch.setenv("CRM_WAREHOUSE", str(old))
    body = _receivables_body(app_client)
    page = json.dumps(app_client.get("/_dash-layout").get_json(), ensure_ascii=False)
    assert "由旧版本生成" in page and "make demo" in page and "f-preset" not in page
    answer = app_client.post("/_dash-update-component", json=body)
    assert answer.status_code == 503 and "由旧版本生成" in answer.get_json()["message"]
    os.replace(shutil.copy(fixture_warehouse, tmp_path / "fresh.duckdb"), old)
    assert app_client.post("/_dash-update-component", json=body).status_code == 200
