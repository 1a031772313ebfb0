"""The pipeline forecast and deal health on the fixture (as_of 2024-03-15) and its funnel
variant (tests/fixtures/funnel.sql: O7 open without an expected close date, a fourth open
stage 'A谈判审核'). Numbers worked out by hand in the comments."""

from datetime import date

import pandas as pd
import plotly.graph_objects as go
import pytest

from pages import forecast
from queries import run, sections
from queries.filters import Filters
from tests.test_funnel import deals_on, variant, variant_warehouse  # noqa: F401  (fixtures)

AS_OF = date(2024, 3, 15)


def test_health_flags_on_the_fixture(warehouse):
    deals = deals_on(AS_OF)
    # medians of completed stints by 15 March: 方案报价 15 (O3); 需求确认 16 (O3 16, O4 10,
    # O5 61); O1 sat in 方案报价 from 1 Feb: 43 days > 2 × 15 -> stale; O2 29 days in
    # 需求确认 <= 32 -> not stale
    assert deals.loc["O1", ["days_in_stage", "stage_median_days", "is_stale"]].tolist() == [43, 15, True]
    assert deals.loc["O2", ["days_in_stage", "stage_median_days", "is_stale"]].tolist() == [29, 16, False]
    # O2 was expected on 10 March
    assert deals["is_overdue"].to_dict() == {"O2": True, "O1": False}
    # top 10% of 2 open deals = ceil(0.2) = 1 deal: O2 (2000); the second-to-last open stage
    # is 需求确认 (position 2), where O2 is -> large and late
    assert deals["is_large_late"].to_dict() == {"O2": True, "O1": False}


@pytest.mark.usefixtures("variant")
def test_large_and_late_needs_the_late_stage():
    deals = deals_on(AS_OF)
    # 3 open deals: the top ceil(0.3) = 1 is O2, but with A谈判审核 added the late stages are
    # 方案报价 (3) and A谈判审核 (4): O2 in 需求确认 (2) is not late
    assert not deals["is_large_late"].any()
    # O7's open stint (14 days in 初步接洽) against the median 16.5 of 2 10 14 19 27 90
    assert deals.loc["O7", ["days_in_stage", "stage_median_days", "is_stale", "is_overdue"]].tolist() == \
        [14, 16.5, False, False]


def page_on(day, horizon=3, limit=1000, filters=None) -> dict[str, pd.DataFrame]:
    return sections(run("forecast_page", filters or Filters(), day=day, horizon=horizon, limit=limit))


def test_health_table_gives_the_reasons(warehouse):
    table = forecast.health_table(page_on(AS_OF)["flagged"], "en").set_index("opportunity_id")
    assert table.loc["O1", "reasons"] == "Stale: 43 days in stage (median 15)"
    assert table.loc["O2", "reasons"] == "Overdue: expected to close on 2024-03-10; Large deal in a late stage"


@pytest.mark.usefixtures("variant")
def test_forecast_months_with_deals_shown_apart():
    stages = run("funnel_stages")
    months = run("forecast_months", Filters(), horizon=3, day=AS_OF)
    table = forecast.forecast_table(months, page_on(AS_OF)["buckets"], stages)
    table = table.set_index("bucket")
    assert table.index.tolist() == ["2024-03-01", "2024-04-01", "2024-05-01", "overdue", "no_date", "later"]
    # March: no deal expected from 15 March on; target R1 1000 + R2 500 (R3's is a payment
    # target); won K07 700 + K08 400 (K09 is void)
    assert table.loc["2024-03-01", ["weighted", "best_case", "target", "won"]].tolist() == [0, 0, 1500, 1100]
    # April: O1 (30 April) 1000 × 50% in 方案报价; no target
    assert table.loc["2024-04-01", ["方案报价", "weighted", "best_case", "deals", "won"]].tolist() == \
        [500, 500, 1000, 1, 0]
    assert pd.isna(table.loc["2024-04-01", "target"])
    # O2 (expected 10 March) is overdue: apart, not in March; O7 has no date: apart, not dropped
    assert table.loc["overdue", ["需求确认", "weighted", "best_case", "deals"]].tolist() == [800, 800, 2000, 1]
    assert table.loc["no_date", ["初步接洽", "weighted", "best_case", "deals"]].tolist() == [50, 50, 500, 1]
    assert table.loc["later", "deals"] == 0
    assert list(table.columns[:4]) == ["初步接洽", "需求确认", "方案报价", "A谈判审核"]  # position order


@pytest.mark.usefixtures("variant")
@pytest.mark.parametrize("day, horizon", [(AS_OF, 3), (AS_OF, 1), (date(2024, 1, 15), 3), (date(2024, 2, 29), 3)])
def test_forecast_page_adds_up_the_open_deals(day, horizon):
    """forecast_page is pipeline_deals on the same day added up in the warehouse: per bucket
    (expected before the day: overdue; none: no_date; the close month when it is one of the
    horizon's, else later) and stage, per rep, the flagged deals in order up to the limit,
    and the totals. Worked out here from the deals themselves, in pandas."""
    deals = run("pipeline_deals", Filters(), day=day)
    assert len(deals) >= 2
    first = pd.Timestamp(day).to_period("M")

    def bucket(close) -> str:
        if pd.isna(close):
            return "no_date"
        if close.date() < day:
            return "overdue"
        month = close.to_period("M")
        return month.start_time.strftime("%Y-%m-%d") if (month - first).n < horizon else "later"
    page = page_on(day, horizon=horizon, limit=1)
    want = (deals.assign(bucket=deals["expected_close_on"].map(bucket))
            .groupby(["bucket", "stage"], as_index=False)
            .agg(weighted=("weighted_amount", "sum"), best_case=("amount", "sum"), deals=("opportunity_id", "count"))
            .sort_values(["bucket", "stage"], ignore_index=True))
    pd.testing.assert_frame_equal(page["buckets"], want, check_dtype=False)
    # every rep of forecast_reps or with an open deal, with the sum of its deals (0 without)
    reps = page["reps"].set_index("rep_id")
    assert reps.index.tolist() == sorted(set(run("forecast_reps", Filters())["rep_id"]) | set(deals["rep_id"]))
    pipeline = deals.groupby("rep_id")["weighted_amount"].sum().reindex(reps.index, fill_value=0)
    assert reps["weighted_pipeline"].tolist() == pipeline.tolist()
    flags = deals[["is_stale", "is_overdue", "is_large_late"]]
    flagged = deals[flags.any(axis=1)].reset_index(drop=True)
    pd.testing.assert_frame_equal(page["flagged"], flagged.head(1), check_dtype=False)
    assert page["totals"].iloc[0].to_dict() == {
        "deals": len(deals), "weighted": deals["weighted_amount"].sum(), "stale": flags["is_stale"].sum(),
        "overdue": flags["is_overdue"].sum(), "large_late": flags["is_large_late"].sum(), "flagged": len(flagged)}


@pytest.mark.usefixtures("variant")
def test_forecast_by_rep():
    rows = page_on(AS_OF)["reps"].set_index("rep_id")
    assert rows.index.tolist() == ["R1", "R2", "R3"]
    # R1: targets Feb 1200 + Mar 1000; won K06 1500; gap 700; pipeline O1 500 -> 500 / 700
    assert rows.loc["R1", ["target", "won", "gap", "weighted_pipeline"]].tolist() == [2200, 1500, 700, 500]
    assert rows.loc["R1", "coverage"] == pytest.approx(500 / 700)
    # R2: target 500, won K07 700: beaten by 200, no coverage; pipeline O2 800 + O7 50
    assert rows.loc["R2", ["target", "won", "gap", "weighted_pipeline"]].tolist() == [500, 700, -200, 850]
    assert pd.isna(rows.loc["R2", "coverage"])
    # R3: no contract_amount target: no gap
    assert rows.loc["R3", "won"] == 1000 and pd.isna(rows.loc["R3", "gap"])


def test_page_callback(warehouse):
    badges, figure, data, rows, _columns, _store, rep_rows, _rep_columns, _rep_store = forecast.update.__wrapped__(
        {"horizon": "3"})
    text = str(badges)
    assert "¥500" in text  # weighted in the months: O1 only
    assert [r["customer_name"] for r in rows] == ["[杭州远景科技](/customer/C2)", "[上海恒信贸易](/customer/C1)"]
    assert [b for b, *_ in data["data"]] == ["2024-03-01", "2024-04-01", "2024-05-01", "overdue", "no_date", "later"]
    assert [trace.name for trace in go.Figure(figure).data][:3] == ["初步接洽", "需求确认", "方案报价"]
    assert [r["rep_id"] for r in rep_rows] == ["R1", "R2", "R3"]


def test_page_callback_explains_an_empty_horizon(warehouse):
    # an as_of long before any data: nothing open, no target, nothing won
    _badges, figure, *_ = forecast.update.__wrapped__({"as_of": "2020-01-15", "horizon": "12"})
    assert go.Figure(figure).layout.annotations
    assert forecast.set_horizon("12", "?as_of=2020-01-15") == "?as_of=2020-01-15&horizon=12"
    assert forecast.set_horizon("7", "?horizon=3") == ""


def test_large_deals_share_a_tied_rank(tmp_path, monkeypatch):
    """Large = competition rank by amount within ceil(10%) of the open deals, so ties share it.
    On 15 March O1 (1000, 方案报价) and O2 (2000, 需求确认) are open; three more: O8 (2000,
    需求确认), O9 (2000, 方案报价) and O10 (500, 初步接洽). 5 open deals: ceil(0.5) = 1, and O2,
    O8 and O9 all rank 1 (O1 ranks 4); late stages are 需求确认 (2) and 方案报价 (3), so the
    three are large and late, O10 would be large only if it ranked."""
    from tests.conftest import FIXTURE_SQL, build_fixture

    sql = FIXTURE_SQL.read_text() + (
        "\ninsert into opportunities (opportunity_id, customer_id, rep_id, created_at, stage, amount, probability, "
        "expected_close_on, closed_on, lost_reason, competitor) values "
        "('O8', 'C1', 'R1', '2024-03-01 09:00', '需求确认', 2000, null, '2024-04-30', null, null, null), "
        "('O9', 'C2', 'R2', '2024-03-02 09:00', '方案报价', 2000, null, '2024-04-30', null, null, null), "
        "('O10', 'C3', 'R3', '2024-03-03 09:00', '初步接洽', 500, null, '2024-04-30', null, null, null);\n")
    monkeypatch.setenv("CRM_WAREHOUSE", str(build_fixture(tmp_path / "ties.duckdb", sql)))
    deals = deals_on(AS_OF)
    assert deals["is_large_late"].to_dict() == {"O2": True, "O8": True, "O9": True, "O1": False, "O10": False}
