"""/acquisition on the fixture plus tests/fixtures/acquisition.sql; this year =
2024-01-01..2024-03-15 (as_of). Every number worked out by hand in the comments."""

from datetime import date

import pandas as pd
import plotly.graph_objects as go
import pytest

from queries import run
from queries.filters import Filters
from tests.acquisition_fixture import acquisition_path, acquisition_warehouse  # noqa: F401  (fixtures)
from tests.conftest import FIXTURE_SQL, build_fixture, plain

pytestmark = pytest.mark.usefixtures("acquisition_warehouse")


def conversion(level, **filters):
    frame = run("acquisition_conversion", Filters(**filters))
    return frame[frame["level"] == level].reset_index(drop=True)


def test_new_customers_by_month_type_and_source():
    new = run("acquisition_new_customers", Filters())
    # January: C7 (prospect, 官网), C20 (customer, 官网); February: C21 (prospect, 展会);
    # March: C22 (customer, 转介绍), C8 (prospect, 转介绍)
    assert new[["type", "source", "customers"]].values.tolist() == [
        ["customer", "官网", 1], ["prospect", "官网", 1], ["prospect", "展会", 1],
        ["customer", "转介绍", 1], ["prospect", "转介绍", 1]]
    # an empty month appears once, as zero
    empty = run("acquisition_new_customers", Filters(preset="custom", start=date(2023, 4, 1),
                                                     end=date(2023, 5, 31)))
    assert empty["customers"].tolist() == [0, 0] and empty["type"].isna().all()


def test_conversion_per_creation_month():
    m = conversion("month")
    # Jan: C20 converted by K23 (20 Feb, a later month, 46 days), C7 never -> 1/2
    # Feb: C21 never -> 0/1, no mean; Mar: C22 by K24 (4 days after), C8 never -> 1/2
    assert m[["created", "converted"]].values.tolist() == [[2, 1], [1, 0], [2, 1]]
    assert m["conversion_rate"].tolist() == [0.5, 0.0, 0.5]
    assert m.loc[0, "mean_days_to_first"] == 46 and pd.isna(m.loc[1, "mean_days_to_first"])
    assert m.loc[2, "mean_days_to_first"] == 4


def test_conversion_counts_contracts_by_as_of_only():
    # as of 19 February C20's contract (20 February) is not signed yet
    m = conversion("month", preset="custom", start=date(2024, 1, 1), end=date(2024, 1, 31),
                   as_of=date(2024, 2, 19))
    assert m[["created", "converted"]].values.tolist() == [[2, 0]]


def test_cohorts():
    c = conversion("cohort")
    rows = [[m.strftime("%Y-%m"), None if pd.isna(n) else int(n), int(k)]
            for m, n, k in zip(c["month"], c["months_to_first"], c["customers"], strict=True)]
    # C20: January -> February (+1); C22: March -> March (+0); C7, C21, C8 not yet
    assert rows == [["2024-01", 1, 1], ["2024-01", None, 1], ["2024-02", None, 1], ["2024-03", 0, 1],
                    ["2024-03", None, 1]]


def test_sources_by_conversion_and_revenue():
    s = conversion("source")
    # revenue this year: 官网 K06 1500 (C4) + K07 700 (C1) + K23 300 (C20); 展会 K10 600 (C6);
    # 广告 K25 400 (C26); 电话营销 K08 400 (C5); 转介绍 K24 200 (C22). Ties by source.
    assert s[["source", "created", "converted", "revenue"]].values.tolist() == [
        ["官网", 2, 1, 2500], ["展会", 1, 0, 600], ["广告", 0, 0, 400], ["电话营销", 0, 0, 400], ["转介绍", 2, 1, 200]]
    assert s.loc[0, "conversion_rate"] == 0.5 and pd.isna(s.loc[2, "conversion_rate"])


def test_activity_calendar_and_reps():
    cal = run("acquisition_activity_calendar", Filters(), kind="")
    # 75 days from 1 January to 15 March 2024; A3 25 Jan, A2 20 Feb, A20 + A21 25 Feb (a Sunday), A1 1 Mar
    assert len(cal) == 75
    busy = cal[cal["activities"] > 0]
    assert [(d.strftime("%m-%d"), w.strftime("%m-%d"), wd, n) for d, w, wd, n in busy.values.tolist()] == [
        ("01-25", "01-22", 4, 1), ("02-20", "02-19", 2, 1), ("02-25", "02-19", 7, 2), ("03-01", "02-26", 5, 1)]
    assert run("acquisition_activity_calendar", Filters(), kind="visit")["activities"].sum() == 2
    reps = run("acquisition_activity_by_rep", Filters())
    assert reps[["rep_id", "kind", "activities", "rep_total"]].values.tolist() == [
        ["R1", "call", 1, 3], ["R1", "visit", 2, 3], ["R2", "call", 1, 2], ["R2", "message", 1, 2]]


def test_follow_ups_count_by_their_day_to_the_last_moment_of_the_end_day(tmp_path, monkeypatch):
    """A period's follow-ups are those whose day is in it: 23:59:59 on its last day counts, the
    moment before its first day and midnight after its last do not (read as a range of moments)."""
    sql = FIXTURE_SQL.read_text() + (
        "\ninsert into activities (activity_id, customer_id, rep_id, occurred_at, kind) values "
        "('A30', 'C1', 'R1', '2024-02-29 23:59:59', 'call'), ('A31', 'C1', 'R1', '2024-03-31 23:59:59', 'call'), "
        "('A32', 'C1', 'R1', '2024-04-01 00:00:00', 'call');\n")
    monkeypatch.setenv("CRM_WAREHOUSE", str(build_fixture(tmp_path / "moments.duckdb", sql)))
    march = Filters(preset="custom", start=date(2024, 3, 1), end=date(2024, 3, 31))
    # March: A1 (R1's visit on 1 March, 10:00) and A31; not A30 (29 February) nor A32 (1 April)
    reps = run("acquisition_activity_by_rep", march)
    assert reps[["rep_id", "kind", "activities", "rep_total"]].values.tolist() == [
        ["R1", "call", 1, 2], ["R1", "visit", 1, 2]]
    cal = run("acquisition_activity_calendar", march, kind="")
    busy = cal[cal["activities"] > 0]
    assert [(d.strftime("%m-%d"), n) for d, n in busy[["day", "activities"]].values.tolist()] == [
        ("03-01", 1), ("03-31", 1)]


def test_forgotten_customers():
    def forgotten(days, limit=1000, **filters):
        f = run("acquisition_forgotten", Filters(**filters), days=days, limit=limit)
        return list(zip(f["customer_id"], f["days_since"], strict=True))

    # days since the last follow-up, as of 15 March 2024 (never followed up: since created_at):
    # C3 547 (created 2022-09-15), C4 288, C25 and C26 166 (created 2023-10-01; their claims
    # are not follow-ups), C5 105, C7 50 (A3 25 Jan), C2 24, C21 24, C20 19, C23 19, C1 14,
    # C22 14, C8 5. Pool customers C6 and C24 are nobody's.
    assert forgotten(30) == [("C3", 547), ("C4", 288), ("C25", 166), ("C26", 166), ("C5", 105), ("C7", 50)]
    assert forgotten(180) == [("C3", 547), ("C4", 288)]
    assert [c for c, _ in forgotten(7)][-6:] == ["C2", "C21", "C20", "C23", "C1", "C22"]
    assert len(forgotten(7)) == 12
    # exactly the threshold counts: C7 has gone 50 days without follow-up
    assert ("C7", 50) in forgotten(50) and ("C7", 50) not in forgotten(51)
    assert forgotten(30, reps=("R3",)) == [("C3", 547), ("C25", 166), ("C5", 105)]
    # the grid's first rows only, with how many there are in all
    assert forgotten(30, limit=2) == [("C3", 547), ("C4", 288)]
    assert run("acquisition_forgotten", Filters(), days=30, limit=2)["total_rows"].tolist() == [6, 6]


def test_figures():
    from pages import acquisition

    new = run("acquisition_new_customers", Filters())
    fig = go.Figure(acquisition.new_customers_figure(new, "source", "en", "light"))
    assert sorted(trace.name for trace in fig.data) == ["官网", "展会", "转介绍"]
    assert list(fig.data[0].y) == [2, 0, 0]  # 官网 first: the largest series
    cal = run("acquisition_activity_calendar", Filters(), kind="")
    heat = go.Figure(acquisition.calendar_figure(cal, "en", "light")).data[0]
    assert list(heat.y) == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] and len(heat.x) == 11
    assert heat.z[6][7] == 2  # Sunday of the week of 19 February: 25 Feb
    empty = go.Figure(acquisition.calendar_figure(cal.assign(activities=0), "en", "light"))
    assert "No follow-ups" in empty.layout.annotations[0].text


def test_page_callback():
    from pages import acquisition

    out = plain(acquisition.update({"split": "type", "days": "180", "kind": "call"}))
    assert len(out) == 17
    cohort_rows, cohort_cols = out[4], out[5]
    assert [c["field"] for c in cohort_cols] == ["创建月份", "新增", "第0月", "第1月", "尚未成交"]
    assert [list(r.values()) for r in cohort_rows] == [["2024-01", 2, 0, 1, 1], ["2024-02", 1, 0, 0, 1],
                                                        ["2024-03", 2, 1, 0, 1]]
    assert out[10]["data"][55][3] == 1  # 25 Feb: only the call (A21)
    forgotten = out[15]
    assert [r[0] for r in forgotten["data"]] == ["C3", "C4"]
    assert "2024-03-15" in out[16]


def test_view_controls_write_the_url():
    from dash._callback_context import context_value
    from dash._utils import AttributeDict

    from pages import acquisition

    def call(prop_id, *args):
        context_value.set(AttributeDict(triggered_inputs=[{"prop_id": prop_id, "value": None}]))
        return acquisition.narrow(*args)

    assert call("acq-days.value", "type", "all", "90", None, "?preset=last_year") == "?preset=last_year&days=90"
    assert call("acq-split.value", "source", "visit", "30", None, "?days=90") == "?split=source&kind=visit"
    rep = '{"card":"acq-reps","type":"chart"}.clickData'
    assert call(rep, "type", "all", "30", {"points": [{"customdata": "R1"}]}, "?kind=call") == "?kind=call&rep=R1"


def test_empty_states_explain_themselves():
    from pages import acquisition

    out = acquisition.update.__wrapped__({"preset": "custom", "start": "2021-01-01", "end": "2021-01-31"})
    texts = [go.Figure(figure).layout.annotations[0].text for figure in (out[0], out[2], out[7], out[9], out[11])]
    assert texts[0] == "当前时间段和筛选条件下没有新增客户。" and texts[3] == "当前时间段和筛选条件下没有跟进记录。"
    assert all(texts)


def test_reps_chart_draws_the_reps_with_the_most_follow_ups():
    # acquisition_activity_by_rep comes ordered by the rep's total: the chart draws the first
    # figures.CHART_REPS, the leader on top (600 stacked bars on large could not be read)
    from components import figures
    from pages import acquisition

    n = figures.CHART_REPS + 3
    ids = [f"R{i:02d}" for i in range(n)]
    frame = pd.DataFrame([{"rep_id": r, "rep_name": r, "kind": kind, "activities": n - i, "total": 2 * (n - i)}
                          for i, r in enumerate(ids) for kind in ("visit", "call")])
    fig = acquisition.reps_figure(frame, "zh-CN", "light")
    assert len(fig["data"]) == 2
    for trace in fig["data"]:
        assert list(trace["customdata"]) == list(reversed(ids[:figures.CHART_REPS]))
        assert list(trace["x"]) == list(range(n - figures.CHART_REPS + 1, n + 1))
