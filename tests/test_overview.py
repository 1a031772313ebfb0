"""The executive overview on the fixture: every number worked out by hand (see the
comments of tests/fixture.sql), then the page callback called directly."""

from datetime import date

import pandas as pd
import plotly.graph_objects as go
import pytest

from queries import run
from queries.filters import Filters
from tests.conftest import FIXTURE_SQL, build_fixture, extra_contract


def kpis(**filters):
    return run("overview_kpis", Filters(**filters)).set_index("measure")


def test_kpis_this_year(warehouse):
    k = kpis()
    # 2024-01-01..2024-03-15: K06 1500 + K07 700 + K08 400 + K10 600 (K09 is void)
    # base 2023-01-01..2023-03-15: K01 1000 + K02 500 + K03 2000 (K04 on 20 March is after the cut)
    assert k.loc["contract_amount", ["current", "mom_base", "yoy_base"]].tolist() == [3200, 3500, 3500]
    assert k.loc["contract_amount", "yoy_change"] == -300
    assert k.loc["contract_amount", "yoy_pct"] == pytest.approx(-300 / 3500)
    assert k.loc["contracts", ["current", "yoy_base"]].tolist() == [4, 3]
    # payments: PM04 500 + PM05 700 against PM01 1000 + PM02 200: no change
    assert k.loc["payments", ["current", "yoy_base", "yoy_change", "yoy_pct"]].tolist() == [1200, 1200, 0, 0]
    # new customers C7, C8 against none: a zero base gives no percentage
    assert k.loc["new_customers", ["current", "yoy_base", "yoy_change"]].tolist() == [2, 0, 2]
    assert pd.isna(k.loc["new_customers", "yoy_pct"])
    # pipeline on 15 March 2024: O1 1000 × 50% (stage default) + O2 2000 × 40% (rep's own)
    # on 15 March 2023: O5 3000 × 10% (it was in 初步接洽 then, though lost now)
    assert k.loc["weighted_pipeline", ["current", "yoy_base"]].tolist() == [1300, 300]


def test_kpis_last_month_ending_29_february(warehouse):
    k = kpis(preset="last_month")
    # February 2024 (K06 on the 29th + K10) against January 2024 (empty) and February 2023
    # (1-28 Feb: K02 on the 28th)
    assert k.loc["contract_amount", ["current", "mom_base", "yoy_base"]].tolist() == [2100, 0, 500]
    assert pd.isna(k.loc["contract_amount", "mom_pct"])
    assert k.loc["contract_amount", "mom_change"] == 2100
    assert k.loc["contract_amount", "yoy_pct"] == pytest.approx(3.2)
    # 29 Feb: O1 500 + O2 800 + O4 (需求确认 until 1 March) 800 × 30%
    assert k.loc["weighted_pipeline", "current"] == 1540


def test_kpis_this_month_to_date(warehouse):
    k = kpis(preset="this_month")
    # 1-15 March 2024 against 1-15 February 2024 and 1-15 March 2023
    assert k.loc["contract_amount", ["current", "mom_base", "yoy_base"]].tolist() == [1100, 600, 2000]


def test_kpis_with_a_category_filter(warehouse):
    # 软件 lines only: K06 line 2 (500) + K07 line 1 (500) this year; K02 500 + K03 line 1 1000 before
    k = kpis(categories=("软件",))
    assert k.loc["contract_amount", ["current", "yoy_base"]].tolist() == [1000, 1500]
    assert k.loc["contracts", "current"] == 2


def test_overdue_receivables_kpi(warehouse):
    from pages import overview

    filters = Filters()
    periods = filters.periods(date(2024, 3, 15))
    frame = run("receivables_overdue", filters, dates=sorted({periods["end"], periods["prev_end"]}))
    row = overview.overdue_kpi(frame, periods)
    # 15 March 2024: PL07 300 + PL03 1000 + PL04 500 (PM04 500 without plan_id settles half
    # of it); 15 March 2023 (both 环比 and 同比 for this year to date): PL07 500 - 200
    assert [row[k] for k in ("current", "mom_base", "yoy_base", "mom_change")] == [1800, 300, 300, 1500]
    assert row["mom_pct"] == pytest.approx(5.0)
    assert overview.overdue_kpi(frame.iloc[0:0], periods)["mom_pct"] is None


def test_gross_margin_kpi(warehouse):
    # fixture costing: PU1 P1 2022-12-01 20@60, PU2 P1 2023-10-01 20@70, PU3 P2 2022-12-01
    # 10@200; P3 has no receipts (uncosted: left out, never at zero cost). FIFO COGS of P1:
    # K01 10@60 = 600, K04 3@60, K05 4@60, K06 3@60 + 7@70 = 670, K08/1 5@70 = 350, the
    # return K08/2 -1 back at 70 = -70; P2 always 200 a unit.
    m = run("overview_margin", Filters(), method="fifo").set_index("measure").loc["gross_margin"]
    # 2024 to 15 March: K06 (1000 - 670) + (500 - 200), K07 500 - 200, K08 (450 - 350) + (-50 + 70)
    # base 2023 to 15 March: K01 1000 - 600, K02 500 - 200, K03 line 1 1000 - 400
    assert m[["current", "mom_base", "yoy_base", "yoy_change"]].tolist() == [1050, 1300, 1300, -250]
    assert m["yoy_pct"] == pytest.approx(-250 / 1300)
    feb = run("overview_margin", Filters(preset="last_month"), method="fifo").set_index("measure").loc["gross_margin"]
    # February 2024: 330 + 300 (K10 is P3: uncosted); January empty; 1-28 Feb 2023: K02 300
    assert feb[["current", "mom_base", "yoy_base"]].tolist() == [630, 0, 300]
    assert pd.isna(feb["mom_pct"]) and feb["yoy_pct"] == pytest.approx(1.1)
    # moving average: K06 P1 costs 10 × 1820/27 = 674.07
    moving = run("overview_margin", Filters(preset="last_month"), method="moving_average")
    assert moving["current"].tolist() == pytest.approx([625.93])


def test_trend_has_every_month_and_the_year_before(warehouse):
    trend = run("overview_trend", Filters())
    assert trend["month"].dt.date.tolist() == [date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1)]
    # January is empty (0, not a gap); February includes the 29th; March is cut at the 15th
    assert trend["contract_amount"].tolist() == [0, 2100, 1100]
    assert trend["contract_amount_last_year"].tolist() == [1000, 500, 2000]
    assert trend["yoy_pct"].tolist() == pytest.approx([-1.0, 3.2, -0.45])


def test_trend_with_an_empty_year_before(warehouse):
    trend = run("overview_trend", Filters(preset="custom", start=date(2022, 1, 1), end=date(2022, 2, 28)))
    assert trend["contract_amount"].tolist() == [0, 0]
    assert trend["yoy_pct"].isna().all()


def test_sparklines_cover_twelve_months(warehouse):
    s = run("overview_sparklines", Filters())
    assert len(s) == 12 and s["month"].iloc[0].date() == date(2023, 4, 1)
    assert s["contract_amount"].tolist() == [0, 0, 0, 0, 0, 0, 0, 800, 0, 0, 2100, 1100]
    assert s["new_customers"].sum() == 5  # C4 (Jun), C6 (Aug), C5 (Dec), C7 (Jan), C8 (Mar)


def test_top_reps_and_customers(warehouse):
    reps = run("overview_top_reps", Filters(), limit=5)
    assert reps[["rank", "rep_id", "contract_amount"]].values.tolist() == [[1, "R1", 1500], [2, "R3", 1000],
                                                                           [3, "R2", 700]]
    customers = run("overview_top_customers", Filters(), limit=2)
    assert customers["customer_id"].tolist() == ["C4", "C1"]


def test_ranking_ties_share_a_rank_and_break_by_id(tmp_path, monkeypatch):
    # one more contract brings R2 (700 + 800) level with R1 (1500): ranks 1, 1, 3, R1 first
    path = build_fixture(tmp_path / "tie.duckdb", FIXTURE_SQL.read_text() + extra_contract("K11", "C2", "R2",
                                                                                         "2024-03-14", 800))
    monkeypatch.setenv("CRM_WAREHOUSE", str(path))
    reps = run("overview_top_reps", Filters(), limit=5)
    assert reps[["rank", "rep_id", "contract_amount"]].values.tolist() == [[1, "R1", 1500], [1, "R2", 1500],
                                                                           [3, "R3", 1000]]
    # C4 1500 and C2 800 / C1 700: the limit keeps the first two
    assert run("overview_top_customers", Filters(), limit=2)["customer_id"].tolist() == ["C4", "C2"]


def test_page_callback_fills_every_card(warehouse):
    from pages import overview

    kpi_children, trend_fig, trend_data, _reps_fig, reps_data, _cust_fig, _cust_data = overview.update.__wrapped__(
        {"preset": "last_month"})
    assert len(kpi_children) == 7
    texts = str(kpi_children[0])
    assert "¥2,100" in texts and "—" in texts and "+320.0%" in texts
    margin = str(kpi_children[5])
    # gross margin by FIFO: 630 against nothing in January (—) and 300 in February 2023 (+110%)
    assert "先进先出" in margin and "¥630" in margin and "+110.0%" in margin and "+¥330" in margin
    moving = str(overview.update.__wrapped__({"preset": "last_month", "method": "moving_average"})[0][5])
    assert "移动加权平均" in moving and "¥625.93" in moving
    # overdue receivables at 29 Feb 2024: PL07 300 (K02, PM02 paid 200 of 500) + PL03 1000
    # (K03); the same at 31 January; none at 28 Feb 2023 (PL01 paid, PL07 due 1 March)
    overdue = str(kpi_children[6])
    assert "¥1,300" in overdue and "0.0%" in overdue and "+¥1,300" in overdue
    # a one-month period shows its days (issue #16): K10 600 on the 10th, K06 1500 on the 29th
    assert trend_data["columns"][:2] == ["day", "contract_amount"]
    assert sum(row[1] for row in trend_data["data"]) == 2100 and len(trend_data["data"]) == 29
    assert reps_data["data"][0][1] == "R1"
    assert len(go.Figure(trend_fig).data) == 2


def test_page_callback_explains_an_empty_period(warehouse):
    from pages import overview

    out = overview.update.__wrapped__({"preset": "custom", "start": "2021-01-01", "end": "2021-01-31"})
    figure = go.Figure(out[1])
    assert "No contracts" in figure.layout.annotations[0].text or "没有合同" in figure.layout.annotations[0].text
    # a 31-day period shows its days (issue #16), each 0, not a gap
    assert out[2]["data"][0] == ["2021-01-01", 0.0, 0.0, None] and len(out[2]["data"]) == 31
    assert all(row[1:] == [0.0, 0.0, None] for row in out[2]["data"])


def test_overdue_totals_are_the_plans_summed(warehouse):
    """The overview reads receivables_overdue_totals: per date, the plans' sum and count
    (15 March 2024: 1800 over PL03, PL04, PL07; 15 March 2023: PL07's 300)."""
    dates = [date(2023, 3, 15), date(2024, 3, 15), date(2024, 6, 30)]
    plans = run("receivables_overdue", Filters(), dates=dates)
    totals = run("receivables_overdue_totals", Filters(), dates=dates).set_index("as_of_date")
    assert totals.loc[pd.Timestamp(2024, 3, 15), ["unsettled", "plans"]].tolist() == [1800, 3]
    assert totals.loc[pd.Timestamp(2023, 3, 15), ["unsettled", "plans"]].tolist() == [300, 1]
    by_date = plans.groupby("as_of_date").agg(unsettled=("unsettled", "sum"), plans=("plan_id", "count"))
    pd.testing.assert_frame_equal(totals, by_date, check_dtype=False)
