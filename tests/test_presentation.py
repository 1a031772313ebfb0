"""Presentation: grids (headers, pinned first column, money like the cards), the shared
grid functions of assets/ run in node, and the self-hosted locale files."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import plotly.graph_objects as go
import pytest
from flask_login import login_user

import app
from components import format as fmt
from components.grid import grid_payload, money_format
from crm import users
from tests.conftest import plain
from tests.test_pages_robust import DETAIL_IDS, PAGES, _dicts, _module

ROOT = Path(__file__).parents[1]
RAW_ID = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$")  # customer_id, slice_name, ...
needs_node = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")


def _column_defs(value):
    """Every grid's columnDefs among a callback's outputs."""
    if isinstance(value, list | tuple):
        if value and all(isinstance(v, dict) and "field" in v and "headerName" in v for v in value):
            yield list(value)
        else:
            for item in value:
                yield from _column_defs(item)


def _page_grids(slug):
    page = _module(slug)
    detail = DETAIL_IDS.get(slug, (None,))[0]
    return list(_column_defs(list(plain(page.update({}, detail)) if detail else plain(page.update({})))))


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
@pytest.mark.parametrize("slug", PAGES)
def test_every_grid_has_translated_headers_and_a_pinned_first_column(warehouse, slug, lang):
    with app.app.server.test_request_context(headers={"Cookie": f"lang={lang}"}):
        for columns in _page_grids(slug):
            if not columns:
                continue
            assert columns[0].get("pinned") == "left", (slug, columns[0])
            raw = [c["headerName"] for c in columns if RAW_ID.match(c["headerName"])]
            assert not raw, f"{slug}: untranslated headers {raw}"
            money = [c for c in columns if "gridMoney" in c.get("valueFormatter", {}).get("function", "")]
            assert all(json.dumps(lang) in c["valueFormatter"]["function"] for c in money)


IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")  # month, customer_id: a column's name, not a header
# views whose cards carry other columns than the default view's
OTHER_VIEWS = {"products": {"compare": "moving_average"}, "revenue": {"by": "rep", "measure": "payments"},
               "acquisition": {"split": "source"}}


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
@pytest.mark.parametrize("slug", PAGES)
def test_every_card_exports_under_translated_headers(warehouse, app_db, slug, lang):
    import csv
    import io

    from components.cards import export_bytes, frame_from_store, inputs

    page = _module(slug)
    detail = DETAIL_IDS.get(slug, (None,))[0]
    boss = users.add("boss", "pw", role="admin", scope_kind="all")
    with app.app.server.test_request_context(headers={"Cookie": f"lang={lang}"}):
        login_user(boss)  # cards with rows, as an administrator sees them
        stores = [store for query in ({}, OTHER_VIEWS.get(slug))
                  if query is not None
                  for store in _dicts(list(plain(page.update(query, detail)) if detail else plain(page.update(query))),
                                       ("columns", "data"))]
    for store in stores:
        data = inputs.table(store)  # as the export callback receives it
        text = export_bytes(frame_from_store(data), "csv", data.get("headers")).decode("utf-8-sig")
        header = next(csv.reader(io.StringIO(text)))
        raw = [h for h in header if IDENTIFIER.match(h)]
        assert not raw, f"{slug}: raw column names in an export: {raw} (of {header})"


def test_money_columns_of_each_grid(warehouse):
    from pages import revenue, team

    with app.app.server.test_request_context(headers={"Cookie": "lang=zh-CN"}):
        *_rest, slice_columns, _store = plain(revenue.update({"measure": "payments", "by": "rep"}))
        counted = plain(revenue.update({"measure": "contracts", "by": "rep"}))[-2]
        boards = plain(team.update({}))
    money = {c["field"] for c in slice_columns if "gridMoney" in str(c.get("valueFormatter"))}
    assert money == {"value", "yoy_base", "yoy_change"}
    # the revenue breakdown leads with the slice's name, not its key
    assert [c["field"] for c in slice_columns[:2]] == ["slice_name", "slice_id"]
    assert not any("gridMoney" in str(c.get("valueFormatter")) for c in counted)  # a count is no money
    rep_columns = boards[3]
    assert {c["field"] for c in rep_columns if "gridMoney" in str(c.get("valueFormatter"))} == {
        "contract_amount", "payments"}


def test_grid_payload_keeps_plain_values_and_names_headers():
    import pandas as pd

    frame = pd.DataFrame({"name": ["甲", "乙"], "amount": [1145426.5, 1863200.57], "n": [1, 2]})
    rows, columns, store = grid_payload(frame, {"name": "客户", "amount": "金额", "n": "数"},
                                        money=("amount",), lang="en")
    assert rows[0] == {"name": "甲", "amount": 1145426.5, "n": 1}
    assert [c["pinned"] for c in columns if "pinned" in c] == ["left"]
    _rows, keyed, _store = grid_payload(frame.rename(columns={"name": "member_id", "n": "member_name"}))
    assert [c["field"] for c in keyed if "pinned" in c] == ["member_id"]  # the name must follow the key
    _rows, keyed, _store = grid_payload(frame[["name", "n"]].set_axis(["member_id", "member_name"], axis=1))
    assert [c["field"] for c in keyed if "pinned" in c] == ["member_id", "member_name"]
    assert columns[1]["valueFormatter"]["function"] == money_format("en") == 'gridMoney(params.value, "en", "¥")'
    assert columns[1]["minWidth"] > columns[2]["minWidth"]
    assert store["headers"] == ["客户", "金额", "数"]


def _node(script: str) -> str:
    return subprocess.run(["node", "-e", script], cwd=ROOT, check=True, capture_output=True,
                          text=True, timeout=30).stdout


@needs_node
def test_grid_money_formatter_writes_money_like_the_cards():
    values = [None, 0, 5000, 12000, 1145426.5, 1863200.57, -35000, 123456789, 15000000]
    out = json.loads(_node(
        "global.window = global; const f = require('./assets/dashAgGridFunctions.js');"
        f"const v = {json.dumps(values)};"
        "console.log(JSON.stringify(['zh-CN', 'en'].map(l => v.map(x => f.gridMoney(x, l, '¥')))));"))
    zh, en = out
    assert zh == ["—", "¥0.00", "¥5,000.00", "¥1.20万", "¥114.54万", "¥186.32万", "-¥3.50万", "¥1.23亿",
                  "¥1,500.00万"]
    # from 1万 up, the same text as the cards' money (components/format.py)
    assert zh[3:] == [fmt.money(v, "zh-CN") for v in values[3:]]
    assert en == ["—", "¥0.00", "¥5,000.00", "¥12,000.00", "¥1,145,426.50", "¥1,863,200.57", "-¥35,000.00",
                  "¥123,456,789.00", "¥15,000,000.00"]


@needs_node
def test_grid_locale_texts_follow_the_language():
    out = json.loads(_node(
        "global.window = global; require('./assets/ag-grid-locale-zh-cn.js');"
        "const f = require('./assets/dashAgGridFunctions.js');"
        "const ask = (key, lang, vars) => f.gridLocaleText({key, defaultValue: 'EN:' + key, variableValues: vars},"
        " lang, '没有数据');"
        "console.log(JSON.stringify([ask('page', 'zh-CN'), ask('page', 'en'), ask('noRowsToShow', 'zh-CN'),"
        " ask('filterSummaryInRangeValues', 'zh-CN', ['1', '9']), ask('noSuchKey', 'zh-CN')]));"))
    assert out == ["页", "EN:page", "没有数据", "(1, 9)", "EN:noSuchKey"]


@pytest.mark.skipif(not (ROOT / "node_modules" / "plotly.js-locales").exists() or shutil.which("node") is None,
                    reason="npm packages not installed (make test installs them)")
def test_self_hosted_locales_are_the_pinned_packages(tmp_path):
    """assets/ holds exactly what tools/vendor_locales.js writes from the pinned npm packages."""
    before = {name: (ROOT / "assets" / name).read_text() for name in
              ("plotly-locale-zh-cn.js", "ag-grid-locale-zh-cn.js")}
    subprocess.run(["node", "tools/vendor_locales.js"], cwd=ROOT, check=True, timeout=30)
    for name, text in before.items():
        assert (ROOT / "assets" / name).read_text() == text, name


def test_money_ticks_are_round_and_in_wan_and_yi():
    from components.figures import money_ticks

    # 0..23,000,000 in five steps: a step of 5,000,000 (1, 2, 2.5, 5 x 10^k), up to 25,000,000
    assert money_ticks([0, 5e6, 2.3e7], "zh-CN") == (
        [0, 5e6, 1e7, 1.5e7, 2e7, 2.5e7], ["¥0", "¥500万", "¥1000万", "¥1500万", "¥2000万", "¥2500万"])
    assert money_ticks([0, 5e6, 2.3e7], "en")[1] == ["¥0", "¥5M", "¥10M", "¥15M", "¥20M", "¥25M"]
    assert money_ticks([1.2e8, 3.3e8], "zh-CN")[1] == ["¥0", "¥1亿", "¥2亿", "¥3亿", "¥4亿"]
    # a negative value (a return) keeps its sign before the currency, like the cards
    assert money_ticks([-3000, 1500], "zh-CN") == (
        [-3000, -2000, -1000, 0, 1000, 2000], ["-¥3000", "-¥2000", "-¥1000", "¥0", "¥1000", "¥2000"])


def test_money_axis_ticks_stacks_and_hovers():
    from components.figures import figure, money_axis

    fig = go.Figure(money_axis(figure([
        {"type": "bar", "x": ["2024-01", "2024-02"], "y": [3e7, 1e7], "name": "张伟"},
        {"type": "bar", "x": ["2024-01", "2024-02"], "y": [2e7, 1e7], "name": "李娜",
         "text": ["¥2000.00万", "¥1000.00万"]},
    ], barmode="stack"), "zh-CN"))
    # stacks of 5,000万 and 2,000万: a step of 1,000万 up to 5,000万
    assert list(fig.layout.yaxis.ticktext) == ["¥0", "¥1000万", "¥2000万", "¥3000万", "¥4000万", "¥5000万"]
    assert fig.data[0].hovertemplate == "张伟 · %{x}: %{hovertext}<extra></extra>"
    assert list(fig.data[0].hovertext) == ["¥3,000.00万", "¥1,000.00万"]
    assert fig.data[1].hovertemplate == "李娜 · %{x}: %{text}<extra></extra>"  # its own money text
    rate = figure([{"type": "bar", "y": ["R1"], "x": [1500], "orientation": "h", "text": ["50.0%"]}])
    rate = go.Figure(money_axis(rate, "en", axis="x", text_is_amount=False))
    assert rate.data[0].hovertemplate == "%{y}: %{hovertext} (%{text})<extra></extra>"
    assert list(rate.data[0].hovertext) == ["¥1,500"]
    assert list(rate.layout.xaxis.ticktext) == ["¥0", "¥500", "¥1K", "¥1.5K"]  # a step of 500


def test_percent_axis_rounds_ticks_and_clips_an_outlier_with_a_note():
    from components.figures import figure, percent_axis

    swings = [12.0, -8.0, 25.0, -30.0, 5.0, 18.0, -12.0, 9.0, 20.0, 36328.0]
    fig = go.Figure(percent_axis(figure(), swings, "en"))
    # sizes sorted: 5 8 9 12 12 18 20 25 30 36328; the 90th percentile is 30 (9th of 10): cut at 45;
    # -30..45 in four steps of 20 (18.75 up to a round step): -40..60, a quarter step of margin
    axis = fig.layout.yaxis2
    assert (axis.dtick, list(axis.range), axis.ticksuffix) == (20, [-45, 65], "%")
    assert fig.layout.annotations[0].text == (
        "Axis cut at ±60%: 1 outlier(s) not drawn to scale (largest +36,328.0%)")
    calm = go.Figure(percent_axis(figure(), [24.0, 28.0, -3.0], "zh-CN"))
    assert not calm.layout.annotations and calm.layout.yaxis2.dtick == 10  # -3..28: steps of 10


def test_a_narrow_rate_axis_starts_at_zero():
    from components.figures import figure, percent_axis

    # 24%..28%: drawn from 0%, so a 4-point swing is not stretched over the whole height
    narrow = go.Figure(percent_axis(figure(), [24.0, 25.5, 28.0], "en", axis="y")).layout.yaxis
    assert narrow.range[0] <= 0 < narrow.range[1] and narrow.tick0 == 0 and narrow.ticksuffix == "%"
    assert (narrow.dtick, list(narrow.range)) == (10, [-2.5, 32.5])
    falling = go.Figure(percent_axis(figure(), [-12.0, -9.0], "en")).layout.yaxis2
    assert falling.range[0] < -12 and falling.range[1] >= 0  # all below zero: up to 0


def test_a_crowded_period_axis_always_labels_the_latest_period():
    from components.figures import figure, period_axis

    months = [f"{2022 + (m - 1) // 12}-{(m - 1) % 12 + 1:02d}" for m in range(6, 28)]  # 2022-06 .. 2024-03
    axis = go.Figure(period_axis(figure(), months)).layout.xaxis
    # 22 months, at most 12 labels: every second one, counted back from the latest
    assert list(axis.tickvals) == months[1::2] and axis.tickvals[-1] == "2024-03"
    assert list(axis.categoryarray) == months and axis.type == "category"
    assert list(go.Figure(period_axis(figure(), months[:5])).layout.xaxis.tickvals) == months[:5]


def _product_frames():
    """Monthly rows and a product mix of one product page and /products, in millions."""
    import pandas as pd

    monthly = pd.DataFrame({"month": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01"]),
                            "method": "fifo", "quantity": [10.0, 12.0, 11.0],
                            "revenue": [3.0e6, 3.2e6, 3.1e6], "costed_revenue": [3.0e6, 3.2e6, 3.1e6],
                            "cogs": [2.22e6, 2.4e6, 2.26e6], "margin": [0.78e6, 0.8e6, 0.84e6],
                            "margin_pct": [0.26, 0.25, 0.271], "uncosted_revenue": [0.0, 0.0, 0.0]})
    mix = pd.DataFrame({"product_id": ["P1", "P2"], "product_name": ["甲", "乙"], "category": ["硬件", "软件"],
                        "quantity": [30.0, 8.0], "quantity_rank": [1, 2], "revenue": [9.3e6, 2.5e6],
                        "revenue_rank": [1, 2], "margin": [2.42e6, 1.1e6], "margin_rank": [1, 2],
                        "margin_pct": [0.26, 0.44], "abc_revenue": ["A", "B"], "abc_margin": ["A", "B"],
                        "cum_share_revenue": [0.79, 1.0], "cum_share_margin": [0.69, 1.0]})
    return monthly, mix


def test_product_charts_have_money_axes_in_wan_and_hovers_with_the_period():
    from pages import product, products

    monthly, mix = _product_frames()
    # /product/<id>: revenue and margin by month on a money axis, margin % on a rate axis from 0
    fig = go.Figure(product.monthly_figure(monthly, "zh-CN", "light"))
    assert list(fig.layout.yaxis.ticktext) == ["¥0", "¥100万", "¥200万", "¥300万", "¥400万"]
    revenue, margin, rate = fig.data
    assert revenue.hovertemplate == "销售额 · %{x|%Y-%m}: %{hovertext} (%{text})<extra></extra>"
    assert (revenue.hovertext[0], revenue.text[0]) == ("¥300.00万", "销量 10")
    assert margin.hovertemplate == "毛利 · %{x|%Y-%m}: %{hovertext}<extra></extra>"
    assert rate.hovertemplate == "毛利率 · %{x|%Y-%m}: %{y:.1f}%<extra></extra>"
    assert fig.layout.yaxis2.range[0] <= 0 and fig.layout.yaxis2.ticksuffix == "%"
    # /products: the ranking's revenue and margin panels in 万, each hover naming the period
    period = "2024-01-01 至 2024-03-31"
    ranking = go.Figure(products.mix_figure(mix, "zh-CN", "light", period))
    assert list(ranking.layout.xaxis2.ticktext)[-1] == "¥1000万"
    assert list(ranking.layout.xaxis3.ticktext)[-1] == "¥250万"
    assert [tr.hovertemplate for tr in ranking.data] == [
        f"%{{y}} · {name} · {period}: %{{text}}<extra></extra>" for name in ("销量", "销售额", "毛利")]
    assert list(ranking.data[1].text) == ["¥250.00万", "¥930.00万"]
    # the Pareto bars on money axes, hovers with ¥ and the ABC class
    pareto = go.Figure(products.pareto_figure(mix, "en", "light"))
    assert list(pareto.layout.yaxis.ticktext)[-1] == "¥10M" and list(pareto.layout.yaxis3.ticktext)[-1] == "¥2.5M"
    assert pareto.data[0].hovertemplate == "Revenue · %{x}: %{hovertext} (%{text})<extra></extra>"
    assert list(pareto.data[0].hovertext) == ["¥9,300,000", "¥2,500,000"]
    # the margin % by month of /products: a rate axis from 0
    by_month = go.Figure(products.monthly_figure(monthly, "fifo", None, "en", "light"))
    assert by_month.layout.yaxis.range[0] <= 0 and by_month.layout.yaxis.ticksuffix == "%"
    assert list(by_month.data[0].y) == pytest.approx([26.0, 25.0, 27.1])


def test_other_slices_never_share_a_named_colour():
    import pandas as pd

    from components.figures import PALETTE, REST_COLOURS
    from pages import revenue

    kinds = ["slice"] * 8 + ["other", "none"]
    rows = []
    for position, kind in enumerate(kinds):
        common = {"position": position, "slice_kind": kind, "slice_id": f"R{position}" if kind == "slice" else None,
                  "slice_name": f"n{position}", "share": 0.1, "yoy_pct": None}
        rows += [{**common, "bucket": None, "value": 10.0}, {**common, "bucket": "2024-01", "value": 10.0}]
    series = pd.DataFrame({"bucket": ["2024-01"], "label": ["2024-01"]})
    fig = go.Figure(revenue.breakdown_figure(pd.DataFrame(rows), series, "contract_amount", "zh-CN", "light"))
    colours = [tr.marker.color for tr in fig.data]
    assert colours == [*PALETTE, REST_COLOURS["other"], REST_COLOURS["none"]]
    assert len(set(colours)) == 10


def test_pareto_line_past_100_percent_is_drawn_whole_and_explained():
    import pandas as pd

    from pages import products

    # margins 300, 100, -200: running shares of the 200 total 150%, 200%, 100%
    mix = pd.DataFrame({"product_id": ["P1", "P2", "P3"], "product_name": ["甲", "乙", "丙"],
                        "revenue": [500.0, 300.0, 200.0], "margin": [300.0, 100.0, -200.0],
                        "abc_revenue": ["A", "B", "C"], "abc_margin": ["A", "A", "C"],
                        "cum_share_revenue": [0.5, 0.8, 1.0], "cum_share_margin": [1.5, 2.0, 1.0]})
    fig = go.Figure(products.pareto_figure(mix, "en", "light"))
    assert list(fig.layout.yaxis2.range) == [0, 1.05]  # revenue: never past 100%
    assert list(fig.layout.yaxis4.range) == [0, pytest.approx(2.1)]
    notes = [a.text for a in fig.layout.annotations if "Running share" in a.text]
    assert notes == ["Running share peaks at 200.0%: products with a negative margin bring it back to 100%"]


def test_keyboard_drills_choose_what_a_click_chooses(warehouse, app_db):
    from urllib.parse import quote

    from dash import no_update

    from pages import customers, funnel, products

    # funnel: the open stages of the fixture, the listed one chosen; choosing lists, clearing clears
    assert funnel.stage_options({}) == ["初步接洽", "需求确认", "方案报价"]
    assert funnel.pick_stage("方案报价", "?preset=last_month") == "?preset=last_month&stage=" + quote("方案报价")
    assert funnel.pick_stage("方案报价", "?stage=" + quote("方案报价")) == ""  # chosen again: cleared
    assert funnel.pick_stage(None, "?stage=x") is no_update
    # RFM: a cell as the heatmap click sets it (y-x: R-F), the tier and segment cleared
    assert customers.pick_cell("5-3", "?tier=vip&preset=last_year") == "?preset=last_year&cell=5-3"
    assert customers.pick_cell(None, "?tier=vip") is no_update  # an emptied dropdown keeps the selection
    # treemap: a category narrows the global category filter, as a category tile does
    assert "硬件" in products.category_options({})
    assert products.pick_category("硬件", "?preset=last_month") == "?preset=last_month&category=" + quote("硬件")
    # ... and a product opens its page, as a product tile does; the choices are the tiles' products
    with app.app.server.test_request_context(headers={"Cookie": "lang=zh-CN"}):
        login_user(users.add("boss", "pw", role="admin", scope_kind="all"))
        store = plain(products.update({}))[3]  # the mix card's data, which the browser copies to the treemap's
    options = products.product_options(store)
    assert [o["value"] for o in options] == ["P3", "P1", "P2"]  # by category, as the tiles: 服务, 硬件, 软件
    assert options[1]["label"] == "硬件 · 工业网关 (P1)"
    assert products.product_options({"junk": 1}) == []
    assert products.pick_product("P2", "?preset=last_month&compare=fifo") == "/product/P2?preset=last_month"
    assert products.pick_product(None, "?x=1") is no_update


def test_xlsx_export_has_a_heading_visible_headers_money_and_dates(warehouse):
    import io

    import openpyxl
    import pandas as pd

    from components.cards import export_bytes, export_heading, frame_from_store

    frame = pd.DataFrame({"due_on": pd.to_datetime(["2024-02-01", "2024-03-15"]), "amount": [1145426.5, 700.0],
                          "customer_name": ["=甲", "乙"]})
    _rows, _columns, store = grid_payload(frame, {"due_on": "到期日", "amount": "金额", "customer_name": "客户"},
                                          money=("amount",), lang="zh-CN")
    heading = export_heading("receivables", "逾期回款计划", {"preset": "last_month", "team": "T2"}, "zh-CN")
    assert heading == ("页面: 回款管理", "卡片: 逾期回款计划", "筛选: team=T2",
                       "2024-02-01 至 2024-02-29 · 数据截至 2024-03-15")
    data = export_bytes(frame_from_store(store), "xlsx", store["headers"], tuple(store["money"]), heading)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert [sheet.cell(row=r, column=1).value for r in range(1, 5)] == list(heading)
    assert [c.value for c in sheet[6]] == ["到期日", "金额", "客户"]  # a blank row, then the table
    due, amount, name = sheet[7]
    assert due.is_date and due.value.date().isoformat() == "2024-02-01" and due.number_format == "yyyy-mm-dd"
    assert amount.value == 1145426.5 and amount.number_format == "#,##0.00"
    assert name.value == "'=甲"  # still neutralised
    csv = export_bytes(frame_from_store(store), "csv", store["headers"]).decode("utf-8-sig").splitlines()
    assert csv[:2] == ["到期日,金额,客户", "2024-02-01,1145426.5,'=甲"]
