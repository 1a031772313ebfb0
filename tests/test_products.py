"""/products and /product/<id> on the fixture: every number worked out by hand.

Costing of the fixture (tests/fixture.sql): purchases PU1 P1 2022-12-01 20@60, PU2 P1
2023-10-01 20@70, PU3 P2 2022-12-01 10@200; P3 has no receipts (uncosted).
P1 issues: K01 10 (2023-01-10), K04 3 (03-20), K05 4 (11-05), K06 10 (2024-02-29),
K08 line 1 5 and K08 line 2 -1 (a return of C5, 2024-03-15).
  FIFO: K01 10@60 = 600; K04 3@60 = 180; K05 4@60 = 240 (3@60 left, then 20@70);
        K06 3@60 + 7@70 = 670; K08/1 5@70 = 350; K08/2 returns at C5's latest issue
        cost (K08/1: 70) = -70. Stock after: 8@70 + the return layer 1@70 = 630.
  Moving average: 600, 180; PU2 sets the rate (7·60 + 20·70) / 27 = 1820/27 = 67.4074…;
        K05 4 × 67.4074 = 269.63; K06 674.07; K08/1 337.04; K08/2 -67.41.
  Monthly average: January and March 2023 at 60; from October 2023 the month's rate is
        (7·60 + 20·70) / 27 as well (no receipt after), so the same lines as moving average.
P2: every issue at 200 in every method (K02 1, K03 2, K06 1, K07 1; K09 is void).
This year (2024-01-01..2024-03-15):
  P1: quantity 10 + 5 - 1 = 14; revenue 1000 + 450 - 50 = 1400;
      FIFO COGS 670 + 350 - 70 = 950 -> margin 450; moving 674.07 + 337.04 - 67.41 = 943.70
      -> margin 456.30.
  P2: quantity 2; revenue 500 + 500 = 1000; COGS 400; margin 600.
  P3: quantity 1 + 3 = 4; revenue 200 + 600 = 800, all uncosted.
"""

from datetime import date

import pandas as pd
import plotly.graph_objects as go
import pytest

from queries import run
from queries.filters import Filters
from tests.conftest import FIXTURE_SQL, build_fixture, plain

EXTRA_SQL = FIXTURE_SQL.with_name("fixtures") / "products.sql"
THIS_YEAR = Filters()
ACCESSORIES = Filters(categories=("配件",))


def mix(filters=THIS_YEAR, method="fifo", compare=None):
    return run("products_mix", filters, method=method, compare=compare).set_index("product_id")


@pytest.fixture(scope="module")
def products_warehouse(tmp_path_factory):
    return build_fixture(tmp_path_factory.mktemp("products") / "products.duckdb",
                         FIXTURE_SQL.read_text() + EXTRA_SQL.read_text())


@pytest.fixture
def extra(products_warehouse, monkeypatch):
    monkeypatch.setenv("CRM_WAREHOUSE", str(products_warehouse))
    return products_warehouse


# --- mix, margin, ranks ------------------------------------------------------------------

def test_mix_by_fifo_this_year(warehouse):
    m = mix()
    assert list(m.index) == ["P1", "P2", "P3"]  # by revenue rank
    assert m.loc["P1", ["quantity", "revenue", "cogs", "margin"]].tolist() == [14, 1400, 950, 450]
    assert m.loc["P1", "margin_pct"] == pytest.approx(450 / 1400)
    assert m.loc["P2", ["quantity", "revenue", "cogs", "margin", "margin_pct"]].tolist() == [2, 1000, 400, 600, 0.6]
    # P3 has no receipts: no cost, no margin, and its revenue is counted as uncosted
    assert m.loc["P3", ["quantity", "revenue", "uncosted_revenue"]].tolist() == [4, 800, 800]
    assert m.loc["P3", ["cogs", "margin", "margin_pct"]].isna().all()
    assert m[["uncosted_revenue"]].loc[["P1", "P2"]].sum().item() == 0
    # the same products ranked three ways: volume P1 14, P3 4, P2 2; revenue P1, P2, P3;
    # margin P2 600, P1 450 (P3 uncosted: no margin rank)
    assert m["quantity_rank"].tolist() == [1, 3, 2]
    assert m["revenue_rank"].tolist() == [1, 2, 3]
    assert m.loc["P2", "margin_rank"] == 1 and m.loc["P1", "margin_rank"] == 2
    assert pd.isna(m.loc["P3", "margin_rank"])


@pytest.mark.parametrize(("method", "cogs", "margin"), [
    ("fifo", 950, 450),
    ("moving_average", 943.70, 456.30),
    ("monthly_average", 943.70, 456.30),
])
def test_p1_cogs_by_each_method(warehouse, method, cogs, margin):
    m = mix(method=method)
    assert m.loc["P1", ["cogs", "margin"]].tolist() == pytest.approx([cogs, margin])
    assert m.loc["P2", "cogs"] == 400  # one receipt: the same in every method


def test_the_return_line_reduces_quantity_revenue_and_cogs(warehouse):
    # 15 March 2024 only: K08 line 1 (5 @ 90 = 450) and line 2, the return (-1, -50)
    day = Filters(preset="custom", start=date(2024, 3, 15), end=date(2024, 3, 15))
    m = mix(day)
    # FIFO: 350 - 70 = 280; the return refunds 50 but takes back a unit that cost 70
    assert m.loc["P1", ["quantity", "revenue", "cogs", "margin"]].tolist() == [4, 400, 280, 120]
    # moving average: 337.04 - 67.41 = 269.63
    assert mix(day, "moving_average").loc["P1", ["cogs", "margin"]].tolist() == pytest.approx([269.63, 130.37])


def test_compare_mode_shows_both_margins_and_the_difference(warehouse):
    m = mix(method="fifo", compare="moving_average")
    assert m.loc["P1", ["margin", "compare_margin", "margin_difference"]].tolist() == pytest.approx([450, 456.30, 6.30])
    assert m.loc["P1", "compare_margin_pct"] == pytest.approx(456.30 / 1400)
    assert m.loc["P2", "margin_difference"] == 0
    assert pd.isna(m.loc["P3", "margin_difference"])
    # without a compare method the compare columns stay empty
    assert mix()["compare_margin"].isna().all()


def test_category_filter_narrows_the_mix(warehouse):
    m = mix(Filters(categories=("硬件",)))
    assert list(m.index) == ["P1"] and m.loc["P1", "revenue"] == 1400


# --- ABC and ties (the extra rows) ---------------------------------------------------------

def test_ranks_share_on_ties_and_list_by_id(extra):
    m = run("products_mix", ACCESSORIES, method="fifo", compare=None)
    by_volume = m.sort_values(["quantity_rank", "product_id"])
    # quantities P4 5, P7 4, P5 2, P6 2, P10 1, P8 1, P9 1: competition ranks 1, 2, 3, 3, 5, 5, 5
    assert by_volume[["product_id", "quantity_rank"]].values.tolist() == [
        ["P4", 1], ["P7", 2], ["P5", 3], ["P6", 3], ["P10", 5], ["P8", 5], ["P9", 5]]


def test_abc_by_revenue_follows_the_metrics_vector(extra):
    m = mix(ACCESSORIES)
    # revenue 500, 200, 120, 80, 50, 30, 20 (total 1000): before each 0, 50%, 70%, 82%, 90%,
    # 95% (not < 95%: C), 98%
    assert m["revenue"].tolist() == [500, 200, 120, 80, 50, 30, 20]
    assert m["abc_revenue"].tolist() == ["A", "A", "A", "B", "B", "C", "C"]
    assert m["cum_share_revenue"].tolist() == pytest.approx([0.5, 0.7, 0.82, 0.9, 0.95, 0.98, 1.0])


def test_abc_by_margin_exact_boundary_and_a_loss(extra):
    m = mix(ACCESSORIES)
    # margins P5 160, P6 100, P7 60, P4 50, P9 20, P10 10 (positive total 400), P8 -10
    # before: 0, 40%, 65%, exactly 80% (not < 80%: B), 92.5%, 97.5% (C); a loss is C
    by_margin = m.sort_values("margin_rank")
    assert by_margin.index.tolist() == ["P5", "P6", "P7", "P4", "P9", "P10", "P8"]
    assert by_margin["margin"].tolist() == [160, 100, 60, 50, 20, 10, -10]
    assert by_margin["abc_margin"].tolist() == ["A", "A", "A", "B", "B", "C", "C"]
    assert pd.isna(by_margin.loc["P8", "cum_share_margin"])


def test_a_costed_shortfall_is_listed(extra):
    short = run("products_shortfall", ACCESSORIES, method="fifo", limit=1000)
    # P10 sold 1 on 14 March, received on the 15th: costed at that next receipt, 10
    assert short[["contract_id", "line_no", "product_id", "shortfall_quantity", "cogs"]].values.tolist() == [
        ["K11", 7, "P10", 1, 10]]


# --- by month, stock, shortfalls ---------------------------------------------------------------

def test_margin_pct_by_month(warehouse):
    monthly = run("products_monthly", THIS_YEAR, method="fifo", compare="moving_average", product_id=None)
    fifo = monthly[monthly["method"] == "fifo"]
    assert fifo["month"].dt.date.tolist() == [date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1)]
    # February: K06 P1 1000 - 670, K06 P2 500 - 200; K10 P3 600 uncosted
    # March 1-15: K07 P2 500 - 200, K08 P1 450 - 350 and -50 + 70; K07 P3 200 uncosted
    assert fifo["costed_revenue"].tolist() == [0, 1500, 900]
    assert fifo["margin"].tolist() == [0, 630, 420]
    assert fifo["uncosted_revenue"].tolist() == [0, 600, 200]
    assert pd.isna(fifo["margin_pct"].iloc[0])  # January: nothing sold, no percentage
    assert fifo["margin_pct"].iloc[1:].tolist() == pytest.approx([0.42, 420 / 900])
    moving = monthly[monthly["method"] == "moving_average"]
    # February 1000 - 674.07 + 300; March 300 + 450 - 337.04 - 50 + 67.41
    assert moving["margin"].tolist() == pytest.approx([0, 625.93, 430.37])
    # one product: P1 by month
    p1 = run("products_monthly", THIS_YEAR, method="fifo", compare=None, product_id="P1")
    assert p1["quantity"].tolist() == [0, 10, 4] and p1["margin"].tolist() == [0, 330, 120]


def test_stock_at_the_period_end_per_method(warehouse):
    stock = run("products_stock", THIS_YEAR).set_index("product_id")
    # 15 March 2024. P1: received 40 (2600), issued 10+3+4+10+5-1 = 31 -> 9 on hand;
    # value 2600 - FIFO COGS 1970 = 630 (8@70 + the return layer 1@70);
    # 2600 - moving/monthly 1993.33 = 606.67 (9 × 1820/27)
    assert stock.loc["P1", ["quantity_on_hand", "value_fifo", "value_moving_average", "value_monthly_average"]] \
        .tolist() == pytest.approx([9, 630, 606.67, 606.67])
    # P2: 10 @ 200 received, 5 issued (K09 is void): 5 on hand worth 1000 in every method
    assert stock.loc["P2"].iloc[2:].tolist() == [5, 1000, 1000, 1000]
    # P3: no receipts: 11 issued, -11 on hand and no value (never zero)
    assert stock.loc["P3", "quantity_on_hand"] == -11
    assert stock.loc["P3", ["value_fifo", "value_moving_average", "value_monthly_average"]].isna().all()


def test_stock_at_the_end_of_last_month(warehouse):
    stock = run("products_stock", Filters(preset="last_month")).set_index("product_id")
    # 29 February 2024: P1 issued 27, 13 on hand; FIFO 2600 - 1690 = 910 (13@70);
    # moving 2600 - (600 + 180 + 269.63 + 674.07) = 876.30
    assert stock.loc["P1", ["quantity_on_hand", "value_fifo", "value_moving_average"]].tolist() == \
        pytest.approx([13, 910, 876.30])


def test_stock_is_shared_so_the_rep_filter_does_not_narrow_it(warehouse):
    everyone = run("products_stock", THIS_YEAR)
    assert run("products_stock", Filters(reps=("R3",))).equals(everyone)
    # the category filter does
    assert run("products_stock", Filters(categories=("软件",)))["product_id"].tolist() == ["P2"]


def test_shortfall_lines_in_the_period(warehouse):
    short = run("products_shortfall", THIS_YEAR, method="fifo", limit=1000)
    # only P3 (no receipts: every unit is short): K10 3 on 10 Feb, K07 line 2 1 on 1 March
    assert short[["contract_id", "line_no", "shortfall_quantity"]].values.tolist() == [["K10", 1, 3], ["K07", 2, 1]]
    assert short["cogs"].isna().all()
    # the grid's first line only, with the count and the units (3 + 1) of them all
    first = run("products_shortfall", THIS_YEAR, method="fifo", limit=1)
    assert first[["contract_id", "total_rows", "total_shortfall_quantity"]].values.tolist() == [["K10", 2, 4]]


# --- the product page's queries ------------------------------------------------------------

def test_fifo_layers_remaining(warehouse):
    layers = run("product_layers", THIS_YEAR, product_id="P1")
    # issued up to 15 March 2024: 10 + 3 + 4 + 10 + 5 = 32 of the stream PU1 20, PU2 20, return 1
    assert layers[["kind", "source", "quantity", "unit_cost", "remaining_quantity", "remaining_value"]] \
        .values.tolist() == [["receipt", "PU1", 20, 60, 0, 0], ["receipt", "PU2", 20, 70, 8, 560],
                             ["return", "K08 #2", 1, 70, 1, 70]]
    # at the end of February: 27 issued, 13 of PU2 left, no return yet
    feb = run("product_layers", Filters(preset="last_month"), product_id="P1")
    assert feb["remaining_quantity"].tolist() == [0, 13]
    # the remaining layers are the stock value by FIFO
    assert layers["remaining_value"].sum() == 630
    assert run("product_layers", THIS_YEAR, product_id="P3").empty


def test_top_customers_of_a_product(warehouse):
    top = run("product_top_customers", THIS_YEAR, product_id="P1", method="fifo", limit=5)
    # C4 (K06 10, 1000 - 670), C5 (K08 5 - 1, 450 - 50, 350 - 70)
    assert top[["rank", "customer_id", "quantity", "revenue", "margin"]].values.tolist() == [
        [1, "C4", 10, 1000, 330], [2, "C5", 4, 400, 120]]
    uncosted = run("product_top_customers", THIS_YEAR, product_id="P3", method="fifo", limit=5)
    assert uncosted["margin"].isna().all()


def test_product_info_and_unknown_id(warehouse):
    assert run("product_info", THIS_YEAR, product_id="P2")["product_name"].tolist() == ["管理软件"]
    assert run("product_info", THIS_YEAR, product_id="NOPE").empty
    # outside the category filter the product is not shown either
    assert run("product_info", Filters(categories=("硬件",)), product_id="P2").empty


# --- callbacks and figures ---------------------------------------------------------------------

def test_page_callback_fills_every_card(warehouse):
    from pages import products

    out = products.update.__wrapped__({"compare": "moving_average"})
    alerts, summary = out[0], out[1]
    assert "¥800" in str(alerts[0]) and "P3" in str(alerts[0]) and alerts[0].color == "warning"
    assert "¥2,400" in str(alerts[0])  # the costed revenue the margin is over
    assert alerts[1].id == "products-shortfall-alert"
    text = str(summary)
    # totals: margin 1050 (FIFO), 1056.30 (moving), difference +6.30; margin % 1050 / 2400
    assert "¥1,050" in text and "¥1,056" in text and "+¥6.30" in text and "43.8%" in text
    mix_fig, mix_data = go.Figure(out[2]), out[3]
    assert len(mix_fig.data) == 3 and mix_data["data"][0][0] == "P1"
    table_columns = [c["field"] for c in out[5]]
    assert table_columns[-3:] == ["compare_margin", "compare_margin_pct", "margin_difference"]
    treemap = go.Figure(out[7]).data[0]
    assert list(treemap.ids) == ["c/服务", "c/硬件", "c/软件", "p/P1", "p/P2", "p/P3"]
    monthly_fig = go.Figure(out[9])
    assert [trace.name for trace in monthly_fig.data] == ["先进先出", "移动加权平均"]
    stock_rows, stock_note = out[12], out[15]
    assert stock_rows[0]["value_fifo"] == 630 and stock_rows[2]["value_fifo"] is None
    assert "2024-03-15" in stock_note
    assert [row["contract_id"] for row in out[16]] == ["K10", "K07"]


def test_page_callback_without_sales_explains_itself(warehouse):
    from pages import products

    out = products.update.__wrapped__({"preset": "custom", "start": "2021-01-01", "end": "2021-01-31"})
    assert out[0] == []  # no alert
    assert "没有产品销售" in go.Figure(out[2]).layout.annotations[0].text
    assert "无毛利" in go.Figure(out[9]).layout.annotations[0].text
    assert "对比方法" in go.Figure(out[11]).layout.annotations[0].text  # compare card: how to turn it on


def test_view_keys_are_allow_listed(warehouse):
    from pages import products

    assert products.view_methods({"method": "lifo", "compare": "fifo"}) == ("fifo", None)
    assert products.view_methods({"method": "monthly_average", "compare": "fifo"}) == ("monthly_average", "fifo")
    assert products.view_methods({"method": "fifo", "compare": "fifo"}) == ("fifo", None)


def test_selectors_write_the_url(warehouse):
    from pages import products

    assert products.set_methods("moving_average", "none", "?preset=last_month") == \
        "?preset=last_month&method=moving_average"
    assert products.set_methods("fifo", "monthly_average", "?method=moving_average") == "?compare=monthly_average"
    assert products.set_methods("fifo", "fifo", "?compare=fifo") == ""


def test_drill_category_then_product(warehouse):
    from pages import products

    search = "?preset=last_month&method=moving_average&compare=fifo"
    assert products.drill({"points": [{"id": "c/硬件"}]}, search) == \
        "/products?preset=last_month&method=moving_average&compare=fifo&category=%E7%A1%AC%E4%BB%B6"
    # the product page keeps the filters and the method, not the compare mode
    assert products.drill({"points": [{"id": "p/P1"}]}, search) == "/product/P1?preset=last_month&method=moving_average"
    assert products.open_product({"rowId": "P2", "colId": "revenue"}, "") == "/product/P2"


def test_product_page_callback(warehouse):
    from pages import product

    (title, subtitle, alerts, hidden, summary, monthly_fig, monthly_data, layers_fig, _layers_data,
     receipts, _receipt_columns, _receipt_store, customers, _customer_columns, _customer_store) = \
        product.update.__wrapped__({"method": "moving_average"}, "P1")
    assert title == "工业网关（P1）" and "硬件" in subtitle and hidden is False
    # P1 by month, moving average: February 1000 - 674.07, March 400 - 269.63
    assert [row[3] for row in monthly_data["data"]] == [0, 1000, 400]
    assert list(go.Figure(monthly_fig).data[1].y) == pytest.approx([0, 325.93, 130.37])
    assert "¥456" in str(summary)  # P1's margin by moving average
    assert "销量排名 1" in str(alerts)
    assert [row["remaining_quantity"] for row in receipts] == [0, 8, 1]
    assert [row["customer_id"] for row in customers] == ["C4", "C5"]
    assert len(go.Figure(layers_fig).data[0].x) == 2  # PU2 and the return layer remain
    uncosted = product.update.__wrapped__({}, "P3")
    assert uncosted[2][0].id == "product-uncosted-alert" and "¥800" in str(uncosted[2][0])


def test_product_page_unknown_id_is_a_friendly_not_found(warehouse):
    from pages import product

    out = product.update.__wrapped__({}, "NOPE")
    assert out[0] == "未找到该产品"
    assert "NOPE" in str(out[2]) and "/products" in str(out[2])
    assert out[3] is True  # the product's cards are hidden
    assert "未找到该产品" in go.Figure(out[5]).layout.annotations[0].text


def test_open_customer_from_the_product_page(warehouse):
    from pages import product

    rows = plain(product.update({"preset": "last_month", "method": "fifo"}, "P1"))[-3]
    # a real link to the customer's page, keeping the filters (and the method, which that page uses)
    assert any(r["customer_name"].endswith("(/customer/C4?preset=last_month&method=fifo)") for r in rows)


def test_layout_reads_the_view_keys_without_data(monkeypatch, tmp_path):
    from pages import product, products

    monkeypatch.setenv("CRM_WAREHOUSE", str(tmp_path / "none.duckdb"))  # no warehouse: layout must not query
    page = str(products.layout(method="moving_average", compare="fifo"))
    assert "value='moving_average'" in page and "value='fifo'" in page
    assert "value='fifo'" in str(products.layout(method="bogus"))
    assert "product-body" in str(product.layout(product_id="P1"))
