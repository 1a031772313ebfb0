"""/revenue and /team on the fixture plus tests/fixtures/revenue.sql (K21: a return-only
contract, -300 on 2023-12-05; K22: 250 on Sunday 2023-01-01, ISO week 2022-W52).
as_of = 2024-03-15. Every number worked out by hand in the comments."""

from datetime import date
from pathlib import Path
from urllib.parse import unquote

import pandas as pd
import plotly.graph_objects as go
import pytest
from dash import no_update

import queries
from queries import run, sections
from queries.filters import Filters
from tests.conftest import FIXTURE_SQL, build_fixture

EXTRA_SQL = Path(__file__).parent / "fixtures" / "revenue.sql"
AS_OF = date(2024, 3, 15)


@pytest.fixture(scope="module")
def revenue_warehouse(tmp_path_factory) -> Path:
    return build_fixture(tmp_path_factory.mktemp("revenue") / "revenue.duckdb",
                         FIXTURE_SQL.read_text() + EXTRA_SQL.read_text())


@pytest.fixture
def wh(revenue_warehouse, monkeypatch) -> Path:
    monkeypatch.setenv("CRM_WAREHOUSE", str(revenue_warehouse))
    return revenue_warehouse


def custom(start: date, end: date) -> Filters:
    return Filters(preset="custom", start=start, end=end)


def series(filters=None, bucket="month", measure="contract_amount", **extra) -> pd.DataFrame:
    return run("revenue_series", filters or Filters(), bucket=bucket, measure=measure, **extra)


def nan_list(values) -> list:
    return [None if pd.isna(v) else round(float(v), 6) for v in values]


# --- revenue_series -------------------------------------------------------------------

def test_months_of_this_year_with_an_empty_month_a_negative_and_a_zero_base(wh):
    s = series()
    assert s["label"].tolist() == ["2024-01", "2024-02", "2024-03"]
    # January is empty (0, not a gap); February includes the 29th; March is cut at as_of
    assert s["value"].tolist() == [0, 2100, 1100]
    # 环比: January against December 2023 (before $start, read from data): K21 = -300, a
    # negative base: (0 - -300) / |-300| = +100%; February against an empty January: no %;
    # March 1-15 against 1-15 February (K10 600): 500 / 600
    assert s["mom_base"].tolist() == [-300, 0, 600]
    assert s["mom_change"].tolist() == [300, 2100, 500]
    assert nan_list(s["mom_pct"]) == [1.0, None, round(500 / 600, 6)]
    # 同比: January 2023 = K01 1000 + K22 250; February 2023 = K02 500 (28th);
    # 1-15 March 2023 = K03 2000 (K04 on the 20th is after the cut)
    assert s["yoy_base"].tolist() == [1250, 500, 2000]
    assert nan_list(s["yoy_pct"]) == [-1.0, 3.2, -0.45]
    # the buckets add up to the overview's total for the period
    kpis = run("overview_kpis", Filters()).set_index("measure")
    assert s["value"].sum() == kpis.loc["contract_amount", "current"] == 3200


def test_a_month_whose_net_is_negative(wh):
    s = series(custom(date(2023, 11, 1), date(2023, 12, 31)))
    # November K05 800; December only the return K21: -300; 环比 (-300 - 800) / 800
    assert s["value"].tolist() == [800, -300]
    assert s["mom_pct"].iloc[1] == pytest.approx(-1100 / 800)
    # no contract in November/December 2022: no 同比 %
    assert s["yoy_base"].tolist() == [0, 0] and s["yoy_pct"].isna().all()


def test_days_around_29_february(wh):
    s = series(custom(date(2024, 2, 27), date(2024, 3, 1)), bucket="day")
    assert s["label"].tolist() == ["2024-02-27", "2024-02-28", "2024-02-29", "2024-03-01"]
    assert s["value"].tolist() == [0, 0, 1500, 700]
    # 28 Feb 2024 and 29 Feb 2024 both compare with 28 Feb 2023 (K02 500): 29 Feb -> 28 Feb
    assert s["yoy_base"].tolist() == [0, 500, 500, 0]
    assert s["yoy_pct"].iloc[2] == pytest.approx(2.0)
    # 1 March against the day before, 29 February
    assert s["mom_base"].tolist() == [0, 0, 0, 1500]


def test_the_first_buckets_base_comes_from_before_the_period(wh):
    s = series(Filters(preset="this_month"), bucket="day")
    assert len(s) == 15 and s["label"].iloc[0] == "2024-03-01"
    assert s["mom_base"].iloc[0] == 1500  # 29 February, before $start
    assert s["value"].sum() == 1100


def test_a_partial_current_bucket_compares_to_date(wh):
    s = series(Filters(preset="this_month"), bucket="month")
    # 1-15 March 2024: K07 700 + K08 400 against 1-15 February (K10 600) and 1-15 March 2023 (K03 2000)
    row = s.iloc[0]
    assert (row["window_start"].date(), row["window_end"].date()) == (date(2024, 3, 1), AS_OF)
    assert [row["value"], row["mom_base"], row["yoy_base"]] == [1100, 600, 2000]


def test_iso_weeks_across_a_year_end(wh):
    s = series(custom(date(2022, 12, 28), date(2023, 1, 10)), bucket="week")
    # Sunday 2023-01-01 belongs to the week of Monday 2022-12-26, ISO 2022-W52
    assert s["bucket"].dt.date.tolist() == [date(2022, 12, 26), date(2023, 1, 2), date(2023, 1, 9)]
    assert s["label"].tolist() == ["2022-W52", "2023-W01", "2023-W02"]
    assert s["value"].tolist() == [250, 0, 1000]  # K22; an empty week; K01 on the 10th
    # the first week is cut to 28 Dec - 1 Jan; its base is 21-25 Dec (nothing there)
    assert s["mom_base"].tolist() == [0, 250, 0]
    assert nan_list(s["mom_pct"]) == [None, -1.0, None]
    # 2024-12-30 (Monday) starts ISO week 1 of 2025
    s = series(custom(date(2024, 12, 23), date(2025, 1, 12)), bucket="week")
    assert s["label"].tolist() == ["2024-W52", "2025-W01", "2025-W02"]
    assert s["bucket"].dt.date.tolist()[1] == date(2024, 12, 30)
    assert s["value"].tolist() == [0, 0, 0]


def test_other_measures(wh):
    assert series(measure="payments")["value"].tolist() == [0, 0, 1200]  # PM04 500 + PM05 700
    assert series(measure="contracts")["value"].tolist() == [0, 2, 2]
    # expenses: E1 300 in February 2024; 同比 1-15 March 2023: E2 150
    e = series(measure="expenses")
    assert e["value"].tolist() == [0, 300, 0] and e["yoy_base"].tolist() == [0, 0, 150]
    # new customers: C7 in January, C8 in March; none a year earlier (zero base: no %)
    n = series(measure="new_customers")
    assert n["value"].tolist() == [1, 0, 1] and n["yoy_pct"].isna().all()


# --- the year view --------------------------------------------------------------------

def test_year_view_totals_are_sums_of_months(wh):
    from pages import revenue

    y = revenue.year_view(Filters(), "contract_amount", 2023, AS_OF).set_index("label")
    months = [f"2023-{m:02d}" for m in range(1, 13)]
    # Jan K01 + K22, Feb K02, Mar K03 + K04, Nov K05, Dec K21 (the return)
    assert y.loc[months, "value"].tolist() == [1250, 500, 2300, 0, 0, 0, 0, 0, 0, 0, 800, -300]
    assert y.loc[["2023-Q1", "2023-Q2", "2023-Q3", "2023-Q4"], "value"].tolist() == [4050, 0, 0, 500]
    for q in range(4):
        assert y.loc[f"2023-Q{q + 1}", "value"] == y.loc[months[3 * q:3 * q + 3], "value"].sum()
    assert y.loc["2023", "value"] == y.loc[months, "value"].sum() == 4550
    # Q4 against Q3 (0): no %; December against November: (-300 - 800) / 800
    assert pd.isna(y.loc["2023-Q4", "mom_pct"])
    assert y.loc["2023-12", "mom_pct"] == pytest.approx(-1.375)


def test_year_view_of_the_current_year_is_to_date(wh):
    from pages import revenue

    y = revenue.year_view(Filters(), "contract_amount", 2024, AS_OF).set_index("label")
    assert len(y) == 12 + 4 + 1
    assert y.loc[["2024-01", "2024-02", "2024-03"], "value"].tolist() == [0, 2100, 1100]
    assert y.loc[[f"2024-{m:02d}" for m in range(4, 13)], "value"].isna().all()  # not yet happened
    assert y.loc["2024-Q1", "value"] == 3200 and y.loc["2024", "value"] == 3200
    # Q1 to 15 March against Q4 2023 to 15 December (K05 800 + K21 -300 = 500) and
    # against 1 Jan - 15 Mar 2023 (1250 + 500 + 2000 = 3750)
    assert y.loc["2024-Q1", ["mom_base", "yoy_base"]].tolist() == [500, 3750]
    assert y.loc["2024-Q1", "mom_pct"] == pytest.approx(5.4)
    assert y.loc["2024", "yoy_pct"] == pytest.approx(-550 / 3750)
    assert revenue.year_view(Filters(), "contract_amount", 2025, AS_OF) is None


# --- revenue_breakdown ----------------------------------------------------------------

def breakdown(dimension, measure="contract_amount", filters=None, top=8, bucket="month"):
    return run("revenue_breakdown", filters or Filters(), bucket=bucket, measure=measure, dimension=dimension,
               top=top)


def test_breakdown_by_team_rolls_up_sub_teams(wh):
    b = breakdown("team")
    totals = b[b["bucket"].isna()]
    # T2 = R1 (K06 1500) + R2 in sub-team T4 (K07 700); T3 = R3 (K08 400 + K10 600)
    assert totals[["slice_id", "value", "share"]].values.tolist() == [["T2", 2200, 0.6875], ["T3", 1000, 0.3125]]
    # 同比 1 Jan - 15 Mar 2023: T2 K01 1000 + K02 500 + K03 2000 + K22 250; T3 nothing (no %)
    assert totals["yoy_base"].tolist() == [3750, 0]
    assert totals["yoy_pct"].iloc[0] == pytest.approx(-1550 / 3750) and pd.isna(totals["yoy_pct"].iloc[1])
    cells = b[b["bucket"].notna()]
    assert cells[cells["slice_id"] == "T3"]["value"].tolist() == [0, 600, 400]  # January as 0
    # under team=T2 the groups are its own reps (T2) and its sub-team T4
    b = breakdown("team", filters=Filters(teams=("T2",)))
    assert b[b["bucket"].isna()][["slice_id", "value"]].values.tolist() == [["T2", 1500], ["T4", 700]]


def test_breakdown_by_category_uses_contract_lines(wh):
    t = breakdown("category")
    t = t[t["bucket"].isna()].set_index("slice_id")
    # 硬件 K06 1000 + K08 450 - 50; 软件 K06 500 + K07 500; 服务 K07 200 + K10 600
    assert t["value"].to_dict() == {"硬件": 1400, "软件": 1000, "服务": 800}
    # a year earlier: 硬件 K01 1000; 软件 K02 500 + K03 1000; 服务 K03 1000 + K22 250
    assert t["yoy_base"].to_dict() == {"硬件": 1000, "软件": 1500, "服务": 1250}


def test_breakdown_names_the_unassigned_and_sums_the_rest(wh):
    # new customers of 2023: C4 (R1), C6 (pool: no rep), C5 (R3); ties by id, the unassigned
    # last among equals; R2 made none in 2023 but C2 in 2022 (its 同比 base): -100%
    b = breakdown("rep", measure="new_customers", filters=Filters(preset="last_year"))
    totals = b[b["bucket"].isna()].astype(object)
    totals = totals.where(totals.notna(), None)
    assert totals[["slice_id", "slice_kind", "value", "yoy_base"]].values.tolist() == [
        ["R1", "slice", 1, 1], ["R3", "slice", 1, 1], [None, "none", 1, 0], ["R2", "slice", 0, 1]]
    assert totals["yoy_pct"].tolist() == [0, 0, None, -1]
    b = breakdown("rep", measure="new_customers", filters=Filters(preset="last_year"), top=1)
    totals = b[b["bucket"].isna()]
    totals = totals.astype(object).where(totals.notna(), None)
    assert totals[["slice_id", "slice_kind", "value"]].values.tolist() == [["R1", "slice", 1], [None, "other", 2]]
    assert b[b["bucket"].notna()]["value"].sum() == 3


# --- page pieces and callbacks --------------------------------------------------------

def test_default_bucket_follows_the_period_length(wh):
    from pages import revenue

    assert [revenue.default_bucket(d) for d in (1, 31, 32, 92, 93, 731, 732)] == [
        "day", "day", "week", "week", "month", "month", "quarter"]
    assert revenue.resolved({})[2]["bucket"] == "month"  # this year: 366 days
    assert revenue.resolved({"preset": "this_month"})[2]["bucket"] == "day"
    assert revenue.resolved({"bucket": "hour", "measure": "x"})[2] == {
        "measure": "contract_amount", "bucket": "month", "by": "team", "year": 2024}
    # a breakdown the measure does not have falls back to team
    assert revenue.view({"measure": "expenses", "by": "category"})["by"] == "team"


def test_layouts_take_their_view_from_the_url(wh):
    from pages import revenue, team

    text = str(revenue.layout(measure="expenses", by="category", bucket="week"))
    assert "value='expenses'" in text and "value='week'" in text and "value='team'" in text
    assert "产品类别" not in text  # expenses have no product category to break down by
    text = str(team.layout(rank_by="win_rate", target="nonsense"))
    assert "value='win_rate'" in text and "value='contract_amount'" in text


def test_revenue_callback_fills_every_card(wh):
    from pages import revenue

    out = revenue.update.__wrapped__({"measure": "payments", "bucket": "week", "by": "rep", "year": "2023"})
    series_fig, series_data, table_rows, _cols, _store, year_rows, _ycols, _ystore, year_label, \
        breakdown_fig, _bdata, slice_rows, _scols, _sstore = out
    assert len(go.Figure(series_fig).data) == 4  # value, a year earlier, 环比 %, 同比 %
    assert series_data["columns"][0] == "label" and len(table_rows) == 11  # W01..W11 of 2024
    assert year_label == "2023"
    # payments of 2023: PM01 1000 (Feb), PM02 200 (Mar), PM03 1000 (Apr)
    by_label = {r["label"]: r["value"] for r in year_rows}
    assert (by_label["2023-02"], by_label["2023-03"], by_label["2023-Q1"], by_label["2023-Q2"],
            by_label["2023"]) == (1000, 200, 1200, 1000, 2200)
    # this year's payments by rep: R2 700 (PM05), R1 500 (PM04); each trace clicks to its rep
    assert [(r["slice_id"], r["value"]) for r in slice_rows] == [("R2", 700), ("R1", 500)]
    breakdown_fig = go.Figure(breakdown_fig)
    assert [tr.customdata[0] for tr in breakdown_fig.data] == ["R2", "R1"]
    assert "58.3%" in breakdown_fig.data[0].name  # 700 / 1200


def test_revenue_callback_explains_an_empty_period(wh):
    from pages import revenue

    out = revenue.update.__wrapped__({"preset": "custom", "start": "2021-01-01", "end": "2021-01-31"})
    series, breakdown = go.Figure(out[0]), go.Figure(out[9])
    assert "No contract amount" in series.layout.annotations[0].text or "没有" in series.layout.annotations[0].text
    assert breakdown.layout.annotations  # the breakdown says so too


def test_controls_write_the_url(wh):
    from pages import revenue

    assert revenue.set_view("payments", "week", "team", "?preset=last_year") \
        == "?preset=last_year&measure=payments&bucket=week"
    # a breakdown the new measure lacks is dropped; defaults leave the URL
    assert revenue.set_view("expenses", "auto", "category", "?by=category&bucket=day") == "?measure=expenses"
    assert revenue.set_view("contract_amount", "auto", "team", "") == no_update


def test_a_slice_click_narrows_the_global_filter(wh):
    from pages import revenue

    click = {"points": [{"customdata": "华东", "x": "2024-02"}]}
    assert unquote(revenue.narrow(click, {"by": "region"}, "?measure=payments&by=region")) \
        == "?measure=payments&by=region&region=华东"
    click = {"points": [{"customdata": "R3", "x": "2024-02"}]}
    assert revenue.narrow(click, {"by": "rep"}, "?rep=R1&preset=last_year") == "?preset=last_year&rep=R3"
    # the 'others' and 'not assigned' slices carry no id: nothing to narrow to
    assert revenue.narrow({"points": [{"customdata": None}]}, {}, "") == no_update


def test_year_stepper(wh):
    from dash._callback_context import context_value
    from dash._utils import AttributeDict

    from pages import revenue

    context_value.set(AttributeDict(triggered_inputs=[{"prop_id": "revenue-year-prev.n_clicks", "value": 1}]))
    assert revenue.step_year(1, 0, {"preset": "last_year"}, "?preset=last_year") == "?preset=last_year&year=2022"


# --- /team ------------------------------------------------------------------------------

def test_rep_leaderboard_competition_ranks(wh):
    b = run("team_leaderboard", Filters(), level="rep").set_index("member_id")
    assert b["contract_amount"].to_dict() == {"R1": 1500, "R2": 700, "R3": 1000, "R4": 0}
    assert b["rank_contract_amount"].to_dict() == {"R1": 1, "R2": 3, "R3": 2, "R4": 4}
    # new customers C7 (R2) and C8 (R3) tie for 1; R1 and R4 tie for 3: 1, 1, 3, 3
    assert b["rank_new_customers"].to_dict() == {"R1": 3, "R2": 1, "R3": 1, "R4": 3}
    # contracts: R3 K08 + K10 = 2; R1 K06 and R2 K07 tie for 2
    assert b["rank_contracts"].to_dict() == {"R1": 2, "R2": 2, "R3": 1, "R4": 4}
    assert b["follow_ups"].to_dict() == {"R1": 1, "R2": 2, "R3": 0, "R4": 0}
    # closed this year: O3 won (R1), O4 lost (R3); R2 and R4 closed none: no win rate
    assert b["win_rate"].tolist()[:1] == [1.0] and b.loc["R3", "win_rate"] == 0
    assert pd.isna(b.loc["R2", "win_rate"]) and pd.isna(b.loc["R2", "rank_win_rate"])
    assert b.loc["R3", "rank_win_rate"] == 2


def test_team_leaderboard_rolls_up(wh):
    b = run("team_leaderboard", Filters(), level="team").set_index("member_id")
    assert b["contract_amount"].to_dict() == {"T2": 2200, "T3": 1000}
    assert b["rank_contracts"].to_dict() == {"T2": 1, "T3": 1}  # 2 and 2: a tie
    assert b.loc["T3", "win_rate"] == 0 and b.loc["T2", "win_rate"] == 1


def test_leaderboard_lists_ties_by_id(wh):
    from pages import team

    frame = run("team_leaderboard", Filters(), level="rep")
    listed = team.board_table(frame, "new_customers", "rep")
    assert listed[["member_id", "rank_new_customers"]].values.tolist() == [["R2", 1], ["R3", 1], ["R1", 3],
                                                                          ["R4", 3]]
    # no win rate: listed last, shown as "—"
    assert team.board_table(frame, "win_rate", "rep")["member_id"].tolist() == ["R1", "R3", "R2", "R4"]


def test_targets_month_quarter_year(wh):
    tg = run("team_targets", Filters(), level="rep")
    ca = tg[tg["measure"] == "contract_amount"].set_index(["member_id", "horizon"])
    # March 2024: R1 target 1000, nothing signed; R2 500 against K07 700
    assert ca.loc[("R1", "month"), ["target", "actual", "achievement"]].tolist() == [1000, 0, 0]
    assert ca.loc[("R2", "month"), "achievement"] == pytest.approx(1.4)
    # Q1: R1 1200 + 1000 against K06 1500
    assert ca.loc[("R1", "quarter"), ["target", "actual"]].tolist() == [2200, 1500]
    assert ca.loc[("R1", "year"), "achievement"] == pytest.approx(1500 / 2200)
    # R3 has no contract target: actual shown, no percentage
    assert pd.isna(ca.loc[("R3", "month"), "target"]) and pd.isna(ca.loc[("R3", "month"), "achievement"])
    assert ca.loc[("R3", "quarter"), "actual"] == 1000
    # payments: R3's target 300, nothing received
    pa = tg[tg["measure"] == "payment_amount"].set_index(["member_id", "horizon"])
    assert pa.loc[("R3", "month"), ["target", "actual", "achievement"]].tolist() == [300, 0, 0]
    # last month (February): R1 1200 against K06 1500
    feb = run("team_targets", Filters(preset="last_month"), level="rep").set_index(["member_id", "horizon",
                                                                                     "measure"])
    assert feb.loc[("R1", "month", "contract_amount"), "achievement"] == pytest.approx(1.25)


def test_team_targets_sum_their_reps(wh):
    tg = run("team_targets", Filters(), level="team")
    ca = tg[tg["measure"] == "contract_amount"].set_index(["member_id", "horizon"])
    # T2: R1 1000 + R2 500 against R1 0 + R2 700; T3: no target at all
    assert ca.loc[("T2", "month"), ["target", "actual"]].tolist() == [1500, 700]
    assert pd.isna(ca.loc[("T3", "month"), "achievement"]) and ca.loc[("T3", "month"), "actual"] == 400


def _side_by_side(targets: pd.DataFrame) -> pd.DataFrame:
    """team_targets' rows (a member's horizon and measure each) as one row per measure and
    member, its horizons' values side by side, by measure and member_id."""
    wide = targets.pivot(index=["measure", "member_id", "member_name"], columns="horizon",
                         values=["target", "actual", "achievement"])
    wide.columns = [f"{horizon}_{value}" for value, horizon in wide.columns]
    order = [f"{h}_{v}" for h in ("month", "quarter", "year") for v in ("target", "actual", "achievement")]
    return wide[order].reset_index().sort_values(["measure", "member_id"], ignore_index=True)


@pytest.mark.parametrize("query", [{}, {"preset": "last_month"}, {"rep": "R3"}, {"team": "T2"}, {"category": "软件"},
                                   {"preset": "custom", "start": "2015-01-01", "end": "2015-01-31"}])
def test_team_page_sections_are_the_queries(wh, query):
    """team_page holds exactly what team_leaderboard gives for each level, and team_targets'
    rows with each member's horizons side by side (month_target ... year_achievement), typed
    as the gateway types them (an empty period too)."""
    filters = Filters.from_query(query)
    page = sections(run("team_page", filters))
    own = {"reps": run("team_leaderboard", filters, level="rep"),
           "teams": run("team_leaderboard", filters, level="team"),
           "rep_targets": _side_by_side(run("team_targets", filters, level="rep")),
           "team_targets": _side_by_side(run("team_targets", filters, level="team"))}
    assert page.keys() == own.keys()
    assert len(own["reps"]) > 0 and len(own["rep_targets"]) > 0
    for name, frame in own.items():
        pd.testing.assert_frame_equal(page[name], frame, check_dtype=False, check_exact=True)
        assert [str(t).lower()[:3] for t in page[name].dtypes] == [str(t).lower()[:3] for t in frame.dtypes], name


@pytest.mark.parametrize("query", [{}, {"team": "T2"}, {"category": "软件"},
                                   {"preset": "custom", "start": "2015-01-01", "end": "2015-01-31"}])
def test_team_page_run_apart_is_the_one_statement(wh, monkeypatch, query):
    """The gateway runs team_page's two levels apart, side by side (queries.APART), and reads
    the sections from their Arrow results: frame for frame, value for value and type for type
    what team_page gives as one statement (an empty period too)."""
    assert "team_page" in queries.APART
    filters = Filters.from_query(query)
    apart = sections(run("team_page", filters))
    monkeypatch.setattr(queries, "APART", queries.APART - {"team_page"})
    queries.clear_cache()
    whole = sections(run("team_page", filters))
    assert apart.keys() == whole.keys()
    for name, frame in whole.items():
        pd.testing.assert_frame_equal(apart[name], frame, check_exact=True)


def test_team_callback_and_the_dash_for_no_target(wh):
    from components.grid import RATE_FORMAT
    from pages import team

    out = team.update.__wrapped__({"rank_by": "payments"})
    fig, data, rows, _cols, _store, team_rows = out[:6]
    title, targets, target_columns, target_store = out[8:12]
    assert [r["member_id"] for r in rows] == ["R2", "R1", "R3", "R4"]  # 700, 500, 0, 0
    assert [r["rank_payments"] for r in rows] == [1, 2, 3, 3]
    assert list(go.Figure(fig).data[0].customdata) == ["R4", "R3", "R1", "R2"]  # the leader on top
    assert data["data"][0][0] == "R2"
    assert [r["member_id"] for r in team_rows] == ["T2", "T3"]
    assert "2024-03-15" in title
    # the contract targets of March 2024 (tests above): R2 500 against 700; R3 none set, shown "—"
    by_rep = {r["member_id"]: r for r in targets}
    assert by_rep["R2"]["member_name"] and by_rep["R2"]["month_achievement"] == pytest.approx(1.4)
    assert by_rep["R3"]["month_target"] is None and by_rep["R3"]["month_achievement"] is None
    assert by_rep["R3"]["quarter_actual"] == 1000
    headers = {c["field"]: c["headerName"] for c in target_columns}
    assert headers["month_achievement"] == "本月 · 完成率" and headers["year_target"] == "本年 · 目标"
    achieved = next(c for c in target_columns if c["field"] == "month_achievement")
    assert achieved["valueFormatter"]["function"] == RATE_FORMAT  # "—" when no target, never 0% or 100%
    assert target_store["total_rows"] == 4 and target_store["headers"][0] == "编号"


def test_clicking_a_rep_sets_the_global_rep_filter(wh):
    from dash._callback_context import context_value
    from dash._utils import AttributeDict

    from pages import team

    context_value.set(AttributeDict(triggered_inputs=[{"prop_id": '{"card":"team-reps","type":"chart"}.clickData',
                                                       "value": None}]))
    click = {"points": [{"customdata": "R3"}]}
    assert team.pick_rep(click, "?preset=last_year&rep=R1") == "?preset=last_year&rep=R3"
    # (issue #16: a leaderboard cell click no longer sets the filter; the name is a link,
    # tests/test_drills.py)
    assert team.set_view("win_rate", "payment_amount", "?team=T2") == "?team=T2&rank_by=win_rate&target=payment_amount"
