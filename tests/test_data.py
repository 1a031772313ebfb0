"""/data on the fixture: the build, costing coverage and the contract, worked out by hand;
the page callbacks called directly; loading a folder into the warehouse a running app
reads (no restart, no error mid-session); and a dashboard-level round trip."""

from __future__ import annotations

import base64
import csv
import io
import shutil
import subprocess
import sys
import threading
import time
import zipfile
from datetime import date
from pathlib import Path

import dash_bootstrap_components as dbc
import duckdb
import pandas as pd
import pytest

import queries
from components.i18n import LANGS, MESSAGES
from data import contract, rules
from data.build import build
from data.generate import fill_demo
from data.load import export_warehouse, load
from queries import run
from queries.filters import Filters
from tests.conftest import FIXTURE_SQL, build_fixture, plain

EXTRA_SQL = Path(__file__).with_name("fixtures") / "data.sql"
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def shortfall_warehouse(tmp_path_factory) -> Path:
    return build_fixture(tmp_path_factory.mktemp("data") / "shortfall.duckdb",
                         FIXTURE_SQL.read_text() + EXTRA_SQL.read_text())


# --- queries ---------------------------------------------------------------------------------


def test_build_info_rows_per_table(warehouse):
    info = queries.build_info()
    assert info["source"] == "fixture" and info["as_of"] == pd.Timestamp("2024-03-15")
    counts = info["row_counts"]
    assert counts["contracts"] == 10 and counts["contract_items"] == 15 and counts["teams"] == 4
    # one costing row per counted line (15 lines less K09's void line) and method
    assert counts["cost_of_sales"] == 14 * 3
    assert set(counts) == {*rules.TABLES, "cost_of_sales"}


def test_costing_coverage_on_the_fixture(warehouse):
    row = run("data_costing", Filters()).iloc[0]
    # counted lines: 15 less K09 (void) = 14; revenue = the active contracts
    # 1000 + 500 + 2000 + 300 + 800 + 1500 + 700 + 400 + 600 = 7800
    assert row["counted_lines"] == 14 and row["counted_revenue"] == 7800
    # P3 has no purchases: K03/2 1000 + K05/2 400 + K07/2 200 + K10/1 600 = 2200, uncosted
    assert row["uncosted_lines"] == 4 and row["uncosted_revenue"] == 2200 and row["uncosted_products"] == 1
    assert row["uncosted_share"] == pytest.approx(2200 / 7800)
    # with no stock at all, each P3 line is short by its whole quantity: 5 + 2 + 1 + 3
    assert row["shortfall_lines"] == 4 and row["shortfall_quantity"] == 11


def test_costing_coverage_with_a_shortfall_on_a_costed_product(shortfall_warehouse, monkeypatch):
    monkeypatch.setenv("CRM_WAREHOUSE", str(shortfall_warehouse))
    row = run("data_costing", Filters()).iloc[0]
    # K11 (2000) is counted, K12 (void, P3) is not: the uncosted revenue stays 2200
    assert row["counted_lines"] == 15 and row["counted_revenue"] == 9800
    assert row["uncosted_lines"] == 4 and row["uncosted_revenue"] == 2200
    assert row["uncosted_share"] == pytest.approx(2200 / 9800)
    # P1: K11 short by 7 (13 on hand), K08 line 1 short by 5 (-7 on hand); P3: 11 as before
    assert row["shortfall_lines"] == 6 and row["shortfall_quantity"] == 23
    products = run("data_costing_products", Filters())
    assert products[["product_id", "receipts", "lines", "revenue", "uncosted_revenue", "shortfall_lines",
                     "shortfall_quantity"]].values.tolist() == [
        ["P3", 0, 4, 2200, 2200, 4, 11],
        # P1 lines K01 1000, K04 300, K05 400, K06 1000, K08 450 and -50, K11 2000
        ["P1", 2, 7, 5100, 0, 2, 12],
    ]
    assert products["product_name"].tolist() == ["实施服务", "工业网关"]


def test_costing_coverage_of_a_fully_costed_warehouse(tmp_path, monkeypatch):
    # without P3's lines (K03/2, K05/2, K07/2, K10) every line is costed and in stock
    sql = FIXTURE_SQL.read_text()
    for line in ("    ('K03', 2, 'P3', 5, 200, 1000),\n", "    ('K05', 2, 'P3', 2, 200, 400),\n",
                 "    ('K07', 2, 'P3', 1, 200, 200),\n"):
        sql = sql.replace(line, "")
    sql = sql.replace("('K03', 'C1', 'R1', '2023-03-10', 2000,", "('K03', 'C1', 'R1', '2023-03-10', 1000,")
    sql = sql.replace("('K05', 'C2', 'R2', '2023-11-05', 800,", "('K05', 'C2', 'R2', '2023-11-05', 400,")
    sql = sql.replace("('K07', 'C1', 'R2', '2024-03-01', 700,", "('K07', 'C1', 'R2', '2024-03-01', 500,")
    sql = sql.replace("    ('K10', 1, 'P3', 3, 200, 600);", "    ('K10', 1, 'P1', 3, 200, 600);")
    monkeypatch.setenv("CRM_WAREHOUSE", str(build_fixture(tmp_path / "costed.duckdb", sql)))
    row = run("data_costing", Filters()).iloc[0]
    assert row[["uncosted_lines", "uncosted_revenue", "shortfall_lines", "shortfall_quantity"]].tolist() == [0, 0, 0, 0]
    assert run("data_costing_products", Filters()).empty
    from pages import data

    text = str(plain(data.update({}))[1])
    assert "¥0" in text and ("所有有效明细都已核算销售成本" in text or "Every counted line" in text)


# --- the contract ----------------------------------------------------------------------------


def test_rule_list_covers_every_rule_the_build_checks():
    found = contract.rule_list()
    by_kind = pd.Series([r.kind if r.kind in ("required", "allowed", "key", "reference") else "cross_row"
                         for r in found]).value_counts().to_dict()
    # one required-values rule per table; the 12 CHECK constraints of the contract tables
    # (cost_of_sales' is derived); rules.py: 15 keys, 24 references, 5 rules across rows
    assert by_kind == {"required": 16, "allowed": 12, "key": 15, "reference": 24, "cross_row": 5}
    assert contract.Rule("required", "contracts", "contract_id, customer_id, rep_id, signed_on, amount, status") \
        in found
    assert contract.Rule("allowed", "targets", "month", "day(month) = 1") in found
    assert contract.Rule("reference", "payments", "plan_id", "payment_plans.plan_id") in found
    # every rule across rows reads as a rule on the page, in both languages
    for kind, *_ in rules.CROSS_ROW_RULES:
        assert set(MESSAGES[f"data.{kind}"]) == set(LANGS)


def test_format_rows_describe_the_contract():
    rows = {(r["table"], r["column"]): r for r in contract.format_rows()}
    # schema.sql: teams 3, reps 7, customers 10, products 5, stages 4, opportunities 11, stint 4,
    # contracts 8, lines 6, plans 4, payments 6, purchases 5, expenses 5, activities 5, pool 4, targets 4
    assert len(rows) == sum(len(c) for c in contract.columns().values()) == 91
    assert rows[("contracts", "status")] == {
        "table": "contracts", "table_required": True, "column": "status", "data_type": "VARCHAR",
        "column_required": True, "value_required": True, "allowed": "status IN ('active', 'void')",
        "key": False, "refers_to": ""}
    owner = rows[("customers", "owner_rep_id")]
    assert (owner["column_required"], owner["value_required"], owner["refers_to"]) == (False, False, "reps.rep_id")
    # pool_events.rep_id: the file must have the column, a cell may be empty
    assert (rows[("pool_events", "rep_id")]["column_required"], rows[("pool_events", "rep_id")]["value_required"]) \
        == (True, False)
    assert rows[("targets", "measure")]["key"] and not rows[("targets", "amount")]["key"]
    assert rows[("purchases", "unit_cost")]["data_type"] == "DECIMAL(18,4)"
    assert not rows[("payments", "amount")]["table_required"]


# --- the page --------------------------------------------------------------------------------


def _find(component, kind) -> list:
    """Every component of type ``kind`` in a Dash component tree (children and titles)."""
    found = [component] if isinstance(component, kind) else []
    for attr in ("children", "title"):
        value = getattr(component, attr, None)
        for child in value if isinstance(value, list | tuple) else [value]:
            if child is not None and not isinstance(child, str | int | float):
                found += _find(child, kind)
    return found



def test_page_callback_fills_every_card(warehouse):
    from pages import data

    (build, costing, products_rows, _products_cols, _products_store, rows, row_cols, _rows_store, rules_panel,
     format_rows, format_cols, format_store) = data.update.__wrapped__({"preset": "last_month"})
    build_text = str(build)
    assert "fixture" in build_text and "2024-03-15" in build_text and "'10'" in build_text and "'15'" in build_text
    costing_text = str(costing)
    # 2200 of 7800 = 28.2%; 4 of 14 lines; 4 shortfall lines, 11 units
    assert "¥2,200" in costing_text and "28.2%" in costing_text and "¥7,800" in costing_text
    assert "14" in costing_text and "11" in costing_text
    assert [r["product_id"] for r in products_rows] == ["P3"]
    by_table = {r["table"]: r["rows"] for r in rows}
    assert by_table["contracts"] == 10 and by_table["contract_items"] == 15 and by_table["cost_of_sales"] == 42
    assert list(by_table)[-1] == "cost_of_sales" and len(rows) == 17
    assert [c["field"] for c in row_cols] == ["table", "kind", "rows"]
    badges = _find(rules_panel, dbc.Badge)
    assert len(badges) == 72 + 5 and {b.color for b in badges} == {"success"}  # each rule and each group
    assert "72" in str(rules_panel) and len(_find(rules_panel, dbc.AccordionItem)) == 5
    assert len(format_rows) == 91 and format_store["columns"] == list(data.FORMAT_HEADERS)
    assert {c["field"] for c in format_cols} == set(data.FORMAT_HEADERS)


def test_page_in_english(warehouse, monkeypatch):
    from pages import data

    frame = data.format_frame("en").set_index(["table", "column"])
    assert frame.loc[("contracts", "signed_on")].tolist() == [
        "required", "date", "required", "required", "", "", ""]
    assert frame.loc[("customers", "created_at"), "type"] == "date and time"
    assert frame.loc[("contract_items", "amount"), "type"] == "number, 2 decimals"
    assert frame.loc[("reps", "active"), "type"] == "yes/no"
    assert frame.loc[("teams", "parent_team_id")].tolist()[2:] == [
        "may be left out", "may be empty", "", "", "teams.team_id"]
    assert data.source_label("demo:large:42", "en") == "Demo company (scale large, seed 42)"
    assert data.source_label("crm_export", "en") == "Imported from the folder “crm_export”"


def test_template_download_is_a_zip_of_the_template_folder(warehouse, tmp_path):
    from pages import data

    sent = data.download_template(1)
    assert sent["filename"] == "crm_import_template.zip" and sent["base64"]
    archive = zipfile.ZipFile(io.BytesIO(base64.b64decode(sent["content"])))
    assert sorted(archive.namelist()) == sorted(
        [f"crm_import_template/{table}.csv" for table in rules.TABLES] + ["crm_import_template/mapping.toml"])
    header = archive.read("crm_import_template/contracts.csv").decode("utf-8").strip()
    assert header == "contract_id,customer_id,rep_id,signed_on,amount,status,opportunity_id,ends_on"
    assert "签约日期" in archive.read("crm_import_template/mapping.toml").decode("utf-8")
    # the unzipped folder loads as it is (an empty company)
    archive.extractall(tmp_path)
    info = load(tmp_path / "crm_import_template", tmp_path / "empty.duckdb", progress=False)
    assert set(info["rows"].values()) == {0}
    assert data.download_template(0) is data.dash.no_update


def test_the_command_lines_on_the_page_load_a_folder(fixture_warehouse, tmp_path):
    """The page's two command lines, run as a user would (make without rebuilding the venv)."""
    from pages import data

    folder = tmp_path / "crm export"
    export_warehouse(fixture_warehouse, folder)
    for i in range(2):
        line = data.load_commands("en", tmp_path / f"w{i}.duckdb")[i].replace("FOLDER", f"'{folder}'")
        if line.startswith("make"):
            if not shutil.which("make"):
                pytest.skip("make is not installed")
            line = line.replace("make load", f"make -s -o .venv/.runtime PY={sys.executable} load")
        else:
            line = line.replace("python", sys.executable, 1)
        done = subprocess.run(line + " --quiet --lang en" if line.startswith(sys.executable) else line,
                              shell=True, cwd=REPO, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert "contracts (contracts.csv): 10 rows" in done.stdout or "contracts（contracts.csv）：10 行" in done.stdout
        assert (tmp_path / f"w{i}.duckdb").exists()


# --- a new warehouse under a running app -----------------------------------------------------


def _edit_csv(path: Path, key: dict, **changes) -> None:
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    hits = [r for r in rows if all(r[k] == v for k, v in key.items())]
    assert len(hits) == 1
    hits[0].update(changes)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_a_load_under_a_running_app_needs_no_restart(tmp_path, monkeypatch):
    """Queries run in a loop on another thread while data.load replaces the warehouse they
    read: none fails, and the new number is served after the load, by the same process."""
    from pages import data, overview

    path = build_fixture(tmp_path / "live.duckdb")
    monkeypatch.setenv("CRM_WAREHOUSE", str(path))
    folder = tmp_path / "new_export"
    export_warehouse(path, folder)
    # K07 line 2 (P3, uncosted) 200 -> 300, the contract 700 -> 800
    _edit_csv(folder / "contract_items.csv", {"contract_id": "K07", "line_no": "2"}, unit_price="300.0000",
              amount="300.00")
    _edit_csv(folder / "contracts.csv", {"contract_id": "K07"}, amount="800.00")

    def amount() -> float:
        return run("overview_kpis", Filters()).set_index("measure").loc["contract_amount", "current"]

    assert amount() == 3200
    before = plain(data.update({}))
    assert "¥2,200" in str(before[1]) and "fixture" in str(before[0])
    assert "¥3,200" in str(plain(overview.update({}))[0][0])

    errors: list[BaseException] = []
    seen: list[float] = []
    stop = threading.Event()

    def reader():
        n = 0
        while not stop.is_set():
            n += 1
            try:  # a fresh limit each time: a real query, not the cache
                run("overview_top_reps", Filters(), limit=n)
                run("data_costing", Filters())
                seen.append(amount())
            except BaseException as exc:
                errors.append(exc)
                return

    threads = [threading.Thread(target=reader) for _ in range(3)]
    for thread in threads:
        thread.start()
    try:
        load(folder, path, progress=False)
        for _ in range(200):  # let the readers run on the new file for a while
            if seen and seen[-1] == 3300 and len(seen) > 20:
                break
            time.sleep(0.05)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert errors == []
    assert 3200 in seen and seen[-1] == 3300
    assert amount() == 3300
    after = plain(data.update({}))
    # uncosted revenue 2200 - 200 + 300; the source is now the folder
    assert "¥2,300" in str(after[1]) and "new_export" in str(after[0])
    assert "¥3,300" in str(plain(overview.update({}))[0][0])


# --- round trip: export a warehouse, load it back, the same dashboards --------------------------

EXTRA_PARAMS = {"limit": 5}  # queries' own parameters (add sensible values for new ones here)
FILTER_SETS = (Filters(), Filters(preset="last_year"), Filters(preset="last_month"), Filters(teams=("T2",)),
               Filters(categories=("硬件",)), Filters(preset="custom", start=date(2023, 1, 1), end=date(2024, 6, 30)))


def _dashboards() -> dict:
    """Every query in queries/ under every filter set (build_info less its time and source)."""
    # the filters' and the scope's parameters, and those the gateway works out from them
    own = set(queries.params_for(Filters(), date.today())) | set(queries.EVERYONE.params()) | {
        "category_mask", "category_exact", "company_wide", "reps_narrowed"}
    out = {}
    for name in queries.names():
        needed = set(queries.PARAM.findall(queries.compose(name))) - own
        if not needed <= set(EXTRA_PARAMS):
            continue
        extra = {k: EXTRA_PARAMS[k] for k in needed}
        for i, filters in enumerate(FILTER_SETS):
            frame = run(name, filters, **extra)
            if name == "build_info":
                frame = frame.drop(columns=["built_at", "source"])
            # a page's sections one by one
            parts = queries.sections(frame) if name in queries.SECTIONED else {"": frame}
            for part, section in parts.items():
                out[name, i, part] = section
    return out


@pytest.mark.parametrize("company", ["fixture", "demo_tiny"])
def test_round_trip_gives_the_same_dashboards(company, fixture_warehouse, tmp_path, monkeypatch):
    if company == "fixture":
        original = fixture_warehouse
    else:
        original = tmp_path / "demo.duckdb"
        build(original, lambda con: fill_demo(con, "tiny", 7, date(2024, 6, 30), progress=False), "demo:tiny:7",
              progress=False)
    export_warehouse(original, tmp_path / "export")
    reloaded = tmp_path / "reloaded.duckdb"
    load(tmp_path / "export", reloaded, progress=False)
    monkeypatch.setenv("CRM_WAREHOUSE", str(original))
    expected = _dashboards()
    monkeypatch.setenv("CRM_WAREHOUSE", str(reloaded))
    got = _dashboards()
    assert {"overview_kpis", "overview_top_reps", "data_costing", "data_costing_products", "build_info"} <= \
        {name for name, *_ in expected}
    assert got.keys() == expected.keys()
    for key, frame in expected.items():
        pd.testing.assert_frame_equal(got[key], frame, obj=str(key))
    assert queries.build_info()["source"] == "export"


def test_layout_reads_no_data(tmp_path, monkeypatch):
    """The layout only builds empty cards with their titles: no warehouse needed."""
    from pages import data

    monkeypatch.setenv("CRM_WAREHOUSE", str(tmp_path / "none.duckdb"))
    page = data.layout(preset="last_month")
    text = str(page)
    assert "数据规则" in text and "导入格式：表与列" in text and "none.duckdb" in text
    assert page.children[0].data == {"preset": "last_month"}


def test_a_build_keeps_within_crm_build_memory(tmp_path, monkeypatch):
    """CRM_BUILD_MEMORY bounds the build's DuckDB (the xl scale builds on a 24 GB machine only
    so): the fill and every later step run under that limit, spilling to the temporary folder,
    and the warehouse is the one an unbounded build makes."""
    seen = {}

    def fill(con):
        seen["limit"], seen["temp"] = con.execute(
            "select current_setting('memory_limit'), current_setting('temp_directory')").fetchall()[0]
        fill_demo(con, "tiny", 7, date(2024, 6, 30), progress=False)

    build(tmp_path / "free.duckdb", fill, "demo:tiny:7", progress=False)
    assert seen["limit"] != "91.5 MiB"
    monkeypatch.setenv("CRM_BUILD_MEMORY", "96MB")
    build(tmp_path / "bounded.duckdb", fill, "demo:tiny:7", progress=False)
    assert seen["limit"] == "91.5 MiB" and seen["temp"].endswith("crm-build")
    with duckdb.connect(str(tmp_path / "free.duckdb"), read_only=True) as free, \
            duckdb.connect(str(tmp_path / "bounded.duckdb"), read_only=True) as bounded:
        for table in ("contracts", "cost_of_sales", "s_plan_states", "s_course_months"):
            query = f"select * from {table} order by all"
            pd.testing.assert_frame_equal(bounded.execute(query).df(), free.execute(query).df(), obj=table)
