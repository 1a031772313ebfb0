"""The sales funnel on the fixture (as_of 2024-03-15) and on its variant
tests/fixtures/funnel.sql (a fourth open stage 'A谈判审核' at position 4, O6 lost after
reaching it, O7 open without an expected close date). Every number worked out by hand in
the comments; then the page callbacks called directly."""

from contextvars import copy_context
from datetime import date
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest
from dash._callback_context import context_value
from dash._utils import AttributeDict

from components.i18n import t
from queries import run, sections
from queries.filters import Filters
from tests.conftest import FIXTURE_SQL, build_fixture

FUNNEL_SQL = Path(__file__).parent / "fixtures" / "funnel.sql"
EMPTY = Filters(preset="custom", start=date(2021, 1, 1), end=date(2021, 1, 31))


@pytest.fixture(scope="module")
def variant_warehouse(tmp_path_factory) -> Path:
    return build_fixture(tmp_path_factory.mktemp("funnel") / "funnel.duckdb",
                         FIXTURE_SQL.read_text() + FUNNEL_SQL.read_text())


@pytest.fixture
def variant(variant_warehouse, monkeypatch) -> Path:
    monkeypatch.setenv("CRM_WAREHOUSE", str(variant_warehouse))
    return variant_warehouse


def deals_on(day: date, filters: Filters | None = None) -> pd.DataFrame:
    return run("pipeline_deals", filters or Filters(), day=day).set_index("opportunity_id")


def snapshot_on(day: date, stage: str = "", limit: int = 1000) -> dict[str, pd.DataFrame]:
    return sections(run("funnel_snapshot", Filters(), day=day, stage=stage, limit=limit))


def total_rows(filters: Filters | None = None) -> pd.DataFrame:
    cohort = run("funnel_cohort", filters or Filters())
    return cohort[cohort["is_total"]].set_index("stage")


# --- stages and the snapshot ------------------------------------------------------------

def test_stages_follow_position_not_the_alphabet(variant):
    # alphabetically 'A谈判审核' would come first (and 方案报价 before 需求确认)
    assert run("funnel_stages")["stage"].tolist() == ["初步接洽", "需求确认", "方案报价", "A谈判审核", "赢单", "输单"]


def test_snapshot_on_as_of_weights_by_the_reps_probability(warehouse):
    deals = deals_on(date(2024, 3, 15))
    # O2: the rep's own 40% overrides 需求确认's default 30%: 2000 × 40% = 800 (not 600)
    assert deals.loc["O2", ["stage", "probability", "weighted_amount"]].tolist() == ["需求确认", 40, 800]
    # O1: no probability of its own, 方案报价's default 50%
    assert deals.loc["O1", ["probability", "weighted_amount"]].tolist() == [50, 500]
    snapshot = snapshot_on(date(2024, 3, 15))["stages"]
    assert snapshot[["stage", "deals", "amount", "weighted_amount"]].values.tolist() == [
        ["初步接洽", 0, 0, 0], ["需求确认", 1, 2000, 800], ["方案报价", 1, 1000, 500]]


def test_snapshot_at_the_end_of_last_month_agrees_with_the_overview(warehouse):
    # 29 Feb: O4 still in 需求确认 (lost on 1 March), O3 already won (20 Feb)
    snapshot = snapshot_on(date(2024, 2, 29))["stages"]
    assert snapshot[["stage", "deals", "amount", "weighted_amount"]].values.tolist() == [
        ["初步接洽", 0, 0, 0], ["需求确认", 2, 2800, 800 + 240], ["方案报价", 1, 1000, 500]]
    overview = run("overview_kpis", Filters(preset="last_month")).set_index("measure")
    assert snapshot["weighted_amount"].sum() == overview.loc["weighted_pipeline", "current"] == 1540


@pytest.mark.usefixtures("variant")
@pytest.mark.parametrize("day", [date(2024, 1, 15), date(2024, 2, 29), date(2024, 3, 15)])
def test_snapshot_adds_up_the_open_deals(day):
    """funnel_snapshot is pipeline_deals on the same day added up per open stage (every open
    stage, 0 where none) and, for a chosen stage, its deals in pipeline_deals' order up to
    the limit: worked out here from the deals themselves."""
    deals = run("pipeline_deals", Filters(), day=day)
    stages = run("funnel_stages")
    open_ = stages[stages["kind"] == "open"]
    sums = deals.groupby("stage").agg(deals=("opportunity_id", "count"), amount=("amount", "sum"),
                                      weighted_amount=("weighted_amount", "sum"))
    want = open_[["stage", "position"]].join(sums, on="stage").fillna(0).reset_index(drop=True)
    assert want["deals"].sum() == len(deals) >= 2
    got = snapshot_on(day)
    pd.testing.assert_frame_equal(got["stages"], want, check_dtype=False)
    assert got["chosen"].empty
    for stage in deals["stage"].unique():
        listed = deals[deals["stage"] == stage].reset_index(drop=True)[list(got["chosen"].columns)]
        pd.testing.assert_frame_equal(snapshot_on(day, stage)["chosen"], listed, check_dtype=False)
        pd.testing.assert_frame_equal(snapshot_on(day, stage, limit=1)["chosen"], listed.head(1), check_dtype=False)


def test_snapshot_keeps_a_deal_without_expected_close(variant):
    deals = deals_on(date(2024, 3, 15))
    assert sorted(deals.index) == ["O1", "O2", "O7"]
    assert pd.isna(deals.loc["O7", "expected_close_on"]) and deals.loc["O7", "weighted_amount"] == 50


# --- cohort conversion ------------------------------------------------------------------

def test_cohort_counts_a_skipped_stage_as_reached(warehouse):
    rows = total_rows()
    # created in 2024: O1 (方案报价, skipped 需求确认), O2 (需求确认), O3 (won), O4 (lost in 需求确认)
    assert rows["reached"].tolist() == [4, 4, 2, 1, 1]  # 初步接洽 需求确认 方案报价 赢单 输单
    assert rows.loc["需求确认", "conversion_from_previous"] == 1.0  # 4 / 4: O1 counts
    assert rows.loc["方案报价", "conversion_from_previous"] == 0.5  # 2 / 4
    assert rows.loc["赢单", "conversion_from_previous"] == 0.5  # 1 / 2
    assert pd.isna(rows.loc["初步接洽", "conversion_from_previous"])
    assert pd.isna(rows.loc["输单", "conversion_from_previous"])


def test_cohort_counts_a_lost_deal_for_the_late_stage_it_reached(variant):
    rows = total_rows()
    # + O6 (lost in A谈判审核, skipped 需求确认 and 方案报价) + O7 (初步接洽)
    # 初步接洽 6; 需求确认 O1 O2 O3 O4 O6 = 5; 方案报价 O1 O3 O6 = 3; A谈判审核 O3 (won) O6 = 2
    assert rows["reached"].tolist() == [6, 5, 3, 2, 1, 2]
    assert rows["conversion_from_previous"].tolist()[1:5] == pytest.approx([5 / 6, 3 / 5, 2 / 3, 1 / 2])


def test_win_rates_both_ways(variant):
    rates = run("funnel_win_rates", Filters())
    total = rates[rates["is_total"]].iloc[0]
    # won O3; lost O4 (800) and O6 (600); created 6
    assert total[["created", "won", "lost", "still_open", "won_amount", "lost_amount"]].tolist() == \
        [6, 1, 2, 3, 1500, 1400]
    assert total["win_rate_closed"] == pytest.approx(1 / 3)
    assert total["win_rate_created"] == pytest.approx(1 / 6)


def test_lost_by_reason_and_competitor(variant):
    lost = run("funnel_lost", Filters())
    assert lost.fillna("-").values.tolist() == [
        ["competitor", "竞品甲", 1, 800], ["competitor", "-", 1, 600], ["reason", "价格", 2, 1400]]


def test_empty_cohort_divides_by_nothing(warehouse):
    rows = total_rows(EMPTY)
    assert rows["reached"].tolist() == [0, 0, 0, 0, 0]
    assert rows["conversion_from_previous"].isna().all()
    rates = run("funnel_win_rates", EMPTY)
    assert len(rates) == 1 and rates.loc[0, "created"] == 0
    assert rates[["win_rate_closed", "win_rate_created", "median_cycle_days"]].isna().all(axis=None)
    assert run("funnel_lost", EMPTY).empty


# --- days in stage ----------------------------------------------------------------------

def test_days_in_stage_uses_completed_stints_only(variant):
    days = run("funnel_stage_days", Filters()).set_index("stage")
    assert days.index.tolist() == ["初步接洽", "需求确认", "方案报价", "A谈判审核"]
    # 初步接洽 stints ended in 2024: O1 27, O2 14, O3 10, O4 19, O6 2 days; O7's open stint
    # (since 1 March) is left out. Sorted 2 10 14 19 27: mean 72 / 5, quantiles interpolated
    # p10 = 2 + 0.4 × 8, p90 = 19 + 0.6 × 8
    assert days.loc["初步接洽", ["stints", "mean_days", "p10_days", "p25_days", "median_days", "p75_days",
                             "p90_days"]].tolist() == pytest.approx([5, 14.4, 5.2, 10, 14, 19, 23.8])
    # 需求确认: O3 16, O4 10 (20 Feb -> 1 March 2024: 29 February counts); O2's open stint is out
    assert days.loc["需求确认", ["stints", "mean_days", "median_days"]].tolist() == [2, 13, 13]
    assert days.loc["A谈判审核", ["stints", "median_days"]].tolist() == [1, 22]  # 12 Feb -> 5 March


def test_days_in_stage_empty_period(warehouse):
    days = run("funnel_stage_days", EMPTY)
    assert days["stints"].tolist() == [0, 0, 0] and days["median_days"].isna().all()


# --- per rep ----------------------------------------------------------------------------

def test_rep_table(warehouse):
    from pages.funnel import rep_table

    table = rep_table(run("funnel_cohort", Filters()), run("funnel_win_rates", Filters()), run("funnel_stages"))
    assert table.columns.tolist() == ["rep_id", "rep_name", "created", "reached_1", "reached_2", "reached_3", "won",
                                      "lost", "win_rate_closed", "win_rate_created", "median_cycle_days"]
    rows = table.set_index("rep_id")
    # R1: O1 (reached 1-3) and O3 (won: 10 Jan -> 20 Feb = 41 days)
    assert rows.loc["R1", ["created", "reached_1", "reached_2", "reached_3", "won", "lost"]].tolist() == \
        [2, 2, 2, 2, 1, 0]
    assert rows.loc["R1", ["win_rate_closed", "win_rate_created", "median_cycle_days"]].tolist() == [1, 0.5, 41]
    # R2: O2 open, nothing closed: no win rate of the closed
    assert rows.loc["R2", ["created", "reached_1", "reached_2", "reached_3"]].tolist() == [1, 1, 1, 0]
    assert pd.isna(rows.loc["R2", "win_rate_closed"]) and rows.loc["R2", "win_rate_created"] == 0
    # R3: O4 lost after 需求确认
    assert rows.loc["R3", ["reached_2", "reached_3", "lost", "win_rate_closed"]].tolist() == [1, 0, 1, 0]


# --- the page ---------------------------------------------------------------------------

def test_page_callback_drills_into_a_stage(warehouse):
    from pages import funnel

    out = funnel.update.__wrapped__({"stage": "方案报价", "measure": "weighted"})
    summary, snap_fig, snap_data, cohort_fig, _cohort_data, note, rows, _columns, store = out[:9]
    snap_fig, cohort_fig = go.Figure(snap_fig), go.Figure(cohort_fig)
    assert "50.0%" in str(summary) and "25.0%" in str(summary)  # won / (won + lost), won / created
    assert list(snap_fig.data[0].x) == [0, 800, 500]  # the weighted measure
    assert list(snap_fig.data[0].y) == ["初步接洽", "需求确认", "方案报价"]
    assert snap_fig.data[0].marker.color[2] == funnel.HIGHLIGHT
    assert snap_data["columns"][:3] == ["stage", "position", "deals"]
    assert list(cohort_fig.data[0].customdata) == ["初步接洽", "需求确认", "方案报价", None]  # won is not a drill
    assert "方案报价" in note
    # O1, in 方案报价 since 1 February: 43 days on 15 March; the customer links to its page
    assert len(rows) == 1
    assert rows[0]["customer_name"] == "[上海恒信贸易](/customer/C1)"
    assert rows[0]["days_in_stage"] == 43 and rows[0]["probability"] == 50
    assert store["data"][0][1] == "上海恒信贸易"  # the export keeps the plain name


def test_page_callback_ignores_an_unknown_stage_and_explains_an_empty_period(warehouse):
    from pages import funnel

    out = funnel.update.__wrapped__({"preset": "custom", "start": "2021-01-01", "end": "2021-01-31", "stage": "nope",
                         "measure": "bogus"})
    assert out[6] == []  # no drill rows, and the note invites a click instead
    assert out[5] == t("funnel.drill_hint", "zh-CN", day="2021-01-31")
    for figure in (out[1], out[3], out[9], out[11], out[13]):
        assert go.Figure(figure).layout.annotations, "an empty figure says why"


def _triggered(card: str, function, *args):
    def call():
        context_value.set(AttributeDict(triggered_inputs=[
            {"prop_id": f'{{"card":"{card}","type":"chart"}}.clickData', "value": None}]))
        return function(*args)

    return copy_context().run(call)


def test_clicking_a_stage_selects_it_and_clicking_again_clears_it(warehouse):
    from pages import funnel

    click = {"points": [{"customdata": "方案报价", "y": "方案报价"}]}
    assert _triggered("funnel-snapshot", funnel.select_stage, click, None, "?preset=last_month", {}) \
        == "?preset=last_month&stage=%E6%96%B9%E6%A1%88%E6%8A%A5%E4%BB%B7"
    assert _triggered("funnel-cohort", funnel.select_stage, None, click, "?stage=x", {"stage": "方案报价"}) == ""
    won = {"points": [{"customdata": None, "y": "赢单"}]}
    assert _triggered("funnel-cohort", funnel.select_stage, None, won, "", {}) is funnel.no_update
    assert funnel.set_measure("amount", "?preset=this_year") == "?preset=this_year&measure=amount"
