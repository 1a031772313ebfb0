"""Audit of /revenue, /team, /funnel, /forecast, /customers and /customer/<id> against
METRICS.md: the defects found, each on the fixture plus tests/fixtures/metric_edges.sql (K31:
100 on 2023-03-04; K32: 0.30 for R1 and K33 + K34: 0.10 + 0.20 for R2, all in June 2022).
as_of = 2024-03-15. Every number worked out by hand in the comments."""

from datetime import date
from pathlib import Path

import plotly.graph_objects as go
import pytest

from queries import run, sections
from queries.filters import Filters
from tests.conftest import FIXTURE_SQL, build_fixture, plain

EXTRA_SQL = Path(__file__).parent / "fixtures" / "metric_edges.sql"


@pytest.fixture(scope="module")
def audit_warehouse(tmp_path_factory) -> Path:
    return build_fixture(tmp_path_factory.mktemp("metric_edges") / "metric_edges.duckdb",
                         FIXTURE_SQL.read_text() + EXTRA_SQL.read_text())


@pytest.fixture
def wh(audit_warehouse, monkeypatch) -> Path:
    monkeypatch.setenv("CRM_WAREHOUSE", str(audit_warehouse))
    return audit_warehouse


def custom(start: date, end: date) -> Filters:
    return Filters(preset="custom", start=start, end=end)


def test_week_yoy_base_is_the_same_dates_a_year_earlier(wh):
    # ISO week 2024-W09 = Mon 26 Feb .. Sun 3 Mar 2024 (it holds 29 Feb):
    # value = K06 1500 (29 Feb) + K07 700 (1 Mar) = 2200.
    # 同比 = the same dates a year earlier, 26 Feb .. 3 Mar 2023 (= $yoy_start .. $yoy_end):
    # K02 500 (28 Feb 2023); K31 (4 Mar 2023) lies outside, although 26 Feb 2023 + 6 days
    # = 4 Mar. yoy_base = 500, change = 1700, pct = 1700 / 500 = 3.4.
    week = custom(date(2024, 2, 26), date(2024, 3, 3))
    row = run("revenue_series", week, bucket="week", measure="contract_amount").iloc[0]
    assert (row["label"], row["value"], row["yoy_base"], row["yoy_change"]) == ("2024-W09", 2200, 500, 1700)
    assert row["yoy_pct"] == pytest.approx(3.4)
    # the breakdown's period total agrees (its 同比 is [$yoy_start, $yoy_end]): R1 1500 vs 0,
    # R2 700 vs 500, so the bases add up to the series' 500
    slices = run("revenue_breakdown", week, bucket="week", measure="contract_amount", dimension="rep", top=8)
    assert slices[slices["bucket"].isna()]["yoy_base"].sum() == 500


def test_a_whole_month_still_compares_with_the_whole_month_a_year_earlier(wh):
    # the rule for months is unchanged: March 2023 (whole) against March 2022 (nothing): base 0;
    # March 2023 itself = K03 2000 + K04 300 + K31 100 = 2400
    row = run("revenue_series", custom(date(2023, 3, 1), date(2023, 3, 31)), bucket="month",
              measure="contract_amount").iloc[0]
    assert (row["value"], row["yoy_base"]) == (2400, 0)


def test_equal_money_totals_tie_in_the_leaderboard_and_break_by_id_in_the_breakdown(wh):
    # June 2022: R1 signed K32 0.30; R2 signed K33 0.10 + K34 0.20 = 0.30. Equal amounts:
    # competition ranks 1, 1, then R3 and R4 (0) share rank 3 - although as doubles
    # 0.1 + 0.2 = 0.30000000000000004 > 0.3.
    june = custom(date(2022, 6, 1), date(2022, 6, 30))
    board = run("team_leaderboard", june, level="rep").set_index("member_id")
    assert board["contract_amount"].to_dict() == {"R1": 0.3, "R2": 0.3, "R3": 0, "R4": 0}
    assert board["rank_contract_amount"].to_dict() == {"R1": 1, "R2": 1, "R3": 3, "R4": 3}
    # the breakdown's slices: equal values, so ties by slice_id: R1 first, then R2
    slices = run("revenue_breakdown", june, bucket="month", measure="contract_amount", dimension="rep", top=8)
    totals = slices[slices["bucket"].isna()].sort_values("position")
    assert list(totals["slice_id"]) == ["R1", "R2"]
    assert list(totals["share"]) == [0.5, 0.5]


def _formatter(columns: list[dict], field: str) -> str:
    return next(c for c in columns if c["field"] == field)["valueFormatter"]["function"]


def test_shares_and_win_rates_are_rates_not_signed_changes(wh):
    # a share (R1 1500 of 2200 = 68.2%) or a win rate (won 1 of 1 closed = 100.0%) is a ratio:
    # shown unsigned, like the funnel's win rates; only changes (同比 %) carry a sign
    from components.grid import PERCENT_FORMAT, RATE_FORMAT
    from pages import revenue, team

    query = {"preset": "custom", "start": "2024-02-26", "end": "2024-03-03", "by": "rep"}
    slice_columns = plain(revenue.update(query))[12]
    assert _formatter(slice_columns, "share") == RATE_FORMAT
    assert _formatter(slice_columns, "yoy_pct") == PERCENT_FORMAT
    out = plain(team.update({}))
    for columns in (out[3], out[6]):  # the rep and the team leaderboards
        assert _formatter(columns, "win_rate") == RATE_FORMAT


def test_chart_hovers_format_money_as_money_and_counts_as_counts(wh):
    # the hover of each chart shows a value as the cards do: money with the currency
    # (¥1,500), counts as whole numbers (1, not 1.00), "—" where undefined
    from pages import customers, forecast, revenue

    week = custom(date(2024, 2, 26), date(2024, 3, 3))
    # revenue series: the dotted 同比 line of contracts: 1 contract (K02) in the week a year earlier
    frame = run("revenue_series", week, bucket="week", measure="contracts")
    line = go.Figure(revenue.series_figure(frame, "contracts", "en", "light")).data[1]
    assert list(line.text) == ["1"] and "%{text}" in line.hovertemplate
    frame = run("revenue_series", week, bucket="week", measure="contract_amount")
    assert list(go.Figure(revenue.series_figure(frame, "contract_amount", "en", "light")).data[1].text) == ["¥500"]
    # revenue breakdown by rep of contract amount: R1 1500 (K06) in 2024-W09
    breakdown = revenue.with_slice_names(run("revenue_breakdown", week, bucket="week", measure="contract_amount",
                                             dimension="rep", top=8), "rep", "en")
    bars = go.Figure(revenue.breakdown_figure(breakdown, frame, "contract_amount", "en", "light")).data
    assert list(bars[0].text) == ["¥1,500"] and "%{text}" in bars[0].hovertemplate
    # forecast: March 2024's target 1500 (R1 1000 + R2 500) and won 1100 (K07 700 + K08 400)
    as_of = date(2024, 3, 15)
    stages = run("funnel_stages")
    table = forecast.forecast_table(run("forecast_months", Filters(), horizon=3, day=as_of),
                                    sections(run("forecast_page", Filters(), day=as_of, horizon=3, limit=0))["buckets"],
                                    stages)
    traces = {tr.name: tr for tr in go.Figure(forecast.forecast_figure(table, stages, "en", "light")).data}
    assert list(traces["Target"].text) == ["¥1,500", "—", "—"]
    assert list(traces["Won (contracts signed)"].text) == ["¥1,100", "¥0", "¥0"]
    assert all("%{text}" in tr.hovertemplate for tr in traces.values())
    # customers: the CLV bars' hover is the money text they show
    clv = customers.clv_frame(run("customer_groups", Filters(), group="tier", **customers.value_params({})),
                              run("customer_groups", Filters(), group="segment", **customers.value_params({})), "en")
    fig = go.Figure(customers.clv_figure(clv, "en", "light"))  # by tier and by segment (VIP has a CLV)
    assert len(fig.data) == 2 and all("%{text}" in tr.hovertemplate for tr in fig.data)


def test_team_chart_explains_a_period_with_nothing_to_rank(wh):
    # no facts in January 2001: the four reps all have 0 (win rate: none closed), so the
    # chart says why it is empty instead of four bars of ¥0 all ranked 1; the grid still lists them
    from pages import team

    query = {"preset": "custom", "start": "2001-01-01", "end": "2001-01-31"}
    for rank_by in ("contract_amount", "win_rate"):
        fig, _data, rows, *_rest = team.update.__wrapped__({**query, "rank_by": rank_by})
        fig = go.Figure(fig)
        assert not fig.data
        text = fig.layout.annotations[0].text
        assert text.startswith("当前筛选条件下") and team.board_label(rank_by, "zh-CN") in text  # zh-CN: the default
        assert [r["member_id"] for r in rows] == ["R1", "R2", "R3", "R4"]
    # with R1 having 1 contract (K06) in February 2024 the chart draws the bars
    fig, *_rest = team.update.__wrapped__({"preset": "custom", "start": "2024-02-01", "end": "2024-02-29"})
    assert len(go.Figure(fig).data) == 1
